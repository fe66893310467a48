/**
 * The state one reconciliation run shares between its passes.
 *
 * @module
 */
import type { FindingKind, KnownReason, ReconciliationFinding, RecordCounts } from '../report/types.js';
import type { StagingRow, StagingSelector, StorePage } from '../ports.js';
import type { MoneyAccumulator } from './money.js';
import type { StatusJudge } from './status.js';
import type { ReconcileInternals } from './types.js';

/** A Cliniko invoice the sync deliberately leaves out of Tradify, and why. */
export interface SkippedInvoice {
  clinikoId: string;
  /** Its Tradify invoice, when it has one. */
  tradifyId: string | null;
  /** The policy that leaves it out, or `in-review` when only its open review does. */
  reason: KnownReason;
  month: string | null;
}

/** What every comparison pass reads and writes. */
export interface CompareContext {
  internals: ReconcileInternals;
  runId: string;
  signal?: AbortSignal | undefined;
  since: string | undefined;
  /** When the run started (epoch ms): the mapping's "now". */
  startedAt: number;
  findings: ReconciliationFinding[];
  money: MoneyAccumulator;
  records: RecordCounts;
  /** Cliniko ids with an open review (their status is a person's call, not a finding). */
  reviewedIds: ReadonlySet<string>;
  /** Whether a linked invoice's Tradify status is where the sync leaves it (the engine's planner). */
  judgeStatus: StatusJudge;
  /** Called after every page (lease heartbeat). */
  afterPage: () => Promise<void>;
  /** Invoices the sync deliberately leaves out (known items unless something differs). */
  skipped: SkippedInvoice[];
  /**
   * Linked invoices whose Tradify draft is one the sync deliberately leaves a draft and which
   * holds what the mapping writes: Cliniko id → the mapping finding that keeps it a draft.
   */
  draftsExplained: Map<string, string>;
}

/** Rows read per staging page. */
export const STAGING_PAGE = 200;

/** Adds a finding with defaults for the optional parts. */
export function addFinding(
  ctx: CompareContext,
  kind: FindingKind,
  fields: Omit<ReconciliationFinding, 'kind' | 'clinikoId' | 'tradifyId' | 'month' | 'fixable'> &
    Partial<Pick<ReconciliationFinding, 'clinikoId' | 'tradifyId' | 'month' | 'fixable'>>,
): void {
  ctx.findings.push({ clinikoId: null, tradifyId: null, month: null, fixable: false, ...fields, kind });
}

/** Pages through one staged side and kind, calling `visit` per page. */
export async function forEachStagedPage(ctx: CompareContext, side: 'cliniko' | 'tradify', kind: string, visit: (rows: StagingRow[]) => Promise<void>): Promise<void> {
  const selector: StagingSelector = { runId: ctx.runId, side, kind };
  let cursor: string | undefined;
  do {
    const page: StorePage<StagingRow> = await ctx.internals.store.staging.list(ctx.internals.accountId, selector, { limit: STAGING_PAGE, cursor, signal: ctx.signal });
    await visit(page.items);
    await ctx.afterPage();
    cursor = page.next;
  } while (cursor !== undefined);
}

/** Staged rows of one side and kind by id. */
export function stagedMany(ctx: CompareContext, side: 'cliniko' | 'tradify', kind: string, ids: readonly string[]): Promise<Map<string, StagingRow>> {
  if (ids.length === 0) return Promise.resolve(new Map());
  return ctx.internals.store.staging.getMany(ctx.internals.accountId, { runId: ctx.runId, side, kind }, [...new Set(ids)], { signal: ctx.signal });
}

/** Staged rows of one side and kind sharing a key. */
export function stagedByKey(ctx: CompareContext, side: 'cliniko' | 'tradify', kind: string, key: string): Promise<StagingRow[]> {
  return ctx.internals.store.staging.findByKey(ctx.internals.accountId, { runId: ctx.runId, side, kind }, key, { signal: ctx.signal });
}

/** An attribute of a staged row, `null` when absent. */
export function attr(row: StagingRow | undefined, name: string): string | null {
  return row?.attributes?.[name] ?? null;
}
