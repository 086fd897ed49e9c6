// TLS certificates for the web app's custom domains.
//
// Free managed certificates cover named hosts (the operator console, a
// tenant's vanity domain). Azure issues one only after the host is attached
// to an app and its DNS records validate, so main.bicep deploys this module
// twice: before the web app for certificates already issued, after it for
// hosts still waiting. Managed certificates cannot be wildcards; tenant
// subdomains under one wildcard use a certificate kept in Key Vault.

param environmentName string
param location string
param tags object

@description('Custom domains: objects with name and optional validation (CNAME, HTTP or TXT; apex domains need HTTP or TXT).')
param managedDomains array = []

@description('Name for the Key Vault certificate in the environment; empty for none.')
param keyVaultCertificateName string = ''

@description('Versionless Key Vault secret URI of a PFX certificate, e.g. a wildcard; empty for none.')
param keyVaultCertificateUrl string = ''

@description('Identity of the environment that may read that secret.')
param identityId string = ''

resource appsEnvironment 'Microsoft.App/managedEnvironments@2025-01-01' existing = {
  name: environmentName
}

resource managed 'Microsoft.App/managedEnvironments/managedCertificates@2025-01-01' = [
  for domain in managedDomains: {
    parent: appsEnvironment
    name: 'mc-${replace(domain.name, '.', '-')}'
    location: location
    tags: tags
    properties: {
      subjectName: domain.name
      domainControlValidation: domain.?validation ?? 'CNAME'
    }
  }
]

resource fromKeyVault 'Microsoft.App/managedEnvironments/certificates@2025-01-01' = if (!empty(keyVaultCertificateUrl)) {
  parent: appsEnvironment
  name: empty(keyVaultCertificateName) ? 'kv-certificate' : keyVaultCertificateName
  location: location
  tags: tags
  properties: {
    certificateKeyVaultProperties: {
      identity: identityId
      keyVaultUrl: keyVaultCertificateUrl
    }
  }
}

output managedCertificateIds array = [for (domain, i) in managedDomains: managed[i].id]
output keyVaultCertificateId string = empty(keyVaultCertificateUrl) ? '' : fromKeyVault.id
