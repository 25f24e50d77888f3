import { describe, expect, it } from 'vitest';
import { itemOutcome } from './bulk-errors.js';

describe('bulk item outcomes', () => {
  it('treats 2xx and version conflicts as written, 429 and 5xx as retriable, the rest as failures', () => {
    expect(itemOutcome(201)).toBe('done');
    expect(itemOutcome(200)).toBe('done');
    expect(itemOutcome(409, 'version_conflict_engine_exception')).toBe('done');
    expect(itemOutcome(429, 'es_rejected_execution_exception')).toBe('retry');
    expect(itemOutcome(503, 'unavailable_shards_exception')).toBe('retry');
    expect(itemOutcome(400, 'document_parsing_exception')).toBe('fail');
    expect(itemOutcome(403, 'security_exception')).toBe('fail');
    expect(itemOutcome(404, 'index_not_found_exception')).toBe('fail');
  });
});
