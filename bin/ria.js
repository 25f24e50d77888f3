#!/usr/bin/env node
// The `ria` command: runs the compiled CLI (npm install / npm ci compile it through `prepare`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/engine/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error(
    'ria: the TypeScript is not compiled yet: run `npm install` (or `npm run build`) in the clone first',
  );
  process.exit(1);
}
await import(main.href);
