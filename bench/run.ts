/**
 * `ria bench` / `npm run bench`: runs the benchmark suites, writes results/<suite>.json and the
 * summary tables in results/README.md. `--quick` for a fast check; names select suites.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine, readJson, repoRoot } from './machine.js';
import { writeResultsReadme } from './report.js';
import { SUITES, type SuiteName, suitesHelp } from './suites.js';

export async function runBenchmarks(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(suitesHelp());
    return 0;
  }
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const isSuite = (n: string): n is SuiteName => n in SUITES;
  const unknown = names.filter((n) => !isSuite(n));
  if (unknown.length) {
    process.stderr.write(
      `bench: unknown suite ${unknown.join(', ')} (suites: ${Object.keys(SUITES).join(', ')})\n`,
    );
    return 2;
  }
  const selected = (names.length ? names : Object.keys(SUITES)).filter(isSuite);
  const dir = join(repoRoot(), 'results');
  mkdirSync(dir, { recursive: true });
  const m = await machine();
  // Time left: each suite's duration in the last run of the same kind (quick or full), else a guess.
  const expected = (name: string) => {
    const last = readJson<{ quick?: boolean; seconds?: number }>(join(dir, `${name}.json`), {});
    return last.seconds && last.quick === quick ? last.seconds : quick ? 20 : 120;
  };
  const clock = (s: number) =>
    s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
  for (const [i, name] of selected.entries()) {
    const left = selected.slice(i).reduce((a, n) => a + expected(n), 0);
    process.stderr.write(
      `bench: [${i + 1}/${selected.length}] ${name}${quick ? ' (quick)' : ''}: about ${clock(expected(name))}; about ${clock(left)} left in all\n`,
    );
    const t0 = performance.now();
    const ticker = setInterval(() => {
      const ran = (performance.now() - t0) / 1000;
      const rest =
        Math.max(0, expected(name) - ran) + selected.slice(i + 1).reduce((a, n) => a + expected(n), 0);
      process.stderr.write(`bench: ${name} running for ${clock(ran)}; about ${clock(rest)} left in all\n`);
    }, 30_000);
    const result = await SUITES[name].run(quick).finally(() => clearInterval(ticker));
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
