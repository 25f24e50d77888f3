/** results/README.md sections and the chart of the efficiency suites (engine-steady-cost, cost-side-by-side, stage-ceilings). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChart } from '../charts.js';
import { median } from '../machine.js';
import type { Saved, SuiteResult } from '../suites.js';
import { schemasSection } from './schemas-report.js';

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const pct = (n: number) => `${n.toFixed(1)} %`;

type SteadyCost = SuiteResult<'engine-steady-cost'>;
type SteadyCase = SteadyCost['seedRate'];
type SideBySide = SuiteResult<'cost-side-by-side'>;
type Ceilings = SuiteResult<'stage-ceilings'>;
type FunnelCost = SuiteResult<'funnel-cost'>;
type Quantile = { ms: number; bucketMs: number[] };

const q = (x?: Quantile) => (x ? `${x.ms} (bucket ${x.bucketMs[0]}–${x.bucketMs[1]})` : '—');

/** The latency levers at 5,000 events/s, same run: what each buys and what it costs. */
function leversTable(r: SteadyCost): string {
  if (!r.levers?.length) return '';
  const row = (setting: string, c: SteadyCase) =>
    `| ${setting} | ${pct(c.cpuPercentOfCore)} | ${q(c.breakdown?.eventToConsume.p99)} | ${q(c.breakdown?.consumeToFlush.p99)} | ${q(c.flushCycle.p99)} | **${c.eventToEsFromOutside.p99}** | ${c.exact} |`;
  return `\n\nThe levers at 5,000 events/s, same run (one setting changed each; p99s, ms):\n\n| setting | CPU (% of a core) | event → consumed | consumed → flush | flush cycle | event → ES from outside | exact |\n|---|---|---|---|---|---|---|\n${row('defaults', r.seedRate)}\n${r.levers.map((l) => row(l.setting, l)).join('\n')}`;
}

/** Where event → acknowledged went, p50 / p99 of each part, and what a search (Kibana) sees. */
function latencySection(r: SteadyCost): string {
  const g = r.goals;
  const part = (c: SteadyCase) => {
    const b = c.breakdown;
    if (!b) return '';
    const s = c.eventToSearchable;
    return `| ${fmt(c.rate)} | ${q(b.eventToConsume.p50)} / ${q(b.eventToConsume.p99)} | ${q(b.consumeToFlush.p50)} / ${q(b.consumeToFlush.p99)} | ${q(b.flushCycle.p50)} / ${q(b.flushCycle.p99)} | ${q(c.eventToAck.p50)} / ${q(c.eventToAck.p99)} | ${c.eventToEsFromOutside.p50} / **${c.eventToEsFromOutside.p99}** | ${s ? `${s.p50} / ${s.p99}` : '—'} |`;
  };
  if (!r.seedRate.breakdown) return '';
  const met = (v: number, goal: number) => (v <= goal ? 'met' : '**not met**');
  return `\n\n**Latency goals** (issue 23): event → Elasticsearch p99 (from outside) ≤ ${g.eventToEsP99Ms} ms at 5,000/s while ≤ ${g.seedRateCpuPercent} % of a core — measured ${r.seedRate.eventToEsFromOutside.p99} ms (${met(r.seedRate.eventToEsFromOutside.p99, g.eventToEsP99Ms)}) at ${pct(r.seedRate.cpuPercentOfCore)} (${met(r.seedRate.cpuPercentOfCore, g.seedRateCpuPercent)}); ≤ ${g.largeRateEventToEsP99Ms} ms at 50,000/s while ≤ ${g.largeRateCpuPercent} % — measured ${r.largeRate.eventToEsFromOutside.p99} ms (${met(r.largeRate.eventToEsFromOutside.p99, g.largeRateEventToEsP99Ms ?? Number.POSITIVE_INFINITY)}) at ${pct(r.largeRate.cpuPercentOfCore)} (${met(r.largeRate.cpuPercentOfCore, g.largeRateCpuPercent)}).\n\nWhat the time is made of (ms, p50 / p99, the engine's histograms over the same window; engine/metrics/latency-breakdown.ts): event time → its batch taken from Kafka (the producer's linger, the broker, the fetch wait — fetch.wait.max.ms 100 — and BATCH_LINGER_MS), → the flush covering it begins (FLUSH_INTERVAL_MS, checked when a batch arrives, and the pool), → acknowledged (the flush cycle: checkpoint + bulk). The parts' p99s do not add up to the whole's. Event → searchable: the same outside measure through a search, which sees a document only after the index's refresh (refresh_interval 1 s in our templates): what a Kibana panel sees.\n\n| events/s | event → consumed | consumed → flush | flush cycle | event → acknowledged | event → ES from outside | event → searchable |\n|---|---|---|---|---|---|---|\n${part(r.seedRate)}\n${part(r.largeRate)}${leversTable(r)}`;
}

