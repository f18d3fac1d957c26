{{/*
Scaling: an HPA on CPU, or a KEDA ScaledObject on the depth of the service's RabbitMQ queues
(the consumer's backlog is the better signal for an event-driven service). KEDA manages an HPA
of its own, so the two are mutually exclusive: values.schema.json rejects both enabled.
*/}}
{{- define "retail-mesh-lib.hpa" -}}
{{- if .Values.autoscaling.enabled -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "retail-mesh-lib.fullname" . }}
  labels:
    {{- include "retail-mesh-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "retail-mesh-lib.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end -}}
{{- end -}}

{{/*
KEDA reads the broker URL from the Deployment's own RABBITMQ_URL variable (hostFromEnv, which
KEDA resolves from the container's secretKeyRef): no second copy of the credentials.
*/}}
{{- define "retail-mesh-lib.scaledObject" -}}
{{- if .Values.keda.enabled -}}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "retail-mesh-lib.fullname" . }}
  labels:
    {{- include "retail-mesh-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "retail-mesh-lib.fullname" . }}
    envSourceContainerName: {{ include "retail-mesh-lib.name" . }}
  minReplicaCount: {{ .Values.keda.minReplicaCount }}
  maxReplicaCount: {{ .Values.keda.maxReplicaCount }}
  pollingInterval: {{ .Values.keda.pollingInterval }}
  cooldownPeriod: {{ .Values.keda.cooldownPeriod }}
  triggers:
    {{- range .Values.keda.queues }}
    - type: rabbitmq
      metadata:
        protocol: amqp
        mode: QueueLength
        queueName: {{ .name | quote }}
        value: {{ .targetQueueLength | quote }}
        hostFromEnv: RABBITMQ_URL
    {{- end }}
{{- end -}}
{{- end -}}

{{/* Voluntary disruptions (node drains) take at most maxUnavailable server pods at a time. */}}
{{- define "retail-mesh-lib.pdb" -}}
{{- if .Values.pdb.enabled -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "retail-mesh-lib.fullname" . }}
  labels:
    {{- include "retail-mesh-lib.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "retail-mesh-lib.componentSelectorLabels" (dict "context" . "component" "server") | nindent 6 }}
{{- end -}}
{{- end -}}
