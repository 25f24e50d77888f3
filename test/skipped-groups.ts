/** Test groups a run leaves out on purpose: RIA_SKIP_TESTS, a comma-separated list of group names. */
export function skippedGroups(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.RIA_SKIP_TESTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
