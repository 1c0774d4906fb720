{{/* Names and labels shared by every Tessera object. */}}
{{- define "tessera.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "tessera.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "tessera.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "tessera.fullname" .)) -}}
{{- end -}}

{{/* The variables every service shares (services/kit/config.ts). */}}
{{- define "tessera.commonEnv" -}}
- name: TESSERA_KAFKA_BROKERS
  value: {{ .Values.kafka.brokers | quote }}
- name: TESSERA_REGISTRY_URL
  value: {{ .Values.registry.url | quote }}
- name: TESSERA_CLICKHOUSE_URL
  value: {{ .Values.clickhouse.url | quote }}
- name: TESSERA_CLICKHOUSE_USER
  value: {{ .Values.clickhouse.user | quote }}
- name: TESSERA_CLICKHOUSE_DATABASE
  value: {{ .Values.clickhouse.database | quote }}
- name: TESSERA_TOPIC_PREFIX
  value: {{ .Values.topicPrefix | quote }}
- name: TESSERA_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end -}}

{{/* The layout of topics a service creates when they are missing (topicLayoutEnv; not read by the migration job). */}}
{{- define "tessera.topicEnv" -}}
- name: TESSERA_PARTITIONS
  value: {{ .Values.topics.partitions | quote }}
- name: TESSERA_REPLICATION_FACTOR
  value: {{ .Values.topics.replicationFactor | quote }}
{{- end -}}

{{- define "tessera.secretEnv" -}}
{{- $root := index . 0 -}}
{{- range (index . 1) }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ include "tessera.secretName" $root }}
      key: {{ . }}
{{- end }}
{{- end -}}
