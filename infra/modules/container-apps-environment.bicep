// The Container Apps environment: a workload-profile (Consumption) environment
// inside the apps subnet, logging to Log Analytics.
//
// TLS for the public ingress is terminated by the environment's managed
// Envoy, which accepts TLS 1.2 and 1.3 only; there is no setting to lower
// it, so TLS 1.2+ holds without configuration here.

param name string
param location string
param tags object

@description('Subnet delegated to Microsoft.App/environments.')
param infrastructureSubnetId string

@description('Log Analytics workspace that receives container logs.')
param logAnalyticsWorkspaceName string

@description('Identity used to fetch certificates from Key Vault.')
param identityId string

@description('Spread replicas over availability zones (needs a /23 or larger subnet).')
param zoneRedundant bool = false

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsWorkspaceName
}

resource appsEnvironment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
    vnetConfiguration: {
      infrastructureSubnetId: infrastructureSubnetId
      // The environment gets a public IP for the web app's ingress; apps
      // without ingress are not reachable from outside either way.
      internal: false
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
    zoneRedundant: zoneRedundant
  }
}

output id string = appsEnvironment.id
output name string = appsEnvironment.name
output defaultDomain string = appsEnvironment.properties.defaultDomain
output staticIp string = appsEnvironment.properties.staticIp
// Custom domains are proven with a TXT record asuid.<host> holding this id.
output customDomainVerificationId string = appsEnvironment.properties.customDomainConfiguration.?customDomainVerificationId ?? ''
