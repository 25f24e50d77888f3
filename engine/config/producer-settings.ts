/** The settings of `ria produce` (a declarative table, like settings.ts of which it is the producer's part). */
import { opt } from './options.js';
import { schemaRegistryOptions } from './registry-settings.js';
import { kafkaOptions, windowOptions } from './settings.js';

const share = (env: string, flag: string, description: string) => opt.num(env, flag, 0, 0, 1, description);

export const producerOptions = {
  ...kafkaOptions,
  ...schemaRegistryOptions,
  ...windowOptions,
  rate: opt.int('EVENT_RATE', 'rate', 5000, 0, 100_000_000, 'events per second (0: as fast as possible)'),
  count: opt.optionalInt('EVENT_COUNT', 'count', 1, Number.MAX_SAFE_INTEGER, 'stop after this many messages'),
  duration: opt.optionalInt('PRODUCE_DURATION_S', 'duration', 1, 31_536_000, 'stop after this many seconds'),
  seed: opt.str('PRODUCER_SEED', 'seed', 'ria', 'seed: the same seed makes the same events'),
  users: opt.int('PRODUCER_USERS', 'users', 10_000, 1, 50_000_000, 'distinct users'),
  items: opt.int('PRODUCER_ITEMS', 'items', 2000, 1, 50_000_000, 'distinct SKUs'),
  zipfExponent: opt.num('ZIPF_EXPONENT', 'zipf-exponent', 1.1, 0, 10, 'Zipf exponent of SKU popularity'),
  sessions: opt.int('PRODUCER_SESSIONS', 'sessions', 1000, 1, 10_000_000, 'shopping sessions open at once'),
  thinkTimeMs: opt.num(
    'THINK_TIME_MS',
    'think-time-ms',
    3000,
    0,
    3_600_000,
    'mean think time between the steps of a session',
  ),
  pClick: opt.num('FUNNEL_CLICK', 'p-click', 0.35, 0, 1, 'P(click | view)'),
  pCart: opt.num('FUNNEL_CART', 'p-cart', 0.3, 0, 1, 'P(add_to_cart | click)'),
  pPurchase: opt.num('FUNNEL_PURCHASE', 'p-purchase', 0.45, 0, 1, 'P(purchase | add_to_cart)'),
  pNextItem: opt.num(
    'FUNNEL_NEXT_ITEM',
    'p-next-item',
    0.8,
    0,
    1,
    'P(the session looks at another item | journey ended)',
  ),
  format: opt.choice(
    'EVENT_FORMAT',
    'format',
    'json',
    ['json', 'msgpack', 'avro'] as const,
    'message encoding; avro: Confluent wire format, schema engine/schema/interaction-event.avsc registered under <topic>-value (needs SCHEMA_REGISTRY_URL)',
  ),
  avroSchema: opt.optionalStr(
    'AVRO_SCHEMA_FILE',
    'avro-schema',
    'with --format avro: the writer schema (.avsc) to register and write with (default engine/schema/interaction-event.avsc); a new version of the subject must pass its BACKWARD check',
  ),
  timestampFormat: opt.choice(
    'TIMESTAMP_FORMAT',
    'timestamp-format',
    'iso',
    ['iso', 'epoch'] as const,
    'event time as ISO-8601 text or epoch ms',
  ),
  startTime: opt.optionalStr(
    'START_TIME',
    'start-time',
    'event time of the first event (ISO-8601 or epoch ms); then time advances 1000/rate ms per event instead of following the clock',
  ),
  outOfOrderShare: share(
    'OUT_OF_ORDER_SHARE',
    'out-of-order-share',
    'share of events moved back in time within the allowed lateness',
  ),
  lateShare: share('LATE_SHARE', 'late-share', 'share of events moved back beyond the allowed lateness'),
  invalidShare: share('INVALID_SHARE', 'invalid-share', 'share of invalid messages'),
  batch: opt.int(
    'PRODUCE_BATCH',
    'batch',
    100,
    1,
    1_000_000,
    'largest burst the rate limiter lets out at once',
  ),
  truth: opt.optionalStr('TRUTH_FILE', 'truth', 'write the ground truth (JSON) to this file at the end'),
  topicPartitions: opt.int(
    'TOPIC_PARTITIONS',
    'topic-partitions',
    6,
    1,
    10_000,
    'partitions when the topic must be created',
  ),
  quiet: opt.bool('QUIET', 'quiet', false, 'no live line, only the summary'),
};
