/**
 * The settings each command takes. Seed names are kept (KAFKA_BROKER, KAFKA_TOPIC,
 * ELASTICSEARCH_HOST, EVENT_RATE). docs/configuration.md is generated from this file
 * (`npm run docs:config`; a test fails when it is stale). The producer's part is producer-settings.ts.
 */

import { ConfigError } from '../errors/errors.js';
import { changelogOptions } from './changelog-settings.js';
import { type OptionSpec, opt } from './options.js';
import { schemaRegistryOptions } from './registry-settings.js';
import { windowOptions } from './window-settings.js';

/** librdkafka properties given as k=v,k=v on the command line; merged over RDKAFKA_* variables. */
const rdkafkaProps: OptionSpec<Record<string, string>> = {
  env: '',
  flag: 'rdkafka',
  description: 'librdkafka properties passed through unchanged, k=v,k=v (also RDKAFKA_<NAME> variables)',
  default: {},
  shownDefault: '(none)',
  parse: (raw) => {
    const props: Record<string, string> = {};
    for (const pair of raw.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new ConfigError(`expected key=value[,key=value...], got "${pair}"`);
      props[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
    return props;
  },
};

export const kafkaOptions = {
  kafkaBroker: opt.brokers('KAFKA_BROKER', 'kafka-broker', '127.0.0.1:9092', 'Kafka bootstrap servers'),
  kafkaTopic: opt.str(
    'KAFKA_TOPIC',
    'kafka-topic',
    'user_interactions',
    'topic of the interaction events (dead letters go to <topic>.dlq)',
    /^[A-Za-z0-9._-]{1,200}$/,
  ),
  rdkafka: rdkafkaProps,
  kafkaSaslPasswordFile: opt.optionalStr(
    'KAFKA_SASL_PASSWORD_FILE',
    'kafka-sasl-password-file',
    "file holding librdkafka's sasl.password (or RDKAFKA_SASL_PASSWORD in the environment)",
  ),
};

export const elasticsearchOptions = {
  elasticsearchHost: opt.url(
    'ELASTICSEARCH_HOST',
    'elasticsearch-host',
    'http://127.0.0.1:9200',
    'Elasticsearch URL (https:// for TLS)',
  ),
  elasticsearchCaFile: opt.optionalStr(
    'ELASTICSEARCH_CA_FILE',
    'elasticsearch-ca-file',
    'PEM file of the CA certificate(s) to trust for https',
  ),
  elasticsearchUsername: opt.optionalStr(
    'ELASTICSEARCH_USERNAME',
    'elasticsearch-username',
    'user for basic authentication',
  ),
  elasticsearchPassword: opt.secret('ELASTICSEARCH_PASSWORD', 'password for basic authentication'),
  elasticsearchPasswordFile: opt.optionalStr(
    'ELASTICSEARCH_PASSWORD_FILE',
    'elasticsearch-password-file',
    'file holding the password for basic authentication',
  ),
  elasticsearchApiKey: opt.secret('ELASTICSEARCH_API_KEY', 'API key (the encoded id:key), instead of a user'),
  elasticsearchApiKeyFile: opt.optionalStr(
    'ELASTICSEARCH_API_KEY_FILE',
    'elasticsearch-api-key-file',
    'file holding the API key',
  ),
};

export const stackOptions = {
  ...kafkaOptions,
  ...elasticsearchOptions,
  topicPartitions: opt.int(
    'TOPIC_PARTITIONS',
    'topic-partitions',
    6,
    1,
    10_000,
    'partitions of the event topic',
  ),
};

export { windowOptions } from './window-settings.js';

const defaultStateDir = `${process.env.XDG_STATE_HOME ?? `${process.env.HOME ?? '.'}/.local/state`}/ria`;

export const engineOptions = {
  ...kafkaOptions,
  ...elasticsearchOptions,
  ...schemaRegistryOptions,
  ...changelogOptions,
  ...windowOptions,
  consumerGroup: opt.str(
    'CONSUMER_GROUP',
    'consumer-group',
    'ria-engine',
    'Kafka consumer group (offsets are committed there for monitoring)',
  ),
  role: opt.choice(
    'ENGINE_ROLE',
    'role',
    'all',
    ['all', 'counter', 'merger'] as const,
    'all: one engine does everything; scaled out, counters (any number, one consumer group) count their partitions into <topic>.ria-deltas.<group> and one merger (same group) keeps Elasticsearch',
  ),
  instanceId: opt.str(
    'ENGINE_INSTANCE_ID',
    'instance-id',
    '',
    "a counter's name, stable across its restarts (its Kafka transactional.id; default: host name and process id)",
  ),
  poolSize: opt.int(
    'POOL_SIZE',
    'pool-size',
    0,
    0,
    256,
    'worker threads that decode and count (0: one per core)',
  ),
  sourceConsumers: opt.int(
    'SOURCE_CONSUMERS',
    'source-consumers',
    1,
    1,
    64,
    'librdkafka consumers in a single engine, each reading a share of the partitions: the ceiling of one is in results/stage-ceilings.json; raise it on hosts that can do more (counters and the merger have one each)',
  ),
  flushIntervalMs: opt.int(
    'FLUSH_INTERVAL_MS',
    'flush-interval-ms',
    250,
    10,
    600_000,
    'how often windows close and changes reach Elasticsearch',
  ),
  checkpointDir: {
    ...opt.str('CHECKPOINT_DIR', 'checkpoint-dir', '', 'where state and offsets are checkpointed'),
    default: '',
    shownDefault: '~/.local/state/ria/<group>/<topic>',
  },
  idleTimeoutMs: opt.int(
    'IDLE_TIMEOUT_MS',
    'idle-timeout-ms',
    2000,
    0,
    86_400_000,
    'a caught-up partition without new events for this long is idle',
  ),
  batchSize: opt.int(
    'BATCH_SIZE',
    'batch-size',
    // Larger batches dedupe more ids per pool task (faster catch-up: results/engine-catch-up.json);
    // at a steady rate a call returns what is there, so latency is unchanged.
    32_768,
    1,
    65_536,
    'most messages taken from librdkafka at once',
  ),
  batchLingerMs: opt.int(
    'BATCH_LINGER_MS',
    'batch-linger-ms',
    20,
    0,
    10_000,
    'when caught up, wait this long for traffic to gather before taking the next batch',
  ),
  maxInflightBatches: opt.int(
    'MAX_INFLIGHT_BATCHES',
    'max-inflight-batches',
    8,
    1,
    1024,
    'batches in the pool at once (back-pressure)',
  ),
  bulkMaxDocs: opt.int('BULK_MAX_DOCS', 'bulk-max-docs', 5000, 1, 100_000, 'documents per bulk request'),
  maxEventAheadMs: opt.int(
    'MAX_EVENT_AHEAD_MS',
    'max-event-ahead-ms',
    300_000,
    0,
    Number.MAX_SAFE_INTEGER,
    "an event stamped more than this ahead of its Kafka record's timestamp goes to the dead-letter topic (reason future) and moves no watermark: one client's wrong clock cannot push its partition's later events out of every window (0: no check; docs/windows-and-lateness.md)",
  ),
  offsetOutOfRange: opt.choice(
    'OFFSET_OUT_OF_RANGE',
    'offset-out-of-range',
    'fail',
    ['fail', 'earliest', 'latest'] as const,
    'a checkpointed offset no longer in its partition (topic recreated, retention removed unread data): fail stops the start naming the partition, the offset and the log\'s range; earliest / latest read on from the log\'s start / end with a WARNING and a count (ria_repairs_total{what="offset-reset"})',
  ),
  healIntervalMs: opt.int(
    'HEAL_INTERVAL_MS',
    'heal-interval-ms',
    30_000,
    0,
    3_600_000,
    'how often the engine checks that the indices still hold what it wrote (index UUIDs, document counts, the global document), and rewrites what is missing or differs (0: never)',
  ),
  partitionDiscoveryMs: opt.int(
    'PARTITION_DISCOVERY_MS',
    'partition-discovery-ms',
    30_000,
    1000,
    3_600_000,
    "how soon partitions added to the topic while running are read: the single engine and the merger look every this often, counters' librdkafka refreshes its metadata this often (topic.metadata.refresh.interval.ms, 300 s by default)",
  ),
  stopTimeoutMs: opt.int(
    'STOP_TIMEOUT_MS',
    'stop-timeout-ms',
    20_000,
    100,
    3_600_000,
    'how long a graceful stop (SIGTERM / SIGINT) may take to finish its flush; past it the flush is abandoned (exit 1; the next start resumes exactly from the checkpoint). Under a Kubernetes grace period (30 s by default). A second signal stops at once',
  ),
  startTimeoutMs: opt.int(
    'START_TIMEOUT_MS',
    'start-timeout-ms',
    90_000,
    1000,
    3_600_000,
    'how long to wait for Elasticsearch at start before giving up',
  ),
  format: opt.choice('EVENT_FORMAT', 'format', 'json', ['json', 'msgpack'] as const, 'message encoding'),
  minEventTime: opt.str(
    'EVENT_TIME_MIN',
    'event-time-min',
    '2000-01-01T00:00:00Z',
    'earliest accepted event time (ISO-8601)',
  ),
  maxEventTime: opt.str(
    'EVENT_TIME_MAX',
    'event-time-max',
    '2100-01-01T00:00:00Z',
    'first rejected event time (ISO-8601)',
  ),
  statusIntervalMs: opt.int(
    'STATUS_INTERVAL_MS',
    'status-interval-ms',
    5000,
    0,
    3_600_000,
    'one status line this often (0: never)',
  ),
  statusFormat: opt.choice(
    'STATUS_FORMAT',
    'status-format',
    'text',
    ['text', 'json'] as const,
    'the status line for a person (text, at most 120 columns) or a program (json: {"status":{…}} per line)',
  ),
  exitWhenIdle: opt.bool(
    '',
    'exit-when-idle',
    false,
    'stop (exit 0) once caught up, windows closed and flushed',
  ),
  dashboardHost: opt.str(
    'DASHBOARD_HOST',
    'dashboard-host',
    '127.0.0.1',
    'address the dashboard, /metrics and health checks bind to',
  ),
  dashboardPort: opt.int(
    'DASHBOARD_PORT',
    'dashboard-port',
    8080,
    0,
    65_535,
    'port of the dashboard (0: no HTTP server)',
  ),
  latencySampleEvery: opt.int(
    'LATENCY_SAMPLE_EVERY',
    'latency-sample-every',
    64,
    1,
    1_000_000,
    'every n-th event is timed end to end',
  ),
};

export function checkpointDirOf(cfg: {
  checkpointDir: string;
  consumerGroup: string;
  kafkaTopic: string;
  role?: string;
}): string {
  // A merger's state is not a single engine's of the same group: its own default directory.
  if (cfg.role === 'merger' && !cfg.checkpointDir)
    return checkpointDirOf({ ...cfg, role: undefined, consumerGroup: `${cfg.consumerGroup}.merger` });
  return cfg.checkpointDir || `${defaultStateDir}/${cfg.consumerGroup}/${cfg.kafkaTopic}`;
}
