/**
 * `ria verify`: the three indices against a producer truth file. Every document is read (search
 * after search, sorted by id), every field that has a meaning in docs/contract.md compared; documents
 * that should not exist count as differences too.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { RiaError } from '../errors/errors.js';
import { TRUTH_FORMAT, type TruthFile } from '../producer/truth.js';
import type { TruthFunnel } from '../producer/truth-funnel.js';
import {
  AGG_INDICES,
  AVG_INDEX,
  CATEGORY_INDEX,
  GLOBAL_DOC_ID,
  ITEM_INDEX,
  USER_INDEX,
} from '../shared/indices.js';

export interface VerifyResult {
  differences: string[];
  /** All differences, counted (the list keeps the first few). */
  count: number;
  checked: { items: number; users: number };
}

const MAX_LISTED = 25;

/** Where verify reads the documents: the indices, or the changelog topics (changelog-documents.ts). */
export interface DocumentSource {
  /** Every document of an index by id. */
  all(index: string, idField: string): Promise<Map<string, Record<string, unknown>>>;
  /** One document, or undefined. */
  one(index: string, id: string): Promise<Record<string, unknown> | undefined>;
}

/** The indices of Elasticsearch, refreshed first (what was acknowledged is searchable). */
export function indicesOf(es: Client): DocumentSource {
  let refreshed: Promise<unknown> | undefined;
  const refresh = () => {
    refreshed ??= es.indices.refresh({ index: [...AGG_INDICES], ignore_unavailable: true });
    return refreshed;
  };
  return {
    async all(index, idField) {
      await refresh();
      return readAll(es, index, idField);
    },
    async one(index, id) {
      await refresh();
      return (await es.get<Record<string, unknown>>({ index, id }, { ignore: [404] }))._source ?? undefined;
    },
  };
}

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
      // A missing index holds no documents: each expected one is then reported missing.
      ignore_unavailable: true,
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

/** The funnel fields a document must hold for these counts (docs/contract.md). */
function expectedFunnel(f: TruthFunnel): Record<string, number | null> {
  return {
    views: f.views,
    clicks: f.clicks,
    add_to_cart: f.add_to_cart,
    purchases: f.purchases,
    revenue_cents: f.revenue_cents,
    revenue_usd: f.revenue_cents / 100,
    conversion_rate: f.views > 0 ? f.purchases / f.views : null,
  };
}

/** Each field of `want` against the document (a missing field reads as null). */
function compareFields(
  what: string,
  got: Record<string, unknown>,
  want: Record<string, unknown>,
  differ: (s: string) => void,
): void {
  for (const [f, w] of Object.entries(want))
    if ((got[f] ?? null) !== w) differ(`${what}: ${f} is ${got[f]}, want ${w}`);
}

export function readTruth(path: string): TruthFile {
  const truth = JSON.parse(readFileSync(path, 'utf8')) as TruthFile;
  if (truth.format !== TRUTH_FORMAT)
    throw new RiaError(
      `${path} is not a ria truth file of this version (format ${String(truth.format)}, want ${TRUTH_FORMAT}): produce it again`,
      { code: 'RIA_ERR_TRUTH' },
    );
  return truth;
}

/**
 * Which KPIs to compare: `all` (the contract), or `counts` — the seed's three documents only
 * (totals, per-second maximum and minimum, users, the global average): what the peer systems in
 * the benchmarks write.
 */
export type VerifiedKpis = 'all' | 'counts';

/** The indices against a truth file. */
export function verify(es: Client, truth: TruthFile, kpis: VerifiedKpis = 'all'): Promise<VerifyResult> {
  return verifyDocuments(indicesOf(es), truth, kpis);
}

/** The documents of a source (the indices, or the changelog topics) against a truth file. */
export async function verifyDocuments(
  docs: DocumentSource,
  truth: TruthFile,
  kpis: VerifiedKpis = 'all',
): Promise<VerifyResult> {
  const funnel = kpis === 'all';
  const funnelOf = (f: TruthFunnel) => (funnel ? expectedFunnel(f) : {});
  const differences: string[] = [];
  let count = 0;
  const differ = (s: string) => {
    count++;
    if (differences.length < MAX_LISTED) differences.push(s);
  };

  const items = await docs.all(ITEM_INDEX, 'item_id');
  for (const [id, want] of Object.entries(truth.items)) {
    const got = items.get(id);
    if (!got) {
      differ(`item ${id}: missing (want total ${want.total_interactions})`);
      continue;
    }
    compareFields(
      `item ${id}`,
      got,
      {
        total_interactions: want.total_interactions,
        max_per_sec: want.max_per_sec,
        min_per_sec: want.min_per_sec,
        ...funnelOf(want),
      },
      differ,
    );
  }
  for (const id of items.keys()) if (!(id in truth.items)) differ(`item ${id}: not in the truth`);

  const categories = funnel ? await docs.all(CATEGORY_INDEX, 'category') : new Map();
  for (const [id, want] of Object.entries(funnel ? truth.categories : {})) {
    const got = categories.get(id);
    if (!got) differ(`category ${id}: missing (want total ${want.total_interactions})`);
    else
      compareFields(
        `category ${id}`,
        got,
        { total_interactions: want.total_interactions, ...expectedFunnel(want) },
        differ,
      );
  }
  for (const id of categories.keys())
    if (!(id in truth.categories)) differ(`category ${id}: not in the truth`);

  const users = await docs.all(USER_INDEX, 'user_id');
  for (const [id, want] of Object.entries(truth.users)) {
    const got = users.get(id);
    if (!got) differ(`user ${id}: missing (want total ${want})`);
    else if (got.total_interactions !== want)
      differ(`user ${id}: total_interactions is ${got.total_interactions}, want ${want}`);
  }
  for (const id of users.keys()) if (!(id in truth.users)) differ(`user ${id}: not in the truth`);

  const g = (await docs.one(AVG_INDEX, GLOBAL_DOC_ID)) as Record<string, number | null> | undefined;
  if (!g) differ(`global document ${AVG_INDEX}/${GLOBAL_DOC_ID}: missing`);
  else {
    const want = truth.global;
    if (g.total_interactions !== want.total_interactions)
      differ(`global: total_interactions is ${g.total_interactions}, want ${want.total_interactions}`);
    if (g.distinct_users !== want.distinct_users)
      differ(`global: distinct_users is ${g.distinct_users}, want ${want.distinct_users}`);
    const avg = g.avg_interactions_per_user ?? Number.NaN;
    if (
      !(Math.abs(avg - want.avg_interactions_per_user) <= 1e-9 * Math.max(1, want.avg_interactions_per_user))
    ) {
      differ(
        `global: avg_interactions_per_user is ${g.avg_interactions_per_user}, want ${want.avg_interactions_per_user}`,
      );
    }
    if (funnel)
      compareFields(
        'global',
        g,
        {
          ...expectedFunnel(want),
          purchases_without_price: want.purchases_without_price,
          sessions: want.sessions,
          purchasing_sessions: want.purchasing_sessions,
          session_conversion_rate: want.sessions > 0 ? want.purchasing_sessions / want.sessions : null,
          sessions_open: want.sessions_open,
          session_late_events: want.session_late_events,
        },
        differ,
      );
    if (funnel && g.session_gap_ms !== truth.session_gap_ms)
      differ(
        `global: the engine ran with SESSION_GAP_MS=${g.session_gap_ms}, the truth assumes ${truth.session_gap_ms}`,
      );
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
