// A manually started Container Apps job that runs `opsyn migrate` (the
// public schema, then every tenant) with the database owner's credentials.
// Web, worker and scheduler use the application role, which may not change
// the schema; only this job holds the owner's URL.

param name string
param location string
param tags object

param environmentId string
param identityId string
param registryServer string
param image string

@description('Environment variables: objects with name and value or secretRef.')
param env array

@description('Secrets: objects with name, keyVaultUrl and identity.')
param secrets array

@description('Seconds a migration run may take before it is stopped.')
param timeoutSeconds int = 3600

resource job 'Microsoft.App/jobs@2025-01-01' = {
  name: name
  location: location
  tags: union(tags, {
    'opsyn-role': 'migrate'
  })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      triggerType: 'Manual'
      replicaTimeout: timeoutSeconds
      // A failed migration needs a person to look at it, not a retry.
      replicaRetryLimit: 0
      manualTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
      }
      secrets: secrets
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'migrate'
          image: image
          args: [
            'migrate'
          ]
          env: env
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
        }
      ]
    }
  }
}

output id string = job.id
output name string = job.name
