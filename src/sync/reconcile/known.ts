/**
 * What the engine has already recorded about records: open reviews and open dead letters, by
 * record. Reconciliation reads them once per run to tell a known difference from a
 * discrepancy; a review resolved since is no longer a reason.
 *
 * @module
 */
import type { DeadLetter, Review } from '../ports.js';
import type { FindingEntity } from '../report/types.js';
import type { ReconcileInternals } from './types.js';

/** The review or dead letter that explains a record. */
interface RecordedReason {
  id: string;
  reasonCode: string;
}

/** Open reviews and dead letters by record (`<entity>:<id>`), and the invoices under review. */
export interface RecordedReasons {
  reviews: Map<string, RecordedReason>;
  deadLetters: Map<string, RecordedReason>;
  /** Cliniko invoices with an open invoice review (their status is a person's call). */
  reviewedInvoiceIds: Set<string>;
}

/** The map key of a record. */
export function recordKey(entity: FindingEntity, id: string): string {
  return `${entity}:${id}`;
}

function reviewEntity(review: Review): FindingEntity | undefined {
  if (review.kind === 'patient' || review.kind === 'invoice') return review.kind;
  const entity = review.detail['entity'];
  return review.kind === 'reconciliation' && (entity === 'patient' || entity === 'invoice') ? entity : undefined;
}

const STREAM_ENTITY: Record<string, FindingEntity> = { patients: 'patient', invoices: 'invoice' };

async function pageAll<T>(list: (cursor: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>, visit: (item: T) => void): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    page.items.forEach(visit);
    cursor = page.next;
  } while (cursor !== undefined);
}

/** Reads every open review and open dead letter of the account (the first one per record wins). */
export async function loadRecordedReasons(internals: ReconcileInternals, signal: AbortSignal | undefined): Promise<RecordedReasons> {
  const { store, accountId } = internals;
  const out: RecordedReasons = { reviews: new Map(), deadLetters: new Map(), reviewedInvoiceIds: new Set() };
  await pageAll(
    (cursor) => store.reviews.list(accountId, { status: 'open', limit: 500, cursor, signal }),
    (review) => {
      const entity = reviewEntity(review);
      if (review.kind === 'invoice') out.reviewedInvoiceIds.add(review.recordId);
      const key = entity && recordKey(entity, review.recordId);
      if (key && !out.reviews.has(key)) out.reviews.set(key, { id: review.id, reasonCode: review.reasonCode });
    },
  );
  await pageAll(
    (cursor) => store.deadLetters.list(accountId, { status: 'open', limit: 500, cursor, signal }),
    (letter: DeadLetter) => {
      const entity = STREAM_ENTITY[letter.stream];
      const key = entity && recordKey(entity, letter.recordId);
      if (key && !out.deadLetters.has(key)) out.deadLetters.set(key, { id: letter.id, reasonCode: letter.reasonCode });
    },
  );
  return out;
}
