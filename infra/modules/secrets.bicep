// The platform's secrets, written into Key Vault. Container apps reference
// them by versionless URI, so a rotated value reaches new replicas without
// a template change.
//
// The two database URLs name two PostgreSQL roles: the owner that runs
// migrations and provisioning, and the application role that web and worker
// processes use. Bicep cannot run SQL, so both roles are created in the
// database by an operator (see infra/README.md); these are their passwords.

param keyVaultName string

@description('Host name of the PostgreSQL server.')
param postgresHost string

param databaseName string

@secure()
param secretKey string

@secure()
param postgresAdminPassword string

param databaseOwnerLogin string

@secure()
param databaseOwnerPassword string

param databaseAppLogin string

@secure()
param databaseAppPassword string

@secure()
@description('Sentry DSN; empty leaves error reporting off.')
param sentryDsn string = ''

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

var databaseAddress = '${postgresHost}:5432/${databaseName}?sslmode=require'

resource secretKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'secret-key'
  properties: {
    value: secretKey
    contentType: 'text/plain'
  }
}

resource adminPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'postgres-admin-password'
  properties: {
    value: postgresAdminPassword
    contentType: 'text/plain'
  }
}

resource ownerPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'database-owner-password'
  properties: {
    value: databaseOwnerPassword
    contentType: 'text/plain'
  }
}

resource appPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'database-app-password'
  properties: {
    value: databaseAppPassword
    contentType: 'text/plain'
  }
}

resource ownerUrlSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'database-url-owner'
  properties: {
    value: 'postgresql://${uriComponent(databaseOwnerLogin)}:${uriComponent(databaseOwnerPassword)}@${databaseAddress}'
    contentType: 'text/plain'
  }
}

resource appUrlSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'database-url-app'
  properties: {
    value: 'postgresql://${uriComponent(databaseAppLogin)}:${uriComponent(databaseAppPassword)}@${databaseAddress}'
    contentType: 'text/plain'
  }
}

resource sentryDsnSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(sentryDsn)) {
  parent: vault
  name: 'sentry-dsn'
  properties: {
    value: sentryDsn
    contentType: 'text/plain'
  }
}

output hasSentryDsn bool = !empty(sentryDsn)
