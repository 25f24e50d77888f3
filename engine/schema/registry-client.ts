/**
 * A schema registry through the Confluent-compatible REST API only (Confluent Schema Registry,
 * Apicurio's /apis/ccompat/v7, Redpanda, Karapace): fetch a schema by id, register one under a
 * subject, set a subject's compatibility. node:http(s) directly, so TLS trust (a CA file) and basic
 * auth work the same as for Elasticsearch. Failures say which: the registry does not know the id
 * (`RegistryAnswer.unknown`), or it could not be asked (an outage: thrown, retriable).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readSetting, secretOf } from '../config/secret-files.js';
import { registerSecret } from '../config/secrets.js';
import { ConfigError, RiaError } from '../errors/errors.js';

export interface RegistryConnection {
  schemaRegistryUrl: string;
  schemaRegistryCaFile?: string;
  schemaRegistryUsername?: string;
  schemaRegistryPassword?: string;
  schemaRegistryPasswordFile?: string;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const TIMEOUT_MS = 5000;

export class RegistryClient {
  private readonly base: URL;
  private readonly auth: string | undefined;
  private readonly ca: string | undefined;

  /** Reads the files and checks the combinations: a bad setting stops the start with a ConfigError. */
  constructor(conn: RegistryConnection) {
    try {
      this.base = new URL(conn.schemaRegistryUrl.replace(/\/*$/, '/'));
    } catch {
      throw new ConfigError(`invalid setting SCHEMA_REGISTRY_URL: not a URL: "${conn.schemaRegistryUrl}"`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:')
      throw new ConfigError(
        `invalid setting SCHEMA_REGISTRY_URL: expected http:// or https://, got "${this.base.protocol}"`,
      );
    registerSecret(decodeURIComponent(this.base.password));
    const password = secretOf(
      conn.schemaRegistryPassword,
      conn.schemaRegistryPasswordFile,
      'SCHEMA_REGISTRY_PASSWORD',
    );
    if ((conn.schemaRegistryUsername === undefined) !== (password === undefined))
      throw new ConfigError(
        'invalid settings: SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together',
      );
    this.auth = password === undefined ? undefined : `${conn.schemaRegistryUsername}:${password}`;
    this.ca = conn.schemaRegistryCaFile && readSetting(conn.schemaRegistryCaFile, 'SCHEMA_REGISTRY_CA_FILE');
  }

  /** The schema (JSON text) registered under `id`, or undefined when the registry does not know it. */
  async schemaById(id: number): Promise<string | undefined> {
    const r = await this.call('GET', `schemas/ids/${id}`);
    // 40403 "schema not found" only: any other 404 (a wrong SCHEMA_REGISTRY_URL path) must not
    // turn every Avro event into a dead letter — it is an error answer, and the engine waits.
    if (r.status === 404 && r.body.error_code === 40403) return undefined;
    return this.ok(r, `schema id ${id}`).schema as string;
  }

  /** Registers `schema` under `subject` (idempotent: an identical schema gets its existing id). */
  async register(subject: string, schema: string): Promise<number> {
    const r = await this.call('POST', `subjects/${encodeURIComponent(subject)}/versions`, { schema });
    if (r.status === 409)
      throw new RiaError(
        `schema registry: the schema is not compatible with ${subject}'s latest version (${r.body.message ?? 'HTTP 409'})`,
        { code: 'RIA_ERR_SCHEMA_INCOMPATIBLE' },
      );
    return this.ok(r, `registering under ${subject}`).id as number;
  }

  /** Sets a subject's compatibility level (e.g. BACKWARD). */
  async setCompatibility(subject: string, level: string): Promise<void> {
    this.ok(
      await this.call('PUT', `config/${encodeURIComponent(subject)}`, { compatibility: level }),
      `config of ${subject}`,
    );
  }

  private ok(r: { status: number; body: Record<string, unknown> }, what: string): Record<string, unknown> {
    if (r.status >= 200 && r.status < 300) return r.body;
    throw new RiaError(`schema registry: ${what}: HTTP ${r.status} ${String(r.body.message ?? '')}`.trim(), {
      code: 'RIA_ERR_REGISTRY',
      retriable: r.status >= 500 || r.status === 429 || r.status === 408,
    });
  }

  private call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.ca,
          auth:
            this.auth ??
            (url.username
              ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
              : undefined),
          headers: {
            accept: CONTENT_TYPE,
            ...(payload ? { 'content-type': CONTENT_TYPE, 'content-length': payload.length } : {}),
          },
          timeout: TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Record<string, unknown> = {};
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              parsed = { message: text.slice(0, 200) };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(
          new RiaError(`no answer within ${TIMEOUT_MS} ms`, { code: 'RIA_ERR_REGISTRY', retriable: true }),
        ),
      );
      req.on('error', (e) =>
        reject(
          new RiaError(`schema registry ${this.base.origin} unreachable: ${e.message}`, {
            code: 'RIA_ERR_REGISTRY',
            retriable: true,
          }),
        ),
      );
      req.end(payload);
    });
  }
}
