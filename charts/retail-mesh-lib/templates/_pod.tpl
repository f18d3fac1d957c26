{{/*
The pieces every pod of a service shares (server, migration Job, helm test): image, hardened
security contexts, the writable /tmp, the configuration environment.
*/}}

{{/*
registry/repository:tag or registry/repository@digest; the tag defaults to global.imageTag, then
the appVersion. skaffold sets the tag to `<tag>@<digest>`, and to `<tag>@` when it has no digest
(an image built locally and not pushed): the dangling `@` is dropped.
*/}}
{{- define "retail-mesh-lib.image" -}}
{{- $global := include "retail-mesh-lib.global" . | fromYaml -}}
{{- $registry := .Values.image.registry | default $global.imageRegistry -}}
{{- $repository := ternary (printf "%s/%s" $registry .Values.image.repository) .Values.image.repository (ne $registry "") -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (.Values.image.tag | default $global.imageTag | default .Chart.AppVersion | trimSuffix "@") -}}
{{- end -}}
{{- end -}}

{{/* Pod-level security: non-root (the image's user 1000), seccomp RuntimeDefault. */}}
{{- define "retail-mesh-lib.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security: read-only root filesystem, no privilege escalation, no capabilities. */}}
{{- define "retail-mesh-lib.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
{{- end -}}

{{/* Common pod spec fields: no API token (the services never call the Kubernetes API), pull secrets. */}}
{{- define "retail-mesh-lib.podBasics" -}}
{{- $global := include "retail-mesh-lib.global" . | fromYaml -}}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "retail-mesh-lib.podSecurityContext" . | nindent 2 }}
{{- with $global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The only writable path: /tmp (the root filesystem is read-only). */}}
{{- define "retail-mesh-lib.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "retail-mesh-lib.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/*
The service's configuration (libs/service-kit reads these): ports, schema, exchange, log level,
RabbitMQ and PostgreSQL URLs from Secrets, gRPC peers as host:port, the service's own settings
(`env`, rendered with tpl) and secret settings (`secretEnv`).
*/}}
{{- define "retail-mesh-lib.env" -}}
{{- $global := include "retail-mesh-lib.global" . | fromYaml -}}
- name: GRPC_PORT
  value: {{ .Values.ports.grpc | quote }}
- name: HTTP_PORT
  value: {{ .Values.ports.http | quote }}
- name: DATABASE_SCHEMA
  value: {{ .Values.databaseSchema | quote }}
- name: EVENTS_EXCHANGE
  value: {{ $global.eventsExchange | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | default $global.logLevel | quote }}
# The migration Job applies schema changes before the rollout; pods never race to migrate.
- name: MIGRATE_ON_START
  value: {{ ternary "false" "true" .Values.migration.enabled | quote }}
- name: RABBITMQ_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.rabbitmq.existingSecret | default $global.rabbitmq.existingSecret | quote }}
      key: {{ .Values.rabbitmq.urlKey | default $global.rabbitmq.urlKey | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.postgresql.existingSecret | default $global.postgresql.existingSecret | quote }}
      key: {{ .Values.postgresql.urlKey | default $global.postgresql.urlKey | quote }}
{{- range .Values.grpcPeers }}
- name: {{ .env }}
  value: {{ .address | default (printf "%s:%v" (include "retail-mesh-lib.releaseScopedName" (dict "context" $ "name" .name)) .port) | quote }}
{{- end }}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ tpl (toString $value) $ | quote }}
{{- end }}
{{- range $name, $ref := .Values.secretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ tpl $ref.secretName $ | quote }}
      key: {{ $ref.key | quote }}
{{- end }}
{{- end -}}
