import { it } from 'vitest';

/** Test groups a run leaves out on purpose: RIA_SKIP_TESTS, a comma-separated list of group names. */
export function skippedGroups(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.RIA_SKIP_TESTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `it`, or `it.skip` with the group in its name when RIA_SKIP_TESTS names `group`. */
export function testInGroup(
  group: string,
): (name: string, fn: () => Promise<void>, timeout?: number) => void {
  if (!skippedGroups().includes(group)) return it;
  return (name, fn, timeout) => it.skip(`${name} [skipped: RIA_SKIP_TESTS=${group}]`, fn, timeout);
}
