{{/* Chart name, truncated to 63 characters (a DNS label). */}}
{{- define "mif-erp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified name of the release's objects. */}}
{{- define "mif-erp.fullname" -}}
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

{{- define "mif-erp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mif-erp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mif-erp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mif-erp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The Redis objects: a name of their own, so that nothing selecting the server selects them. */}}
{{- define "mif-erp.redisLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "mif-erp.name" . }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "mif-erp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mif-erp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mif-erp.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The Secret holding the secret settings: the chart's, or existingSecret. */}}
{{- define "mif-erp.secretName" -}}
{{- .Values.existingSecret | default (include "mif-erp.fullname" .) }}
{{- end }}

{{- define "mif-erp.cnpgCluster" -}}
{{- printf "%s-db" (include "mif-erp.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mif-erp.documentsDir" -}}/var/lib/erp/documents{{- end }}

{{/* Whether the documents go to the chart's shared volume (no STORAGE_URL given). */}}
{{- define "mif-erp.documentsVolume" -}}
{{- if and .Values.documents.persistence.enabled (not .Values.config.STORAGE_URL) }}true{{ end }}
{{- end }}

{{/* The ConfigMap's data: every non-secret setting (an empty value is the server's default). */}}
{{- define "mif-erp.configData" -}}
{{- $config := deepCopy .Values.config }}
{{- if and .Values.migrations.enabled (not $config.MIGRATE_ON_START) }}
{{- $_ := set $config "MIGRATE_ON_START" "false" }}
{{- end }}
{{- if include "mif-erp.documentsVolume" . }}
{{- $_ := set $config "STORAGE_URL" (printf "file://%s" (include "mif-erp.documentsDir" .)) }}
{{- end }}
{{- range $key, $value := $config }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* The chart Secret's data. */}}
{{- define "mif-erp.secretData" -}}
{{- range $key, $value := .Values.secret }}
{{ $key }}: {{ $value | toString | b64enc | quote }}
{{- end }}
{{- end }}

{{/* Environment of the server's containers: the settings, then what the chart's add-ons provide. */}}
{{- define "mif-erp.envFrom" -}}
- configMapRef:
    name: {{ .configMap }}
- secretRef:
    name: {{ .secret }}
{{- end }}

{{- define "mif-erp.env" -}}
{{- if .Values.cnpg.enabled }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "mif-erp.cnpgCluster" . }}-app
      key: uri
{{- end }}
{{- if .Values.redis.enabled }}
- name: REDIS_URL
  value: {{ printf "redis://%s-redis:6379/0" (include "mif-erp.fullname" .) | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
