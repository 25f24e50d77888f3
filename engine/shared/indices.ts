/** Elasticsearch index names and the fixed _id of the global document (DESIGN.md, same as the seed stack). */
export const ITEM_INDEX = 'interaction-agg_item';
export const USER_INDEX = 'interaction-agg_user';
export const AVG_INDEX = 'interaction-agg_avg';
export const GLOBAL_DOC_ID = 'global';
export const AGG_INDICES = [ITEM_INDEX, USER_INDEX, AVG_INDEX] as const;

/** Dead-letter topic of an event topic. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * The counters' output when the engine is scaled out (README "Scale-out"): per source partition,
 * its counts since the previous record, in a partition of the same number. The merger reads it.
 */
export function deltasTopic(topic: string): string {
  return `${topic}.ria-deltas`;
}
