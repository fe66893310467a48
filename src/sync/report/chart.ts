/**
 * A small inline SVG chart of findings by month, stacked by kind. No external resources.
 *
 * @module
 */
import { escapeHtml } from './escape.js';
import { KIND_LABELS } from './labels.js';
import { FINDING_KINDS } from './types.js';
import type { FindingKind, ReconciliationFinding } from './types.js';

/** One colour per kind (colour-blind friendly palette). */
export const KIND_COLOURS: Record<FindingKind, string> = {
  'missing-in-tradify': '#0072b2',
  orphan: '#d55e00',
  duplicate: '#cc79a7',
  'field-mismatch': '#e69f00',
  'link-drift': '#56b4e9',
  'possible-missed-link': '#009e73',
  'deleted-patient': '#6b6b6b',
  'unreadable-record': '#000000',
};

const NO_MONTH = 'no month';
const BAR_WIDTH = 32;
const GAP = 22;
const HEIGHT = 160;
const LEFT = 36;
const BOTTOM = 40;

/** Counts per month and kind; months sorted, findings without a month last. */
export function countByMonthAndKind(findings: readonly ReconciliationFinding[]): Map<string, Map<FindingKind, number>> {
  const byMonth = new Map<string, Map<FindingKind, number>>();
  for (const f of findings) {
    const month = f.month ?? NO_MONTH;
    const kinds = byMonth.get(month) ?? new Map<FindingKind, number>();
    kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
    byMonth.set(month, kinds);
  }
  const months = [...byMonth.keys()].sort((a, b) => (a === NO_MONTH ? 1 : b === NO_MONTH ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return new Map(months.map((m) => [m, byMonth.get(m)!]));
}

function barFor(month: string, kinds: Map<FindingKind, number>, index: number, scale: number): string {
  const x = LEFT + GAP + index * (BAR_WIDTH + GAP);
  let y = HEIGHT;
  const parts: string[] = [];
  for (const kind of FINDING_KINDS) {
    const n = kinds.get(kind) ?? 0;
    if (n === 0) continue;
    const h = Math.max(1, n * scale);
    y -= h;
    parts.push(
      `<rect x="${x}" y="${y.toFixed(1)}" width="${BAR_WIDTH}" height="${h.toFixed(1)}" fill="${KIND_COLOURS[kind]}" data-kind="${kind}"><title>${escapeHtml(`${month}: ${KIND_LABELS[kind]} ${n}`)}</title></rect>`,
    );
  }
  parts.push(`<text x="${x + BAR_WIDTH / 2}" y="${HEIGHT + 16}" text-anchor="middle" font-size="10">${escapeHtml(month)}</text>`);
  return parts.join('');
}

function legend(width: number): string {
  return FINDING_KINDS.map((kind, i) => {
    const x = LEFT + (i % 4) * Math.max(120, width / 4);
    const y = HEIGHT + 28 + Math.floor(i / 4) * 14;
    return `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${KIND_COLOURS[kind]}"></rect><text x="${x + 14}" y="${y}" font-size="10">${escapeHtml(KIND_LABELS[kind])}</text>`;
  }).join('');
}

/** The chart as an inline `<svg>` element (no namespace URL, so the page names no host). */
export function renderFindingsChart(findings: readonly ReconciliationFinding[]): string {
  const counts = countByMonthAndKind(findings);
  const totals = [...counts.values()].map((k) => [...k.values()].reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const scale = (HEIGHT - 10) / max;
  const width = Math.max(LEFT + 4 * 130, LEFT + GAP + counts.size * (BAR_WIDTH + GAP));
  const bars = [...counts.entries()].map(([month, kinds], i) => barFor(month, kinds, i, scale)).join('');
  const axis = `<line x1="${LEFT}" y1="${HEIGHT}" x2="${width}" y2="${HEIGHT}" stroke="#333"></line><text x="${LEFT - 4}" y="14" text-anchor="end" font-size="10">${max}</text><text x="${LEFT - 4}" y="${HEIGHT}" text-anchor="end" font-size="10">0</text>`;
  return `<svg id="findings-chart" role="img" aria-label="Findings by month and kind" width="${width}" height="${HEIGHT + BOTTOM + 24}" viewBox="0 0 ${width} ${HEIGHT + BOTTOM + 24}">${axis}${bars}${legend(width)}</svg>`;
}
