/**
 * The floor under catch-up: librdkafka alone reading the topic from its beginning to its end with
 * no processing (bench/source/rdkafka-floor.c — what `kcat -C -e` does), built once per machine
 * against node-rdkafka's own librdkafka (the engine's version and codecs) into the cache, with the
 * engine's fetch settings. Needs a C compiler (`cc`), not root; without one, no floor is reported.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FETCH_SETTINGS } from '../../engine/source/fetch-settings.js';
import { cacheDir, repoRoot } from '../machine.js';

const SOURCE = join(repoRoot(), 'bench', 'source', 'rdkafka-floor.c');

/** The compiled floor (cached by the source's hash), or undefined with the reason on stderr. */
export function rdkafkaFloorBinary(): string | undefined {
  const deps = join(
    dirname(createRequire(import.meta.url).resolve('node-rdkafka/package.json')),
    'build',
    'deps',
  );
  const hash = createHash('sha256').update(readFileSync(SOURCE)).update(deps).digest('hex').slice(0, 12);
  const bin = join(cacheDir(), 'tools', `rdkafka-floor-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dirname(bin), { recursive: true });
  const cc = spawnSync(
    'cc',
    ['-O2', '-o', bin, SOURCE, `-I${join(deps, 'include')}`, `-L${deps}`, '-lrdkafka', `-Wl,-rpath,${deps}`],
    { encoding: 'utf8' },
  );
  if (cc.status === 0) return bin;
  process.stderr.write(
    `bench: cannot build the librdkafka floor (${cc.error?.message ?? cc.stderr.trim()}): no floor\n`,
  );
  return undefined;
}

/** One read of `topic` by librdkafka alone: its wall time, from process start to exit. */
export async function rdkafkaFloorRead(
  bin: string,
  topic: string,
): Promise<{ seconds: number; messages: number }> {
  const broker = process.env.KAFKA_BROKER ?? '127.0.0.1:9092';
  const settings = Object.entries(FETCH_SETTINGS).map(([k, v]) => `${k}=${v}`);
  const t0 = performance.now();
  const child = spawn(bin, [broker, topic, 'fetch.wait.max.ms=100', ...settings], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`the librdkafka floor failed (${code}): ${out.slice(-500)}`);
  return {
    seconds: (performance.now() - t0) / 1000,
    messages: Number(/messages=(\d+)/.exec(out)?.[1] ?? 0),
  };
}
