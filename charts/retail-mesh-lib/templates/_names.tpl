{{/*
Names. One name per deployable (STYLE.md): the chart name is the service name, and every object
of a service is called `<release>-<service>` (just `<release>` when the release name already
contains the service name, as in `helm install catalog charts/catalog`).
*/}}

{{/* The service name: the chart name unless nameOverride is set. */}}
{{- define "retail-mesh-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The full name of this chart's objects. */}}
{{- define "retail-mesh-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "retail-mesh-lib.releaseScopedName" (dict "context" . "name" (include "retail-mesh-lib.name" .)) -}}
{{- end -}}
{{- end -}}

{{/*
The full name the chart `name` gets in the same release: how a service finds a peer's Service.
Usage: include "retail-mesh-lib.releaseScopedName" (dict "context" $ "name" "catalog")
*/}}
{{- define "retail-mesh-lib.releaseScopedName" -}}
{{- $release := .context.Release.Name -}}
{{- if contains .name $release -}}
{{- $release | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $release .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The ServiceAccount the service's pods run as. */}}
{{- define "retail-mesh-lib.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "retail-mesh-lib.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* `helm.sh/chart`: chart name and version. */}}
{{- define "retail-mesh-lib.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}
