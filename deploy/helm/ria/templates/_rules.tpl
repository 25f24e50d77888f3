{{/*
  The alerting and recording rules, once: rendered into a PrometheusRule (operator) and into a
  plain rules file (ConfigMap). Thresholds and durations come from .Values.alerts; the promtool
  unit tests (deploy/prometheus/tests/) and the real-Prometheus test run this rendered file.
*/}}
{{- define "ria.rules" -}}
{{- $a := .Values.alerts -}}
groups:
  - name: ria.recording
    rules:
      - record: ria:events:rate1m
        expr: sum by (job, outcome) (rate(ria_events_total[1m]))
      - record: ria:documents:rate1m
        expr: sum by (job) (rate(ria_bulk_documents_total[1m]))
      - record: ria:consumer_lag:sum
        expr: sum by (job, instance) (ria_consumer_lag)
      - record: ria:event_to_ack_seconds:p99_5m
        expr: histogram_quantile(0.99, sum by (job, le) (rate(ria_event_to_ack_seconds_bucket[5m])))
      - record: ria:flush_duration_seconds:p99_5m
        expr: histogram_quantile(0.99, sum by (job, le) (rate(ria_flush_duration_seconds_bucket[5m])))
  - name: ria.alerts
    rules:
      - alert: RiaConsumerLagGrowing
        expr: ria:consumer_lag:sum > {{ $a.lagMin }} and deriv(ria:consumer_lag:sum[5m]) > 0
        for: {{ $a.lagGrowingFor }}
        labels: { severity: warning }
        annotations:
          summary: "{{ "{{" }} $labels.instance {{ "}}" }} falls behind: lag {{ "{{" }} $value {{ "}}" }} and growing"
          description: The engine reads slower than events arrive. Check CPU (throttling), Elasticsearch latency (flush p99), and whether it is paused.
      - alert: RiaNoAcknowledgedFlush
        expr: (time() - ria_last_flush_acknowledged_timestamp_seconds > {{ $a.noFlushSeconds }}) and on (instance) (ria_unflushed_batches > 0)
        for: {{ $a.noFlushFor }}
        labels: { severity: critical }
        annotations:
          summary: "{{ "{{" }} $labels.instance {{ "}}" }}: no flush acknowledged by Elasticsearch for over {{ $a.noFlushSeconds }} s with work waiting"
          description: Elasticsearch is down, frozen or refusing every document. The engine waits (it stays live) and resumes exactly; /readyz says why.
      - alert: RiaElasticsearchRefusingDocuments
        expr: sum by (job, instance, index, reason) (rate(ria_es_refused_documents_total[5m])) > 0
        for: {{ $a.refusedFor }}
        labels: { severity: critical }
        annotations:
          summary: "Elasticsearch refuses documents of {{ "{{" }} $labels.index {{ "}}" }} ({{ "{{" }} $labels.reason {{ "}}" }})"
          description: Offsets are held back until they are written. A mapping conflict or missing rights needs a person; 429s need capacity.
      - alert: RiaDeadLettersRising
        expr: sum by (job, instance) (rate(ria_dead_letters_total[5m])) > {{ $a.deadLettersPerSecond }}
        for: {{ $a.deadLettersFor }}
        labels: { severity: warning }
        annotations:
          summary: "{{ "{{" }} $labels.instance {{ "}}" }} dead-letters {{ "{{" }} $value {{ "}}" }} messages/s"
          description: Invalid events go to <topic>.dlq with a ria.reason header; a producer (or a wrong topic) sends bad input.
      - alert: RiaNotReady
        expr: ria_ready == 0
        for: {{ $a.notReadyFor }}
        labels: { severity: warning }
        annotations:
          summary: "{{ "{{" }} $labels.instance {{ "}}" }} is not ready"
          description: GET /readyz on the pod names the reasons (restoring, paused waiting for Elasticsearch, broker unreachable…).
      - alert: RiaRetriedProblems
        expr: sum by (job, instance) (rate(ria_problems_total[5m])) > {{ $a.problemsPerSecond }}
        for: {{ $a.problemsFor }}
        labels: { severity: warning }
        annotations:
          summary: "{{ "{{" }} $labels.instance {{ "}}" }} keeps retrying Kafka or Elasticsearch"
          description: The log has one line per kind of problem per 10 s, with counts.
      - alert: RiaRestarting
        expr: changes(process_start_time_seconds{job=~".*ria.*"}[15m]) > 2
        labels: { severity: critical }
        annotations:
          summary: "{{ "{{" }} $labels.instance {{ "}}" }} restarted more than twice in 15 minutes"
          description: The engine stops with one line on what it cannot survive — a checkpoint write failure (disk full), a fatal flusher error, a bad setting. Read the previous container's log.
{{- end -}}