function steadySection(r: SteadyCost): string {
  const row = (c: SteadyCase, goal: number) =>
    `| ${fmt(c.rate)} / ${fmt(c.users)} | **${pct(c.cpuPercentOfCore)}** (goal ≤ ${goal} %) | ${c.cpuMicrosPerEvent.toFixed(1)} µs | ${c.cpuMicrosPerDoc.toFixed(1)} µs (${fmt(c.docsPerSecond)}/s) | ${c.cpuMillisPerFlush.toFixed(1)} ms (${c.flushesPerSecond.toFixed(1)}/s) | ${q(c.flushCycle.p50)} / ${q(c.flushCycle.p99)} | ${q(c.eventToAck.p99)} | ${c.eventToEsFromOutside.p50} / ${c.eventToEsFromOutside.p99} | ${c.exact} |`;
  const threads = (c: SteadyCase) =>
    Object.entries(c.threads)
      .slice(0, 8)
      .map(([k, v]) => `${k} ${pct((v / c.windowSeconds) * 100)}`)
      .join(', ');
  const profile = r.profile
    .filter((t) => t.thread !== 'other')
    .map(
      (t) =>
        `- **${t.thread}** (busy ${fmt(t.busyMs)} ms): ${t.functions
          .slice(0, 8)
          .map((f) => `${f.fn} ${f.ms}`)
          .join('; ')}`,
    )
    .join('\n');
  return `Default settings, whole process tree over a ${Math.round(r.seedRate.windowSeconds)} s window after warm-up (CPU from /proc); per event, per document written and per flush = the window's CPU divided by each (they are not additive); flush cycle and event→acknowledged from the engine's Prometheus histograms over the same window (histogram_quantile, ms, with the bucket it fell in); event→ES from outside: how far Elasticsearch's total lags behind Kafka's end offsets (bench/cost/steady-run.ts).\n\n| events/s / users | CPU (% of a core) | per event | per doc written | per flush | flush cycle p50 / p99 ms | event→ack p99 ms | event→ES from outside p50 / p99 ms | exact |\n|---|---|---|---|---|---|---|---|---|\n${row(r.seedRate, r.goals.seedRateCpuPercent)}\n${row(r.largeRate, r.goals.largeRateCpuPercent)}${latencySection(r)}${r.idle ? `\n\nThe same engine with no traffic to speak of (one event a second): **${pct(r.idle.cpuPercentOfCore)}** of a core — the floor under every rate.` : ''}\n\nThreads at 5,000/s: ${threads(r.seedRate)}. At 50,000/s: ${threads(r.largeRate)}.\n\nWhere it went (\`node --cpu-prof\`, 5,000 events/s, self time in ms per function, start-up included):\n\n${profile}\n${r.healCheck ? `\n\nThe indices' periodic check (\`HEAL_INTERVAL_MS\`) at 5,000 events/s, same run: off **${pct(r.healCheck.offCpuPercent)}**, every 30 s (the default) **${pct(r.healCheck.defaultCpuPercent)}**, every second **${pct(r.healCheck.everySecondCpuPercent)}** of a core — about ${r.healCheck.msPerCheck.toFixed(1)} ms of CPU per check; exact: ${r.healCheck.exact}.\n` : ''}`;
}

function sideBySideSection(r: SideBySide): string {
  return `${fmt(r.rate)} events/s over ${fmt(r.users)} users for each program in turn, on a new topic each; CPU of the whole process tree (Spark: the Python driver and its JVM); event→ES from outside, the same measure for all (bench/cost/steady-run.ts).\n\n| program | CPU (% of a core) | × ours | µs per event | event→ES p50 / p99 / max ms |\n|---|---|---|---|---|\n${r.rows.map((x) => `| ${x.program} | ${pct(x.cpuPercentOfCore)} | ×${x.cpuTimesOurs.toFixed(1)} | ${x.cpuMicrosPerEvent.toFixed(1)} | ${fmt(x.eventToEs.p50)} / ${fmt(x.eventToEs.p99)} / ${fmt(x.eventToEs.max)} |`).join('\n')}\n`;
}

