import { describe, expect, it } from 'vitest';
import { ProblemLog } from './problem-log.js';

describe('problem log', () => {
  it('writes the first line of a kind at once and one line per interval for its repeats', () => {
    const lines: string[] = [];
    const log = new ProblemLog((l) => lines.push(l), 60_000);
    for (let i = 0; i < 50_000; i++)
      log.report(
        'refused:agg_user:document_parsing_exception',
        2,
        (n) => `refused ${n} documents (e.g. user-${i})`,
      );
    log.line('kafka: Local: Broker transport failure; retrying after 500 ms');
    log.line('kafka: Local: Broker transport failure; retrying after 700 ms');
    expect(lines).toEqual([
      'refused 2 documents (e.g. user-0)',
      'kafka: Local: Broker transport failure; retrying after 500 ms',
    ]);
    log.flush();
    expect(lines.slice(2)).toEqual([
      'refused 99998 documents (e.g. user-49999) (49999 more like it in the last 60 s)',
      'kafka: Local: Broker transport failure; retrying after 700 ms (1 more like it in the last 60 s)',
    ]);
    // A quiet interval writes nothing, and the next occurrence is written at once again.
    log.flush();
    log.flush();
    expect(lines).toHaveLength(4);
    log.report('refused:agg_user:document_parsing_exception', 3, (n) => `refused ${n} documents`);
    expect(lines[4]).toBe('refused 3 documents');
    log.close();
  });
});
