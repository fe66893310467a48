/**
 * `engine.deadLetters`: records that could not be synced — list them, replay them after the
 * data is fixed, or discard them. Letters hold ids, reason codes and zod paths, never payloads.
 *
 * @module
 */
import type { ResolvedEngineOptions } from './engine-options.js';
import type { DeadLetter, DeadLetterListOptions, StorePage } from './ports.js';
import { PageWork } from './streams/page-work.js';
import type { RunContext } from './streams/context.js';
import type { RunExecutor } from './streams/run-body.js';
import { commit } from './streams/commit.js';
import { syncInvoicesByIds, syncPatientsByIds, type TargetOutcome } from './targeted.js';

/** Options of `deadLetters.replay()`. */
export interface ReplayOptions {
  /** Only these letters (by letter id). @defaultValue every open letter */
  ids?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
}

/** What a replay did, per letter. */
export interface ReplayResult {
  /** Letters closed because the record now synced. */
  resolved: number;
  /** Letters closed because a newer version of the record had already synced. */
  superseded: number;
  /** Letters still open (the record still fails; attempts went up). */
  stillFailing: number;
  /** Letters closed because Cliniko no longer has the record. */
  gone: number;
  runId: string;
}

async function openLetters(options: ResolvedEngineOptions, ids: readonly string[] | undefined, signal: AbortSignal | undefined): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  let cursor: string | undefined;
  do {
    const page = await options.store.deadLetters.list(options.accountId, { status: 'open', limit: 500, cursor, signal });
    letters.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined);
  return ids ? letters.filter((l) => ids.includes(l.id)) : letters;
}

function closeFor(outcome: TargetOutcome | undefined): { resolution: string; bucket: keyof Omit<ReplayResult, 'runId'> } {
  switch (outcome) {
    case 'written':
    case 'skipped':
    case 'review':
      return { resolution: 'replayed', bucket: 'resolved' };
    case 'unchanged':
      return { resolution: 'newer-version-synced', bucket: 'superseded' };
    case 'missing':
    case undefined:
      return { resolution: 'record-gone', bucket: 'gone' };
    default:
      return { resolution: '', bucket: 'stillFailing' };
  }
}

/** The dead-letter list of an engine. */
export class DeadLetterApi {
  readonly #options: ResolvedEngineOptions;
  readonly #execute: RunExecutor;

  /** @internal */
  constructor(options: ResolvedEngineOptions, execute: RunExecutor) {
    this.#options = options;
    this.#execute = execute;
  }

  /** Letters, oldest first (`status: 'open'` for the ones still to deal with). */
  list(options: DeadLetterListOptions = {}): Promise<StorePage<DeadLetter>> {
    return this.#options.store.deadLetters.list(this.#options.accountId, options);
  }

  /** Gives up on a letter; the record is left as it is. */
  async discard(id: string, options: { reason?: string | undefined; signal?: AbortSignal | undefined } = {}): Promise<DeadLetter | undefined> {
    return this.#options.store.deadLetters.discard(this.#options.accountId, id, options.reason ?? 'discarded-by-user', { signal: options.signal });
  }

  /**
   * Re-fetches each record from Cliniko (archived and deleted included) and syncs it again:
   * customers before the invoices blocked on them. A letter closes when the record syncs, or
   * when a newer version had already synced; otherwise it stays open with one more attempt.
   *
   * @throws LeaseHeldError while a run holds the account's lease.
   */
  async replay(options: ReplayOptions = {}): Promise<ReplayResult> {
    const result: ReplayResult = { resolved: 0, superseded: 0, stillFailing: 0, gone: 0, runId: '' };
    const summary = await this.#execute(
      'replay',
      async (run) => {
        const letters = await openLetters(this.#options, options.ids, options.signal);
        for (const stream of ['patients', 'invoices'] as const) {
          const batch = letters.filter((l) => l.stream === stream);
          if (batch.length > 0) await this.#replayStream(run, stream, batch, result);
        }
        return run.targetDown ? 'target-down' : undefined;
      },
      options.signal,
    );
    result.runId = summary.runId;
    return result;
  }

  async #replayStream(run: RunContext, stream: 'patients' | 'invoices', letters: DeadLetter[], result: ReplayResult): Promise<void> {
    const work = new PageWork();
    const ids = [...new Set(letters.map((l) => l.recordId))];
    const outcomes =
      stream === 'patients'
        ? await syncPatientsByIds(run, ids, work, () => ({ force: false, action: 'replay' }))
        : await syncInvoicesByIds(run, ids, work, () => ({ force: false, action: 'replay' }));
    for (const letter of letters) {
      const { resolution, bucket } = closeFor(outcomes.get(letter.recordId));
      result[bucket]++;
      if (bucket !== 'stillFailing') work.closedLetters.push({ stream, recordId: letter.recordId, status: 'resolved', resolution });
    }
    await commit(run, work);
  }
}
