/**
 * End to end: `ria produce` as fast as it goes into the real local broker (one JS thread making
 * and producing; librdkafka's own threads send). Median of several runs.
 *
 * Then the same on one core: the producer process pinned to CPU 0 (all its threads, taskset) and
 * the broker to the others, alternated with the floor of that core — librdkafka alone sending a
 * pre-made chunk again and again (produce-only.ts) — so the cost of making events and the cost of
 * librdkafka's per-message path are measured side by side.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOptions } from '../../engine/config/options.js';
import { producerOptions } from '../../engine/config/producer-settings.js';
import { produce } from '../../engine/producer/producer.js';
import { stackScriptPath } from '../../engine/setup/stack-script.js';
import { ensureTopics } from '../../engine/setup/topics.js';
import { readTruth } from '../../engine/verify/verify.js';
import { median, repoRoot } from '../machine.js';

interface OneCoreRun {
  what: 'producer' | 'librdkafka alone';
  eventsPerSecond: number;
  cpuUsPerEvent?: number;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${out}`)),
    );
  });
}

/** Why one-core runs cannot be made here, or undefined when they can. */
function oneCoreUnavailable(): string | undefined {
  if (availableParallelism() < 2) return 'one core only: nowhere to put the broker';
  if (spawnSync('taskset', ['-V']).status !== 0) return 'taskset (util-linux) is not installed';
  return undefined;
}

function kafkaPid(): number | undefined {
  const r = spawnSync('bash', [stackScriptPath(), 'pid', 'kafka'], { encoding: 'utf8' });
  const pid = Number(r.stdout.trim());
  return r.status === 0 && pid > 0 ? pid : undefined;
}

async function oneCore(topic: string, count: number, runs: number): Promise<OneCoreRun[]> {
  const pid = kafkaPid();
  if (pid === undefined) throw new Error('the local broker was not started by `ria stack up`: cannot pin it');
  const others = `1-${availableParallelism() - 1}`;
  spawnSync('taskset', ['-acp', others, String(pid)], { stdio: 'ignore' });
  const results: OneCoreRun[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const out = await run('taskset', [
        '-c',
        '0',
        process.execPath,
        join(repoRoot(), 'bin', 'ria.js'),
        'produce',
        '--rate',
        '0',
        '--count',
        String(count),
        '--kafka-topic',
        topic,
        '--quiet',
      ]);
      const m = /([\d.]+) events\/s/.exec(out);
      if (!m) throw new Error(`no rate in the producer's summary: ${out}`);
      results.push({ what: 'producer', eventsPerSecond: Number(m[1]) });
      const alone = JSON.parse(
        await run('taskset', [
          '-c',
          '0',
          process.execPath,
          join(repoRoot(), 'dist', 'bench', 'producer', 'produce-only.js'),
          topic,
          String(count),
        ]),
      );
      results.push({
        what: 'librdkafka alone',
        eventsPerSecond: alone.eventsPerSecond,
        cpuUsPerEvent: alone.cpuUsPerEvent,
      });
    }
  } finally {
    spawnSync('taskset', ['-acp', `0-${availableParallelism() - 1}`, String(pid)], { stdio: 'ignore' });
  }
  return results;
}

/**
 * How steadily `--rate` holds: 5,000 events/s for 10 s, each full second of event time (send
 * time, from the truth file) against the rate. A benchmark, not a test: it depends on the machine.
 */
async function rateSteadiness(
  base: ReturnType<typeof loadOptions<typeof producerOptions>>['config'],
  topic: string,
) {
  const rate = 5000;
  const truth = join(tmpdir(), `${topic}.steadiness.json`);
  const s = await produce({
    ...base,
    kafkaTopic: topic,
    rate,
    count: undefined,
    duration: 10,
    quiet: true,
    truth,
  });
  const perSecond = new Map<string, number>();
  for (const item of Object.values(readTruth(truth).items))
    for (const [w, c] of Object.entries(item.windows)) perSecond.set(w, (perSecond.get(w) ?? 0) + c);
  rmSync(truth, { force: true });
  // The first and last seconds are partial.
  const inner = [...perSecond.keys()]
    .sort()
    .slice(1, -1)
    .map((w) => perSecond.get(w)!);
  return {
    rate,
    sent: s.sent,
    perSecond: inner,
    worstDeviation: Math.max(...inner.map((c) => Math.abs(c - rate) / rate)),
  };
}

export async function producerThroughput(quick: boolean) {
  const runs = quick ? 1 : 3;
  const count = quick ? 300_000 : 2_000_000;
  const base = loadOptions(producerOptions, [], process.env).config;
  const topic = `ria-bench-produce-${Date.now().toString(36)}`;
  await ensureTopics(base, [{ name: topic, partitions: 6 }]);
  const results = [];
  for (let r = 0; r < runs; r++) {
    const cpu0 = process.cpuUsage();
    const s = await produce({ ...base, kafkaTopic: topic, rate: 0, count, quiet: true, truth: undefined });
    const cpu = process.cpuUsage(cpu0);
    results.push({
      eventsPerSecond: s.eventsPerSecond,
      mbPerSecond: s.mbPerSecond,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      seconds: s.seconds,
      failed: s.failed,
    });
  }
  const steadiness = await rateSteadiness(base, topic);
  const skipped = oneCoreUnavailable();
  const pinned = skipped ? [] : await oneCore(topic, count, runs);
  const medianOf = (what: OneCoreRun['what']) =>
    median(pinned.filter((x) => x.what === what).map((x) => x.eventsPerSecond));
  return {
    topic,
    count,
    runs: results,
    medianEventsPerSecond: median(results.map((r) => r.eventsPerSecond)),
    medianMbPerSecond: median(results.map((r) => r.mbPerSecond)),
    steadiness,
    oneCore: skipped
      ? { skipped }
      : {
          runs: pinned,
          producer: medianOf('producer'),
          librdkafkaAlone: medianOf('librdkafka alone'),
          librdkafkaCpuUsPerEvent: median(
            pinned.filter((x) => x.cpuUsPerEvent !== undefined).map((x) => x.cpuUsPerEvent as number),
          ),
        },
  };
}
