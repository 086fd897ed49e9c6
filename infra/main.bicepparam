// Example parameters for a production deployment in UK South. Copy it per
// environment. Secrets are read from the deploying shell's environment, so
// none is written into this file:
//
//   export OPSYN_DEPLOY_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')
//   export OPSYN_DEPLOY_POSTGRES_ADMIN_PASSWORD=... OPSYN_DEPLOY_DATABASE_OWNER_PASSWORD=...
//   export OPSYN_DEPLOY_DATABASE_APP_PASSWORD=... [SENTRY_DSN=...]
using './main.bicep'

param location = 'uksouth'
param namePrefix = 'opsyn'
param environmentName = 'production'
param tags = {
  owner: 'platform-team'
}

param image = 'opsynregistry.azurecr.io/opsyn:2026.12.0'
param containerRegistryName = 'opsynregistry'
param containerRegistryResourceGroup = 'opsyn-shared'

param platformHost = 'ops.opsyn.example'
param customDomains = [
  {
    name: 'ops.opsyn.example'
    certificateIssued: false
  }
]
// Tenant subdomains under one wildcard certificate kept in Key Vault:
// param wildcardDomain = '*.opsyn.example'
// param wildcardCertificateUrl = 'https://<vault>.vault.azure.net/secrets/opsyn-wildcard'

param postgresGeoRedundantBackup = false
param postgresAdminPassword = readEnvironmentVariable('OPSYN_DEPLOY_POSTGRES_ADMIN_PASSWORD')
param databaseOwnerPassword = readEnvironmentVariable('OPSYN_DEPLOY_DATABASE_OWNER_PASSWORD')
param databaseAppPassword = readEnvironmentVariable('OPSYN_DEPLOY_DATABASE_APP_PASSWORD')
param secretKey = readEnvironmentVariable('OPSYN_DEPLOY_SECRET_KEY')
param sentryDsn = readEnvironmentVariable('SENTRY_DSN', '')

param alertActionGroupId = ''
