{{/*
Settings every service shares, set once in the umbrella chart's `global` block. A service chart
installed on its own gets these defaults; the umbrella's values.yaml documents the same keys
with the same defaults (tools/checks/charts.spec.ts renders both ways and compares).
*/}}
{{- define "retail-mesh-lib.globalDefaults" -}}
imageRegistry: ""
imageTag: ""
imagePullSecrets: []
logLevel: info
eventsExchange: retail.events
rabbitmq:
  existingSecret: retail-mesh-rabbitmq
  urlKey: url
postgresql:
  existingSecret: retail-mesh-postgresql
  urlKey: url
networkPolicy:
  enabled: false
  dns:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  rabbitmq:
    ports: [5672, 5671]
    to: []
  postgresql:
    ports: [5432]
    to: []
  prometheus:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: monitoring
      podSelector:
        matchLabels:
          app.kubernetes.io/name: prometheus
serviceMonitor:
  enabled: true
  interval: 30s
  scrapeTimeout: 10s
  labels: {}
{{- end -}}

{{/* The effective global settings: .Values.global over the defaults, as a dict. */}}
{{- define "retail-mesh-lib.global" -}}
{{- $defaults := include "retail-mesh-lib.globalDefaults" . | fromYaml -}}
{{- mergeOverwrite $defaults (deepCopy (.Values.global | default dict)) | toYaml -}}
{{- end -}}
