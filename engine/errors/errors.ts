/**
 * One root error class for the whole engine (after kafkajs and undici): a stable `code` a test
 * or a user can match on, the `domain` that says whose fault it is, and whether a retry can help.
 * Every code is in one table (ERROR_CODES) with its domain; docs/operations.md lists them.
 */
export type ErrorDomain = 'user' | 'external' | 'internal';

/** Every error code the engine throws, whose fault it is, and what it means. */
export const ERROR_CODES = {
  RIA_ERR_CONFIG: { domain: 'user', what: 'a setting is missing, unknown or malformed; the start stops' },
  RIA_ERR_LOCKED: {
    domain: 'user',
    what: 'another engine holds the CHECKPOINT_DIR (one engine per directory)',
  },
  RIA_ERR_TRUTH: { domain: 'user', what: 'the file given to `ria verify --truth` is not a truth file' },
  RIA_ERR_NO_TOPIC: { domain: 'external', what: 'a topic the engine reads does not exist' },
  RIA_ERR_KAFKA_CONNECT: { domain: 'external', what: 'the Kafka broker could not be reached at start' },
  RIA_ERR_KAFKA_ADMIN: { domain: 'external', what: 'a topic could not be created or grown' },
  RIA_ERR_KAFKA_METADATA: { domain: 'external', what: "a topic's metadata could not be read" },
  RIA_ERR_KAFKA_PRODUCE: { domain: 'external', what: 'librdkafka refused a message to produce' },
  RIA_ERR_KAFKA_FLUSH: { domain: 'external', what: 'produced messages were not delivered' },
  RIA_ERR_KAFKA_RESUME: { domain: 'external', what: "a counter could not read its partitions' last records" },
  RIA_ERR_OFFSET_OUT_OF_RANGE: {
    domain: 'external',
    what: "a checkpointed offset is no longer in its partition's log (OFFSET_OUT_OF_RANGE)",
  },
  RIA_ERR_REREAD: {
    domain: 'external',
    what: 'Kafka delivered offsets before the next expected one (a re-read would count twice)',
  },
  RIA_ERR_KAFKA_TXN: {
    domain: 'external',
    what: "a counter's Kafka transaction failed (aborted, read again)",
  },
  RIA_ERR_DLQ: { domain: 'external', what: 'dead letters could not be delivered or read back' },
  RIA_ERR_DELTAS: { domain: 'external', what: 'the deltas topic holds a record the merger cannot use' },
  RIA_ERR_REGISTRY: {
    domain: 'external',
    what: 'the schema registry could not be asked (unreachable, or an error answer): the engine waits',
  },
  RIA_ERR_SCHEMA_INCOMPATIBLE: {
    domain: 'user',
    what: "a schema to register breaks its subject's compatibility rule (e.g. BACKWARD)",
  },
  RIA_ERR_ES_SETUP: { domain: 'external', what: 'index templates could not be created' },
  RIA_ERR_ES_UNREACHABLE: {
    domain: 'external',
    what: 'Elasticsearch did not answer within START_TIMEOUT_MS',
  },
  RIA_ERR_RESTORE: {
    domain: 'external',
    what: 'the flusher could not restore the checkpoint or reach Elasticsearch',
  },
  RIA_ERR_CHECKPOINT: {
    domain: 'external',
    what: 'the checkpoint file cannot be read as this engine wrote it',
  },
  RIA_ERR_CAPACITY: {
    domain: 'external',
    what: 'the input outgrew a fixed limit of one process (e.g. 4 GiB of distinct ids)',
  },
  RIA_ERR_FLUSHER: { domain: 'internal', what: 'the flusher thread failed or exited' },
  RIA_ERR_NATIVE: {
    domain: 'internal',
    what: 'the node-rdkafka batch call is missing (the patch was not applied)',
  },
  RIA_ERR_BATCH: { domain: 'internal', what: 'a batch larger than the decoder takes' },
  RIA_ERR_INTERNAL: { domain: 'internal', what: 'a broken assumption of the code itself' },
  RIA_ERR_INJECTED: { domain: 'internal', what: 'a fault injected by a test (RIA_TEST_* settings)' },
} as const satisfies Record<string, { domain: ErrorDomain; what: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface RiaErrorOptions {
  code: ErrorCode;
  retriable?: boolean;
  cause?: unknown;
}

export class RiaError extends Error {
  readonly code: ErrorCode;
  readonly domain: ErrorDomain;
  readonly retriable: boolean;

  constructor(message: string, options: RiaErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RiaError';
    this.code = options.code;
    this.domain = ERROR_CODES[options.code].domain;
    this.retriable = options.retriable ?? false;
  }
}

/** A setting that is missing, unknown or malformed: stops the start, names the setting. */
export class ConfigError extends RiaError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'RIA_ERR_CONFIG', cause });
    this.name = 'ConfigError';
  }
}

/** A service (Kafka, Elasticsearch) that cannot be reached or refused a request. */
export class ServiceError extends RiaError {
  constructor(message: string, code: ErrorCode, retriable: boolean, cause?: unknown) {
    super(message, { code, retriable, cause });
    this.name = 'ServiceError';
  }
}

/** A broken assumption of the code itself (never the input's or a service's fault). */
export function internalError(message: string, cause?: unknown): RiaError {
  return new RiaError(message, { code: 'RIA_ERR_INTERNAL', cause });
}

/** One line for a human: the message, and the cause's message when it adds something. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && !err.message.includes(cause) ? `${err.message}: ${cause}` : err.message;
}
