import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../machine.js';
import { ABLATIONS } from './ablation-builds.js';

/** A source file compiled as tsc -p tsconfig.json compiles it (same target and module). */
function compiled(file: string): string {
  const root = repoRoot();
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const source = join(root, 'engine', file.replace(/\.js$/, '.ts'));
  return ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { ...options, sourceMap: false },
  }).outputText;
}

// funnel-cost runs for 20 minutes before it makes an ablated copy: a refactor that moves the text
// an ablation changes should fail here, in every npm test, not there.
describe('the ablations of funnel-cost', () => {
  for (const a of ABLATIONS)
    it(`${a.name}: each change finds its compiled text exactly once`, () => {
      for (const c of a.changes)
        expect(compiled(c.file).split(c.find).length - 1, `${c.file}: ${c.find}`).toBe(1);
    });
});
