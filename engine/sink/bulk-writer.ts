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
import { describeError } from '../errors/errors.js';
import { itemOutcome } from './bulk-errors.js';

export interface Doc {
  index: string;
  id: string;
  version: number;
  body: Record<string, unknown>;
}

export interface BulkOptions {
  maxDocs: number;
  /** Called for every failed attempt, with a line fit for the status output. */
  onProblem: (message: string, retriable: boolean) => void;
  sleep?: (ms: number) => Promise<void>;
}

const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 5_000;
const FAIL_BACKOFF_MS = 10_000;

/**
 * The request body: one `index` action and one full document per line pair. Built as one string
 * (faster than an operations array the client stringifies line by line: `sink-micro`).
 */
export function bulkBody(docs: readonly Doc[]): string {
  let out = '';
  for (const d of docs) {
    out += `{"index":{"_index":${JSON.stringify(d.index)},"_id":${JSON.stringify(d.id)},"version":${d.version},"version_type":"external_gte"}}\n${JSON.stringify(d.body)}\n`;
  }
  return out;
}

export async function writeDocs(es: Client, docs: Doc[], opts: BulkOptions): Promise<void> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let start = 0; start < docs.length; start += opts.maxDocs) {
    let pending = docs.slice(start, start + opts.maxDocs);
    let backoff = BACKOFF_START_MS;
    while (pending.length > 0) {
      const retry: Doc[] = [];
      let hardFailure = false;
      let firstRetriable = '';
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
          retry.push(pending[k]);
          const doc = pending[k];
          firstRetriable ||= `HTTP ${item.status} ${item.error?.type ?? ''} on ${doc.index}/${doc.id}`;
          if (outcome === 'fail') {
            hardFailure = true;
            opts.onProblem(
              `elasticsearch refused ${doc.index}/${doc.id} (HTTP ${item.status} ${item.error?.type}: ${item.error?.reason}); retrying, offsets held back`,
              false,
            );
          }
        }
        if (retry.length > 0 && !hardFailure) {
          opts.onProblem(
            `elasticsearch answered ${retry.length} of ${pending.length} documents with a retriable error (${firstRetriable}); retrying`,
            true,
          );
        }
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
