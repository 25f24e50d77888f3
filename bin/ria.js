#!/usr/bin/env node
// The `ria` command: runs the compiled CLI (npm install / npm ci compile it through `prepare`).
//
// CommonJS on purpose (bin/package.json): libuv reads UV_THREADPOOL_SIZE once, when its thread
// pool starts, and Node's ES module loader starts it while reading the first module. So the pool
// is sized here, before any import: each librdkafka consumer's batch call holds one pool thread for
// up to its timeout, and file writes, DNS and commits need threads of their own. An explicit
// UV_THREADPOOL_SIZE is kept (the engine says so at start when it is too small).
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/** SOURCE_CONSUMERS as `ria engine` will see it: --source-consumers, the environment, then .env. */
function sourceConsumers(argv) {
  const i = argv.findIndex((a) => a === '--source-consumers' || a.startsWith('--source-consumers='));
  if (i >= 0) return Number(argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]);
  if (process.env.SOURCE_CONSUMERS) return Number(process.env.SOURCE_CONSUMERS);
  try {
    const m = /^\s*SOURCE_CONSUMERS\s*=\s*"?(\d+)/m.exec(readFileSync('.env', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // no .env
  }
  return 1;
}

const args = process.argv.slice(2);
if (args[0] === 'engine' && !process.env.UV_THREADPOOL_SIZE) {
  const n = sourceConsumers(args);
  // libuv's default is 4; at most 1024.
  if (Number.isInteger(n) && n > 0) process.env.UV_THREADPOOL_SIZE = String(Math.min(1024, 4 + n));
}

const main = join(__dirname, '..', 'dist', 'engine', 'cli', 'main.js');
if (!existsSync(main)) {
  console.error(
    'ria: the TypeScript is not compiled yet: run `npm install` (or `npm run build`) in the clone first',
  );
  process.exit(1);
}
import(require('node:url').pathToFileURL(main).href);
