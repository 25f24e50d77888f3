/**
 * Index templates and indices for the three aggregate indices (docs/contract.md). Mappings are explicit:
 * ids are keywords (exact match, terms aggregations), counts are longs, @timestamp a date.
 */
import type { Client } from '@elastic/elasticsearch';
import { AVG_INDEX, CATEGORY_INDEX, ITEM_INDEX, USER_INDEX } from '../shared/indices.js';

export type Properties = Record<string, { type: string }>;

/** The funnel fields of items, categories and the global document (docs/contract.md). */
const FUNNEL: Properties = {
  views: { type: 'long' },
  clicks: { type: 'long' },
  add_to_cart: { type: 'long' },
  purchases: { type: 'long' },
  revenue_cents: { type: 'long' },
  revenue_usd: { type: 'double' },
  conversion_rate: { type: 'double' },
};

/** The fields the engine writes, and the type each must have. */
export const AGG_MAPPINGS: Record<string, Properties> = {
  [ITEM_INDEX]: {
    item_id: { type: 'keyword' },
    max_per_sec: { type: 'long' },
    min_per_sec: { type: 'long' },
    total_interactions: { type: 'long' },
    windows: { type: 'long' },
    ...FUNNEL,
    '@timestamp': { type: 'date' },
  },
  [USER_INDEX]: {
    user_id: { type: 'keyword' },
    total_interactions: { type: 'long' },
    '@timestamp': { type: 'date' },
  },
  [AVG_INDEX]: {
    avg_interactions_per_user: { type: 'double' },
    total_interactions: { type: 'long' },
    distinct_users: { type: 'long' },
    late_events: { type: 'long' },
    invalid_events: { type: 'long' },
    ...FUNNEL,
    purchases_without_price: { type: 'long' },
    sessions: { type: 'long' },
    purchasing_sessions: { type: 'long' },
    session_conversion_rate: { type: 'double' },
    sessions_open: { type: 'long' },
    session_late_events: { type: 'long' },
    '@timestamp': { type: 'date' },
  },
  [CATEGORY_INDEX]: {
    category: { type: 'keyword' },
    total_interactions: { type: 'long' },
    ...FUNNEL,
    '@timestamp': { type: 'date' },
  },
};

export async function ensureIndices(es: Client, opts: { replicas?: number } = {}): Promise<void> {
  for (const [index, properties] of Object.entries(AGG_MAPPINGS)) {
    await es.indices.putIndexTemplate({
      name: `ria-${index}`,
      index_patterns: [index],
      priority: 200,
      template: {
        settings: { number_of_shards: 1, number_of_replicas: opts.replicas ?? 0, refresh_interval: '1s' },
        mappings: { dynamic: true, properties: properties as never },
      },
    });
    const exists = await es.indices.exists({ index });
    if (!exists) {
      try {
        await es.indices.create({ index });
      } catch (e) {
        // Another process created it between the check and the create: fine.
        if (!String((e as Error).message).includes('resource_already_exists_exception')) throw e;
      }
    }
  }
}
