// Azure Cache for Redis: the Celery broker and the Django cache.
//
// TLS only (port 6380, TLS 1.2 minimum), no public endpoint: the apps reach
// it through a private endpoint in the virtual network. The connection URL
// is written straight into Key Vault, so the access key never appears in a
// deployment output.

param name string
param location string
param tags object

@allowed([
  'Basic'
  'Standard'
  'Premium'
])
@description('Standard keeps a replica; Basic has no SLA and loses queued tasks on restart.')
param skuName string = 'Standard'

@description('Size within the tier: C0-C6 (Basic/Standard) or P1-P5 (Premium).')
param capacity int = 1

param privateEndpointSubnetId string
param privateDnsZoneId string

@description('Key Vault that receives the redis-url and redis-password secrets.')
param keyVaultName string

resource redis 'Microsoft.Cache/redis@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: skuName
      family: skuName == 'Premium' ? 'P' : 'C'
      capacity: capacity
    }
    redisVersion: '6'
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Disabled'
    redisConfiguration: {
      // Cache entries carry a TTL and broker queues do not, so under memory
      // pressure Redis evicts cached values and never a queued task.
      'maxmemory-policy': 'volatile-lru'
    }
  }
}

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: '${name}-pe'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'redis'
        properties: {
          privateLinkServiceId: redis.id
          groupIds: [
            'redisCache'
          ]
        }
      }
    ]
  }
}

resource endpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'redis'
        properties: {
          privateDnsZoneId: privateDnsZoneId
        }
      }
    ]
  }
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

// Celery's Redis transport skips certificate checks on rediss:// unless the
// URL asks for them, so the URL always says ssl_cert_reqs=required.
resource redisUrl 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'redis-url'
  properties: {
    value: 'rediss://:${uriComponent(redis.listKeys().primaryKey)}@${redis.properties.hostName}:${redis.properties.sslPort}/0?ssl_cert_reqs=required'
    contentType: 'text/plain'
  }
}

// The worker's queue-length scale rule authenticates with the bare key.
resource redisPassword 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'redis-password'
  properties: {
    value: redis.listKeys().primaryKey
    contentType: 'text/plain'
  }
}

output id string = redis.id
output name string = redis.name
output hostName string = redis.properties.hostName
output sslPort int = redis.properties.sslPort
