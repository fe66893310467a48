/**
 * Redaction helpers: the only ways a request is described outside the HTTP layer.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

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

/**
 * `true` for hosts that may be spoken to over plain `http:`: an IP literal in 127.0.0.0/8, the
 * IPv6 loopback `::1` (bracketed or not), or exactly `localhost`. A name that merely starts
 * like one (`127.evil.example`, `localhost.evil.example`) is not loopback. Pass `URL.hostname`,
 * which has already turned shorthand such as `127.1` into `127.0.0.1`.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  const v6 = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIPv6(v6) && new URL(`http://[${v6}]/`).hostname === '[::1]';
}
