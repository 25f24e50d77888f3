/** results/README.md: one table per suite, from the JSON files the suites wrote. */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Machine, readJson } from './machine.js';

interface Saved {
  suite: string;
  quick: boolean;
  machine: Machine;
  seconds: number;
  result: unknown;
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');

function section(s: Saved): string {
  const head = `## ${s.suite}${s.quick ? ' (quick run)' : ''}\n\n${s.machine.cpu}, ${s.machine.cores} cores, ${s.machine.memoryGiB} GiB, Node ${s.machine.node}, librdkafka ${s.machine.librdkafka}; ${s.machine.date}\n\n`;
  if (s.suite === 'producer-micro') {
    const rows = s.result as { name: string; nsPerOp: number; opsPerSec: number }[];
    return `${head}| implementation | ns per event (median) | events/s |\n|---|---|---|\n${rows.map((r) => `| ${r.name} | ${fmt(r.nsPerOp)} | ${fmt(r.opsPerSec)} |`).join('\n')}\n`;
  }
  if (s.suite === 'producer-throughput') {
    const r = s.result as {
      count: number;
      runs: { eventsPerSecond: number; mbPerSecond: number; cpuSeconds: number; seconds: number }[];
      medianEventsPerSecond: number;
      medianMbPerSecond: number;
    };
    return `${head}\`ria produce --rate 0 --count ${r.count}\` into the local broker, 6 partitions, ${r.runs.length} runs: median **${fmt(r.medianEventsPerSecond)} events/s** (${r.medianMbPerSecond.toFixed(1)} MB/s).\n\n| run | events/s | MB/s | seconds | process CPU s |\n|---|---|---|---|---|\n${r.runs.map((x, i) => `| ${i + 1} | ${fmt(x.eventsPerSecond)} | ${x.mbPerSecond.toFixed(1)} | ${x.seconds.toFixed(2)} | ${x.cpuSeconds.toFixed(2)} |`).join('\n')}\n`;
  }
  return `${head}\`\`\`json\n${JSON.stringify(s.result, null, 2)}\n\`\`\`\n`;
}

export function writeResultsReadme(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const parts = files.map((f) => section(readJson<Saved>(join(dir, f), {} as Saved))).filter(Boolean);
  writeFileSync(
    join(dir, 'README.md'),
    `# Benchmark results\n\nWritten by \`npm run bench\` (\`ria bench [--quick] [suite…]\`); each section from \`results/<suite>.json\`.\n\n${parts.join('\n')}`,
  );
}
