/**
 * results/summary.md, generated (report.ts writes it and puts it on top of results/README.md):
 * the goals with what was measured, and one line per suite — every figure read from a results
 * JSON, with the machine and the day it was measured on (suites run on different days and
 * machines: compare within one suite's run). Nothing here is typed by hand but the words.
 */
import type { Soak } from './soak-minutes.js';
import type { Saved, SuiteName, SuiteResult } from './suites.js';

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const pct = (x: number) => `${x.toFixed(1)} %`;
const met = (ok: boolean | undefined) => (ok === undefined ? '—' : ok ? 'yes' : '**no**');

type Get = <K extends SuiteName>(suite: K) => SuiteResult<K> | undefined;

/** Where a figure comes from: the suite's section, machine and day. */
function source(saved: Map<string, Saved>, suite: string): string {
  const s = saved.get(suite);
  if (!s) return `\`${suite}\``;
  const cpu = /EPYC/.test(s.machine.cpu)
    ? 'AMD EPYC'
    : /Xeon/.test(s.machine.cpu)
      ? 'Intel Xeon'
      : s.machine.cpu;
  return `[\`${suite}\`](#${suite}) (${cpu}, ${s.machine.date.slice(0, 10)}${s.quick ? ', quick' : ''})`;
}

interface Goal {
  goal: string;
  target: string;
  measured: string;
  ok: boolean | undefined;
  suite: string;
}

