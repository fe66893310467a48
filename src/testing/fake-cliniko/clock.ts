/**
 * The fake Cliniko's server clock: it stamps `Date` headers, `updated_at` on writes and
 * drives the rate-limit window. Tests set or advance it instead of waiting.
 *
 * @module
 */

/** A settable server clock. */
export interface FakeClock {
  /** The server's current time, epoch milliseconds. */
  now(): number;
  /** Freezes the clock at `ms` (epoch milliseconds). */
  set(ms: number): void;
  /** Moves the clock forward (frozen or not) by `ms`. */
  advance(ms: number): void;
}

/**
 * Creates a clock over a time source (default `Date.now`).
 *
 * @param source - the injectable time source
 */
export function createFakeClock(source: () => number = Date.now): FakeClock {
  let frozen: number | undefined;
  let offset = 0;
  return {
    now: () => frozen ?? source() + offset,
    set: (ms) => {
      frozen = ms;
    },
    advance: (ms) => {
      if (frozen === undefined) offset += ms;
      else frozen += ms;
    },
  };
}
