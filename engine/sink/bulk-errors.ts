/**
 * Elasticsearch bulk item outcomes → what to do (one table, after kafkajs's error-code table).
 * A bulk request returns HTTP 200 with a status per item: every item is checked.
 */
export type ItemOutcome = 'done' | 'retry' | 'fail';

/** 409: the index already holds this version or a newer one (a replay or a retry): done, not an error. */
export function itemOutcome(status: number, errorType?: string): ItemOutcome {
  if (status >= 200 && status < 300) return 'done';
  if (status === 409 && (errorType === undefined || errorType === 'version_conflict_engine_exception'))
    return 'done';
  if (status === 429 || status >= 500) return 'retry';
  if (
    errorType === 'es_rejected_execution_exception' ||
    errorType === 'cluster_block_exception' ||
    errorType === 'unavailable_shards_exception'
  ) {
    return 'retry';
  }
  // 400 mapping errors, 403 forbidden, 404 missing index with auto-create off…: a person must act.
  return 'fail';
}
