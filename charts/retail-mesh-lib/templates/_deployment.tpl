{{/*
The service's Deployment: hardened pods, native gRPC probes against grpc.health.v1 (the server
reports SERVING once started and NOT_SERVING as soon as it begins to shut down), spread over
nodes. `replicas` is left to the HPA or KEDA when either manages the Deployment.
*/}}
{{- define "retail-mesh-lib.deployment" -}}
{{- $server := dict "context" . "component" "server" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "retail-mesh-lib.fullname" . }}
  labels:
    {{- include "retail-mesh-lib.componentLabels" $server | nindent 4 }}
spec:
  {{- if not (or .Values.autoscaling.enabled .Values.keda.enabled) }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "retail-mesh-lib.componentSelectorLabels" $server | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "retail-mesh-lib.componentLabels" $server | nindent 8 }}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "retail-mesh-lib.serviceAccountName" . }}
      {{- include "retail-mesh-lib.podBasics" . | nindent 6 }}
      terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
      containers:
        - name: {{ include "retail-mesh-lib.name" . }}
          image: {{ include "retail-mesh-lib.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: grpc
              containerPort: {{ .Values.ports.grpc }}
              protocol: TCP
            - name: http
              containerPort: {{ .Values.ports.http }}
              protocol: TCP
          env:
            {{- include "retail-mesh-lib.env" . | nindent 12 }}
          startupProbe:
            grpc:
              port: {{ .Values.ports.grpc }}
            {{- toYaml .Values.probes.startup | nindent 12 }}
          livenessProbe:
            grpc:
              port: {{ .Values.ports.grpc }}
            {{- toYaml .Values.probes.liveness | nindent 12 }}
          readinessProbe:
            grpc:
              port: {{ .Values.ports.grpc }}
            {{- toYaml .Values.probes.readiness | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            {{- include "retail-mesh-lib.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            {{- include "retail-mesh-lib.tmpVolumeMount" . | nindent 12 }}
      volumes:
        {{- include "retail-mesh-lib.tmpVolume" . | nindent 8 }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "retail-mesh-lib.componentSelectorLabels" $server | nindent 14 }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
