/**
 * What the engine checks about its access to Elasticsearch before it reads a single event, so
 * that wrong credentials or missing rights stop the start with one clear line — nothing written,
 * no offsets committed — instead of a stream of refused documents later:
 *   - 401: the credentials are wrong;
 *   - 403 on index templates: fine when the indices exist (an administrator set them up);
 *   - the `index` privilege on the three indices (asked with _has_privileges when security is on);
 *   - existing indices whose mapping disagrees with the templates (a field the engine writes
 *     mapped with another type would have every such document refused).
 */
import type { Client } from '@elastic/elasticsearch';
import { ConfigError } from '../errors/errors.js';
import { AGG_MAPPINGS, ensureIndices } from '../setup/index-templates.js';
import { AGG_INDICES, AVG_INDEX, GLOBAL_DOC_ID } from '../shared/indices.js';

const CREDENTIALS =
  'ELASTICSEARCH_USERNAME with ELASTICSEARCH_PASSWORD[_FILE], or ELASTICSEARCH_API_KEY[_FILE]';

export function httpStatusOf(e: unknown): number | undefined {
  const meta = (e as { meta?: { statusCode?: number } }).meta;
  return typeof meta?.statusCode === 'number' ? meta.statusCode : undefined;
}

/** Node's TLS verification failures (self-signed, unknown issuer, wrong host name…). */
function isUntrustedCertificate(e: unknown): boolean {
  return /certificate|self[- ]signed|UNABLE_TO_VERIFY|ERR_TLS_CERT/i.test(
    String((e as Error)?.message ?? ''),
  );
}

function rejectedCredentials(): ConfigError {
  return new ConfigError(`Elasticsearch rejected the credentials (HTTP 401): check ${CREDENTIALS}`);
}

/** Creates templates and indices where allowed; throws a ConfigError for what a person must fix. */
export async function prepareIndices(es: Client): Promise<void> {
  try {
    await ensureIndices(es);
    return;
  } catch (e) {
    if (httpStatusOf(e) === 401) throw rejectedCredentials();
    if (isUntrustedCertificate(e))
      throw new ConfigError(
        `cannot trust Elasticsearch's TLS certificate (${(e as Error).message}): set ELASTICSEARCH_CA_FILE to the CA that signed it`,
      );
    if (httpStatusOf(e) !== 403) throw e;
  }
  // No right to manage templates or create indices: fine when the indices are there already.
  for (const index of AGG_INDICES) {
    let exists: boolean;
    try {
      exists = await es.indices.exists({ index });
    } catch (e) {
      if (httpStatusOf(e) === 403) exists = false;
      else throw e;
    }
    if (!exists)
      throw new ConfigError(
        `index ${index} is missing and the Elasticsearch user may not create it: run \`ria stack up\` as an administrator, or grant create_index (docs/security.md: least-privilege role)`,
      );
  }
}

/** Throws a ConfigError naming the user and the indices it may not write (no-op when security is off). */
export async function checkWriteRights(es: Client): Promise<void> {
  let answer: {
    username: string;
    has_all_requested: boolean;
    index: Record<string, Record<string, boolean>>;
  };
  try {
    answer = await es.security.hasPrivileges({
      index: [{ names: [...AGG_INDICES], privileges: ['index'] }],
    });
  } catch {
    return; // security disabled (or not offered): nothing to check
  }
  if (answer.has_all_requested) return;
  const missing = Object.entries(answer.index)
    .filter(([, privileges]) => !privileges.index)
    .map(([index]) => index);
  throw new ConfigError(
    `the Elasticsearch user "${answer.username}" may not write ${missing.join(', ')} (needs the "index" privilege; docs/security.md: least-privilege role); nothing was written and no offsets were committed`,
  );
}

/**
 * Throws a ConfigError naming the index, the field and both types when an existing index maps a
 * field the engine writes with another type (say, an index created by hand before the templates).
 * A user without the right to read mappings is not checked (the bulk answers will say it).
 */
export async function checkMappings(es: Client): Promise<void> {
  let answer: Record<string, { mappings?: { properties?: Record<string, { type?: string }> } }>;
  try {
    answer = (await es.indices.getMapping({ index: Object.keys(AGG_MAPPINGS) })) as typeof answer;
  } catch (e) {
    if (httpStatusOf(e) === 403 || httpStatusOf(e) === 404) return;
    throw e;
  }
  for (const [index, fields] of Object.entries(AGG_MAPPINGS)) {
    const existing = answer[index]?.mappings?.properties ?? {};
    for (const [field, { type }] of Object.entries(fields)) {
      const found = existing[field]?.type;
      if (found !== undefined && found !== type)
        throw new ConfigError(
          `index ${index} maps ${field} as ${found} but the engine writes ${type}: delete the index (the engine writes every document again) or reindex it with the template's mapping`,
        );
    }
  }
}

/**
 * The highest version the engine has written to these indices (0 when none): the global document
 * is part of every flush that writes anything, so its version is the last flush's sequence.
 */
export async function highestVersion(es: Client): Promise<number> {
  try {
    const doc = await es.get({ index: AVG_INDEX, id: GLOBAL_DOC_ID, _source: false });
    return doc._version ?? 0;
  } catch (e) {
    if (httpStatusOf(e) === 404) return 0;
    throw e;
  }
}
