// OpSyn on Azure: one resource group holding the whole platform.
//
//   Container Apps   web (public ingress), worker, scheduler, migrate job
//   PostgreSQL       Flexible Server 16, private, 7-day point-in-time restore
//   Redis            Azure Cache for Redis, TLS only, private endpoint
//   Key Vault        secret key, database and Redis credentials
//   Storage          blob container for the platform's own backups
//   Monitoring       Log Analytics, Application Insights, uptime check
//
// Deploy with `az deployment group create` (see infra/README.md).

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------
// Where and what
// ---------------------------------------------------------------------------

@description('Region for every resource. UK South by default; the EU regions are for customers who ask for EU residency.')
@allowed([
  'uksouth'
  'ukwest'
  'westeurope'
  'northeurope'
  'francecentral'
  'germanywestcentral'
  'swedencentral'
])
param location string = 'uksouth'

@description('Lowercase letters, digits and hyphens; starts every resource name.')
@minLength(3)
@maxLength(14)
param namePrefix string = 'opsyn'

@description('Reported to Sentry and telemetry as the environment name.')
param environmentName string = 'production'

@description('Tags added to every resource.')
param tags object = {}

// ---------------------------------------------------------------------------
// Image and registry
// ---------------------------------------------------------------------------

@description('Image to run, e.g. myregistry.azurecr.io/opsyn@sha256:...; pin a digest in production.')
param image string

@description('Name of the existing Azure Container Registry that holds the image.')
param containerRegistryName string

@description('Resource group of that registry, when it is not this one.')
param containerRegistryResourceGroup string = resourceGroup().name

// ---------------------------------------------------------------------------
// Hosts and certificates
// ---------------------------------------------------------------------------

@description('Host of the operator console, e.g. ops.opsyn.example. Tenant hosts are routed by the app.')
param platformHost string

@description('''Custom domains on the web app, each with a free managed certificate:
objects { name, validation?, certificateIssued? }. Add a domain with
certificateIssued false (its DNS CNAME and asuid TXT records in place), deploy,
then set certificateIssued true once Azure has issued the certificate and
deploy again to bind it.''')
param customDomains array = []

@description('Wildcard host for tenant subdomains, e.g. *.opsyn.example; empty for none. Managed certificates cannot be wildcards.')
param wildcardDomain string = ''

@description('Versionless Key Vault secret URI of the certificate for wildcardDomain. The apps identity must be able to read it.')
param wildcardCertificateUrl string = ''

@description('Proxies in front of the app that append to X-Forwarded-For: the Container Apps ingress is one.')
@minValue(0)
param trustedProxies int = 1

// ---------------------------------------------------------------------------
// Sizes and scale
// ---------------------------------------------------------------------------

@minValue(1)
param webMinReplicas int = 2

@minValue(1)
param webMaxReplicas int = 10

@description('Concurrent requests per web replica before another is added.')
param webConcurrentRequests int = 40

@description('Gunicorn worker processes per web replica.')
param webWorkers int = 2

param webCpu string = '0.5'
param webMemory string = '1Gi'

@minValue(0)
param workerMinReplicas int = 1

@minValue(1)
param workerMaxReplicas int = 5

@description('Queued Celery messages per worker replica before another is added.')
param workerQueueLength int = 20

@description('Celery processes per worker replica.')
param workerConcurrency int = 2

param workerCpu string = '0.5'
param workerMemory string = '1Gi'

@description('Spread container app replicas over availability zones.')
param zoneRedundant bool = false

// ---------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------

param postgresSkuName string = 'Standard_D2ds_v5'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'GeneralPurpose'

param postgresStorageSizeGB int = 64

@description('Copy backups to the paired region. Off by default; can be set only when the server is created.')
param postgresGeoRedundantBackup bool = false

@description('Zone-redundant standby replica.')
param postgresHighAvailability bool = false

param postgresAdminLogin string = 'opsynadmin'

@secure()
param postgresAdminPassword string

@description('Entra ID user or group to add as PostgreSQL administrator; empty for password only.')
param postgresEntraAdminObjectId string = ''

