{{/*
Everything one service chart renders. A service chart's templates/<service>.yaml is the single
line `{{ include "retail-mesh-lib.serviceChart" . }}` and its values.yaml holds the service's
defaults; the schema is shared (charts/retail-mesh-lib/service-values.schema.json).
*/}}
{{- define "retail-mesh-lib.serviceChart" -}}
{{- $objects := list
  (include "retail-mesh-lib.serviceAccount" .)
  (include "retail-mesh-lib.service" .)
  (include "retail-mesh-lib.deployment" .)
  (include "retail-mesh-lib.hpa" .)
  (include "retail-mesh-lib.scaledObject" .)
  (include "retail-mesh-lib.pdb" .)
  (include "retail-mesh-lib.networkPolicy" .)
  (include "retail-mesh-lib.serviceMonitor" .)
  (include "retail-mesh-lib.migrationJob" .)
-}}
{{- range $objects }}
{{- if trim . }}
---
{{ . }}
{{- end }}
{{- end }}
{{- end -}}