function ceilingsSection(r: Ceilings): string {
  // A stage run by two consumers is two threads: a goal it meets is met by adding a thread.
  const threadsOf = (stage: string) =>
    stage.startsWith('pool worker') ? 'one per core' : /2 consumers/.test(stage) ? '2' : '1';
  const verdict = (stage: string, v: number) => {
    const t = threadsOf(stage);
    if (t === 'one per core') return '(one per core)';
    if (v < r.target) return '**no**';
    return t === '2' ? 'yes, with a second thread' : 'yes';
  };
  const rows = Object.entries(r.stages)
    .map(([k, v]) => `| ${k} | ${threadsOf(k)} | ${fmt(v)} | ${verdict(k, v)} |`)
    .join('\n');
  const two = r.capWithTwoConsumers
    ? ` With a second consumer (SOURCE_CONSUMERS=2, two threads): **${r.capWithTwoConsumers.stage}, ${fmt(r.capWithTwoConsumers.eventsPerSecond)} events/s** — the goal ${r.capWithTwoConsumers.eventsPerSecond >= r.target ? 'met by adding a thread, not by one thread' : 'not met'}.`
    : '';
  return `${fmt(r.events)} producer events over ${fmt(r.users)} users, in memory (bench/stages/stage-ceilings.ts): events per second of the stage's own threads' CPU. Goal: no single-threaded stage under ${fmt(r.target)}.\n\n| stage | threads | events/s | ≥ ${fmt(r.target)}? |\n|---|---|---|---|\n${rows}\n\nOn a 16-core host the first single thread to cap: **${r.cap.stage}, ${fmt(r.cap.eventsPerSecond)} events/s**.${two} Documents per event at this load: ${r.flusher.docsPerEvent.toFixed(2)} (${r.flusher.flushes} flushes). The pool on this 2-core host: ${fmt(r.poolOnThisHost)} events/s.\n`;
}

/** Where the extra goes, by function (funnel-cost's profile pass; absent in older results). */
function grewSection(r: FunnelCost): string {
  if (!r.profile) return '';
  const rows = r.profile.grew.map(
    (g) => `| ${g.fn} | ${g.beforeMs} | ${g.afterMs} | +${g.afterMs - g.beforeMs} |`,
  );
  return `\n\nWhere the extra goes: one pass of each build at 5,000 events/s under \`node --cpu-prof\` (${r.profile.seconds} s after a 5 s warm-up, start-up included), self time per thread and function (ms), what grew most:\n\n| thread: function | before | after | change |\n|---|---|---|---|\n${rows.join('\n')}`;
}

/** This build with one part taken out (ablation-builds.ts): what each part costs. */
function ablationSection(r: FunnelCost): string {
  if (!r.ablations?.length) return '';
  const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;
  const s = r.summary;
  const row = (
    name: string,
    what: string,
    cpu: number,
    cpuUp: number,
    p99: number,
    perEvent: number,
    up: number,
  ) =>
    `| ${name} | ${what} | ${pct(cpu)} (${sign(cpuUp)}) | ${fmt(p99)} | ${perEvent.toFixed(2)} (${sign(up)}) |`;
  const rows = [
    row(
      'before',
      `commit \`${r.baselineCommit}\``,
      s.steadyCpuPercentOfCore.before,
      0,
      s.flushP99Ms.before,
      s.catchUpCpuMicrosPerEvent.before,
      0,
    ),
    row(
      'after',
      'this build',
      s.steadyCpuPercentOfCore.after,
      s.steadyCpuIncreasePercent,
      s.flushP99Ms.after,
      s.catchUpCpuMicrosPerEvent.after,
      s.catchUpCpuPerEventIncreasePercent,
    ),
    ...r.ablations.map((a) =>
      row(
        a.name,
        a.what,
        a.summary.steadyCpuPercentOfCore,
        a.summary.steadyCpuIncreasePercent,
        a.summary.flushP99Ms,
        a.summary.catchUpCpuMicrosPerEvent,
        a.summary.catchUpCpuPerEventIncreasePercent,
      ),
    ),
  ];
  return `\n\nWhat each part costs: this build with one part taken out (bench/cost/ablation-builds.ts: a copy of the compiled build changed in one or two places; its output is wrong on purpose and not verified), in the same rotation as before and after. Medians; changes against before.\n\n| build | taken out | CPU at 5,000/s | flush p99 ms | catch-up µs CPU per event |\n|---|---|---|---|---|\n${rows.join('\n')}`;
}

