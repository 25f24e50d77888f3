/**
 * Small SVG bar charts for results/README.md (no dependency: a chart is a few rects and labels).
 * Bars are horizontal so long labels stay readable; values are printed at the end of each bar.
 */
export interface Bar {
  label: string;
  value: number;
  /** Highlight (our engine) or a reference line's colour. */
  kind?: 'ours' | 'peer' | 'reference';
}

const COLORS = { ours: '#2f6fdf', peer: '#9aa4b2', reference: '#e0a030' } as const;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChart(title: string, unit: string, bars: Bar[]): string {
  const labelW = 330;
  const barW = 360;
  const rowH = 26;
  const top = 34;
  const width = labelW + barW + 130;
  const height = top + bars.length * rowH + 12;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 10 ? 1 : 2));
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, (b.value / max) * barW);
    return [
      `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${esc(b.label)}</text>`,
      `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${COLORS[b.kind ?? 'ours']}"/>`,
      `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 17}">${esc(`${fmt(b.value)} ${unit}`)}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="#fff"/><text x="8" y="20" font-weight="bold">${esc(title)}</text>${rows.join('')}</svg>\n`;
}

/**
 * Per-thread busy/idle over time (bench/engine/thread-timeline.ts), one panel per run: a row per
 * thread, a cell per interval, darker = busier (share of one core; the machine row: of all cores).
 */
export function timelineChart(
  title: string,
  panels: { label: string; intervalMs: number; rows: { name: string; busy: number[] }[] }[],
): string {
  const labelW = 170;
  const cellW = 8;
  const rowH = 16;
  let y = 30;
  const parts: string[] = [];
  let width = 720;
  for (const panel of panels) {
    parts.push(`<text x="8" y="${y + 12}" font-weight="bold">${esc(panel.label)}</text>`);
    y += 20;
    for (const row of panel.rows) {
      parts.push(`<text x="${labelW - 8}" y="${y + 12}" text-anchor="end">${esc(row.name)}</text>`);
      row.busy.forEach((b, i) => {
        const shade = Math.max(0, Math.min(1, b));
        parts.push(
          `<rect x="${labelW + i * cellW}" y="${y + 1}" width="${cellW - 1}" height="${rowH - 2}" fill="${COLORS.ours}" fill-opacity="${(0.05 + 0.95 * shade).toFixed(2)}"/>`,
        );
      });
      width = Math.max(width, labelW + row.busy.length * cellW + 20);
      y += rowH;
    }
    parts.push(
      `<text x="${labelW}" y="${y + 14}" fill="#666">one cell = ${panel.intervalMs} ms; darker = busier (thread: share of one core; machine: of all cores)</text>`,
    );
    y += 30;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="#fff"/><text x="8" y="18" font-weight="bold">${esc(title)}</text>${parts.join('')}</svg>\n`;
}
