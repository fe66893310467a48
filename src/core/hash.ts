/**
 * Stable hashing: payload hashes (an unchanged record is skipped without a write), field and
 * salted email hashes (the store keeps hashes, never values), and plain SHA-256.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal payloads hash equally. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** SHA-256 (hex) of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hash of a mapped payload: SHA-256 of its stable JSON, truncated to 32 hex characters. */
export function payloadHash(payload: unknown): string {
  return sha256(stableStringify(payload)).slice(0, 32);
}

/**
 * A hash per top-level field of a payload (for saved plans and conflict detection), so the
 * store keeps field names and hashes, never the values.
 */
export function fieldHashes(payload: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(payload)) {
    if (value !== undefined) out[field] = sha256(stableStringify(value)).slice(0, 16);
  }
  return out;
}

/**
 * The hash of a normalised email address (trimmed, lower-cased), salted with the account id so
 * the store never holds a raw email and the hash cannot be joined across accounts.
 */
export function emailHash(accountId: string, email: string): string {
  return sha256(`email:${accountId}:${email.trim().toLowerCase()}`).slice(0, 32);
}
