/**
 * Collects one page's work so it is written by ONE fenced `commitPage` (`docs/architecture.md#checkpoint-per-page`);
 * `commit.ts` writes it.
 *
 * @module
 */
import type {
  HashWrite,
  LinkRemoval,
  LinkUpsert,
  NewAuditEntry,
  NewDeadLetter,
  DeadLetterClose,
  NewReview,
  PageCommit,
  SeenEntry,
  StreamCursor,
  TradifyIndexEntry,
} from '../ports.js';

/** One page's pending writes to the store. */
export class PageWork {
  readonly links: LinkUpsert[] = [];
  readonly unlinks: LinkRemoval[] = [];
  readonly hashes: HashWrite[] = [];
  readonly deadLetters: NewDeadLetter[] = [];
  readonly closedLetters: DeadLetterClose[] = [];
  readonly reviews: NewReview[] = [];
  readonly audit: NewAuditEntry[] = [];
  readonly tradifyIndex: TradifyIndexEntry[] = [];
  readonly seen: Record<string, SeenEntry[]> = {};
  readonly cursors: Record<string, StreamCursor> = {};
  readonly seenPruneBefore: Record<string, string> = {};

  /** Mark a Cliniko row as applied at its `updated_at`. */
  markSeen(stream: string, entry: SeenEntry): void {
    (this.seen[stream] ??= []).push(entry);
  }

  /** True when nothing but (maybe) a cursor would be written. */
  get isEmpty(): boolean {
    return (
      this.links.length + this.unlinks.length + this.hashes.length + this.deadLetters.length + this.closedLetters.length +
        this.reviews.length + this.audit.length + this.tradifyIndex.length + Object.keys(this.seen).length + Object.keys(this.cursors).length ===
      0
    );
  }

  /** The store's `PageCommit` for this work. */
  toCommit(): PageCommit {
    return {
      cursors: this.cursors,
      seen: this.seen,
      seenPruneBefore: this.seenPruneBefore,
      links: this.links,
      unlinks: this.unlinks,
      hashes: this.hashes,
      deadLetters: { add: this.deadLetters, close: this.closedLetters },
      reviews: this.reviews,
      audit: this.audit,
      tradifyIndex: this.tradifyIndex,
    };
  }
}
