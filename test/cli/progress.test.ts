import { describe, expect, it } from 'vitest';
import { ProgressReporter, progressMode } from '../../src/cli/progress.js';

const ESC = String.fromCharCode(27);

function reporter(mode: 'tty' | 'plain' | 'none', pending?: { patients: number; invoices: number }) {
  let now = 0;
  const out: string[] = [];
  const r = new ProgressReporter({ mode, write: (t) => out.push(t), pending, rates: { cliniko: 190, tradify: 95 }, now: () => now, plainEveryMs: 5000 });
  const page = (stream: 'patients' | 'invoices', count: number, at: number): void => {
    now = at;
    r.onPage({ runId: 'r', stream, count, cursor: null });
  };
  return { r, out, page };
}

describe('ProgressReporter', () => {
  it('redraws one line on a TTY with records/s and an ETA from both limits', () => {
    const { r, out, page } = reporter('tty', { patients: 1000, invoices: 2000 });
    page('patients', 100, 1000);
    page('patients', 100, 3000);
    expect(out.every((t) => t.startsWith(`\r${ESC}[2K`))).toBe(true);
    expect(out[1]).toContain('patients 200/1,000 50/s');
    // 800 patients + 3 × 2000 invoices = 6800 Tradify writes at 95/min ≈ 1h 11m, slower than the observed rate
    expect(out[1]).toContain('ETA 1h 11m (tradify-bound at 190/95 req/min)');
    r.finish();
    expect(out.at(-1)).toBe('\n');
  });

  it('uses the observed rate when it is slower than the limits', () => {
    const { out, page } = reporter('tty', { patients: 200, invoices: 0 });
    page('patients', 10, 0);
    page('patients', 10, 100_000); // 10 records in 100 s after the first page → 180 left ≈ 1800 s
    expect(out[1]).toContain('ETA 30m 0s (at the observed rate; limits 190/95 req/min)');
  });

  it('prints plain lines without control characters, at most every 5 s or on a stream change', () => {
    const { out, page } = reporter('plain', { patients: 300, invoices: 100 });
    page('patients', 100, 0);
    page('patients', 100, 1000);
    page('patients', 100, 6000);
    page('invoices', 100, 6500);
    expect(out).toHaveLength(3);
    expect(out.join('')).not.toContain(ESC);
    expect(out.join('')).not.toContain('\r');
    expect(out.every((t) => t.startsWith('progress: ') && t.endsWith('\n'))).toBe(true);
  });

  it('chooses the mode from --progress, --json and the TTY', () => {
    expect(progressMode('auto', false, true)).toBe('tty');
    expect(progressMode('auto', false, false)).toBe('plain');
    expect(progressMode('auto', true, true)).toBe('none');
    expect(progressMode('plain', true, true)).toBe('plain');
  });

  it('writes nothing in none mode', () => {
    const { r, out, page } = reporter('none');
    page('patients', 100, 0);
    r.finish();
    expect(out).toEqual([]);
  });
});