function goalsOf(get: Get, soak: Soak | undefined): Goal[] {
  const goals: Goal[] = [];
  const cu = get('engine-catch-up');
  if (cu?.flinkRatio)
    goals.push({
      goal: 'catch-up: the engine’s whole run against the Flink peer’s, same topic, same run',
      target: `≤ ×${cu.flinkRatio.goal}`,
      measured: `×${cu.flinkRatio.engineOverPeer.toFixed(2)}`,
      ok: cu.flinkRatio.engineOverPeer <= cu.flinkRatio.goal,
      suite: 'engine-catch-up',
    });
  if (cu?.machineBusy)
    goals.push({
      goal: 'catch-up: the machine busy during the drain (vmstat us+sy)',
      target: `≥ ${Math.round(cu.machineBusy.goal * 100)} %`,
      measured: `${Math.round(cu.machineBusy.median * 100)} %`,
      ok: cu.machineBusy.median >= cu.machineBusy.goal,
      suite: 'engine-catch-up',
    });
  if (cu?.cpuPerEvent?.beforeFunnel !== undefined)
    goals.push({
      goal: `catch-up: CPU per event not above the build before the funnel (\`${cu.cpuPerEvent.baselineCommit}\`, same topic, same run)`,
      target: `≤ ${cu.cpuPerEvent.beforeFunnel.toFixed(2)} µs`,
      measured: `${cu.cpuPerEvent.now.toFixed(2)} µs`,
      ok: cu.cpuPerEvent.now <= cu.cpuPerEvent.beforeFunnel,
      suite: 'engine-catch-up',
    });
  if (cu?.librdkafkaFloor)
    goals.push({
      goal: 'catch-up against librdkafka alone on the same topic (long-term aim)',
      target: `≥ ×${cu.librdkafkaFloor.goal}`,
      measured: `×${cu.librdkafkaFloor.engineRatio.toFixed(2)}`,
      ok: cu.librdkafkaFloor.engineRatio >= cu.librdkafkaFloor.goal,
      suite: 'engine-catch-up',
    });
  const st = get('engine-steady-cost');
  if (st) {
    const g = st.goals;
    goals.push(
      {
        goal: 'CPU at 5,000 events/s, 10,000 users (whole process tree)',
        target: `≤ ${g.seedRateCpuPercent} % of a core`,
        measured: pct(st.seedRate.cpuPercentOfCore),
        ok: st.seedRate.cpuPercentOfCore <= g.seedRateCpuPercent,
        suite: 'engine-steady-cost',
      },
      {
        goal: 'CPU at 50,000 events/s, 1,000,000 users',
        target: `≤ ${g.largeRateCpuPercent} %`,
        measured: pct(st.largeRate.cpuPercentOfCore),
        ok: st.largeRate.cpuPercentOfCore <= g.largeRateCpuPercent,
        suite: 'engine-steady-cost',
      },
      {
        goal: 'event → Elasticsearch p99 at 5,000 events/s (from outside)',
        target: `≤ ${fmt(g.eventToEsP99Ms)} ms`,
        measured: `${fmt(st.seedRate.eventToEsFromOutside.p99)} ms`,
        ok: st.seedRate.eventToEsFromOutside.p99 <= g.eventToEsP99Ms,
        suite: 'engine-steady-cost',
      },
    );
    if (g.largeRateEventToEsP99Ms)
      goals.push({
        goal: 'event → Elasticsearch p99 at 50,000 events/s (from outside)',
        target: `≤ ${fmt(g.largeRateEventToEsP99Ms)} ms`,
        measured: `${fmt(st.largeRate.eventToEsFromOutside.p99)} ms`,
        ok: st.largeRate.eventToEsFromOutside.p99 <= g.largeRateEventToEsP99Ms,
        suite: 'engine-steady-cost',
      });
    const flushP99 = st.seedRate.flushCycle.p99?.ms;
    goals.push({
      goal: 'flush cycle p99 at 5,000 events/s',
      target: `≤ ${g.flushP99Ms} ms`,
      measured: flushP99 === undefined ? '—' : `${flushP99} ms`,
      ok: flushP99 === undefined ? undefined : flushP99 <= g.flushP99Ms,
      suite: 'engine-steady-cost',
    });
  }
  const fc = get('funnel-cost');
  const ce = get('stage-ceilings');
  if (ce) {
    goals.push({
      goal: 'every single-threaded stage, from in-memory input',
      target: `≥ ${fmt(ce.target)} events/s`,
      measured: `first cap: ${ce.cap.stage}, ${fmt(ce.cap.eventsPerSecond)}`,
      ok: ce.cap.eventsPerSecond >= ce.target,
      suite: 'stage-ceilings',
    });
    if (ce.capWithTwoConsumers)
      goals.push({
        goal: 'the same with a second consumer thread (SOURCE_CONSUMERS=2): met by adding a thread, not by one',
        target: `≥ ${fmt(ce.target)} events/s`,
        measured: `first cap: ${ce.capWithTwoConsumers.stage}, ${fmt(ce.capWithTwoConsumers.eventsPerSecond)}`,
        ok: ce.capWithTwoConsumers.eventsPerSecond >= ce.target,
        suite: 'stage-ceilings',
      });
  }
  if (fc) {
    const s = fc.summary;
    const g = fc.goals;
    goals.push(
      {
        goal: 'funnel and sessions: CPU at 5,000 events/s against the build before them',
        target: `≤ +${g.steadyCpuIncreasePercent} %`,
        measured: `${s.steadyCpuIncreasePercent >= 0 ? '+' : ''}${s.steadyCpuIncreasePercent.toFixed(1)} %`,
        ok: s.steadyCpuIncreasePercent <= g.steadyCpuIncreasePercent,
        suite: 'funnel-cost',
      },
      {
        goal: 'funnel and sessions: flush cycle p99 at 5,000 events/s',
        target: `≤ +${g.flushP99IncreaseMs} ms`,
        measured: `${s.flushP99IncreaseMs >= 0 ? '+' : ''}${s.flushP99IncreaseMs} ms`,
        ok: s.flushP99IncreaseMs <= g.flushP99IncreaseMs,
        suite: 'funnel-cost',
      },
      {
        goal: 'funnel and sessions: catch-up CPU per event',
        target: `≤ +${g.catchUpCpuPerEventIncreasePercent} %`,
        measured: `${s.catchUpCpuPerEventIncreasePercent >= 0 ? '+' : ''}${s.catchUpCpuPerEventIncreasePercent.toFixed(1)} %`,
        ok: s.catchUpCpuPerEventIncreasePercent <= g.catchUpCpuPerEventIncreasePercent,
        suite: 'funnel-cost',
      },
    );
  }
  if (soak)
    goals.push({
      goal: `soak: ${fmt(soak.settings.rate)} events/s for ${soak.settings.minutes} minutes — RSS growth after warm-up, late p99 against early, exact, every minute measured`,
      target: '< 10 %, ≤ ×2, exact',
      measured: `${(soak.rssGrowth * 100).toFixed(1)} %, ${fmt(soak.e2eP99EarlyMs)} → ${fmt(soak.e2eP99LateMs)} ms, exact: ${soak.exact}${soak.unmeasured ? `; ${soak.unmeasured}` : ''}`,
      ok: soak.pass,
      suite: 'soak',
    });
  return goals;
}

