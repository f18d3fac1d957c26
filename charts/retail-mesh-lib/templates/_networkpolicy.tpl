{{/*
NetworkPolicies. The umbrella chart denies all traffic in the namespace; each service then
allows exactly what it needs:
  ingress  gRPC from the services listed in networkPolicy.grpcClients (who really calls it),
           HTTP from Prometheus, HTTP from the service's own pods (its helm test Pod), HTTP
           from networkPolicy.httpIngressFrom (an ingress controller forwarding webhooks; a
           NetworkPolicy cannot filter paths, so the Ingress routes only the webhook path);
  egress   DNS, RabbitMQ, PostgreSQL, the gRPC servers it calls (grpcPeers), its own HTTP port
           (the helm test Pod), plus networkPolicy.extraEgress (external APIs: the ERP, channels).
The policy selects the service's pods by name + instance, so it also covers the migration Job
and the helm test Pod. Kubelet probes come from the node and are not subject to these policies.
*/}}
{{- define "retail-mesh-lib.networkPolicy" -}}
{{- $global := include "retail-mesh-lib.global" . | fromYaml -}}
{{- if $global.networkPolicy.enabled -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "retail-mesh-lib.fullname" . }}
  labels:
    {{- include "retail-mesh-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "retail-mesh-lib.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    {{- if .Values.networkPolicy.grpcClients }}
    - from:
        {{- range .Values.networkPolicy.grpcClients }}
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ . }}
              app.kubernetes.io/instance: {{ $.Release.Name }}
        {{- end }}
      ports:
        - port: {{ .Values.ports.grpc }}
          protocol: TCP
    {{- end }}
    - from:
        {{- toYaml $global.networkPolicy.prometheus | nindent 8 }}
      ports:
        - port: {{ .Values.ports.http }}
          protocol: TCP
    - from:
        - podSelector:
            matchLabels:
              {{- include "retail-mesh-lib.selectorLabels" . | nindent 14 }}
      ports:
        - port: {{ .Values.ports.http }}
          protocol: TCP
    {{- with .Values.networkPolicy.httpIngressFrom }}
    - from:
        {{- toYaml . | nindent 8 }}
      ports:
        - port: {{ $.Values.ports.http }}
          protocol: TCP
    {{- end }}
  egress:
    - to:
        {{- toYaml $global.networkPolicy.dns | nindent 8 }}
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- range $dependency := list "rabbitmq" "postgresql" }}
    {{- $rule := get $global.networkPolicy $dependency }}
    - ports:
        {{- range $rule.ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
      {{- with $rule.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- range .Values.grpcPeers }}
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ .name }}
              app.kubernetes.io/instance: {{ $.Release.Name }}
      ports:
        - port: {{ .port }}
          protocol: TCP
    {{- end }}
    - to:
        - podSelector:
            matchLabels:
              {{- include "retail-mesh-lib.selectorLabels" . | nindent 14 }}
      ports:
        - port: {{ .Values.ports.http }}
          protocol: TCP
    {{- with .Values.networkPolicy.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
{{- end -}}

{{/*
The namespace-wide default deny (umbrella chart): every pod of the namespace, ingress and
egress. RabbitMQ or PostgreSQL running in the same namespace need allow policies of their own.
*/}}
{{- define "retail-mesh-lib.defaultDenyNetworkPolicy" -}}
{{- $global := include "retail-mesh-lib.global" . | fromYaml -}}
{{- if $global.networkPolicy.enabled -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ printf "%s-default-deny" .Release.Name | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "retail-mesh-lib.labels" . | nindent 4 }}
spec:
  podSelector: {}
  policyTypes:
    - Ingress
    - Egress
{{- end -}}
{{- end -}}
