/**
 * `cliniko-tradify audit export`: the audit log (ids, timestamps, changed field names, request
 * ids — no patient data) as CSV or JSON.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { ConfigError } from '../../core/errors.js';
import { checkOutputFile, writePrivateFile, type PrivateFileOptions } from '../../core/private-files.js';
import { neutraliseCsvFormula } from '../../sync/report/escape.js';
import type { AuditEntry } from '../../sync/ports.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Bind } from '../bind.js';

/** Options of `audit export`. */
export interface AuditExportOptions {
  format?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  out?: string | undefined;
}

/** `--out` may name an existing regular file (it is replaced, mode 0600), never a link or a FIFO. */
const OUT_FILE: PrivateFileOptions = { setting: '--out', overwrite: true };

const COLUMNS = ['id', 'at', 'runId', 'stream', 'action', 'clinikoId', 'tradifyId', 'clinikoCreatedAt', 'clinikoUpdatedAt', 'tradifyUpdatedAt', 'changedFields', 'requestId', 'reasonCode'] as const;

function instant(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new ConfigError(flag, `${flag} must be an ISO 8601 date or time, e.g. ${flag} 2025-07-01T00:00:00+10:00.`);
  return ms;
}

function auditCell(entry: AuditEntry, column: (typeof COLUMNS)[number]): string {
  if (column === 'at') return new Date(entry.at).toISOString();
  if (column === 'changedFields') return entry.changedFields.join(' ');
  return neutraliseCsvFormula(String(entry[column] ?? ''));
}

/** The audit entries as CSV rows (one header row); cells that a spreadsheet would run as a formula are neutralised. */
export function auditCsv(entries: readonly AuditEntry[]): string {
  return stringify([[...COLUMNS], ...entries.map((e) => COLUMNS.map((c) => auditCell(e, c)))]);
}

/** Exports the audit log. */
export async function exportAction(ctx: CommandContext, options: AuditExportOptions): Promise<number> {
  const format = options.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new ConfigError('--format', '--format must be csv or json.');
  const since = instant(options.since, '--since');
  const until = instant(options.until, '--until');
  const out = options.out === undefined ? undefined : resolve(ctx.io.cwd, options.out);
  if (out !== undefined) await checkOutputFile(out, OUT_FILE);
  const store = await ctx.store();
  const { accountId } = await ctx.config();
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.audit.list(accountId, { since, until, limit: 1000, cursor, signal: ctx.signal });
    entries.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined);
  const body = format === 'csv' ? auditCsv(entries) : `${JSON.stringify(entries, null, 2)}\n`;
  if (out !== undefined) {
    await writePrivateFile(out, body, OUT_FILE);
    ctx.out.line(`${entries.length} audit entries written to ${options.out}`);
  } else if (!ctx.out.json) {
    ctx.io.stdout.write(body);
  }
  ctx.out.document({ command: 'audit export', exitCode: EXIT.ok, count: entries.length, file: options.out ?? null, entries: options.out === undefined ? entries : undefined });
  return EXIT.ok;
}

/** Registers `audit`. */
export function registerAudit(program: Command, bind: Bind): void {
  const group = program.command('audit').description('The audit log of every write (ids, timestamps, changed field names).');
  group
    .command('export')
    .description('Print or save the audit log as CSV or JSON.')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--since <time>', 'entries at or after this ISO 8601 time')
    .option('--until <time>', 'entries before this ISO 8601 time')
    .option('-o, --out <file>', 'write to this file (mode 0600, also when it existed) instead of stdout')
    .addHelpText('after', `
Examples:
  $ cliniko-tradify audit export > audit.csv
  $ cliniko-tradify audit export --format json --since 2025-07-01 --out audit-fy26.json`)
    .action(bind('audit export', exportAction));
}
