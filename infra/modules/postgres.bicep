// PostgreSQL Flexible Server: one database, every tenant a schema in it.
//
// The server is reachable only from inside the virtual network (subnet
// delegation plus a private DNS zone); it has no public endpoint. Backups,
// point-in-time restore and encryption at rest are Azure-managed.

param name string
param location string
param tags object

@description('Subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers.')
param delegatedSubnetId string

@description('Private DNS zone ending in .postgres.database.azure.com, linked to the VNet.')
param privateDnsZoneId string

@description('Compute size. General Purpose keeps a steady CPU; Burstable suits a staging server.')
param skuName string = 'Standard_D2ds_v5'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param skuTier string = 'GeneralPurpose'

@minValue(32)
param storageSizeGB int = 64

@description('Copy backups to the paired region (UK South pairs with UK West). Can be set only when the server is created.')
param geoRedundantBackup bool = false

@description('Run a standby replica in another availability zone.')
param zoneRedundantHighAvailability bool = false

@description('Server administrator login; used to create the platform roles, never by the apps.')
param administratorLogin string

@secure()
@description('Server administrator password.')
param administratorPassword string

@description('Object id of an Entra ID user or group to make administrator as well. Empty: password administrator only.')
param entraAdminObjectId string = ''

@description('Display name (user principal name or group name) of that Entra administrator.')
param entraAdminName string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param entraAdminType string = 'Group'

param databaseName string = 'opsyn'

// The published promise is daily backups with seven days of point-in-time
// restore; changing this changes what customers were told.
var backupRetentionDays = 7
var entraEnabled = !empty(entraAdminObjectId)

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: '16'
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    authConfig: {
      // Password authentication stays on: the application roles log in
      // with passwords kept in Key Vault.
      passwordAuth: 'Enabled'
      activeDirectoryAuth: entraEnabled ? 'Enabled' : 'Disabled'
      tenantId: subscription().tenantId
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: geoRedundantBackup ? 'Enabled' : 'Disabled'
    }
    highAvailability: {
      mode: zoneRedundantHighAvailability ? 'ZoneRedundant' : 'Disabled'
    }
    network: {
      delegatedSubnetResourceId: delegatedSubnetId
      privateDnsZoneArmResourceId: privateDnsZoneId
      publicNetworkAccess: 'Disabled'
    }
    dataEncryption: {
      type: 'SystemManaged'
    }
    maintenanceWindow: {
      customWindow: 'Enabled'
      dayOfWeek: 0
      startHour: 2
      startMinute: 0
    }
  }
}

// Server parameters are applied one at a time: the service rejects
// concurrent configuration changes on one server.
resource requireTls 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'require_secure_transport'
  properties: {
    value: 'on'
    source: 'user-override'
  }
}

resource minimumTls 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'ssl_min_protocol_version'
  properties: {
    value: 'TLSv1.2'
    source: 'user-override'
  }
  dependsOn: [
    requireTls
  ]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
  dependsOn: [
    minimumTls
  ]
}

resource entraAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = if (entraEnabled) {
  parent: server
  name: entraEnabled ? entraAdminObjectId : 'none'
  properties: {
    principalName: entraAdminName
    principalType: entraAdminType
    tenantId: subscription().tenantId
  }
  dependsOn: [
    database
  ]
}

output id string = server.id
output name string = server.name
output fqdn string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
