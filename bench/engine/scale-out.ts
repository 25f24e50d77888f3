/**
 * Scale-out on one machine: the same preloaded topic drained by one engine (2 workers) and by two
 * counters (1 worker each, one consumer group) + the merger, alternated, each run verified exact.
 * Events/s = events / time from start until the merger has closed every window and flushed
 * (less the idle time-out it waits). On one host this measures the cost of the extra hop (the
 * deltas topic and its transactions); the gain of scale-out is more hosts.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../machine.js';
import { engineSummary, mustRun, preloadedTopic, resetIndices, runCli } from './run-cli.js';

const IDLE_MS = 500;

export async function scaleOut(quick: boolean) {
  const events = quick ? 300_000 : 3_000_000;
  const repeats = quick ? 1 : 2;
  const { topic, truth } = await preloadedTopic('ria-bench-scale', events);
  const common = ['--kafka-topic', topic, '--status-interval-ms', '0', '--idle-timeout-ms', String(IDLE_MS)];
  const runs: { setup: string; repeat: number; eventsPerSecond: number; seconds: number; exact: boolean }[] =
    [];
  for (let r = 0; r < repeats; r++) {
    for (const setup of ['one engine, 2 workers', '2 counters × 1 worker + merger']) {
      await resetIndices();
      const checkpoint = join(tmpdir(), `${topic}.ckpt.${runs.length}`);
      const group = `${topic}-${runs.length}`;
      const t0 = performance.now();
      if (setup.startsWith('one')) {
        await mustRun([
          'engine',
          ...common,
          '--checkpoint-dir',
          checkpoint,
          '--consumer-group',
          group,
          '--pool-size',
          '2',
          '--exit-when-idle',
          '--dashboard-port',
          '0',
        ]);
      } else {
        const counters = ['a', 'b'].map((id) =>
          runCli([
            'engine',
            '--role',
            'counter',
            ...common,
            '--consumer-group',
            group,
            '--instance-id',
            `${group}-${id}`,
            '--pool-size',
            '1',
            '--exit-when-idle',
            '--dashboard-port',
            '0',
          ]),
        );
        const merged = await mustRun([
          'engine',
          '--role',
          'merger',
          ...common,
          '--checkpoint-dir',
          checkpoint,
          '--consumer-group',
          group,
          '--exit-when-idle',
          '--dashboard-port',
          '0',
        ]);
        engineSummary(merged);
        for (const c of counters) {
          const done = await c.done;
          if (done.code !== 0) throw new Error(`counter failed (${done.code}):\n${done.out.slice(-2000)}`);
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      const verified = await runCli(['verify', '--truth', truth]).done;
      rmSync(checkpoint, { recursive: true, force: true });
      runs.push({
        setup,
        repeat: r,
        seconds,
        eventsPerSecond: events / Math.max(0.001, seconds - IDLE_MS / 1000),
        exact: verified.code === 0,
      });
    }
  }
  const of = (prefix: string) =>
    median(runs.filter((x) => x.setup.startsWith(prefix)).map((x) => x.eventsPerSecond));
  return {
    topic,
    events,
    runs,
    oneEngine: of('one'),
    scaledOut: of('2 counters'),
    allExact: runs.every((x) => x.exact),
  };
}
