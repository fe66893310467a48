/**
 * Writing a report to disk: files named with the date in the configured zone, mode 0600.
 *
 * @module
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toLocalDate } from '../../core/dates.js';
import { ConfigError } from '../../core/errors.js';
import type { ReconciliationReport } from './report.js';

/** A report format `writeReportFiles` can write: `money-csv` is the money views as CSV (`<name>-money.csv`). */
export type ReportFormat = 'json' | 'csv' | 'money-csv' | 'md' | 'html';

/** Options of {@link writeReportFiles}. */
export interface WriteReportFilesOptions {
  /** The directory; created (mode 0700) when missing. */
  dir: string;
  /** Which formats to write. @defaultValue `['html', 'csv', 'json']` */
  formats?: readonly ReportFormat[] | undefined;
  /** The zone of the date in the file names. @defaultValue the report's own `summary.timeZone` */
  timeZone?: string | undefined;
  /** File name prefix. @defaultValue `'reconciliation'` */
  prefix?: string | undefined;
}

const RENDER: Record<ReportFormat, (r: ReconciliationReport) => string> = {
  json: (r) => `${JSON.stringify(r.toJSON(), null, 2)}\n`,
  csv: (r) => r.toCSV(),
  'money-csv': (r) => r.toMoneyCSV(),
  md: (r) => r.toMarkdown(),
  html: (r) => r.toHTML(),
};

function safePart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'x';
}

/** `<prefix>-<account>-<YYYY-MM-DD>-<run id tail>.<ext>`, the date in `timeZone`. */
export function reportFileName(report: ReconciliationReport, format: ReportFormat, timeZone: string, prefix = 'reconciliation'): string {
  const date = toLocalDate(report.summary.finishedAt, timeZone);
  const run = safePart(report.summary.runId).slice(-8);
  const ending = format === 'money-csv' ? '-money.csv' : `.${format}`;
  return `${safePart(prefix)}-${safePart(report.summary.accountId)}-${date}-${run}${ending}`;
}

/**
 * Writes the report in each format and returns the paths. **The files hold patient
 * identifiers**: they are created with mode 0600 (owner read/write only), and an existing file
 * is reset to 0600 before it is overwritten.
 *
 * @example
 * ```ts
 * const paths = await writeReportFiles(report, { dir: './reports', formats: ['html'], timeZone: 'Australia/Perth' });
 * // ['reports/reconciliation-default-2026-07-01-1a2b3c4d.html']
 * ```
 * @throws ConfigError for an unknown format.
 */
export async function writeReportFiles(report: ReconciliationReport, options: WriteReportFilesOptions): Promise<string[]> {
  const formats = options.formats ?? ['html', 'csv', 'json'];
  const timeZone = options.timeZone ?? report.summary.timeZone;
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const paths: string[] = [];
  for (const format of formats) {
    const render = RENDER[format];
    if (!render) throw new ConfigError('formats', `Unknown report format; use json, csv, money-csv, md or html.`);
    const path = join(options.dir, reportFileName(report, format, timeZone, options.prefix));
    await chmod(path, 0o600).catch(() => undefined);
    await writeFile(path, render(report), { mode: 0o600 });
    await chmod(path, 0o600);
    paths.push(path);
  }
  return paths;
}