param postgresEntraAdminName string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param postgresEntraAdminType string = 'Group'

param databaseName string = 'opsyn'

@description('Role that owns the schema and runs migrations.')
param databaseOwnerLogin string = 'opsyn_owner'

@secure()
param databaseOwnerPassword string

@description('Role the web, worker and scheduler connect as.')
param databaseAppLogin string = 'opsyn_app'

@secure()
param databaseAppPassword string

// ---------------------------------------------------------------------------
// Redis, storage, secrets, monitoring
// ---------------------------------------------------------------------------

@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param redisSkuName string = 'Standard'

param redisCapacity int = 1

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param backupStorageSkuName string = 'Standard_GRS'

@description('Days a backup blob is kept.')
param backupRetentionDays int = 35

@secure()
@description('Django SECRET_KEY. Keep it stable: changing it signs every user out.')
param secretKey string

@secure()
@description('Sentry DSN; empty leaves Sentry off.')
param sentryDsn string = ''

param logRetentionDays int = 30

@description('Request /healthz on the platform host from five UK/EU locations.')
param enableAvailabilityTest bool = true

@description('Action group that pages on-call when the uptime check fails; empty for none.')
param alertActionGroupId string = ''

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

var suffix = take(uniqueString(resourceGroup().id, namePrefix), 6)
var allTags = union(tags, {
  application: 'opsyn'
  environment: environmentName
})

var names = {
  identity: '${namePrefix}-apps'
  environment: '${namePrefix}-env'
  postgres: '${namePrefix}-pg-${suffix}'
  redis: '${namePrefix}-redis-${suffix}'
  keyVault: 'kv-${namePrefix}-${suffix}'
  storage: toLower('st${replace(namePrefix, '-', '')}${suffix}')
  web: '${namePrefix}-web'
  worker: '${namePrefix}-worker'
  maintenanceWorker: '${namePrefix}-maintenance'
  scheduler: '${namePrefix}-scheduler'
  migrate: '${namePrefix}-migrate'
}

// ---------------------------------------------------------------------------
// Foundations
// ---------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: allTags
  }
}

module network 'modules/network.bicep' = {
  name: 'network'
  params: {
    namePrefix: namePrefix
    location: location
    tags: allTags
    postgresServerName: names.postgres
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    namePrefix: namePrefix
    location: location
    tags: allTags
    logRetentionDays: logRetentionDays
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    readerPrincipalId: identity.outputs.principalId
  }
}

module registryAccess 'modules/registry-access.bicep' = {
  name: 'registry-access'
  scope: resourceGroup(containerRegistryResourceGroup)
  params: {
    registryName: containerRegistryName
    pullerPrincipalId: identity.outputs.principalId
  }
}

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: names.postgres
    location: location
    tags: allTags
    delegatedSubnetId: network.outputs.postgresSubnetId
    privateDnsZoneId: network.outputs.postgresDnsZoneId
    skuName: postgresSkuName
    skuTier: postgresSkuTier
    storageSizeGB: postgresStorageSizeGB
    geoRedundantBackup: postgresGeoRedundantBackup
    zoneRedundantHighAvailability: postgresHighAvailability
    administratorLogin: postgresAdminLogin
    administratorPassword: postgresAdminPassword
    entraAdminObjectId: postgresEntraAdminObjectId
    entraAdminName: postgresEntraAdminName
    entraAdminType: postgresEntraAdminType
    databaseName: databaseName
  }
}

module redis 'modules/redis.bicep' = {
  name: 'redis'
  params: {
    name: names.redis
    location: location
    tags: allTags
    skuName: redisSkuName
    capacity: redisCapacity
    privateEndpointSubnetId: network.outputs.privateEndpointSubnetId
    privateDnsZoneId: network.outputs.redisDnsZoneId
    keyVaultName: keyVault.outputs.name
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: allTags
    skuName: backupStorageSkuName
    backupRetentionDays: backupRetentionDays
    privateEndpointSubnetId: network.outputs.privateEndpointSubnetId
    privateDnsZoneId: network.outputs.blobDnsZoneId
    writerPrincipalId: identity.outputs.principalId
  }
}

