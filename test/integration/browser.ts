/**
 * The headless Chromium of the @sparticuz/chromium npm package (no system browser, no root). It
 * unpacks itself into os.tmpdir() on first use and reuses what it finds there, so it is pointed at
 * a directory of this user's cache: a copy another user unpacked in /tmp (mode 0700) is not ours
 * to run. CHROMIUM_PATH overrides it with any Chromium.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import bundledChromium from '@sparticuz/chromium';
import { chromium } from 'playwright-core';

export async function launchChromium() {
  let executablePath = process.env.CHROMIUM_PATH;
  if (!executablePath) {
    const cache =
      process.env.RIA_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ria');
    const dir = join(cache, 'chromium');
    mkdirSync(dir, { recursive: true });
    const before = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    try {
      executablePath = await bundledChromium.executablePath();
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  }
  return chromium.launch({ executablePath, args: bundledChromium.args });
}