/** One line per suite: its headline figures. */
function headlinesOf(get: Get): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const cu = get('engine-catch-up');
  if (cu) {
    const systems = cu.systems
      ?.map(
        (x) =>
          `${x.system} ${x.wholeSeconds.toFixed(1)} s (${fmt(x.eventsPerSecondWhole)}/s, exact: ${x.exact})`,
      )
      .join('; ');
    rows.push([
      `catch-up, ${fmt(cu.events)} events preloaded, process start → everything written`,
      systems ?? `2 workers ${fmt(cu.medianEventsPerSecond[2])} events/s`,
      'engine-catch-up',
    ]);
  }
  const sx = get('schemas-cost');
  if (sx) {
    const s = sx.summary;
    rows.push([
      `Avro in, changelog out: the same ${fmt(sx.events)} events as JSON and as Avro; 5,000 events/s without and with CHANGELOG_TOPICS`,
      `engine catch-up ${fmt(s.catchUpEventsPerSecond.json)} events/s JSON, ${fmt(s.catchUpEventsPerSecond.avro)} Avro (${s.catchUpCpuMicrosPerEvent.json.toFixed(2)} / ${s.catchUpCpuMicrosPerEvent.avro.toFixed(2)} µs CPU per event); KafkaJS ${s.kafkajsSeconds.json.toFixed(1)} s JSON, ${s.kafkajsSeconds.avro.toFixed(1)} s Avro; at 5,000/s ${pct(s.steadyCpuPercentOfCore.without)} → ${pct(s.steadyCpuPercentOfCore.withChangelog)} of a core with the changelog topics (flush p99 ${fmt(s.flushP99Ms.without)} → ${fmt(s.flushP99Ms.withChangelog)} ms); exact: ${s.exact}`,
      'schemas-cost',
    ]);
  }
  const fr = get('engine-fixed-rate');
  if (fr)
    rows.push([
      `the seed's experiment: ${fmt(fr.rate)} events/s for ${fr.seconds} s`,
      `flush cycle p50 / p99 ${fr.engine.flushMs.p50} / ${fr.engine.flushMs.p99} ms; event → acknowledged p50 / p99 ${fr.engine.endToEndMs.p50} / ${fr.engine.endToEndMs.p99} ms; exact: ${fr.exact}`,
      'engine-fixed-rate',
    ]);
  const cs = get('cost-side-by-side');
  if (cs)
    rows.push([
      `CPU side by side at ${fmt(cs.rate)} events/s`,
      cs.rows
        .map(
          (x) =>
            `${x.program} ${pct(x.cpuPercentOfCore)} (×${x.cpuTimesOurs.toFixed(1)}), event → ES p99 ${fmt(x.eventToEs.p99)} ms`,
        )
        .join('; '),
      'cost-side-by-side',
    ]);
  const ps = get('pool-scaling');
  if (ps)
    rows.push([
      'the pool alone (decode, validate, count)',
      `1 worker ${fmt(ps.median[1])} events/s, 2 workers ${fmt(ps.median[2])} (×${ps.speedup.toFixed(2)})`,
      'pool-scaling',
    ]);
  const sc = get('source-consume');
  if (sc)
    rows.push([
      'the source alone (no processing)',
      `node-rdkafka consume() ${fmt(sc.consume.eventsPerSecond)} events/s, ${sc.consume.cpuUsPerEvent.toFixed(1)} µs CPU per event; our consumeBatch ${fmt(sc.consumeBatch.eventsPerSecond)}, ${sc.consumeBatch.cpuUsPerEvent.toFixed(1)} µs`,
      'source-consume',
    ]);
  const pt = get('producer-throughput');
  if (pt)
    rows.push([
      'producer, one JS thread',
      `${fmt(pt.medianEventsPerSecond)} events/s (${pt.medianMbPerSecond.toFixed(0)} MB/s)`,
      'producer-throughput',
    ]);
  const so = get('engine-scale-out');
  if (so)
    rows.push([
      'scale-out on one host: 2 counters + the merger against one engine',
      `one engine ${fmt(so.oneEngine)} events/s, scaled out ${fmt(so.scaledOut)}; exact: ${so.allExact}`,
      'engine-scale-out',
    ]);
  const sm = get('state-micro');
  if (sm)
    rows.push([
      'state per user',
      `${sm.memory.bytesPerUser.toFixed(0)} bytes (${fmt(sm.memory.users)} users: ${fmt(sm.memory.rssMiB)} MiB RSS)`,
      'state-micro',
    ]);
  const ses = get('session-memory');
  if (ses)
    rows.push([
      'open sessions',
      `${ses.bytesPerOpenSession.toFixed(0)} bytes each; ${fmt(ses.sessions)} open: ${fmt(ses.megabytes.open)} MB`,
      'session-memory',
    ]);
  return rows;
}

export function summaryMarkdown(saved: Map<string, Saved>, soak: Soak | undefined): string {
  const get: Get = (suite) => {
    const s = saved.get(suite);
    return s?.suite === suite ? (s.result as SuiteResult<typeof suite>) : undefined;
  };
  const from = (suite: string) =>
    suite === 'soak'
      ? `[\`npm run soak\`](#soak-npm-run-soak)${soak ? ` (${soak.date.slice(0, 10)})` : ''}`
      : source(saved, suite);
  const goals = goalsOf(get, soak)
    .map((g) => `| ${g.goal} | ${g.target} | ${g.measured} | ${met(g.ok)} | ${from(g.suite)} |`)
    .join('\n');
  const headlines = headlinesOf(get)
    .map(([what, figure, suite]) => `| ${what} | ${figure} | ${from(suite)} |`)
    .join('\n');
  return `## Summary

Generated by \`npm run bench\` from the results files (\`bench/summary.ts\`): every figure below is
read from \`results/<suite>.json\`, with the machine and the day of its run. Suites run on
different days and machines (the AMD EPYC box is about twice as slow as the Intel Xeon one):
compare figures within one suite's run. Kafka and Elasticsearch run on the same two cores as the
engine everywhere.

### Goals

| goal | target | measured | met? | from |
|---|---|---|---|---|
${goals}

### Headlines

| what | figure | from |
|---|---|---|
${headlines}
`;
}
