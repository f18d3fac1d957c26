{{/* The service's Service: gRPC for commands and queries, HTTP for /metrics, /healthz, /readyz. */}}
{{- define "retail-mesh-lib.service" -}}
{{- $server := dict "context" . "component" "server" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "retail-mesh-lib.fullname" . }}
  labels:
    {{- include "retail-mesh-lib.componentLabels" $server | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "retail-mesh-lib.componentSelectorLabels" $server | nindent 4 }}
  ports:
    - name: grpc
      port: {{ .Values.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      appProtocol: grpc
    - name: http
      port: {{ .Values.ports.http }}
      targetPort: http
      protocol: TCP
      appProtocol: http
{{- end -}}

{{/* The service's own identity; it holds no API token (automountServiceAccountToken: false). */}}
{{- define "retail-mesh-lib.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "retail-mesh-lib.serviceAccountName" . }}
  labels:
    {{- include "retail-mesh-lib.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end -}}
{{- end -}}
