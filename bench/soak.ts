/**
 * The soak: EVENT_RATE (20,000) events/s for SOAK_MINUTES (10) through the real local Kafka and
 * Elasticsearch, the engine running live. Once a minute it records the engine's RSS and the
 * flush and event→Elasticsearch percentiles of that minute (the engine's status line, HDR
 * histograms reset each line); at the end the engine is stopped, a last pass drains, and verify
 * checks exactness. Pass: RSS grows < 10 % after a 2-minute warm-up, the p99 of the last three
 * minutes is not above twice that of minutes 3–5, and verify is exact. Writes results/soak.json.
 *
 * Sessions stay open for SESSION_GAP_MS of event time (30 min by default), so for its first 30
 * minutes an engine's memory grows with the sessions it has seen: the soak runs with a 60 s gap
 * (SESSION_GAP_MS to change), so that after the warm-up it measures a steady state.
 *
 *   npm run soak                 (needs `ria stack up`; SOAK_MINUTES / EVENT_RATE to change)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun, resetIndices, runCli } from './engine/run-cli.js';
import { machine, repoRoot } from './machine.js';
import { type Minute, minuteOf, unmeasured } from './soak-minutes.js';

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main() {
  const minutes = Number(process.env.SOAK_MINUTES ?? 10);
  const rate = Number(process.env.EVENT_RATE ?? 20_000);
  const topic = `ria-soak-${Date.now().toString(36)}`;
  // The engine, the producer's truth and verify: one session gap.
  const env = { ...process.env, SESSION_GAP_MS: process.env.SESSION_GAP_MS ?? '60000' };
  const truth = join(tmpdir(), `${topic}.truth.json`);
  const checkpoint = join(tmpdir(), `${topic}.ckpt`);
  await resetIndices();
  await mustRun(['stack', 'up', 'kafka', '--kafka-topic', topic]);
  const engineArgs = [
    'engine',
    '--kafka-topic',
    topic,
    '--checkpoint-dir',
    checkpoint,
    '--dashboard-port',
    '0',
  ];
  const engine = runCli(
    [...engineArgs, '--status-interval-ms', '60000', '--status-format', 'json', '--idle-timeout-ms', '60000'],
    env,
  );
  const perMinute: Minute[] = [];
  let seen = 0;
  await new Promise((r) => setTimeout(r, 3000));
  process.stderr.write(`soak: ${rate} events/s for ${minutes} min into ${topic}\n`);
  const producer = runCli(
    [
      'produce',
      '--kafka-topic',
      topic,
      '--rate',
      String(rate),
      '--duration',
      String(minutes * 60),
      '--truth',
      truth,
      '--quiet',
    ],
    env,
  );
  // The engine prints a status line every minute; collect them as they come.
  let buffered = '';
  engine.child.stderr!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const row = minuteOf(line, seen + 1);
      if (row) {
        seen++;
        // The process's own RSS from /proc (the line's is the same process's; /proc is exact).
        row.rssMiB = rssMiB(engine.child.pid!) || row.rssMiB;
        perMinute.push(row);
        process.stderr.write(`soak: ${JSON.stringify(row)}\n`);
      }
      nl = buffered.indexOf('\n');
    }
  });
  const produced = await producer.done;
  if (produced.code !== 0) throw new Error(`producer failed:\n${produced.out.slice(-2000)}`);
  await new Promise((r) => setTimeout(r, 5000));
  engine.child.kill('SIGTERM');
  const stopped = await engine.done;
  if (stopped.code !== 0) throw new Error(`engine failed:\n${stopped.out.slice(-2000)}`);
  const drained = await runCli([...engineArgs, '--exit-when-idle', '--idle-timeout-ms', '1000'], env).done;
  if (drained.code !== 0) throw new Error(`the last engine run failed:\n${drained.out.slice(-2000)}`);
  const verified = await runCli(['verify', '--truth', truth], env).done;
  rmSync(checkpoint, { recursive: true, force: true });

  const missing = unmeasured(perMinute, minutes);
  const steady = perMinute.filter((m) => m.minute > 2 && m.minute <= minutes);
  const rssAfterWarmup = steady[0]?.rssMiB ?? 0;
  const rssEnd = steady.at(-1)?.rssMiB ?? 0;
  const rssGrowth = rssAfterWarmup ? (rssEnd - rssAfterWarmup) / rssAfterWarmup : 0;
  const early = mean(steady.slice(0, 3).map((m) => m.e2eP99));
  const late = mean(steady.slice(-3).map((m) => m.e2eP99));
  const result = {
    name: 'soak',
    date: new Date().toISOString(),
    machine: await machine(),
    settings: { rate, minutes, warmupMinutes: 2, sessionGapMs: Number(env.SESSION_GAP_MS) },
    perMinute,
    rssAfterWarmupMiB: rssAfterWarmup,
    rssEndMiB: rssEnd,
    rssGrowth: Number(rssGrowth.toFixed(4)),
    e2eP99EarlyMs: Math.round(early),
    e2eP99LateMs: Math.round(late),
    exact: verified.code === 0,
    unmeasured: missing ?? null,
    pass: missing === undefined && verified.code === 0 && rssGrowth < 0.1 && late <= 2 * early,
    producer: produced.out.trim(),
  };
  writeFileSync(join(repoRoot(), 'results', 'soak.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `soak: ${minutes} min at ${rate}/s: RSS ${rssAfterWarmup} → ${rssEnd} MiB (${(rssGrowth * 100).toFixed(1)} %), event→ES p99 ${Math.round(early)} → ${Math.round(late)} ms, exact ${result.exact}${missing ? `; ${missing}` : ''}: ${result.pass ? 'PASS' : 'FAIL'}\n`,
  );
  return result.pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`soak: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
