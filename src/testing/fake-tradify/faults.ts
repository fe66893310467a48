/**
 * Fault injection for the fake Tradify, switchable while it runs.
 *
 * @module
 */
import { rejectUnknownOptions } from '../../core/options.js';
import { FAKE_TRADIFY_FAULT_SHAPE, type FakeTradifyFaultControl, type FakeTradifyFaults } from './options.js';

/** What the fault layer decides for one request. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'down' }
  | { kind: 'drop' }
  | { kind: 'error'; status: number; when: 'before' | 'after' };

/** Holds the current faults and their counters. */
export class FaultState implements FakeTradifyFaultControl {
  #faults: FakeTradifyFaults = {};
  #serverErrorCount = 0;
  #dropCount = 0;

  constructor(
    private readonly now: () => number,
    initial: FakeTradifyFaults = {},
  ) {
    this.set(initial);
  }

  get current(): Readonly<FakeTradifyFaults> {
    return { ...this.#faults };
  }

  set(faults: FakeTradifyFaults): void {
    rejectUnknownOptions(faults, FAKE_TRADIFY_FAULT_SHAPE, { owner: 'faults.set' });
    const merged: FakeTradifyFaults = { ...this.#faults, ...faults };
    if (typeof faults.down === 'object') merged.down = { from: faults.down.from ?? this.now(), until: faults.down.until };
    this.#faults = merged;
    this.#serverErrorCount = 0;
    this.#dropCount = 0;
  }

  clear(): void {
    this.#faults = {};
  }

  /** Extra latency for the next request, in ms. */
  latencyMs(): number {
    return this.#faults.latencyMs ?? 0;
  }

  /** The body as sent, with the records planted by `malformedRows` made malformed. */
  malform(body: string | null): string | null {
    const planted = this.#faults.malformedRows;
    if (body === null || !planted || Object.keys(planted).length === 0) return body;
    const parsed = JSON.parse(body) as { data?: unknown };
    const rows = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    for (const row of rows) {
      const id = (row as { id?: unknown } | null)?.id;
      const fields = typeof id === 'string' && Object.hasOwn(planted, id) ? planted[id] : undefined;
      if (fields) Object.assign(row as object, fields);
    }
    return JSON.stringify(parsed);
  }

  /** Decides the fault, if any, for the next request (advancing the "every Nth" counters). */
  decide(): FaultDecision {
    if (this.#isDown()) return { kind: 'down' };
    const drop = this.#faults.dropEvery;
    if (drop && ++this.#dropCount % drop.every === 0) return { kind: 'drop' };
    const error = this.#faults.serverErrorEvery;
    if (error && ++this.#serverErrorCount % error.every === 0) {
      return { kind: 'error', status: error.status ?? 500, when: error.when ?? 'before' };
    }
    return { kind: 'none' };
  }

  #isDown(): boolean {
    const down = this.#faults.down;
    if (down === true) return true;
    if (!down) return false;
    const at = this.now();
    return at >= (down.from ?? Number.NEGATIVE_INFINITY) && at < down.until;
  }
}
