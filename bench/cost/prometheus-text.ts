/** Reading the engine's /metrics in a benchmark: samples by full name, quantiles of histogram deltas. */

/** Every sample of a Prometheus text exposition: `name{labels}` → value. */
export async function scrape(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}

/**
 * The q-quantile of a histogram's samples in `delta` (a window: end minus start), interpolated
 * linearly inside its bucket as Prometheus's histogram_quantile does; with the bucket's bounds.
 */
export function histogramQuantile(
  delta: Record<string, number>,
  name: string,
  q: number,
): { value: number; bucket: [number, number] } | undefined {
  const buckets = Object.entries(delta)
    .map(([k, v]) => [/^(.+)_bucket\{.*le="([^"]+)".*\}$/.exec(k), v] as const)
    .filter(([m]) => m && m[1] === name)
    .map(([m, v]) => [m![2] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m![2]), v] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      const value =
        le === Number.POSITIVE_INFINITY
          ? lower
          : lower + ((le - lower) * (rank - below)) / (count - below || 1);
      return { value, bucket: [lower, le] };
    }
    lower = le;
    below = count;
  }
  return undefined;
}