module secrets 'modules/secrets.bicep' = {
  name: 'secrets'
  params: {
    keyVaultName: keyVault.outputs.name
    postgresHost: postgres.outputs.fqdn
    databaseName: postgres.outputs.databaseName
    secretKey: secretKey
    postgresAdminPassword: postgresAdminPassword
    databaseOwnerLogin: databaseOwnerLogin
    databaseOwnerPassword: databaseOwnerPassword
    databaseAppLogin: databaseAppLogin
    databaseAppPassword: databaseAppPassword
    sentryDsn: sentryDsn
  }
}

// ---------------------------------------------------------------------------
// Container Apps
// ---------------------------------------------------------------------------

module appsEnvironment 'modules/container-apps-environment.bicep' = {
  name: 'container-apps-environment'
  params: {
    name: names.environment
    location: location
    tags: allTags
    infrastructureSubnetId: network.outputs.appsSubnetId
    logAnalyticsWorkspaceName: monitoring.outputs.workspaceName
    identityId: identity.outputs.id
    zoneRedundant: zoneRedundant
  }
}

var vaultUri = keyVault.outputs.uri
var identityId = identity.outputs.id

// Container app secrets are Key Vault references read with the apps'
// identity; no secret value passes through the app definitions.
var commonSecrets = concat(
  [
    {
      name: 'secret-key'
      keyVaultUrl: '${vaultUri}secrets/secret-key'
      identity: identityId
    }
    {
      name: 'redis-url'
      keyVaultUrl: '${vaultUri}secrets/redis-url'
      identity: identityId
    }
  ],
  empty(sentryDsn)
    ? []
    : [
        {
          name: 'sentry-dsn'
          keyVaultUrl: '${vaultUri}secrets/sentry-dsn'
          identity: identityId
        }
      ]
)

var appSecrets = concat(commonSecrets, [
  {
    name: 'database-url'
    keyVaultUrl: '${vaultUri}secrets/database-url-app'
    identity: identityId
  }
])

var workerSecrets = concat(appSecrets, [
  {
    name: 'redis-password'
    keyVaultUrl: '${vaultUri}secrets/redis-password'
    identity: identityId
  }
])

var ownerSecrets = concat(commonSecrets, [
  {
    name: 'database-url'
    keyVaultUrl: '${vaultUri}secrets/database-url-owner'
    identity: identityId
  }
])

// Retention and restore drills are sent here (OPSYN_MAINTENANCE_QUEUE).
var maintenanceQueue = 'maintenance'

var commonEnv = concat(
  [
    {
      name: 'OPSYN_MAINTENANCE_QUEUE'
      value: maintenanceQueue
    }
    {
      name: 'OPSYN_ENVIRONMENT'
      value: environmentName
    }
    {
      name: 'OPSYN_PLATFORM_HOST'
      value: platformHost
    }
    {
      name: 'OPSYN_TRUSTED_PROXIES'
      value: string(trustedProxies)
    }
    {
      name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
      value: monitoring.outputs.appInsightsConnectionString
    }
    {
      name: 'OPSYN_SECRET_KEY'
      secretRef: 'secret-key'
    }
    {
      name: 'DATABASE_URL'
      secretRef: 'database-url'
    }
    {
      name: 'REDIS_URL'
      secretRef: 'redis-url'
    }
    {
      // Lets Azure SDK clients authenticate as the apps' identity.
      name: 'AZURE_CLIENT_ID'
      value: identity.outputs.clientId
    }
    {
      // Tenant backups go here, written and read as the apps' identity
      // (AZURE_CLIENT_ID above): the account accepts no shared keys.
      name: 'OPSYN_BACKUP_AZURE_CONTAINER_URL'
      value: storage.outputs.backupContainerUrl
    }
  ],
  empty(sentryDsn)
    ? []
    : [
        {
          name: 'SENTRY_DSN'
          secretRef: 'sentry-dsn'
        }
      ]
)

