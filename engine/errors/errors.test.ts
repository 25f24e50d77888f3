import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../shared/package-root.js';
import { ConfigError, describeError, ERROR_CODES, RiaError, ServiceError } from './errors.js';

const root = packageRoot(import.meta.url);

/** The engine's source files, tests left out. */
function engineSources(dir = join(root, 'engine')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? engineSources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('errors', () => {
  it('carry a stable code, a domain and a retry hint', () => {
    const e = new ServiceError('elasticsearch down', 'RIA_ERR_ES_UNREACHABLE', true);
    expect(e).toBeInstanceOf(RiaError);
    expect(e.code).toBe('RIA_ERR_ES_UNREACHABLE');
    expect(e.domain).toBe('external');
    expect(e.retriable).toBe(true);
    expect(new ConfigError('bad').domain).toBe('user');
  });

  it('describe an error with its cause once', () => {
    const inner = new Error('ECONNREFUSED');
    expect(describeError(new ServiceError('cannot reach x', 'RIA_ERR_KAFKA_CONNECT', true, inner))).toBe(
      'cannot reach x: ECONNREFUSED',
    );
    expect(
      describeError(new ServiceError('cannot reach x: ECONNREFUSED', 'RIA_ERR_KAFKA_CONNECT', true, inner)),
    ).toBe('cannot reach x: ECONNREFUSED');
    expect(describeError('plain')).toBe('plain');
  });

  it('every code is in the one table with its domain, and docs/operations.md lists each', () => {
    const used = new Set(
      engineSources().flatMap((f) => readFileSync(f, 'utf8').match(/RIA_ERR_[A-Z_]+/g) ?? []),
    );
    expect([...used].filter((c) => !(c in ERROR_CODES))).toEqual([]);
    const docs = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
    expect(Object.keys(ERROR_CODES).filter((c) => !docs.includes(`\`${c}\``))).toEqual([]);
  });

  it('the engine throws no bare Error: every error has a code', () => {
    const bare = engineSources().filter((f) => /new Error\(/.test(readFileSync(f, 'utf8')));
    expect(bare.map((f) => f.slice(root.length + 1))).toEqual([]);
  });
});
