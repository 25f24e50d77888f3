/**
 * `ria verify --live`: every document of the engine's indices against the engine's own state, no
 * truth file. With no engine running, the state is read from the checkpoint directory, under its
 * lock (so no engine starts meanwhile), read only; with one running (it holds the lock), the
 * engine is asked over HTTP (GET /verify), compares with the state it holds, and rewrites what
 * differs. The comparison is the self-healing check's (flusher/index-healer.ts).
 */
import type { Client } from '@elastic/elasticsearch';
import { applyRecord, knownOf } from '../checkpoint/record.js';
import { CheckpointStore } from '../checkpoint/store.js';
import { ConfigError, RiaError, ServiceError } from '../errors/errors.js';
import { differencesOf, IndexHealer } from '../flusher/index-healer.js';
import type { LiveCheck } from '../shared/messages.js';
import { AggregateState } from '../window/aggregate-state.js';

export type LiveVerdict = LiveCheck & { source: string };

/** The checkpoint's state against the indices, or undefined when a running engine holds it. */
export async function verifyFromCheckpoint(es: Client, dir: string): Promise<LiveVerdict | undefined> {
  const store = new CheckpointStore(dir, undefined);
  try {
    const records = store.load();
    const last = records.at(-1);
    if (!last || !store.loadedHeader)
      throw new ConfigError(`no checkpoint in ${dir} (CHECKPOINT_DIR): nothing to compare the indices with`);
    const state = new AggregateState(store.loadedHeader.windowMs, store.loadedHeader.sessionGapMs);
    for (const r of records) applyRecord(state, r);
    state.takeDirty();
    const known = knownOf(state);
    const found = await new IndexHealer(es).compareAll(state, known, last.seq);
    return {
      differences: found.details,
      count: differencesOf(found),
      checked: found.checked,
      repaired: false,
      source: `the checkpoint in ${dir} (flush ${last.seq})`,
    };
  } catch (e) {
    if (e instanceof RiaError && e.code === 'RIA_ERR_LOCKED') return undefined;
    throw e;
  } finally {
    store.close();
  }
}

/** The running engine's own comparison (it rewrites what differs). */
export async function verifyByEngine(url: string): Promise<LiveVerdict> {
  let r: Response;
  try {
    r = await fetch(`${url}/verify`, { signal: AbortSignal.timeout(600_000) });
  } catch (e) {
    throw new ServiceError(
      `an engine holds the checkpoint, but it does not answer at ${url} (DASHBOARD_HOST / DASHBOARD_PORT): ${(e as Error).message}`,
      'RIA_ERR_KAFKA_CONNECT',
      true,
      e,
    );
  }
  if (r.status !== 200)
    throw new ServiceError(
      `the engine at ${url} answered ${r.status}: ${await r.text()}`,
      'RIA_ERR_ES_UNREACHABLE',
      true,
    );
  return { ...((await r.json()) as LiveCheck), source: `the running engine at ${url}` };
}
