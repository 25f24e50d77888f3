/**
 * The schema cache with an injected registry and no sleep: a batch's Avro schema ids fetched once;
 * an unknown id answered by the registry is remembered as such (its events become dead letters);
 * a registry that cannot be asked holds the batch and keeps /readyz not ready for the whole outage —
 * also across the loop's turns, which clear `paused` (the defect this guards: readiness flapped).
 */
import { describe, expect, it } from 'vitest';
import { RiaError } from '../errors/errors.js';
import { Health } from '../metrics/health.js';
import { segmentOf } from '../source/rdkafka-batch.js';
import type { RegistryClient } from './registry-client.js';
import { SchemaCache } from './schema-cache.js';

const avroMessage = (id: number) => {
  const b = Buffer.alloc(7);
  b.writeUInt32BE(id, 1);
  return { value: b };
};

function setup(answers: (id: number) => string | undefined | Error) {
  const asked: number[] = [];
  const client = {
    async schemaById(id: number) {
      asked.push(id);
      const a = answers(id);
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as RegistryClient;
  const lines: string[] = [];
  const health = new Health(() => 0);
  health.restored = true;
  const problems = { problem: (_: string, m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
  const cache = new SchemaCache(client, problems, health, async () => undefined);
  return { cache, asked, lines, health };
}

const SCHEMA = JSON.stringify({
  type: 'record',
  name: 'E',
  fields: [
    { name: 'user_id', type: 'string' },
    { name: 'item_id', type: 'string' },
    { name: 'timestamp', type: 'long' },
  ],
});

describe('SchemaCache', () => {
  it('fetches each id of a batch once, and remembers an id the registry does not know', async () => {
    const { cache, asked, lines } = setup((id) => (id === 7 ? SCHEMA : undefined));
    const segment = segmentOf(0, 0, [
      avroMessage(7),
      { value: Buffer.from('{}') },
      avroMessage(7),
      avroMessage(9),
    ]);
    expect(await cache.resolve([segment])).toBe(true);
    expect(await cache.resolve([segment])).toBe(true);
    expect(asked).toEqual([7, 9]);
    expect(cache.writersOf(segment)).toEqual([
      { id: 7, schema: SCHEMA },
      { id: 9, error: 'schema: unknown id 9' },
    ]);
    expect(lines).toEqual([
      'schema registry does not know schema id 9: its events go to the dead-letter topic',
    ]);
  });

  it('holds the batch while the registry cannot be asked: not ready across loop turns, ready again after', async () => {
    let up = false;
    const { cache, health, lines } = setup(() =>
      up
        ? SCHEMA
        : new RiaError('schema registry http://127.0.0.1:8081 unreachable: ECONNREFUSED', {
            code: 'RIA_ERR_REGISTRY',
            retriable: true,
          }),
    );
    const segment = segmentOf(0, 0, [avroMessage(3)]);
    expect(await cache.resolve([segment])).toBe(false);
    // The loop's back-pressure step clears `paused` at every turn: the outage must still show.
    health.paused = undefined;
    expect(health.notReadyBecause()).toEqual([
      'waiting for the schema registry (schema registry http://127.0.0.1:8081 unreachable: ECONNREFUSED)',
    ]);
    expect(await cache.resolve([segment])).toBe(false);
    up = true;
    expect(await cache.resolve([segment])).toBe(true);
    expect(health.notReadyBecause()).toEqual([]);
    expect(cache.writersOf(segment)).toEqual([{ id: 3, schema: SCHEMA }]);
    expect(lines.at(-1)).toBe('schema registry answers again: the held batch goes on');
  });
});
