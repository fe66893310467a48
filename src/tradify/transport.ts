/**
 * The one internal seam between the Tradify resources and the HTTP layer: a function that
 * sends one request and returns its validated body. Resources never see ky, headers or keys.
 *
 * @internal
 * @module
 */
import type { z } from 'zod';

/** One request to the Tradify contract, relative to the client's base URL. */
export interface TradifyRequest<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the base URL, e.g. `customers/cus_1` (ids already URL-encoded). */
  path: string;
  /** Query pairs, in order. */
  query?: Array<[string, string]> | undefined;
  /** JSON body. */
  json?: unknown;
  /** Validates (and normalises) the response body; omitted for bodiless answers such as 204. */
  schema?: z.ZodType<T> | undefined;
  /** Sent as `Idempotency-Key`; makes a POST retryable. */
  idempotencyKey?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Sends one request; rejects with the library's error family. */
export type TradifySend = <T>(request: TradifyRequest<T>) => Promise<T>;

/** URL-encodes one path segment (ids are opaque and may hold any character). */
export function segment(id: string): string {
  return encodeURIComponent(id);
}
