/** The aggregates the dashboard shows, read from Elasticsearch (the system of record), once a second at most. */
import type { Client } from '@elastic/elasticsearch';
import { AVG_INDEX, GLOBAL_DOC_ID, ITEM_INDEX, USER_INDEX } from '../shared/indices.js';

export interface Aggregates {
  items: {
    item_id: string;
    total_interactions: number;
    max_per_sec: number | null;
    min_per_sec: number | null;
  }[];
  users: { user_id: string; total_interactions: number }[];
  /** Items by revenue, highest first (the funnel fields of docs/contract.md). */
  topRevenue: { item_id: string; revenue_usd: number; purchases: number; conversion_rate: number | null }[];
  /** The global document: the seed's fields and the funnel's (views…, revenue, sessions). */
  global: Record<string, number | null> | null;
  error: string | null;
}

export class AggregateReader {
  private cached: { at: number; value: Aggregates } | undefined;
  private pending: Promise<Aggregates> | undefined;

  constructor(private readonly es: Client) {}

  read(): Promise<Aggregates> {
    if (this.cached && Date.now() - this.cached.at < 900) return Promise.resolve(this.cached.value);
    this.pending ??= this.query().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async query(): Promise<Aggregates> {
    let value: Aggregates;
    try {
      const [items, users, topRevenue, global] = await Promise.all([
        this.es.search<Aggregates['items'][number]>({
          index: ITEM_INDEX,
          size: 10,
          sort: [{ total_interactions: 'desc' }],
          ignore_unavailable: true,
        }),
        this.es.search<Aggregates['users'][number]>({
          index: USER_INDEX,
          size: 10,
          sort: [{ total_interactions: 'desc' }],
          ignore_unavailable: true,
        }),
        this.es.search<Aggregates['topRevenue'][number]>({
          index: ITEM_INDEX,
          size: 10,
          sort: [{ revenue_cents: { order: 'desc', unmapped_type: 'long' } }],
          _source: ['item_id', 'revenue_usd', 'purchases', 'conversion_rate'],
          ignore_unavailable: true,
        }),
        this.es.get<NonNullable<Aggregates['global']>>(
          { index: AVG_INDEX, id: GLOBAL_DOC_ID },
          { ignore: [404] },
        ),
      ]);
      value = {
        items: items.hits.hits.map((h) => h._source!),
        users: users.hits.hits.map((h) => h._source!),
        topRevenue: topRevenue.hits.hits.map((h) => h._source!),
        global: global._source ?? null,
        error: null,
      };
    } catch (e) {
      value = { items: [], users: [], topRevenue: [], global: null, error: (e as Error).message };
    }
    this.cached = { at: Date.now(), value };
    return value;
  }
}
