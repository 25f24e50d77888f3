/**
 * Writes documents to Elasticsearch as bulk `index` operations with a deterministic _id, the full
 * value, and `version_type: external_gte` with the flush sequence as version — so a retry or a
 * replay can neither double count nor move a document backwards (docs/field-notes.md: plain index
 * operations are an order of magnitude cheaper than scripted or partial updates).
 *
 * Every item is checked. Retriable failures (429, 5xx, connection errors) are retried item by
 * item with exponential backoff; a non-retriable item error is reported with its index, id and
 * reason and retried too, more slowly: offsets never move past a document that is not written.
 */
import type { Client } from '@elastic/elasticsearch';
import { Serializer } from '@elastic/transport';
import { describeError } from '../errors/errors.js';
import type { Refusal } from '../shared/messages.js';
import { itemOutcome } from './bulk-errors.js';

export interface Doc {
  index: string;
  id: string;
  /**
   * Its two NDJSON lines, each with its newline: the `index` action (id, external version) and
   * the document. Written once (the flusher from templates: flusher/documents.ts), sent as they
   * are, again on a retry.
   */
  lines: string;
}

/** The two lines of a document, from its index and id as JSON strings and its JSON source. */
export function linesOf(indexJson: string, idJson: string, version: number, source: string): string {
  return `${actionPrefixOf(indexJson)}${idJson}${actionSuffixOf(version)}${source}\n`;
}

/** The action line up to the id (the same for every document of an index). */
export function actionPrefixOf(indexJson: string): string {
  return `{"index":{"_index":${indexJson},"_id":`;
}

/** The action line after the id, with its newline (the same for every document of a flush). */
export function actionSuffixOf(version: number): string {
  return `,"version":${version},"version_type":"external_gte"}}\n`;
}

/** A document from a plain object (peers, tests): its JSON is the source. */
export function docOf(index: string, id: string, version: number, body: Record<string, unknown>): Doc {
  return {
    index,
    id,
    lines: linesOf(JSON.stringify(index), JSON.stringify(id), version, JSON.stringify(body)),
  };
}

export interface BulkOptions {
  maxDocs: number;
  /** A whole request failed (connection refused, timeout, 5xx on the request). */
  onProblem: (message: string, retriable: boolean) => void;
  /** Item-level refusals of a round, one call per (index, status, reason). */
  onRefused: (refusals: Refusal[]) => void;
  sleep?: (ms: number) => Promise<void>;
}

const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 5_000;
const FAIL_BACKOFF_MS = 10_000;

/**
 * The request body: each document's line pair, in order. One string (faster than an operations
 * array the client stringifies line by line: `sink-micro`).
 */
export function bulkBody(docs: readonly Doc[]): string {
  let out = '';
  for (const d of docs) out += d.lines;
  return out;
}

/** How a bulk answer filtered by writeDocs begins when every item succeeded (`errors` comes first). */
const ALL_WRITTEN = '{"errors":false,';

/**
 * The writer's client serializer: an answer in which every item succeeded is not parsed item by
 * item (writeDocs reads items only to find failures). At catch-up rates that parse was about a
 * seventh of the writer's time (`stage-ceilings`, writer parts). Anything else parses as usual.
 */
export class BulkAnswerSerializer extends Serializer {
  override deserialize<T = unknown>(json: string): T {
    if (json.startsWith(ALL_WRITTEN)) return { errors: false, items: [] } as T;
    return super.deserialize<T>(json);
  }
}

export async function writeDocs(es: Client, docs: Doc[], opts: BulkOptions): Promise<void> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let start = 0; start < docs.length; start += opts.maxDocs) {
    let pending = docs.slice(start, start + opts.maxDocs);
    let backoff = BACKOFF_START_MS;
    while (pending.length > 0) {
      const retry: Doc[] = [];
      let hardFailure = false;
      const refused = new Map<string, Refusal>();
      try {
        // A ready NDJSON string goes out as it is (the client serializes only arrays).
        // Only what the checks read comes back: parsing the full per-item answer (_index, _id,
        // _version, _shards, …) was the flusher's largest cost in catch-up runs.
        const res = await es.bulk({
          operations: bulkBody(pending) as unknown as unknown[],
          filter_path: 'errors,items.*.status,items.*.error',
        });
        for (let k = 0; k < res.items.length; k++) {
          const item = res.items[k].index!;
          const outcome = itemOutcome(item.status, item.error?.type);
          if (outcome === 'done') continue;
          const doc = pending[k];
          retry.push(doc);
          if (outcome === 'fail') hardFailure = true;
          const reason = item.error?.type ?? `http_${item.status}`;
          const key = `${doc.index}\u0000${item.status}\u0000${reason}`;
          const group = refused.get(key);
          if (group) group.count++;
          else
            refused.set(key, {
              index: doc.index,
              status: item.status,
              reason,
              detail: item.error?.reason ?? '',
              count: 1,
              example: doc.id,
              retriable: outcome === 'retry',
            });
        }
        if (refused.size > 0) opts.onRefused([...refused.values()]);
      } catch (e) {
        // The whole request failed (connection refused, timeout, 5xx on the request).
        retry.push(...pending);
        opts.onProblem(`elasticsearch bulk request failed: ${describeError(e)}; retrying`, true);
      }
      pending = retry;
      if (pending.length > 0) {
        await sleep(hardFailure ? FAIL_BACKOFF_MS : backoff);
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
      }
    }
  }
}