// Tenant routing answers by Host, so probes name the platform host.
var healthCheck = {
  path: '/healthz'
  port: 8000
  scheme: 'HTTP'
  httpHeaders: [
    {
      name: 'Host'
      value: platformHost
    }
  ]
}

// /healthz, not /readyz: readiness also checks the database, Redis and the
// scheduler heartbeat, and one of those failing must not take every web
// replica out of the load balancer at once.
var webProbes = [
  {
    type: 'Startup'
    httpGet: healthCheck
    initialDelaySeconds: 5
    periodSeconds: 5
    timeoutSeconds: 3
    failureThreshold: 10
  }
  {
    type: 'Liveness'
    httpGet: healthCheck
    periodSeconds: 30
    timeoutSeconds: 5
    failureThreshold: 3
  }
  {
    type: 'Readiness'
    httpGet: healthCheck
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 3
  }
]

// Certificates already issued are bound as the web app is deployed; hosts
// still waiting are attached unbound first, because Azure issues a managed
// certificate only for a host an app already serves.
var issuedDomains = filter(customDomains, domain => domain.?certificateIssued ?? false)
var pendingDomains = filter(customDomains, domain => !(domain.?certificateIssued ?? false))

module issuedCertificates 'modules/certificates.bicep' = {
  name: 'certificates-issued'
  params: {
    environmentName: appsEnvironment.outputs.name
    location: location
    tags: allTags
    managedDomains: issuedDomains
    keyVaultCertificateName: 'tenant-wildcard'
    keyVaultCertificateUrl: wildcardCertificateUrl
    identityId: identityId
  }
}

var managedBindings = [
  for domain in issuedDomains: {
    name: domain.name
    bindingType: 'SniEnabled'
    certificateId: resourceId(
      'Microsoft.App/managedEnvironments/managedCertificates',
      names.environment,
      'mc-${replace(domain.name, '.', '-')}'
    )
  }
]

var pendingBindings = [
  for domain in pendingDomains: {
    name: domain.name
    bindingType: 'Disabled'
  }
]

var wildcardBindings = empty(wildcardDomain) || empty(wildcardCertificateUrl)
  ? []
  : [
      {
        name: wildcardDomain
        bindingType: 'SniEnabled'
        certificateId: issuedCertificates.outputs.keyVaultCertificateId
      }
    ]

// The public entry point. TLS terminates at the Container Apps ingress,
// which offers TLS 1.2 and 1.3 only (minimum TLS 1.2, not configurable
// lower); plain HTTP is redirected. Scales on concurrent requests.
module web 'modules/container-app.bicep' = {
  name: 'app-web'
  params: {
    name: names.web
    location: location
    tags: allTags
    environmentId: appsEnvironment.outputs.id
    identityId: identityId
    registryServer: registryAccess.outputs.loginServer
    image: image
    role: 'web'
    cpu: webCpu
    memory: webMemory
    env: concat(commonEnv, [
      {
        name: 'OPSYN_WEB_WORKERS'
        value: string(webWorkers)
      }
    ])
    secrets: appSecrets
    minReplicas: webMinReplicas
    maxReplicas: webMaxReplicas
    scaleRules: [
      {
        name: 'http-concurrency'
        http: {
          metadata: {
            concurrentRequests: string(webConcurrentRequests)
          }
        }
      }
    ]
    externalIngress: true
    customDomains: concat(managedBindings, pendingBindings, wildcardBindings)
    probes: webProbes
  }
  dependsOn: [
    secrets
    redis
    issuedCertificates
  ]
}

module pendingCertificates 'modules/certificates.bicep' = if (!empty(pendingDomains)) {
  name: 'certificates-pending'
  params: {
    environmentName: appsEnvironment.outputs.name
    location: location
    tags: allTags
    managedDomains: pendingDomains
  }
  dependsOn: [
    web
  ]
}

