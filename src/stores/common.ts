/**
 * Pure helpers shared by the state stores: lease rules, paging cursors, input checks.
 *
 * @internal
 * @module
 */

import { hostname } from 'node:os';
import { AbortError, ClinikoTradifyError, ConfigError, LeaseHeldError, LeaseLostError } from '../core/errors.js';
import type { AlertIncident, Lease, PageCommit, PageOptions, RunRecord } from '../sync/ports.js';
import { VERSION } from '../version.js';

/** Default and maximum page sizes of list methods. */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

/** Throw `AbortError` when the caller's signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError('The state store call was aborted');
}

/** A page size within bounds. */
export function pageLimit(options: PageOptions | undefined): number {
  const limit = options?.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) return DEFAULT_PAGE_LIMIT;
  return Math.min(limit, MAX_PAGE_LIMIT);
}

/** The error for a malformed store argument (a programming error in the caller). */
export function invalidInput(message: string): ClinikoTradifyError {
  return new ClinikoTradifyError('state_conflict', `State store: ${message}`);
}

function requireText(value: unknown, where: string): void {
  if (typeof value !== 'string' || value.length === 0) throw invalidInput(`${where} must be a non-empty string`);
}

/** Check a page before any of it is written, so a bad element cannot leave half a page behind. */
export function validatePageCommit(page: PageCommit): void {
  for (const [stream, cursor] of Object.entries(page.cursors ?? {})) {
    requireText(cursor.updatedAt, `cursors.${stream}.updatedAt`);
    requireText(cursor.id, `cursors.${stream}.id`);
  }
  for (const [stream, rows] of Object.entries(page.seen ?? {})) {
    rows.forEach((r, i) => {
      requireText(r.id, `seen.${stream}[${i}].id`);
      timestampMs(r.updatedAt, `seen.${stream}[${i}].updatedAt`);
    });
  }
  for (const [stream, before] of Object.entries(page.seenPruneBefore ?? {})) timestampMs(before, `seenPruneBefore.${stream}`);
  page.links?.forEach((l, i) => {
    requireText(l.clinikoId, `links[${i}].clinikoId`);
    requireText(l.tradifyId, `links[${i}].tradifyId`);
    if (l.kind !== 'patient' && l.kind !== 'invoice') throw invalidInput(`links[${i}].kind must be 'patient' or 'invoice'`);
  });
  page.unlinks?.forEach((l, i) => requireText(l.clinikoId, `unlinks[${i}].clinikoId`));
  page.hashes?.forEach((h, i) => {
    requireText(h.kind, `hashes[${i}].kind`);
    requireText(h.clinikoId, `hashes[${i}].clinikoId`);
  });
  page.deadLetters?.add?.forEach((d, i) => {
    requireText(d.stream, `deadLetters.add[${i}].stream`);
    requireText(d.recordId, `deadLetters.add[${i}].recordId`);
    requireText(d.reasonCode, `deadLetters.add[${i}].reasonCode`);
  });
  page.reviews?.forEach((r, i) => {
    requireText(r.kind, `reviews[${i}].kind`);
    requireText(r.recordId, `reviews[${i}].recordId`);
    requireText(r.reasonCode, `reviews[${i}].reasonCode`);
  });
  page.audit?.forEach((a, i) => {
    requireText(a.stream, `audit[${i}].stream`);
    requireText(a.action, `audit[${i}].action`);
  });
  page.tradifyIndex?.forEach((t, i) => requireText(t.tradifyId, `tradifyIndex[${i}].tradifyId`));
}

