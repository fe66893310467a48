/**
 * Options and public types of the fake Tradify (server and msw handlers alike).
 *
 * @module
 */
import type { OptionShape } from '../../core/options.js';
import type { FakeStaff } from './records.js';

/** One applied write, as passed to {@link FakeTradifyOptions.onWrite}. */
export interface FakeWriteInfo {
  /** 1 for the first applied write, 2 for the second… */
  k: number;
  method: string;
  /** The request path, e.g. `/v1/invoices/inv_1/approve`. */
  path: string;
  /** The response status about to be sent. */
  status: number;
  /** The id of the record written (for a create, the new id). */
  id: string | null;
}

/**
 * Faults that can be switched on and off while the fake runs (`ft.faults.set(...)`).
 * Counters ("every Nth") count the requests that reach the fault check, from the moment the
 * fault is set.
 */
export interface FakeTradifyFaults {
  /**
   * Answer every `every`-th request with a 5xx. `when: 'before'` (default) answers before the
   * request is applied; `'after'` applies a write and then loses its answer, so a retry must
   * rely on `Idempotency-Key`.
   */
  serverErrorEvery?: { every: number; status?: 500 | 502 | 503 | 504; when?: 'before' | 'after' } | undefined;
  /** Destroy the connection of every `every`-th request without answering (before applying it). */
  dropEvery?: { every: number } | undefined;
  /** Extra delay before each request is handled, in ms. */
  latencyMs?: number | undefined;
  /**
   * Answer 503 to everything: `true` until cleared, or within `[from, until)` on the server
   * clock (epoch ms; `from` defaults to now).
   */
  down?: boolean | { from?: number | undefined; until: number } | undefined;
  /**
   * Test-only: records served malformed, keyed by record id (customer, invoice, payment, staff
   * member or tax rate). Every answer carrying one of them — listings, single reads and write
   * answers alike — has the given fields replaced by the given values (`undefined` removes the
   * field), the way a broken Tradify would send it. The stored record is left as it is.
   *
   * @example
   * ```ts
   * ft.faults.set({ malformedRows: { [customerId]: { name: 42 } } });
   * ```
   */
  malformedRows?: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined;
}

/** A staff member to seed; unspecified fields get plausible values. */
export type FakeStaffSeed = Partial<Omit<FakeStaff, 'id'>> & { name: string; id?: string };

/** Options of `startFakeTradify()` and `tradifyHandlers()`. */
export interface FakeTradifyOptions {
  /** Seeds ids and generated customers. @defaultValue `1` */
  seed?: number | undefined;
  /** The accepted API key (as `X-Api-Key` or `Authorization: Bearer`). @defaultValue a fixed test key */
  apiKey?: string | undefined;
  /**
   * Fixed 60 s windows (aligned to the server clock's minute) of `perMinute` requests per key;
   * `false` turns the limit off.
   * @defaultValue `{ perMinute: 100 }`
   */
  rateLimit?: { perMinute?: number | undefined } | false | undefined;
  /** A delay before every request, in ms (same as the `latencyMs` fault). @defaultValue `0` */
  latencyMs?: number | undefined;
  /** The server clock, epoch ms: timestamps, `updatedSince`, rate windows, idempotency expiry. @defaultValue `Date.now` */
  now?: (() => number) | undefined;
  /** How latency is waited out; inject one so tests never wait for real. @defaultValue `setTimeout` */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** How `GET /customers?email=` compares. @defaultValue `'exact'` */
  emailMatch?: 'exact' | 'case-insensitive' | undefined;
  /** `extraZeroRate` adds a second 0 % `isNoTax` rate, "No GST", beside "GST Free". */
  taxRates?: { extraZeroRate?: boolean | undefined } | undefined;
  /** How many pre-existing trade customers (no `cliniko:` reference) to seed. @defaultValue `0` */
  customers?: number | undefined;
  /** Replaces the default staff (four: two share an email, one is inactive). */
  staff?: FakeStaffSeed[] | undefined;
  /** Initial faults (see {@link FakeTradifyFaults}). */
  faults?: FakeTradifyFaults | undefined;
  /**
   * Called after each applied write (a 2xx POST, PATCH or DELETE that changed state; replays
   * and refused writes do not count), once the state has changed and before its response is
   * sent. The response waits for a returned promise, so a crash test can kill its client there.
   */
  onWrite?: ((k: number, info: FakeWriteInfo) => void | Promise<void>) | undefined;
  /**
   * After the `k`-th applied write, append one JSON line ({@link FakeWriteInfo}) to `file`
   * synchronously, at the same moment as `onWrite`: the write is applied and its response not
   * yet sent. A parent process can watch the file and SIGKILL the client.
   */
  signalAfterWrite?: { k: number; file: string } | undefined;
  /** The invoices' currency. @defaultValue `'AUD'` */
  currency?: string | undefined;
}

/** The keys of {@link FakeTradifyFaults}. */
export const FAKE_TRADIFY_FAULT_SHAPE = {
  serverErrorEvery: { every: true, status: true, when: true },
  dropEvery: { every: true },
  latencyMs: true,
  down: { from: true, until: true },
  malformedRows: true,
} as const satisfies OptionShape<FakeTradifyFaults>;

/** The keys of {@link FakeTradifyOptions}; the entry points add their own. */
export const FAKE_TRADIFY_OPTION_SHAPE = {
  seed: true,
  apiKey: true,
  rateLimit: { perMinute: true },
  latencyMs: true,
  now: true,
  sleep: true,
  emailMatch: true,
  taxRates: { extraZeroRate: true },
  customers: true,
  staff: true,
  faults: FAKE_TRADIFY_FAULT_SHAPE,
  onWrite: true,
  signalAfterWrite: { k: true, file: true },
  currency: true,
} as const satisfies OptionShape<FakeTradifyOptions>;

/** One request as the fake saw it. The API key and other headers are never logged. */
export interface FakeRequestLogEntry {
  method: string;
  /** Path without the query, e.g. `/v1/customers`. */
  path: string;
  /** Query parameters (last value wins). */
  query: Record<string, string>;
  /** The status answered; `0` for a dropped connection. */
  status: number;
  /** Server clock, epoch ms, when the request arrived. */
  at: number;
  /** The `Idempotency-Key` header, when sent. */
  idempotencyKey?: string;
}

/** Switches faults while the fake runs. */
export interface FakeTradifyFaultControl {
  /** Merges these faults into the current ones (pass `undefined` for a field to clear it) and restarts their counters. */
  set(faults: FakeTradifyFaults): void;
  /** Clears every fault. */
  clear(): void;
  /** The faults now in force. */
  readonly current: Readonly<FakeTradifyFaults>;
}
