// Lets the apps' identity pull images from an existing container registry.
// Deployed at the registry's resource group, which may differ from the
// platform's: one registry usually serves several environments.

@description('Name of the existing Azure Container Registry.')
param registryName string

@description('Principal id of the identity that pulls images.')
param pullerPrincipalId string

// Built-in role: AcrPull.
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource pullRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, pullerPrincipalId, acrPullRoleId)
  scope: registry
  properties: {
    principalId: pullerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
  }
}

output loginServer string = registry.properties.loginServer
