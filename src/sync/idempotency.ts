/**
 * Idempotency keys for creates (`docs/architecture.md#idempotency-keys`): a crash between a write and its checkpoint
 * replays the same key, so the server returns the first record instead of a duplicate.
 *
 * @module
 */
import { sha256 } from '../core/hash.js';

/** What an idempotency key is derived from. */
export interface IdempotencyKeyParts {
  accountId: string;
  /** `patients`, `invoices` or `payments` (the write's kind, not only the stream). */
  stream: string;
  /** The Cliniko record id. */
  recordId: string;
  /** The Cliniko record's `updated_at`, as read. */
  updatedAt: string | null;
  /** The hash of the mapped payload that is being written. */
  payloadHash: string;
}

/**
 * `hash(account, stream, id, updated_at, payload hash)` as a short, header-safe string.
 *
 * @example
 * ```ts
 * idempotencyKey({ accountId: 'default', stream: 'patients', recordId: '1', updatedAt: '2026-01-01T00:00:00Z', payloadHash: 'ab' });
 * // → 'ct-…' (43 characters)
 * ```
 */
export function idempotencyKey(parts: IdempotencyKeyParts): string {
  const material = [parts.accountId, parts.stream, parts.recordId, parts.updatedAt ?? '', parts.payloadHash].join('\u001f');
  return `ct-${sha256(material).slice(0, 40)}`;
}
