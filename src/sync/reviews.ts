/**
 * `engine.reviews`: decisions a person must take (a paid invoice closed in Cliniko, an
 * approved invoice whose content changed, an edit made in Tradify…).
 *
 * @module
 */
import type { ResolvedEngineOptions } from './engine-options.js';
import type { Review, ReviewListOptions, StorePage } from './ports.js';
import { PageWork } from './streams/page-work.js';
import type { RunExecutor } from './streams/run-body.js';
import { commit } from './streams/commit.js';
import { syncInvoicesByIds, syncPatientsByIds } from './targeted.js';
import { ConfigError } from '../core/errors.js';
import { UNREADABLE_REVIEW_KINDS } from './unreadable.js';

/**
 * How a review is resolved:
 * - `'reissue'` (invoices): create a new draft `cliniko:invoice:<id>:r<n>`, cancel the old one, approve the new one;
 * - `'retry'`: sync the record again now, overwriting Tradify from Cliniko;
 * - `'dismiss'` (or any other text): close it and change nothing.
 *
 * A review about a Tradify row that could not be read (kinds `tradify-customer`,
 * `tradify-invoice`, …) is only closed by any resolution: the Cliniko records it held back wait
 * in the dead-letter list, to be replayed once the row reads again.
 */
export type ReviewResolution = 'reissue' | 'retry' | 'dismiss' | (string & {});

/** The review queue of an engine. */
export class ReviewApi {
  readonly #options: ResolvedEngineOptions;
  readonly #execute: RunExecutor;

  /** @internal */
  constructor(options: ResolvedEngineOptions, execute: RunExecutor) {
    this.#options = options;
    this.#execute = execute;
  }

  /** Reviews, oldest first (`status: 'open'` for the ones waiting). */
  list(options: ReviewListOptions = {}): Promise<StorePage<Review>> {
    return this.#options.store.reviews.list(this.#options.accountId, options);
  }

  /**
   * Records the decision and acts on it (`'reissue'` and `'retry'` write to Tradify inside the lease).
   *
   * @throws ConfigError when there is no such review, or `'reissue'` is asked of a non-invoice.
   * @throws LeaseHeldError while a run holds the account's lease (for `'reissue'` / `'retry'`).
   */
  async resolve(id: string, resolution: ReviewResolution, options: { signal?: AbortSignal | undefined } = {}): Promise<Review> {
    const { store, accountId } = this.#options;
    const review = await store.reviews.get(accountId, id, { signal: options.signal });
    if (!review) throw new ConfigError('id', `No review '${id}' for account '${accountId}'; list them with engine.reviews.list().`);
    if (resolution === 'reissue' && review.kind !== 'invoice') throw new ConfigError('resolution', `Only invoice reviews can be resolved with 'reissue'.`);
    // a Tradify row that could not be read is about no Cliniko record: the records it held wait in the dead-letter list
    const aboutTradifyRow = Object.values(UNREADABLE_REVIEW_KINDS).includes(review.kind);
    if ((resolution === 'reissue' || resolution === 'retry') && !aboutTradifyRow) await this.#act(review, resolution === 'reissue' ? 'reissue' : 'retry', options.signal);
    const resolved = await store.reviews.resolve(accountId, id, resolution, { signal: options.signal });
    return resolved ?? review;
  }

  async #act(review: Review, resolution: 'reissue' | 'retry', signal: AbortSignal | undefined): Promise<void> {
    await this.#execute(
      `review-${resolution}`,
      async (run) => {
        const work = new PageWork();
        const options = { force: true, reissueChosen: resolution === 'reissue', action: resolution, resolvingReview: true };
        if (review.kind === 'invoice') await syncInvoicesByIds(run, [review.recordId], work, () => options);
        else await syncPatientsByIds(run, [review.recordId], work, () => ({ force: true, action: resolution }));
        // closed before the work is committed: a problem the retry meets again opens a new review
        await this.#options.store.reviews.resolve(this.#options.accountId, review.id, resolution, { signal });
        await commit(run, work);
        return run.targetDown ? 'target-down' : undefined;
      },
      signal,
    );
  }
}
