/**
 * The Elasticsearch client every part uses, with the connection settings in one place: the URL,
 * TLS trust (a CA file), and basic authentication or an API key, each secret given in the
 * environment or in a file. Secrets are registered for redaction as they are read.
 */
import { Client } from '@elastic/elasticsearch';
import type { Serializer } from '@elastic/transport';
import { readSetting, secretOf } from '../config/secret-files.js';
import { registerSecret } from '../config/secrets.js';
import { ConfigError } from '../errors/errors.js';

export interface EsConnection {
  elasticsearchHost: string;
  elasticsearchCaFile?: string;
  elasticsearchUsername?: string;
  elasticsearchPassword?: string;
  elasticsearchPasswordFile?: string;
  elasticsearchApiKey?: string;
  elasticsearchApiKeyFile?: string;
}

/** Just the connection fields (what crosses to the flusher thread). */
export function esConnectionOf(c: EsConnection): EsConnection {
  return {
    elasticsearchHost: c.elasticsearchHost,
    elasticsearchCaFile: c.elasticsearchCaFile,
    elasticsearchUsername: c.elasticsearchUsername,
    elasticsearchPassword: c.elasticsearchPassword,
    elasticsearchPasswordFile: c.elasticsearchPasswordFile,
    elasticsearchApiKey: c.elasticsearchApiKey,
    elasticsearchApiKeyFile: c.elasticsearchApiKeyFile,
  };
}

export function esAuthOf(
  conn: EsConnection,
): { username: string; password: string } | { apiKey: string } | undefined {
  const password = secretOf(
    conn.elasticsearchPassword,
    conn.elasticsearchPasswordFile,
    'ELASTICSEARCH_PASSWORD',
  );
  const apiKey = secretOf(conn.elasticsearchApiKey, conn.elasticsearchApiKeyFile, 'ELASTICSEARCH_API_KEY');
  const url = new URL(conn.elasticsearchHost);
  registerSecret(decodeURIComponent(url.password));
  if (apiKey !== undefined) {
    if (conn.elasticsearchUsername !== undefined || password !== undefined)
      throw new ConfigError('invalid settings: give ELASTICSEARCH_API_KEY or a user and password, not both');
    return { apiKey };
  }
  if (conn.elasticsearchUsername !== undefined) {
    if (password === undefined)
      throw new ConfigError(
        'invalid settings: ELASTICSEARCH_USERNAME needs ELASTICSEARCH_PASSWORD or ELASTICSEARCH_PASSWORD_FILE',
      );
    return { username: conn.elasticsearchUsername, password };
  }
  if (password !== undefined)
    throw new ConfigError('invalid settings: ELASTICSEARCH_PASSWORD needs ELASTICSEARCH_USERNAME');
  return undefined;
}

/** The client's options; reading the files and checking the combinations raises a ConfigError. */
function clientOptions(conn: EsConnection): ConstructorParameters<typeof Client>[0] {
  const ca = conn.elasticsearchCaFile && readSetting(conn.elasticsearchCaFile, 'ELASTICSEARCH_CA_FILE');
  return {
    node: conn.elasticsearchHost,
    auth: esAuthOf(conn),
    tls: ca ? { ca } : undefined,
    // Retries are ours (per bulk item, with backoff): the transport's own would hide failures.
    maxRetries: 0,
    requestTimeout: 30_000,
    compression: false,
  };
}

/** Checks the connection settings (files, combinations) without connecting. */
export function checkEsConnection(conn: EsConnection): void {
  clientOptions(conn);
}

/** `serializer`: the bulk writer's (bulk-writer.ts), for the flusher's client. */
export function createEsClient(conn: EsConnection, serializer?: typeof Serializer): Client {
  return new Client({ ...clientOptions(conn), ...(serializer ? { Serializer: serializer } : {}) });
}
