/**
 * Counting what needs a person (open dead letters and reviews), which decides exit code 3.
 *
 * @module
 */
import type { StateStore, StorePage } from '../sync/ports.js';

type Lister = (cursor: string | undefined) => Promise<StorePage<unknown>>;

async function countAll(list: Lister): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    count += page.items.length;
    cursor = page.next;
  } while (cursor !== undefined);
  return count;
}

/** Open dead letters and open reviews of the account. */
export interface OpenWork {
  deadLetters: number;
  reviews: number;
}

/** Counts the account's open dead letters and reviews. */
export async function countOpenWork(store: StateStore, accountId: string, signal?: AbortSignal): Promise<OpenWork> {
  return {
    deadLetters: await countAll((cursor) => store.deadLetters.list(accountId, { status: 'open', limit: 500, cursor, signal })),
    reviews: await countAll((cursor) => store.reviews.list(accountId, { status: 'open', limit: 500, cursor, signal })),
  };
}

/** Whether open work means exit code 3. */
export function needsAttention(open: OpenWork): boolean {
  return open.deadLetters > 0 || open.reviews > 0;
}
