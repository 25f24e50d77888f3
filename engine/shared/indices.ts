/** Elasticsearch index names and the fixed _id of the global document (docs/contract.md, same as the seed stack). */
export const ITEM_INDEX = 'interaction-agg_item';
export const USER_INDEX = 'interaction-agg_user';
export const AVG_INDEX = 'interaction-agg_avg';
/** The funnel per category (_id = category; NO_CATEGORY for events without one). */
export const CATEGORY_INDEX = 'interaction-agg_category';
export const GLOBAL_DOC_ID = 'global';
export const AGG_INDICES = [ITEM_INDEX, USER_INDEX, AVG_INDEX, CATEGORY_INDEX] as const;

/** Dead-letter topic of an event topic. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * The counters' output when the engine is scaled out (docs/scale-out.md): per source partition,
 * its counts since the previous record, in a partition of the same number. One per counters'
 * consumer group (it also holds where each of their partitions resumes); the merger reads it.
 * Characters a topic name cannot have are replaced by "_".
 */
export function deltasTopic(topic: string, group: string): string {
  return `${topic}.ria-deltas.${group.replace(/[^a-zA-Z0-9._-]/g, '_')}`;
}

/** The merger's own consumer group (its offsets, for monitoring), beside the counters'. */
export function mergerGroup(group: string): string {
  return `${group}.merger`;
}