/** Epoch ms of an ISO 8601 timestamp (a real instant, never a plain date). */
export function timestampMs(iso: string, where = 'timestamp'): number {
  const ms = typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalidInput(`${where} must be an ISO 8601 timestamp`);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Lease rules, shared so every store behaves alike.

/** The lease columns a store keeps per account. `fence` is the last token issued, never reset. */
export interface LeaseState {
  fence: bigint;
  holder: { token: string; owner: string; acquiredAt: number; expiresAt: number; depth: number } | undefined;
}

/** Whether the holder is still live at `now`. */
export function isLive(state: LeaseState, now: number): boolean {
  return state.holder !== undefined && state.holder.expiresAt > now;
}

/** Public view of a live lease. */
export function toLease(accountId: string, state: LeaseState): Lease {
  const h = state.holder!;
  return { accountId, token: h.token, owner: h.owner, acquiredAt: h.acquiredAt, expiresAt: h.expiresAt, depth: h.depth };
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw invalidInput('ttlMs must be a positive number of milliseconds');
}

/**
 * Decide an acquisition. `holderIsDead` lets a store treat a crashed local holder as expired.
 *
 * @throws LeaseHeldError / LeaseLostError as the port documents.
 */
export function acquireLeaseState(
  accountId: string,
  state: LeaseState,
  request: { owner: string; ttlMs: number; reentrantToken?: string | undefined },
  now: number,
  holderIsDead: (owner: string) => boolean = () => false,
): LeaseState {
  checkTtl(request.ttlMs);
  requireText(request.owner, 'owner');
  const live = isLive(state, now) && !holderIsDead(state.holder!.owner);
  if (request.reentrantToken !== undefined) {
    if (!live || state.holder!.token !== request.reentrantToken) throw new LeaseLostError(accountId);
    const h = state.holder!;
    return { fence: state.fence, holder: { ...h, depth: h.depth + 1, expiresAt: Math.max(h.expiresAt, now + request.ttlMs) } };
  }
  if (live) {
    const h = state.holder!;
    throw new LeaseHeldError(accountId, h.owner, new Date(h.expiresAt).toISOString());
  }
  const fence = state.fence + 1n;
  return { fence, holder: { token: fence.toString(), owner: request.owner, acquiredAt: now, expiresAt: now + request.ttlMs, depth: 0 } };
}

/** Why taking the lease now ends the previous holder's runs (see {@link RunRecord.endReason}). */
export type TakeoverReason = NonNullable<RunRecord['endReason']>;

/**
 * Whether a top-level acquisition at `now` takes the lease over from a holder that never
 * released it, and why: its lease expired, or `holderIsDead` (its process is gone). Undefined
 * when the lease is free or the holder is live (the acquisition is then refused).
 */
export function takeoverReason(state: LeaseState, now: number, holderIsDead: boolean): TakeoverReason | undefined {
  if (state.holder === undefined) return undefined;
  if (!isLive(state, now)) return 'lease-expired';
  return holderIsDead ? 'holder-died' : undefined;
}

/** Decide a heartbeat. @throws LeaseLostError when the token is not live. */
export function renewLeaseState(accountId: string, state: LeaseState, token: string, ttlMs: number, now: number): LeaseState {
  checkTtl(ttlMs);
  assertLeaseLive(accountId, state, token, now);
  return { fence: state.fence, holder: { ...state.holder!, expiresAt: now + ttlMs } };
}

/** Decide a release; a stale token changes nothing. */
export function releaseLeaseState(state: LeaseState, token: string, now: number): { state: LeaseState; released: boolean } {
  if (!isLive(state, now) || state.holder!.token !== token) return { state, released: false };
  const h = state.holder!;
  if (h.depth > 0) return { state: { fence: state.fence, holder: { ...h, depth: h.depth - 1 } }, released: true };
  return { state: { fence: state.fence, holder: undefined }, released: true };
}

/** @throws LeaseLostError unless `token` is the live lease's token. */
export function assertLeaseLive(accountId: string, state: LeaseState, token: string, now: number): void {
  if (!isLive(state, now) || state.holder!.token !== token) throw new LeaseLostError(accountId);
}

/**
 * True when a `host:pid:…` owner names a process on THIS host that no longer exists.
 * Any other owner (another host, unparseable, or a live or unknown process) is not dead.
 */
export function isDeadLocalOwner(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  if (host !== hostname() || pidText === undefined || !/^\d+$/.test(pidText)) return false;
  const pid = Number.parseInt(pidText, 10);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** An opaque paging cursor from its parts. */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The parts of a cursor made by {@link encodeCursor}; a malformed one is an input error. */
export function decodeCursor(cursor: string): string[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) return parts as string[];
  } catch {
    // fall through
  }
  throw invalidInput('the paging cursor is not one this store issued');
}

/**
 * Refuse a schema written by a newer release, before anything is written to it: this release
 * would not know its tables and could corrupt them. `stamp` is the `schema_version` row as read.
 *
 * @throws ConfigError naming the schema version and, when recorded, the release that wrote it.
 */
export function assertSchemaNotNewer(stamp: Record<string, unknown> | undefined, latest: number, where: { setting: string; name: string }): void {
  const version = Number(stamp?.version ?? 0);
  if (!(version > latest)) return;
  const writer = typeof stamp?.package_version === 'string' ? `, cliniko-tradify ${stamp.package_version}` : '';
  throw new ConfigError(
    where.setting,
    `${where.name} was written by a newer release (schema version ${version}${writer}); cliniko-tradify ${VERSION} reads schema versions up to ${latest}. Nothing was changed: upgrade cliniko-tradify to use it.`,
  );
}

/** Whether some destination's delivery of the incident's alert failed (it is to be sent again). */
export function isUndelivered(incident: AlertIncident): boolean {
  return Object.values(incident.deliveries ?? {}).some((d) => d.status === 'failed');
}
