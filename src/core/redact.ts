/**
 * Redaction helpers: the only ways a request is described outside the HTTP layer.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * A short, stable, non-reversible fingerprint of a secret, for keying per-key state (the
 * shared rate limiter) without keeping the key itself.
 */
export function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/** The names of the query parameters of a URL, in order, values dropped. */
export function queryKeysOf(url: URL): string[] {
  return [...url.searchParams.keys()];
}

/** `true` for hosts that may be spoken to over plain `http:` (loopback only). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host) || host.endsWith('.localhost');
}

const EMAIL_LIKE = /[^\s@<>()"',;:]+@[^\s@<>()"',;:]+/g;
const QUOTED = /(["'“‘])[^"'”’]*(["'”’])/g;
const LONG_NUMBER = /\+?\d[\d\s-]{5,}\d/g;

/**
 * An API's own error message made safe to keep: e-mail-like tokens, quoted text and long
 * digit runs (phones, Medicare numbers) are replaced, and long messages are dropped, since a
 * server may echo the values it was sent.
 *
 * @returns the scrubbed message, or `undefined` when there is none worth keeping.
 */
export function scrubApiMessage(message: string | undefined): string | undefined {
  if (message === undefined || message.length > 200) return undefined;
  const scrubbed = message.replace(EMAIL_LIKE, '[redacted]').replace(QUOTED, '[redacted]').replace(LONG_NUMBER, '[redacted]').trim();
  return scrubbed === '' ? undefined : scrubbed;
}
