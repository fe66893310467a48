import type { FakeCliniko } from 'cliniko-tradify/testing';

export const UA = 'Fake Cliniko Tests (dev@example.com)';

export interface CallOptions {
  method?: string;
  key?: string;
  password?: string;
  userAgent?: string | null;
  body?: unknown;
  contentType?: string;
}

export function basic(key: string, password = ''): string {
  return `Basic ${Buffer.from(`${key}:${password}`).toString('base64')}`;
}

/** A raw fetch against the fake (never the library's client). */
export function call(fc: { url: string; apiKey: string }, pathOrUrl: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: basic(options.key ?? fc.apiKey, options.password ?? ''), accept: 'application/json' };
  if (options.userAgent !== null) headers['user-agent'] = options.userAgent ?? UA;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${fc.url}${pathOrUrl}`;
  return fetch(url, { method: options.method ?? 'GET', headers, body });
}

export async function json<T = Record<string, unknown>>(fc: FakeCliniko, path: string, options: CallOptions = {}): Promise<T> {
  const res = await call(fc, path, options);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return (await res.json()) as T;
}

export interface Envelope {
  total_entries: number;
  links: { self: string; next?: string; previous?: string };
  [key: string]: unknown;
}

export function rows(envelope: Envelope, key: string): Record<string, unknown>[] {
  return envelope[key] as Record<string, unknown>[];
}

export function q(...filters: string[]): string {
  return filters.map((f) => `q%5B%5D=${encodeURIComponent(f)}`).join('&');
}

export function bigIntAscending(ids: readonly string[]): boolean {
  return ids.every((id, i) => i === 0 || BigInt(ids[i - 1] ?? '0') < BigInt(id));
}
