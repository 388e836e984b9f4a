{{/*
Names, labels and checks shared by the templates. Object names follow the kustomize base
(deploy/) when the release is called "datahub-operator"; a component suffix is appended the same
way ("-metrics", "-leader-election", ...).
*/}}

{{- define "datahub-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "datahub-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "<fullname>-<suffix>", kept within 63 characters (Service and label limits). */}}
{{- define "datahub-operator.component" -}}
{{- $full := include "datahub-operator.fullname" .root }}
{{- printf "%s-%s" ($full | trunc (int (sub 62 (len .suffix)))) .suffix | trimSuffix "-" }}
{{- end }}

{{- define "datahub-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "datahub-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "datahub-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "datahub-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ include "datahub-operator.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: datahub-operator
{{- end }}

{{- define "datahub-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "datahub-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "datahub-operator.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "datahub-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "datahub-operator.imageTag" .) }}
{{- end }}
{{- end }}

{{- define "datahub-operator.leaseName" -}}
{{- default (include "datahub-operator.component" (dict "root" . "suffix" "leader")) .Values.leaderElection.id }}
{{- end }}

{{/* The ServiceAccount as an RBAC subject. */}}
{{- define "datahub-operator.subjects" -}}
- kind: ServiceAccount
  name: {{ include "datahub-operator.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}

{{/*
Cross-field checks the schema cannot word clearly. Called from the Deployment, so every render
(install, upgrade, template, lint) runs them.
*/}}
{{- define "datahub-operator.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) }}
{{- fail (printf "cannot render datahub-operator: replicas=%d needs leaderElection.enabled=true (two active replicas would both write to Data Hub)" (int .Values.replicas)) }}
{{- end }}
{{- $creds := .Values.defaultConnection.credentials }}
{{- if $creds.create }}
{{- if or (not $creds.clientId) (not $creds.clientSecret) (not .Values.defaultConnection.tenantId) }}
{{- fail "cannot render datahub-operator: defaultConnection.credentials.create=true needs defaultConnection.tenantId, credentials.clientId and credentials.clientSecret" }}
{{- end }}
{{- end }}
{{- if eq (int .Values.metrics.port) (int .Values.healthProbe.port) }}
{{- fail (printf "cannot render datahub-operator: metrics.port and healthProbe.port are both %d" (int .Values.metrics.port)) }}
{{- end }}
{{- $sm := .Values.metrics.serviceMonitor }}
{{- if and $sm.enabled (not (and .Values.metrics.enabled .Values.metrics.service.enabled)) }}
{{- fail "cannot render datahub-operator: metrics.serviceMonitor.enabled needs metrics.enabled and metrics.service.enabled" }}
{{- end }}
{{- $own := list "POD_NAME" "POD_NAMESPACE" "DATAHUB_URL" "DATAHUB_TENANT_ID" "DATAHUB_CREDENTIALS_DIR" "DATAHUB_CLIENT_ID" "DATAHUB_CLIENT_SECRET" "WATCH_NAMESPACES" "LABEL_SELECTOR" "WORKERS" "RESYNC_INTERVAL" "INSTANCE_ID" "PROPAGATION_WINDOW" "DATAHUB_TIMEOUT" "DATAHUB_RATE_LIMIT" "LOG_LEVEL" "METRICS_BIND_ADDRESS" "HEALTH_PROBE_BIND_ADDRESS" "LEADER_ELECT" "LEADER_ELECTION_ID" "LEASE_DURATION" "RENEW_DEADLINE" "RETRY_PERIOD" "SHUTDOWN_TIMEOUT" "NODE_OPTIONS" "KUBECONFIG" }}
{{- range .Values.extraEnv }}
{{- if has .name $own }}
{{- fail (printf "cannot render datahub-operator: extraEnv %s is set by the chart; use its value in values.yaml instead (README lists them)" .name) }}
{{- end }}
{{- end }}
{{- end }}
