/**
 * The floor under catch-up: librdkafka itself reading the topic with no processing — kcat, a C
 * program on librdkafka (Debian's `kcat` package) — from the beginning to the end (`-e`), printing
 * only offsets to /dev/null. Timed from start to exit.
 */
import { spawn, spawnSync } from 'node:child_process';

export function hasKcat(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function kcatRead(topic: string): Promise<{ seconds: number; eventsPerSecond?: number }> {
  const broker = process.env.KAFKA_BROKER ?? '127.0.0.1:9092';
  const t0 = performance.now();
  const child = spawn(
    'kcat',
    ['-C', '-b', broker, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\n'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`kcat failed (${code}): ${err.slice(-500)}`);
  return { seconds: (performance.now() - t0) / 1000 };
}
