// The one identity every OpSyn container runs as. It pulls the image, reads
// secrets from Key Vault and writes backups to Blob storage; it holds no
// database rights (those are PostgreSQL roles with passwords).

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
