{{/*
The migration Job (STYLE.md habit 7: schema changes by an explicit step): a Helm pre-install /
pre-upgrade hook running the service's image with MIGRATE_ONLY=1, which applies the pending
migrations and exits. The rollout starts only after it succeeded, and the pods run with
MIGRATE_ON_START=false. It runs before the chart's ServiceAccount exists on a first install,
so it uses the namespace's default ServiceAccount (without a token).
*/}}
{{- define "retail-mesh-lib.migrationJob" -}}
{{- if .Values.migration.enabled -}}
{{- $migration := dict "context" . "component" "migration" -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ printf "%s-migrate" (include "retail-mesh-lib.fullname" .) | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "retail-mesh-lib.componentLabels" $migration | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: {{ .Values.migration.backoffLimit }}
  activeDeadlineSeconds: {{ .Values.migration.activeDeadlineSeconds }}
  template:
    metadata:
      labels:
        {{- include "retail-mesh-lib.componentLabels" $migration | nindent 8 }}
    spec:
      restartPolicy: Never
      {{- include "retail-mesh-lib.podBasics" . | nindent 6 }}
      containers:
        - name: migrate
          image: {{ include "retail-mesh-lib.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          env:
            {{- include "retail-mesh-lib.env" . | nindent 12 }}
            - name: MIGRATE_ONLY
              value: "1"
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            {{- include "retail-mesh-lib.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            {{- include "retail-mesh-lib.tmpVolumeMount" . | nindent 12 }}
      volumes:
        {{- include "retail-mesh-lib.tmpVolume" . | nindent 8 }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
{{- end -}}

{{/*
`helm test`: a Pod that asks the service's /readyz through its Service (ready = database and
broker reachable). It runs the service's own image (node is there, fetch is built in), so a
test needs no other image.
*/}}
{{- define "retail-mesh-lib.readinessTestPod" -}}
{{- if .Values.tests.enabled -}}
{{- $test := dict "context" . "component" "test" -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ printf "%s-test-readyz" (include "retail-mesh-lib.fullname" .) | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "retail-mesh-lib.componentLabels" $test | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  {{- include "retail-mesh-lib.podBasics" . | nindent 2 }}
  containers:
    - name: readyz
      image: {{ include "retail-mesh-lib.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      env:
        - name: READYZ_URL
          value: {{ printf "http://%s:%v/readyz" (include "retail-mesh-lib.fullname" .) .Values.ports.http | quote }}
      command:
        - node
        - --eval
        - |
          const url = process.env.READYZ_URL;
          fetch(url, { signal: AbortSignal.timeout(10000) }).then(
            async (response) => {
              console.log(`${url}: ${response.status} ${await response.text()}`);
              process.exit(response.ok ? 0 : 1);
            },
            (error) => {
              console.error(`${url}: ${error.message}`);
              process.exit(1);
            },
          );
      resources:
        requests:
          cpu: 10m
          memory: 64Mi
        limits:
          cpu: 200m
          memory: 128Mi
      securityContext:
        {{- include "retail-mesh-lib.containerSecurityContext" . | nindent 8 }}
      volumeMounts:
        {{- include "retail-mesh-lib.tmpVolumeMount" . | nindent 8 }}
  volumes:
    {{- include "retail-mesh-lib.tmpVolume" . | nindent 4 }}
{{- end -}}
{{- end -}}
