import { describe, expect, it } from 'vitest';
import { ConfigError, describeError, RiaError, ServiceError } from './errors.js';

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
    expect(describeError(new ServiceError('cannot reach x', 'C', true, inner))).toBe(
      'cannot reach x: ECONNREFUSED',
    );
    expect(describeError(new ServiceError('cannot reach x: ECONNREFUSED', 'C', true, inner))).toBe(
      'cannot reach x: ECONNREFUSED',
    );
    expect(describeError('plain')).toBe('plain');
  });
});
