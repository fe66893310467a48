/**
 * Cursor paging of the fake Tradify (`docs/tradify-contract.md#wire-conventions`): `?pageSize=` (default 50, max 200)
 * and an opaque `?cursor=` that encodes the last record's position (keyset), so records
 * created while a client pages never shift a page it has not read yet.
 *
 * @module
 */
import { FakeHttpError } from './http.js';

/** The list envelope. */
export interface ListBody<T> {
  data: T[];
  paging: { pageSize: number; nextCursor: string | null };
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

function encodeCursor(seq: number): string {
  return Buffer.from(`ft1:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^ft1:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new FakeHttpError(400, 'The cursor is not valid.', { details: [{ field: 'cursor', issue: 'invalid' }] });
  return Number(match[1]);
}

/** Reads `pageSize`; 400 when it is not an integer in 1–200. */
function pageSizeOf(query: URLSearchParams): number {
  const raw = query.get('pageSize');
  if (raw === null) return DEFAULT_PAGE_SIZE;
  const size = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw new FakeHttpError(400, 'pageSize must be an integer from 1 to 200.', { details: [{ field: 'pageSize', issue: 'out_of_range' }] });
  }
  return size;
}

/** One page of `rows` (already filtered, in insertion order) after the query's cursor. */
export function page<S, V>(rows: ReadonlyArray<{ seq: number; record: S }>, query: URLSearchParams, view: (record: S) => V): ListBody<V> {
  const pageSize = pageSizeOf(query);
  const cursor = query.get('cursor');
  const after = cursor === null ? 0 : decodeCursor(cursor);
  const rest = rows.filter((row) => row.seq > after);
  const slice = rest.slice(0, pageSize);
  const last = slice.at(-1);
  const nextCursor = rest.length > pageSize && last ? encodeCursor(last.seq) : null;
  return { data: slice.map((row) => view(row.record)), paging: { pageSize, nextCursor } };
}

/** 400 for any query parameter the endpoint does not know. */
export function rejectUnknownQuery(query: URLSearchParams, allowed: readonly string[]): void {
  const known = [...allowed, 'pageSize', 'cursor'];
  const unknown = [...query.keys()].filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new FakeHttpError(400, 'Unknown query parameter.', { details: unknown.map((field) => ({ field, issue: 'unknown_parameter' })) });
  }
}
