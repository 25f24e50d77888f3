/**
 * The event-loop delay gauges (`nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`),
 * in place of prom-client's.
 *
 * Why not prom-client's: it resets its sampler at every scrape and reports whatever the window
 * holds. At the 100 ms sampling the engine uses (results/engine-steady-cost.json: a hundred
 * wake-ups a second at its default 10 ms are a visible share of an idle engine), two scrapes
 * closer than that — two Prometheus replicas, a person with curl — find an empty window and read
 * `Nan` (not even the text format's `NaN`) and a minimum of 292 years. Here an empty window keeps
 * the previous window's figures. And Node's sampler records the whole period between its timer's
 * runs, so prom-client's figures are never below its period (0.1 s here, which reads as a lagging
 * loop): these are the delay beyond the period, 0 for a loop that is never late.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

type Sampler = ReturnType<typeof monitorEventLoopDelay>;
const SAMPLE_MS = 100;
const SAMPLE_NS = SAMPLE_MS * 1e6;
/** Node records the whole time between its timer's runs: the delay is what exceeds the period. */
const beyondPeriod = (ns: number) => Math.max(0, ns - SAMPLE_NS);
const FIGURES = {
  min: (h: Sampler) => beyondPeriod(h.min),
  max: (h: Sampler) => beyondPeriod(h.max),
  mean: (h: Sampler) => beyondPeriod(h.mean),
  stddev: (h: Sampler) => h.stddev,
  p50: (h: Sampler) => beyondPeriod(h.percentile(50)),
  p90: (h: Sampler) => beyondPeriod(h.percentile(90)),
  p99: (h: Sampler) => beyondPeriod(h.percentile(99)),
} as const;

/** The names prom-client's defaults register for the same figures (replaced by these). */
export const EVENT_LOOP_DELAY_NAMES = Object.keys(FIGURES).map((f) => `nodejs_eventloop_lag_${f}_seconds`);

/** Registers the gauges in `registry` (after removing any of the same names). */
export function registerEventLoopDelay(registry: Registry): void {
  const sampler = monitorEventLoopDelay({ resolution: SAMPLE_MS });
  sampler.enable();
  // The first gauge's collect sets them all, once per scrape, then starts a new window.
  const collect = () => {
    if (sampler.count === 0) return;
    for (const { gauge, read } of gauges) gauge.set(read(sampler) / 1e9);
    sampler.reset();
  };
  const gauges = Object.entries(FIGURES).map(([figure, read], i) => {
    const name = `nodejs_eventloop_lag_${figure}_seconds`;
    registry.removeSingleMetric(name);
    const gauge = new Gauge({
      name,
      help: `The ${figure} event-loop delay beyond its ${SAMPLE_MS} ms sampling period since the previous scrape, seconds`,
      registers: [registry],
      ...(i === 0 ? { collect } : {}),
    });
    return { gauge, read };
  });
}
