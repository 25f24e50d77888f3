/**
 * A V8 CPU profile (`node --cpu-prof`, one file per thread) in a few lines: which thread it is
 * (by the engine functions it ran), how long it was busy, and its functions by self time.
 */

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Time that is not work: idle, and a pool worker blocked waiting for its next task. */
const WAITING = new Set(['(idle)', 'atomicsWaitLoop']);

/** Self time per function (µs) of one thread's profile, which thread it is, and its busy time. */
export function profileSelf(p: CpuProfile, withLines = true) {
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let busyUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const f = byId.get(p.samples[i]);
    if (!f || WAITING.has(f.functionName)) continue;
    const us = p.timeDeltas[i] ?? 0;
    busyUs += us;
    const file = f.url.split('/').slice(-2).join('/');
    const where = f.url ? ` ${file}${withLines ? `:${f.lineNumber + 1}` : ''}` : '';
    const key = `${f.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
  }
  const names = [...self.keys()].join('\n');
  const thread = /flusher\/flusher\.js/.test(names)
    ? 'flusher'
    : /decodeBatch/.test(names)
      ? 'pool worker'
      : /loop\/aggregator\.js|pool-input\.js|rdkafka-batch\.js|engine\/engine\.js|batch-stream\.js/.test(
            names,
          )
        ? 'main'
        : 'other';
  return { thread, busyUs, self };
}

export function profileSummary(p: CpuProfile, top = 12) {
  const { thread, busyUs, self } = profileSelf(p);
  const functions = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, ms: Math.round(us / 1000) }));
  return { thread, busyMs: Math.round(busyUs / 1000), functions };
}

/**
 * What grew most from one run's profiles to another's: self time per thread and function, in ms
 * (functions named without line numbers, which differ between builds).
 */
export function grewMost(before: CpuProfile[], after: CpuProfile[], top = 15) {
  const sum = (ps: CpuProfile[]) => {
    const m = new Map<string, number>();
    for (const p of ps) {
      const { thread, self } = profileSelf(p, false);
      for (const [fn, us] of self) m.set(`${thread}: ${fn}`, (m.get(`${thread}: ${fn}`) ?? 0) + us / 1000);
    }
    return m;
  };
  const b = sum(before);
  const a = sum(after);
  return [...new Set([...b.keys(), ...a.keys()])]
    .map((fn) => ({ fn, beforeMs: Math.round(b.get(fn) ?? 0), afterMs: Math.round(a.get(fn) ?? 0) }))
    .sort((x, y) => y.afterMs - y.beforeMs - (x.afterMs - x.beforeMs))
    .slice(0, top);
}
