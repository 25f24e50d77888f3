/**
 * This build with one part of the funnel and sessions (issue 22) taken out, to measure what that
 * part costs (funnel-cost.ts): a copy of the compiled build whose JavaScript is changed in one or
 * two places. Only a benchmark runs them — their output is wrong on purpose, and not verified.
 *
 * The changes find the compiled text they replace: a refactor that moves it makes the bench stop
 * with the ablation's name instead of measuring a copy that is not ablated.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, repoRoot } from '../machine.js';

export interface Ablation {
  name: string;
  /** What is taken out, in words (the report's). */
  what: string;
  /** Compiled file (under dist/engine) → the text found in it → what replaces it. */
  changes: { file: string; find: string; replace: string }[];
}

const FUNNEL = 'shared/batch-funnel.js';

export const ABLATIONS: Ablation[] = [
  {
    name: 'no-session-merge',
    what: 'the flusher drops the session spans it receives (the pool worker still finds, groups and sends them)',
    changes: [
      {
        file: 'window/session-state.js',
        find: '    add(partition, b, from, to, h, s, e, purchase) {\n',
        replace: '    add(partition, b, from, to, h, s, e, purchase) { return;\n',
      },
    ],
  },
  {
    name: 'no-sessions',
    what: 'no sessions anywhere: the pool worker gives no event a session (the funnel, categories and revenue as built)',
    changes: [
      {
        file: FUNNEL,
        find: '    fastSession(start, end, user) {\n',
        replace: '    fastSession(start, end, user) { return -1;\n',
      },
      { file: FUNNEL, find: '    slowSession(id) {\n', replace: '    slowSession(id) { return -1;\n' },
    ],
  },
  {
    name: 'no-funnel-records',
    what: 'the pool worker reads the fields but records no step, category, price or session (the rest as built: empty funnel parts travel and are applied)',
    changes: [
      {
        file: FUNNEL,
        find: '    addScanned(item, user, maxBefore) {\n',
        replace: '    addScanned(item, user, maxBefore) { return;\n',
      },
      {
        file: FUNNEL,
        find: '    add(item, category, step, cents, session, time, maxBefore) {\n',
        replace: '    add(item, category, step, cents, session, time, maxBefore) { return;\n',
      },
    ],
  },
];

/** A fresh copy of this build (what `ria engine` reads: dist, bin, the schemas) with `a`'s changes; its root. */
export function ablatedRoot(a: Ablation): string {
  const root = repoRoot();
  const dir = join(cacheDir(), 'ablation', a.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const part of ['dist', 'bin', 'package.json', 'engine/schema'])
    cpSync(join(root, part), join(dir, part), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  for (const c of a.changes) {
    const path = join(dir, 'dist', 'engine', c.file);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (text.split(c.find).length !== 2)
      throw new Error(
        `ablation ${a.name}: dist/engine/${c.file} does not hold ${JSON.stringify(c.find)} once`,
      );
    writeFileSync(path, text.replace(c.find, c.replace));
  }
  return dir;
}
