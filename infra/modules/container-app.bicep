// One OpSyn role as a container app. Every role runs the same image; the
// argument passed to the image's entrypoint selects web, worker or scheduler.

param name string
param location string
param tags object

param environmentId string

@description('User-assigned identity: pulls the image and reads Key Vault secrets.')
param identityId string

@description('Login server of the registry holding the image, e.g. myregistry.azurecr.io.')
param registryServer string

@description('Full image reference, ideally pinned by digest.')
param image string

@allowed([
  'web'
  'worker'
  'scheduler'
])
param role string

@description('vCPU per replica, as a string such as 0.5 (Consumption allows 0.25 steps up to 4).')
param cpu string = '0.5'

@description('Memory per replica; Consumption needs 2Gi per vCPU, e.g. 0.5 vCPU with 1Gi.')
param memory string = '1Gi'

@description('Environment variables: objects with name and value or secretRef.')
param env array

@description('Secrets: objects with name, keyVaultUrl and identity.')
param secrets array

@minValue(0)
param minReplicas int = 1

@minValue(1)
param maxReplicas int = 1

@description('KEDA scale rules for this app.')
param scaleRules array = []

@description('Expose the app on the environment public ingress (web only).')
param externalIngress bool = false

@description('Custom domain bindings: objects with name, bindingType and certificateId.')
param customDomains array = []

@description('Health probes for the container.')
param probes array = []

resource app 'Microsoft.App/containerApps@2025-01-01' = {
  name: name
  location: location
  tags: union(tags, {
    'opsyn-role': role
  })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      // One revision at a time: two live revisions of the scheduler would
      // schedule every periodic task twice.
      activeRevisionsMode: 'Single'
      maxInactiveRevisions: 5
      secrets: secrets
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      ingress: externalIngress
        ? {
            external: true
            targetPort: 8000
            transport: 'http'
            // Plain HTTP on port 80 is redirected to HTTPS, never served.
            allowInsecure: false
            customDomains: customDomains
            traffic: [
              {
                latestRevision: true
                weight: 100
              }
            ]
          }
        : null
    }
    template: {
      containers: [
        {
          name: role
          image: image
          args: [
            role
          ]
          env: env
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          probes: probes
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: scaleRules
      }
    }
  }
}

output id string = app.id
output name string = app.name
output fqdn string = app.properties.configuration.?ingress.?fqdn ?? ''
