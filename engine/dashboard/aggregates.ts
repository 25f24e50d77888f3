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
  global: { avg_interactions_per_user: number; total_interactions: number; distinct_users: number } | null;
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
      const [items, users, global] = await Promise.all([
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
        this.es.get<NonNullable<Aggregates['global']>>(
          { index: AVG_INDEX, id: GLOBAL_DOC_ID },
          { ignore: [404] },
        ),
      ]);
      value = {
        items: items.hits.hits.map((h) => h._source!),
        users: users.hits.hits.map((h) => h._source!),
        global: global._source ?? null,
        error: null,
      };
    } catch (e) {
      value = { items: [], users: [], global: null, error: (e as Error).message };
    }
    this.cached = { at: Date.now(), value };
    return value;
  }
}
