/**
 * Writing a report to disk: files named with the date in the configured zone, mode 0600.
 *
 * @module
 */
import { join } from 'node:path';
import { toLocalDate } from '../../core/dates.js';
import { ConfigError } from '../../core/errors.js';
import { rejectUnknownOptions, type OptionShape } from '../../core/options.js';
import { ensurePrivateDirectory, writePrivateFile } from '../../core/private-files.js';
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

const WRITE_OPTION_SHAPE = { dir: true, formats: true, timeZone: true, prefix: true } as const satisfies OptionShape<WriteReportFilesOptions>;

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
 * identifiers**: they are created with mode 0600 (owner read/write only), and an existing
 * regular file is reset to 0600 before it is overwritten. A `dir` or report path that is a
 * symbolic link, a FIFO or a device is refused, and its mode left alone.
 *
 * @example
 * ```ts
 * const paths = await writeReportFiles(report, { dir: './reports', formats: ['html'], timeZone: 'Australia/Perth' });
 * // ['reports/reconciliation-default-2026-07-01-1a2b3c4d.html']
 * ```
 * @throws ConfigError for an unknown format or option, or a `dir` or file path that is not a
 *   directory or regular file.
 */
export async function writeReportFiles(report: ReconciliationReport, options: WriteReportFilesOptions): Promise<string[]> {
  rejectUnknownOptions(options, WRITE_OPTION_SHAPE, { owner: 'writeReportFiles' });
  const formats = options.formats ?? ['html', 'csv', 'json'];
  const timeZone = options.timeZone ?? report.summary.timeZone;
  for (const format of formats) {
    if (!Object.hasOwn(RENDER, format)) throw new ConfigError('formats', `Unknown report format; use json, csv, money-csv, md or html.`);
  }
  await ensurePrivateDirectory(options.dir, 'dir');
  const paths: string[] = [];
  for (const format of formats) {
    const path = join(options.dir, reportFileName(report, format, timeZone, options.prefix));
    await writePrivateFile(path, RENDER[format](report), { setting: 'dir', overwrite: true });
    paths.push(path);
  }
  return paths;
}
