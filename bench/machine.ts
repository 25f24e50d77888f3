/** What a benchmark ran on: recorded beside every result. */

import { readFileSync } from 'node:fs';
import { cpus, homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../engine/shared/package-root.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  librdkafka: string;
  date: string;
}

export async function machine(): Promise<Machine> {
  const Kafka = (await import('node-rdkafka')).default;
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    librdkafka: Kafka.librdkafkaVersion,
    date: new Date().toISOString(),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The repository root, from dist/bench/ or bench/. */
/**
 * What the benchmarks fetch and build, outside the repository, like the stack's downloads
 * (scripts/stack.sh): RIA_CACHE, else ~/.cache/ria (XDG_CACHE_HOME honoured).
 */
export function cacheDir(): string {
  return process.env.RIA_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ria');
}

export function repoRoot(): string {
  return packageRoot(import.meta.url);
}

export function readJson<T>(path: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
}
