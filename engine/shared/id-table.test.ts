/** The per-batch id table: growing from a small start keeps every entry findable (any start size). */
import { describe, expect, it } from 'vitest';
import { IdTable } from './id-table.js';

describe('id table', () => {
  it.each([1, 16, 100, 1000])('grows from room for %i entries and finds every id again', (initial) => {
    const text = Array.from({ length: 5000 }, (_, i) => `session-${i.toString(36).padStart(4, '0')}`).join(
      '',
    );
    const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
    const t = new IdTable(bytes, initial);
    const len = 12;
    // A weak hash on purpose (many collisions): the bytes decide.
    const hash = (i: number) => i % 97;
    for (let i = 0; i < 5000; i++) expect(t.add(i * len, (i + 1) * len, hash(i))).toBe(i);
    for (let i = 4999; i >= 0; i -= 7) expect(t.add(i * len, (i + 1) * len, hash(i))).toBe(i);
    expect(t.size).toBe(5000);
    expect(t.ids()[4321]).toBe(`session-${(4321).toString(36).padStart(4, '0')}`);
  });
});
