#!/usr/bin/env node
/**
 * Adds the batch calls of batch.cc (consumeBatch, produceBatch) to the installed node-rdkafka and
 * rebuilds its addon (incrementally: librdkafka itself is not compiled again). Run by `npm ci` /
 * `npm install` (postinstall); idempotent — a marker holding batch.cc's hash says it is done.
 *
 * The edits are four one-line registrations, made by exact text match: if node-rdkafka changes
 * shape (another version), this stops with a message instead of building something else.
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
const source = readFileSync(join(here, 'batch.cc'));
const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
const marker = join(root, 'build', 'Release', `.ria-batch-${hash}`);

if (existsSync(marker) && existsSync(join(root, 'build', 'Release', 'node-librdkafka.node'))) {
  process.exit(0);
}

/** Inserts `line` after the line containing `anchor` in `file`, once. */
function insertAfter(file, anchor, line) {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  if (text.includes(line.trim())) return;
  const at = text.indexOf(anchor);
  if (at < 0) {
    console.error(`ria: error: node-rdkafka's ${file} has no "${anchor}": cannot add the batch calls`);
    process.exit(1);
  }
  const end = text.indexOf('\n', at) + 1;
  writeFileSync(path, text.slice(0, end) + line + text.slice(end));
}

writeFileSync(join(root, 'src', 'batch.cc'), source);
insertAfter('binding.gyp', "'src/admin.cc'", "        ,'src/batch.cc'\n");
insertAfter('src/kafka-consumer.h', 'static NAN_METHOD(NodeConsume);', '  static NAN_METHOD(NodeConsumeBatch);\n');
insertAfter(
  'src/kafka-consumer.cc',
  'Nan::SetPrototypeMethod(tpl, "consume", NodeConsume);',
  '  Nan::SetPrototypeMethod(tpl, "consumeBatch", NodeConsumeBatch);\n',
);
insertAfter('src/producer.h', 'static NAN_METHOD(NodeProduce);', '  static NAN_METHOD(NodeProduceBatch);\n');
insertAfter(
  'src/producer.cc',
  'Nan::SetPrototypeMethod(tpl, "produce", NodeProduce);',
  '  Nan::SetPrototypeMethod(tpl, "produceBatch", NodeProduceBatch);\n',
);

// npm puts its own node-gyp in npm_config_node_gyp for install scripts; else use npm's copy.
const nodeGyp =
  process.env.npm_config_node_gyp ??
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
console.log('ria: adding consumeBatch/produceBatch to node-rdkafka (incremental rebuild)');
// The headers of the running node: npm's nodedir setting, else the ones installed beside node
// (no download), else node-gyp fetches them.
const installed = join(dirname(process.execPath), '..');
const nodedir =
  process.env.npm_config_nodedir ??
  (existsSync(join(installed, 'include', 'node', 'node.h')) ? installed : undefined);
const run = (...args) => execFileSync(process.execPath, [nodeGyp, ...args], { cwd: root, stdio: 'inherit' });
run('configure', ...(nodedir ? [`--nodedir=${nodedir}`] : []));
run('build', `-j${Math.min(4, availableParallelism())}`);
for (const f of readdirSync(dirname(marker))) if (f.startsWith('.ria-batch-')) rmSync(join(dirname(marker), f));
writeFileSync(marker, `${new Date().toISOString()}\n`);