function funnelSection(r: FunnelCost): string {
  const s = r.summary;
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  const g = r.goals;
  const steady = (label: string, xs: FunnelCost['steady']['before']) =>
    xs
      .map(
        (x, i) =>
          `| ${label} | ${i + 1} | ${pct(x.cpuPercentOfCore)} | ${q(x.flushCycle.p99)} | ${x.eventToEsFromOutside.p99} |`,
      )
      .join('\n');
  const drains = (label: string, xs: FunnelCost['catchUp']['before']) =>
    xs
      .map(
        (x, i) => `| ${label} | ${i + 1} | ${x.cpuMicrosPerEvent.toFixed(2)} | ${fmt(x.eventsPerSecond)} |`,
      )
      .join('\n');
  const roles = ['ria-pool', 'ria-flusher', 'main', 'librdkafka', 'helpers'];
  const byThread = (xs: FunnelCost['catchUp']['before']) => {
    const per = xs.map((x) => x.cpuMicrosPerEventByThread).filter((x) => x !== undefined);
    return roles.map((role) => median(per.map((x) => x[role] ?? 0)));
  };
  const threadRows = r.catchUp.after[0]?.cpuMicrosPerEventByThread
    ? `\n\nCatch-up CPU per event by thread (µs, medians; pool: both workers; helpers: Node's GC, compiler and libuv threads):\n\n| build | ${roles.join(' | ')} |\n|---|${roles.map(() => '---').join('|')}|\n| before | ${byThread(
        r.catchUp.before,
      )
        .map((v) => v.toFixed(2))
        .join(' | ')} |\n| after | ${byThread(r.catchUp.after)
        .map((v) => v.toFixed(2))
        .join(' | ')} |`
    : '';
  return `The funnel, revenue and sessions (issue 22) against the build just before them (commit \`${r.baselineCommit}\`, compiled into the cache and run by the same bench, alternating, same topics${r.baselineSettings ? `, given \`${r.baselineSettings.join(' ')}\` — the one setting this build changed since that is not the funnel's` : ''}; bench/cost/funnel-cost.ts). Medians.\n\n| figure | before | after | change | goal |\n|---|---|---|---|---|\n| CPU at 5,000 events/s, 10,000 users (% of a core) | ${pct(s.steadyCpuPercentOfCore.before)} | ${pct(s.steadyCpuPercentOfCore.after)} | ${s.steadyCpuIncreasePercent >= 0 ? '+' : ''}${s.steadyCpuIncreasePercent.toFixed(1)} % | ≤ +${g.steadyCpuIncreasePercent} %: ${met(s.steadyCpuIncreasePercent <= g.steadyCpuIncreasePercent)} |\n| flush cycle p99 at 5,000 events/s (ms) | ${fmt(s.flushP99Ms.before)} | ${fmt(s.flushP99Ms.after)} | ${s.flushP99IncreaseMs >= 0 ? '+' : ''}${fmt(s.flushP99IncreaseMs)} ms | ≤ +${g.flushP99IncreaseMs} ms: ${met(s.flushP99IncreaseMs <= g.flushP99IncreaseMs)} |\n| catch-up CPU per event, ${fmt(r.events)} events (µs) | ${s.catchUpCpuMicrosPerEvent.before.toFixed(2)} | ${s.catchUpCpuMicrosPerEvent.after.toFixed(2)} | ${s.catchUpCpuPerEventIncreasePercent >= 0 ? '+' : ''}${s.catchUpCpuPerEventIncreasePercent.toFixed(1)} % | ≤ +${g.catchUpCpuPerEventIncreasePercent} %: ${met(s.catchUpCpuPerEventIncreasePercent <= g.catchUpCpuPerEventIncreasePercent)} |\n\nThis build's output verified exact by \`ria verify\` in every run: ${s.exact}.\n\n| build | run | CPU at 5,000/s | flush p99 ms | event→ES p99 ms (outside) |\n|---|---|---|---|---|\n${steady('before', r.steady.before)}\n${steady('after', r.steady.after)}\n\n| build | run | catch-up µs CPU per event | events/s |\n|---|---|---|---|\n${drains('before', r.catchUp.before)}\n${drains('after', r.catchUp.after)}${threadRows}${ablationSection(r)}${grewSection(r)}\n`;
}

/** The section body of one of these suites, or undefined for another suite. */
export function costSection(s: Saved): string | undefined {
  if (s.suite === 'engine-steady-cost') return steadySection(s.result);
  if (s.suite === 'cost-side-by-side') return sideBySideSection(s.result);
  if (s.suite === 'stage-ceilings') return ceilingsSection(s.result);
  if (s.suite === 'funnel-cost') return funnelSection(s.result);
  if (s.suite === 'schemas-cost') return schemasSection(s.result);
  return undefined;
}

/** charts/cost.svg: CPU of each program at the seed's rate. */
export function writeCostChart(chartsDir: string, r: SideBySide): void {
  writeFileSync(
    join(chartsDir, 'cost.svg'),
    barChart(
      `CPU at ${fmt(r.rate)} events/s (% of one core, whole process tree)`,
      '%',
      r.rows.map((x, i) => ({
        label: x.program,
        value: x.cpuPercentOfCore,
        kind: i === 0 ? 'ours' : 'peer',
      })),
    ),
  );
}
