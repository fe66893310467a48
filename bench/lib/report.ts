/**
 * Shared bench plumbing: the result shape every scenario returns, a plain-text table, and the
 * JSON file under `bench/results/`.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** One measured case of a scenario. */
export interface BenchCase {
  /** Short name, e.g. `a: 1000 pages @ 3000/min`. */
  name: string;
  /** Measured figures (numbers are printed as given). */
  metrics: Record<string, number | string>;
  /** Target checks: label → passed. */
  targets: Record<string, boolean>;
}

/** What a scenario returns. */
export interface BenchResult {
  scenario: string;
  /** Anything a reader needs to judge the figures (machine, what was scaled down, …). */
  notes: string[];
  cases: BenchCase[];
}

/** A scenario module's shape: `export async function run(args)`. */
export interface BenchScenario {
  run(args: readonly string[]): Promise<BenchResult>;
}

/** Render the cases as an aligned text table. */
export function formatTable(result: BenchResult): string {
  const lines: string[] = [`# ${result.scenario}`];
  for (const c of result.cases) {
    lines.push('', `## ${c.name}`);
    const rows = [
      ...Object.entries(c.metrics).map(([k, v]) => [k, String(v)]),
      ...Object.entries(c.targets).map(([k, ok]) => [`target: ${k}`, ok ? 'PASS' : 'FAIL']),
    ];
    const width = Math.max(...rows.map(([k]) => k!.length));
    for (const [k, v] of rows) lines.push(`  ${k!.padEnd(width)}  ${v}`);
  }
  if (result.notes.length > 0) lines.push('', ...result.notes.map((n) => `note: ${n}`));
  return lines.join('\n');
}

/** Write `bench/results/<scenario>.json`; returns its path. */
export async function writeResult(result: BenchResult, dir = resolve(import.meta.dirname, '..', 'results')): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = resolve(dir, `${result.scenario}.json`);
  await writeFile(path, `${JSON.stringify({ ...result, recordedAt: new Date().toISOString(), node: process.version }, null, 2)}\n`);
  return path;
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}
