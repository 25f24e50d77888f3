/**
 * One root error class for the whole engine (after kafkajs and undici): a stable `code` a test
 * or a user can match on, the `domain` that says whose fault it is, and whether a retry can help.
 */
export type ErrorDomain = 'user' | 'external' | 'internal';

export interface RiaErrorOptions {
  code: string;
  domain: ErrorDomain;
  retriable?: boolean;
  cause?: unknown;
}

export class RiaError extends Error {
  readonly code: string;
  readonly domain: ErrorDomain;
  readonly retriable: boolean;

  constructor(message: string, options: RiaErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RiaError';
    this.code = options.code;
    this.domain = options.domain;
    this.retriable = options.retriable ?? false;
  }
}

/** A setting that is missing, unknown or malformed: stops the start, names the setting. */
export class ConfigError extends RiaError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'RIA_ERR_CONFIG', domain: 'user', cause });
    this.name = 'ConfigError';
  }
}

/** A service (Kafka, Elasticsearch) that cannot be reached or refused a request. */
export class ServiceError extends RiaError {
  constructor(message: string, code: string, retriable: boolean, cause?: unknown) {
    super(message, { code, domain: 'external', retriable, cause });
    this.name = 'ServiceError';
  }
}

/** One line for a human: the message, and the cause's message when it adds something. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && !err.message.includes(cause) ? `${err.message}: ${cause}` : err.message;
}
