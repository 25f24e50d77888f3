/**
 * The folder of this package (where package.json, scripts/ and results/ are), found by walking up
 * from a module's own location: the same answer from engine/ (tests), dist/engine/ (the CLI) or
 * bench/, whatever the folders above the checkout are called.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { internalError } from '../errors/errors.js';

const NAME = 'realtime-interaction-analytics';

export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(from.startsWith('file:') ? fileURLToPath(from) : from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === NAME) return dir;
    const up = dirname(dir);
    if (up === dir) throw internalError(`no package.json of ${NAME} above ${from}`);
    dir = up;
  }
}
