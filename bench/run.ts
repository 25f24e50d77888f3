/**
 * `ria bench` / `npm run bench`: runs the benchmark suites, writes results/<suite>.json and the
 * summary tables in results/README.md. `--quick` for a fast check; names select suites.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catchUp } from './engine/catch-up.js';
import { fixedRate } from './engine/fixed-rate.js';
import { machine, repoRoot } from './machine.js';
import { poolScaling } from './pool/scaling.js';
import { eventMakerBench } from './producer/event-maker.bench.js';
import { producerThroughput } from './producer/throughput.js';
import { writeResultsReadme } from './report.js';
import { decodeBench } from './shared/decode.bench.js';
import { rawConsume } from './source/raw-consume.js';
import { stateBench } from './window/state.bench.js';

const SUITES: Record<string, (quick: boolean) => Promise<unknown>> = {
  'producer-micro': eventMakerBench,
  'producer-throughput': producerThroughput,
  'decode-micro': decodeBench,
  'state-micro': stateBench,
  'source-consume': rawConsume,
  'pool-scaling': poolScaling,
  'engine-fixed-rate': fixedRate,
  'engine-catch-up': catchUp,
};

export async function runBenchmarks(args: string[]): Promise<number> {
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !SUITES[n]);
  if (unknown.length) {
    process.stderr.write(
      `bench: unknown suite ${unknown.join(', ')} (suites: ${Object.keys(SUITES).join(', ')})\n`,
    );
    return 2;
  }
  const selected = names.length ? names : Object.keys(SUITES);
  const dir = join(repoRoot(), 'results');
  mkdirSync(dir, { recursive: true });
  const m = await machine();
  for (const [i, name] of selected.entries()) {
    process.stderr.write(`bench: [${i + 1}/${selected.length}] ${name}${quick ? ' (quick)' : ''} ...\n`);
    const t0 = performance.now();
    const result = await SUITES[name](quick);
    const seconds = (performance.now() - t0) / 1000;
    writeFileSync(
      join(dir, `${name}.json`),
      `${JSON.stringify({ suite: name, quick, machine: m, seconds, result }, null, 2)}\n`,
    );
    process.stderr.write(`bench: ${name} done in ${seconds.toFixed(1)} s\n`);
  }
  writeResultsReadme(dir);
  return 0;
}
