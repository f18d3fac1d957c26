{{/*
Monitoring (Prometheus Operator CRDs). The ServiceMonitor sets the target label `service` to the
service name, the same value the services put on their shared metrics (STYLE.md: metrics label
service="inventory"), so every series of a service carries it, and the alert rules group by it.
*/}}
{{- define "retail-mesh-lib.serviceMonitor" -}}
{{- $global := include "retail-mesh-lib.global" . | fromYaml -}}
{{- if $global.serviceMonitor.enabled -}}
{{- $server := dict "context" . "component" "server" -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "retail-mesh-lib.fullname" . }}
  labels:
    {{- include "retail-mesh-lib.labels" . | nindent 4 }}
    {{- with $global.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "retail-mesh-lib.componentSelectorLabels" $server | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ $global.serviceMonitor.interval }}
      scrapeTimeout: {{ $global.serviceMonitor.scrapeTimeout }}
      relabelings:
        - action: replace
          targetLabel: service
          replacement: {{ include "retail-mesh-lib.name" . }}
{{- end -}}
{{- end -}}

{{/*
One PrometheusRule per plain rule file `files/rules/*.yaml` of the calling chart. The files stay
plain Prometheus rule files so promtool can check and unit-test them (it cannot read the CRD);
`{{ $labels.x }}` in them reaches Prometheus untouched, since .Files.Get does not template.
runbook_url links point at this repository; runbookBaseUrl moves them (a fork, an internal wiki).
Usage: include "retail-mesh-lib.prometheusRules" (dict "context" $ "labels" .Values.prometheusRule.labels "runbookBaseUrl" .Values.prometheusRule.runbookBaseUrl)
*/}}
{{- define "retail-mesh-lib.defaultRunbookBaseUrl" -}}
https://github.com/retail-mesh/retail-mesh/blob/main/docs/runbooks/
{{- end -}}

{{- define "retail-mesh-lib.prometheusRules" -}}
{{- $context := .context -}}
{{- $labels := .labels -}}
{{- $runbookBaseUrl := .runbookBaseUrl -}}
{{- range $path, $_ := $context.Files.Glob "files/rules/*.yaml" }}
{{- $content := $context.Files.Get $path }}
{{- if $runbookBaseUrl }}
{{- $content = replace (include "retail-mesh-lib.defaultRunbookBaseUrl" $context) $runbookBaseUrl $content }}
{{- end }}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ printf "%s-%s" $context.Release.Name (base $path | trimSuffix ".yaml") | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "retail-mesh-lib.labels" $context | nindent 4 }}
    {{- with $labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- $content | nindent 2 }}
{{- end }}
{{- end -}}
