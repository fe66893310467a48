/**
 * `engine.audit`: what the engine did, by id — Cliniko `created_at`/`updated_at`, Tradify
 * `updatedAt`, changed field names, request ids.
 *
 * @module
 */
import type { ResolvedEngineOptions } from './engine-options.js';
import type { AuditEntry, AuditListOptions, StorePage } from './ports.js';

/** The audit log of an engine. */
export class AuditApi {
  readonly #options: ResolvedEngineOptions;

  /** @internal */
  constructor(options: ResolvedEngineOptions) {
    this.#options = options;
  }

  /**
   * Entries, oldest first, filtered by run, stream, action, ids or time.
   *
   * @example
   * ```ts
   * const { items } = await engine.audit.list({ clinikoId: '1390710863102485699' });
   * ```
   */
  list(options: AuditListOptions = {}): Promise<StorePage<AuditEntry>> {
    return this.#options.store.audit.list(this.#options.accountId, options);
  }
}
