/** Every relative link of the README, docs/ and results/README.md leads to a file and, with #, to a heading in it. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../engine/shared/package-root.js';

const root = packageRoot(import.meta.url);
const pages = [
  'README.md',
  'results/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1])));
}

describe('documentation links', () => {
  for (const page of pages) {
    it(`${page}: every relative link resolves`, () => {
      const file = join(root, page);
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      const broken: string[] = [];
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue; // http:, https:, mailto:
        const [path, anchor] = target.split('#');
        const dest = path ? join(dirname(file), path) : file;
        if (!existsSync(dest)) broken.push(`${target} (no ${relative(root, dest)})`);
        else if (anchor && dest.endsWith('.md') && !anchorsIn(dest).has(anchor))
          broken.push(`${target} (no heading #${anchor})`);
      }
      expect(broken).toEqual([]);
    });
  }
});
