/**
 * A V8 CPU profile (`node --cpu-prof`, one file per thread) in a few lines: which thread it is
 * (by the engine functions it ran), how long it was busy, and its functions by self time.
 */

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Time that is not work: idle, and a pool worker blocked waiting for its next task. */
const WAITING = new Set(['(idle)', 'atomicsWaitLoop']);

export function profileSummary(p: CpuProfile, top = 12) {
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let busyUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const f = byId.get(p.samples[i]);
    if (!f || WAITING.has(f.functionName)) continue;
    const us = p.timeDeltas[i] ?? 0;
    busyUs += us;
    const where = f.url ? ` ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
  }
  const names = [...self.keys()].join('\n');
  const thread = /flusher\/flusher\.js/.test(names)
    ? 'flusher'
    : /decodeBatch/.test(names)
      ? 'pool worker'
      : /engine\/engine\.js|batch-stream\.js/.test(names)
        ? 'main'
        : 'other';
  const functions = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, ms: Math.round(us / 1000) }));
  return { thread, busyMs: Math.round(busyUs / 1000), functions };
}