// Celery workers, scaled on the length of the default queue.
module worker 'modules/container-app.bicep' = {
  name: 'app-worker'
  params: {
    name: names.worker
    location: location
    tags: allTags
    environmentId: appsEnvironment.outputs.id
    identityId: identityId
    registryServer: registryAccess.outputs.loginServer
    image: image
    role: 'worker'
    cpu: workerCpu
    memory: workerMemory
    env: concat(commonEnv, [
      {
        name: 'OPSYN_WORKER_CONCURRENCY'
        value: string(workerConcurrency)
      }
    ])
    secrets: workerSecrets
    minReplicas: workerMinReplicas
    maxReplicas: workerMaxReplicas
    scaleRules: [
      {
        name: 'celery-queue'
        custom: {
          type: 'redis'
          metadata: {
            address: '${redis.outputs.hostName}:${redis.outputs.sslPort}'
            enableTLS: 'true'
            databaseIndex: '0'
            listName: 'celery'
            listLength: string(workerQueueLength)
          }
          auth: [
            {
              secretRef: 'redis-password'
              triggerParameter: 'password'
            }
          ]
        }
      }
    ]
  }
  dependsOn: [
    secrets
  ]
}

// The maintenance worker: retention (which purges the audit log) and restore
// drills (which create and drop schemas) need the owner's privileges, so they
// go to a queue of their own that only this worker, connected as the owner,
// consumes. One replica: these jobs are few, long and spread over the night.
module maintenanceWorker 'modules/container-app.bicep' = {
  name: 'app-maintenance-worker'
  params: {
    name: names.maintenanceWorker
    location: location
    tags: allTags
    environmentId: appsEnvironment.outputs.id
    identityId: identityId
    registryServer: registryAccess.outputs.loginServer
    image: image
    role: 'worker'
    cpu: workerCpu
    memory: workerMemory
    env: concat(commonEnv, [
      {
        name: 'OPSYN_WORKER_QUEUES'
        value: maintenanceQueue
      }
      {
        name: 'OPSYN_WORKER_CONCURRENCY'
        value: '1'
      }
    ])
    secrets: ownerSecrets
    minReplicas: 1
    maxReplicas: 1
  }
  dependsOn: [
    secrets
    redis
  ]
}

// Celery beat. Exactly one replica, never scaled: a second scheduler would
// send every periodic task twice.
module scheduler 'modules/container-app.bicep' = {
  name: 'app-scheduler'
  params: {
    name: names.scheduler
    location: location
    tags: allTags
    environmentId: appsEnvironment.outputs.id
    identityId: identityId
    registryServer: registryAccess.outputs.loginServer
    image: image
    role: 'scheduler'
    cpu: '0.25'
    memory: '0.5Gi'
    env: commonEnv
    secrets: appSecrets
    minReplicas: 1
    maxReplicas: 1
  }
  dependsOn: [
    secrets
    redis
  ]
}

module migrate 'modules/migrate-job.bicep' = {
  name: 'job-migrate'
  params: {
    name: names.migrate
    location: location
    tags: allTags
    environmentId: appsEnvironment.outputs.id
    identityId: identityId
    registryServer: registryAccess.outputs.loginServer
    image: image
    env: commonEnv
    secrets: ownerSecrets
  }
  dependsOn: [
    secrets
    redis
  ]
}

module availability 'modules/availability.bicep' = if (enableAvailabilityTest) {
  name: 'availability'
  params: {
    namePrefix: namePrefix
    location: location
    tags: allTags
    appInsightsId: monitoring.outputs.appInsightsId
    host: platformHost
    actionGroupId: alertActionGroupId
  }
}

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

@description('Default host name of the web app; point custom domains here with a CNAME.')
output webFqdn string = web.outputs.fqdn

@description('Public IP of the environment, for apex (A record) domains.')
output environmentStaticIp string = appsEnvironment.outputs.staticIp

@description('Value for the asuid.<host> TXT record of every custom domain.')
output customDomainVerificationId string = appsEnvironment.outputs.customDomainVerificationId

output keyVaultName string = keyVault.outputs.name
output postgresHost string = postgres.outputs.fqdn
output migrateJobName string = migrate.outputs.name
output backupContainerUrl string = storage.outputs.backupContainerUrl
