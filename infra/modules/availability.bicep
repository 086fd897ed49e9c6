// A synthetic uptime check: Application Insights requests /healthz on the
// platform host from five UK and EU locations every five minutes, checks
// the certificate, and alerts the on-call action group when two or more
// locations fail.

param namePrefix string
param location string
param tags object

param appInsightsId string

@description('Host the check requests, e.g. ops.opsyn.example.')
param host string

@description('Action group that pages on-call; empty records failures without alerting.')
param actionGroupId string = ''

// Application Insights location ids (their names are historical): UK
// South, UK West, West Europe, North Europe, France Central.
var probeLocations = [
  'emea-ru-msa-edge'
  'emea-se-sto-edge'
  'emea-nl-ams-azr'
  'emea-gb-db3-azr'
  'emea-fr-pra-edge'
]

resource webTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: '${namePrefix}-healthz'
  location: location
  // The portal lists a test under its Application Insights resource by
  // this tag.
  tags: union(tags, {
    'hidden-link:${appInsightsId}': 'Resource'
  })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: '${namePrefix}-healthz'
    Name: '${namePrefix} /healthz'
    Kind: 'standard'
    Enabled: true
    Frequency: 300
    Timeout: 30
    RetryEnabled: true
    Locations: [for id in probeLocations: { Id: id }]
    Request: {
      RequestUrl: 'https://${host}/healthz'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 14
    }
  }
}

resource failing 'Microsoft.Insights/metricAlerts@2018-03-01' = if (!empty(actionGroupId)) {
  name: '${namePrefix}-healthz-failing'
  location: 'global'
  tags: tags
  properties: {
    description: 'The platform /healthz check failed from two or more locations.'
    severity: 1
    enabled: true
    scopes: [
      webTest.id
      appInsightsId
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: webTest.id
      componentId: appInsightsId
      failedLocationCount: 2
    }
    actions: [
      {
        actionGroupId: actionGroupId
      }
    ]
  }
}

output webTestId string = webTest.id
