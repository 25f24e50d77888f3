/**
 * `ria verify`: the three indices against a producer truth file. Every document is read (search
 * after search, sorted by id), every field that has a meaning in docs/contract.md compared; documents
 * that should not exist count as differences too.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { RiaError } from '../errors/errors.js';
import type { TruthFile } from '../producer/truth.js';
import { AGG_INDICES, AVG_INDEX, GLOBAL_DOC_ID, ITEM_INDEX, USER_INDEX } from '../shared/indices.js';

export interface VerifyResult {
  differences: string[];
  /** All differences, counted (the list keeps the first few). */
  count: number;
  checked: { items: number; users: number };
}

const MAX_LISTED = 25;

async function readAll(
  es: Client,
  index: string,
  idField: string,
): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  let after: unknown[] | undefined;
  for (;;) {
    const res = await es.search<Record<string, unknown>>({
      index,
      size: 10_000,
      sort: [{ [idField]: 'asc' }],
      search_after: after as never,
      query: { match_all: {} },
    });
    const hits = res.hits.hits;
    for (const h of hits) out.set(h._id!, h._source!);
    if (hits.length < 10_000) break;
    after = hits[hits.length - 1].sort as unknown[];
  }
  return out;
}

export function readTruth(path: string): TruthFile {
  const truth = JSON.parse(readFileSync(path, 'utf8')) as TruthFile;
  if (truth.format !== 'ria-truth/1')
    throw new RiaError(`${path} is not a ria truth file (format ${String(truth.format)})`, {
      code: 'RIA_ERR_TRUTH',
    });
  return truth;
}

export async function verify(es: Client, truth: TruthFile): Promise<VerifyResult> {
  await es.indices.refresh({ index: [...AGG_INDICES] });
  const differences: string[] = [];
  let count = 0;
  const differ = (s: string) => {
    count++;
    if (differences.length < MAX_LISTED) differences.push(s);
  };

  const items = await readAll(es, ITEM_INDEX, 'item_id');
  for (const [id, want] of Object.entries(truth.items)) {
    const got = items.get(id);
    if (!got) {
      differ(`item ${id}: missing (want total ${want.total_interactions})`);
      continue;
    }
    for (const f of ['total_interactions', 'max_per_sec', 'min_per_sec'] as const) {
      if ((got[f] ?? null) !== want[f]) differ(`item ${id}: ${f} is ${got[f]}, want ${want[f]}`);
    }
  }
  for (const id of items.keys()) if (!(id in truth.items)) differ(`item ${id}: not in the truth`);

  const users = await readAll(es, USER_INDEX, 'user_id');
  for (const [id, want] of Object.entries(truth.users)) {
    const got = users.get(id);
    if (!got) differ(`user ${id}: missing (want total ${want})`);
    else if (got.total_interactions !== want)
      differ(`user ${id}: total_interactions is ${got.total_interactions}, want ${want}`);
  }
  for (const id of users.keys()) if (!(id in truth.users)) differ(`user ${id}: not in the truth`);

  const g = (await es.get<Record<string, number>>({ index: AVG_INDEX, id: GLOBAL_DOC_ID }, { ignore: [404] }))
    ._source;
  if (!g) differ(`global document ${AVG_INDEX}/${GLOBAL_DOC_ID}: missing`);
  else {
    const want = truth.global;
    if (g.total_interactions !== want.total_interactions)
      differ(`global: total_interactions is ${g.total_interactions}, want ${want.total_interactions}`);
    if (g.distinct_users !== want.distinct_users)
      differ(`global: distinct_users is ${g.distinct_users}, want ${want.distinct_users}`);
    if (
      Math.abs(g.avg_interactions_per_user - want.avg_interactions_per_user) >
      1e-9 * Math.max(1, want.avg_interactions_per_user)
    ) {
      differ(
        `global: avg_interactions_per_user is ${g.avg_interactions_per_user}, want ${want.avg_interactions_per_user}`,
      );
    }
    if (g.window_ms !== undefined && g.window_ms !== truth.window_ms)
      differ(`global: the engine ran with WINDOW_MS=${g.window_ms}, the truth assumes ${truth.window_ms}`);
    if (g.allowed_lateness_ms !== undefined && g.allowed_lateness_ms !== truth.allowed_lateness_ms) {
      differ(
        `global: the engine ran with ALLOWED_LATENESS_MS=${g.allowed_lateness_ms}, the truth assumes ${truth.allowed_lateness_ms}`,
      );
    }
  }
  return { differences, count, checked: { items: items.size, users: users.size } };
}
