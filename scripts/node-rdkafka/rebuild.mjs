#!/usr/bin/env node
/**
 * Second half of `npm ci`'s postinstall: `patch-package --error-on-warn` has just applied
 * scripts/node-rdkafka/patches/node-rdkafka+<version>.patch (the batch calls, see
 * docs/node-rdkafka.md); this checks that the installed node-rdkafka is the version the patch
 * names and rebuilds its addon (incrementally: librdkafka itself is not compiled again).
 * Idempotent: a marker holding the patch's hash says the build is done.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'package.json'));
const root = dirname(require.resolve('node-rdkafka/package.json'));
// node-rdkafka 3.6.1's package.json says "v3.6.1".
const installed = String(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version).replace(
  /^v/,
  '',
);
const patches = readdirSync(join(here, 'patches')).filter((f) => f.startsWith('node-rdkafka+'));
const expected = patches.map((f) => /^node-rdkafka\+(.+)\.patch$/.exec(f)?.[1]);
if (patches.length !== 1 || expected[0] !== installed) {
  console.error(
    `ria: error: node-rdkafka ${installed} is installed but the batch-call patch is for ${expected.join(', ')}: see docs/node-rdkafka.md (upgrading node-rdkafka)`,
  );
  process.exit(1);
}
const patch = readFileSync(join(here, 'patches', patches[0]));
const hash = createHash('sha256').update(patch).digest('hex').slice(0, 16);
const release = join(root, 'build', 'Release');
const marker = join(release, `.ria-batch-${hash}`);
if (existsSync(marker) && existsSync(join(release, 'node-librdkafka.node'))) process.exit(0);

// npm puts its own node-gyp in npm_config_node_gyp for install scripts; else use npm's copy.
const nodeGyp =
  process.env.npm_config_node_gyp ??
  join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
console.log(`ria: building node-rdkafka ${installed} with the batch calls (incremental rebuild)`);
// The headers of the running node: npm's nodedir setting, else the ones installed beside node
// (no download), else node-gyp fetches them.
const prefix = join(dirname(process.execPath), '..');
const nodedir =
  process.env.npm_config_nodedir ??
  (existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined);
const run = (...args) => execFileSync(process.execPath, [nodeGyp, ...args], { cwd: root, stdio: 'inherit' });
run('configure', ...(nodedir ? [`--nodedir=${nodedir}`] : []));
run('build', `-j${Math.min(4, availableParallelism())}`);
for (const f of readdirSync(release)) if (f.startsWith('.ria-batch-')) rmSync(join(release, f));
writeFileSync(marker, `${new Date().toISOString()}\n`);
