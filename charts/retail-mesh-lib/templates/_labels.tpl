{{/*
Labels. Selectors use only name + instance (plus the component where pods of one service differ:
the server, its migration Job, its helm test Pod), so they never change between releases.
*/}}

{{- define "retail-mesh-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "retail-mesh-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object: the selector labels plus chart, version and ownership. */}}
{{- define "retail-mesh-lib.labels" -}}
helm.sh/chart: {{ include "retail-mesh-lib.chart" . }}
{{ include "retail-mesh-lib.selectorLabels" . }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: retail-mesh
{{- end -}}

{{/*
Selector of one component's pods. The Service, PDB, HPA and ServiceMonitor select the `server`
pods only: the migration Job's pods must never receive traffic.
Usage: include "retail-mesh-lib.componentSelectorLabels" (dict "context" $ "component" "server")
*/}}
{{- define "retail-mesh-lib.componentSelectorLabels" -}}
{{ include "retail-mesh-lib.selectorLabels" .context }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of one component's objects and pods. */}}
{{- define "retail-mesh-lib.componentLabels" -}}
{{ include "retail-mesh-lib.labels" .context }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}
