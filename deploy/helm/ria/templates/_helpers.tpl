{{/* Names and labels. */}}
{{- define "ria.fullname" -}}
{{- printf "%s" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "ria.labels" -}}
app.kubernetes.io/name: ria
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "ria.selector" -}}
app.kubernetes.io/name: ria
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ria.image" -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag -}}
{{- end -}}

{{/* Environment shared by every role: connections, settings, librdkafka pass-through, secret file paths. */}}
{{- define "ria.env" -}}
- name: KAFKA_BROKER
  value: {{ .Values.kafka.broker | quote }}
- name: KAFKA_TOPIC
  value: {{ .Values.kafka.topic | quote }}
- name: CONSUMER_GROUP
  value: {{ .Values.kafka.consumerGroup | quote }}
- name: ELASTICSEARCH_HOST
  value: {{ .Values.elasticsearch.host | quote }}
{{- with .Values.elasticsearch.username }}
- name: ELASTICSEARCH_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- with .Values.schemaRegistry.url }}
- name: SCHEMA_REGISTRY_URL
  value: {{ . | quote }}
{{- end }}
{{- with .Values.schemaRegistry.username }}
- name: SCHEMA_REGISTRY_USERNAME
  value: {{ . | quote }}
{{- end }}
- name: DASHBOARD_HOST
  value: "0.0.0.0"
- name: DASHBOARD_PORT
  value: {{ .Values.service.port | quote }}
- name: STATUS_INTERVAL_MS
  value: "0"
{{- range $name, $value := .Values.settings }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- range $prop, $value := .Values.rdkafka }}
- name: {{ printf "RDKAFKA_%s" ($prop | upper | replace "." "_") }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- with .Values.secrets.elasticsearchPassword.secretName }}
- name: ELASTICSEARCH_PASSWORD_FILE
  value: /var/run/secrets/ria/elasticsearch-password/{{ $.Values.secrets.elasticsearchPassword.key }}
{{- end }}
{{- with .Values.secrets.elasticsearchApiKey.secretName }}
- name: ELASTICSEARCH_API_KEY_FILE
  value: /var/run/secrets/ria/elasticsearch-api-key/{{ $.Values.secrets.elasticsearchApiKey.key }}
{{- end }}
{{- with .Values.secrets.elasticsearchCa.secretName }}
- name: ELASTICSEARCH_CA_FILE
  value: /var/run/secrets/ria/elasticsearch-ca/{{ $.Values.secrets.elasticsearchCa.key }}
{{- end }}
{{- with .Values.secrets.kafkaSaslPassword.secretName }}
- name: KAFKA_SASL_PASSWORD_FILE
  value: /var/run/secrets/ria/kafka-sasl-password/{{ $.Values.secrets.kafkaSaslPassword.key }}
{{- end }}
{{- with .Values.secrets.schemaRegistryPassword.secretName }}
- name: SCHEMA_REGISTRY_PASSWORD_FILE
  value: /var/run/secrets/ria/schema-registry-password/{{ $.Values.secrets.schemaRegistryPassword.key }}
{{- end }}
{{- with .Values.secrets.schemaRegistryCa.secretName }}
- name: SCHEMA_REGISTRY_CA_FILE
  value: /var/run/secrets/ria/schema-registry-ca/{{ $.Values.secrets.schemaRegistryCa.key }}
{{- end }}
{{- range $i, $f := .Values.secrets.rdkafkaFiles }}
- name: {{ printf "RDKAFKA_FILE_%s" ($f.property | upper | replace "." "_") }}
  value: /var/run/secrets/ria/rdkafka-{{ $i }}/{{ $f.key }}
{{- end }}
{{- end -}}

{{/* Secret volumes (read-only files) and their mounts. */}}
{{- define "ria.secretVolumes" -}}
{{- $s := .Values.secrets -}}
{{- range $name, $ref := dict "elasticsearch-password" $s.elasticsearchPassword "elasticsearch-api-key" $s.elasticsearchApiKey "elasticsearch-ca" $s.elasticsearchCa "kafka-sasl-password" $s.kafkaSaslPassword "schema-registry-password" $s.schemaRegistryPassword "schema-registry-ca" $s.schemaRegistryCa }}
{{- if $ref.secretName }}
- name: {{ $name }}
  secret:
    secretName: {{ $ref.secretName }}
    defaultMode: 0400
{{- end }}
{{- end }}
{{- range $i, $f := $s.rdkafkaFiles }}
- name: rdkafka-{{ $i }}
  secret:
    secretName: {{ $f.secretName }}
    defaultMode: 0400
{{- end }}
{{- with $s.kafkaTlsSecretName }}
- name: kafka-tls
  secret:
    secretName: {{ . }}
    defaultMode: 0400
{{- end }}
- name: tmp
  emptyDir: { sizeLimit: 64Mi }
{{- end -}}

{{- define "ria.secretMounts" -}}
{{- $s := .Values.secrets -}}
{{- range $name, $ref := dict "elasticsearch-password" $s.elasticsearchPassword "elasticsearch-api-key" $s.elasticsearchApiKey "elasticsearch-ca" $s.elasticsearchCa "kafka-sasl-password" $s.kafkaSaslPassword "schema-registry-password" $s.schemaRegistryPassword "schema-registry-ca" $s.schemaRegistryCa }}
{{- if $ref.secretName }}
- name: {{ $name }}
  mountPath: /var/run/secrets/ria/{{ $name }}
  readOnly: true
{{- end }}
{{- end }}
{{- range $i, $f := $s.rdkafkaFiles }}
- name: rdkafka-{{ $i }}
  mountPath: /var/run/secrets/ria/rdkafka-{{ $i }}
  readOnly: true
{{- end }}
{{- with $s.kafkaTlsSecretName }}
- name: kafka-tls
  mountPath: /var/run/secrets/ria/kafka-tls
  readOnly: true
{{- end }}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "ria.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* The three probes, on the HTTP side of every role. */}}
{{- define "ria.probes" -}}
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
livenessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet: { path: /readyz, port: http }
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
{{- end -}}

{{/* Pod-level settings shared by every role. */}}
{{- define "ria.podCommon" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
