// The private network: container apps, PostgreSQL and the private endpoints
// of Redis and Blob storage share one virtual network, so data traffic never
// crosses the public internet. Only the web app's ingress is public.

param namePrefix string
param location string
param tags object

@description('Address space of the virtual network.')
param addressPrefix string = '10.40.0.0/16'

@description('Container Apps environment infrastructure subnet (/27 or larger; /23 leaves room to scale).')
param appsSubnetPrefix string = '10.40.0.0/23'

@description('Subnet delegated to PostgreSQL Flexible Server.')
param postgresSubnetPrefix string = '10.40.2.0/24'

@description('Subnet for the private endpoints of Redis and Blob storage.')
param privateEndpointSubnetPrefix string = '10.40.3.0/24'

@description('Name of the PostgreSQL server, used to name its private DNS zone.')
param postgresServerName string

// Flexible Server with VNet integration resolves through a private zone
// whose name must end in .postgres.database.azure.com.
var postgresZoneName = '${postgresServerName}.private.postgres.database.azure.com'
var redisZoneName = 'privatelink.redis.cache.windows.net'
var blobZoneName = 'privatelink.blob.${environment().suffixes.storage}'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: '${namePrefix}-vnet'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'apps'
        properties: {
          addressPrefix: appsSubnetPrefix
          // Workload-profile environments need the subnet delegated to them.
          delegations: [
            {
              name: 'container-apps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'postgres'
        properties: {
          addressPrefix: postgresSubnetPrefix
          delegations: [
            {
              name: 'postgres-flexible-server'
              properties: {
                serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

resource postgresZone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: postgresZoneName
  location: 'global'
  tags: tags
}

resource redisZone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: redisZoneName
  location: 'global'
  tags: tags
}

resource blobZone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: blobZoneName
  location: 'global'
  tags: tags
}

resource postgresZoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: postgresZone
  name: '${namePrefix}-vnet'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}

resource redisZoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: redisZone
  name: '${namePrefix}-vnet'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}

resource blobZoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: blobZone
  name: '${namePrefix}-vnet'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}

output vnetId string = vnet.id
output appsSubnetId string = '${vnet.id}/subnets/apps'
output postgresSubnetId string = '${vnet.id}/subnets/postgres'
output privateEndpointSubnetId string = '${vnet.id}/subnets/private-endpoints'
// Module outputs resolve after the whole module, links included, so a
// consumer of these ids resolves the private names from its first start.
output postgresDnsZoneId string = postgresZone.id
output redisDnsZoneId string = redisZone.id
output blobDnsZoneId string = blobZone.id
