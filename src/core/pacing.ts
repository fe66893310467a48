/**
 * Smooth pacing (`docs/architecture.md#smooth-pacing`): one limiter per API key per process, shared by every client
 * built with that key, starting one request per `60 000 / rpm` ms. Each request reserves the
 * next start slot (`max(now, previous slot + interval)`), so a timer that fires a little late
 * does not push every later request back: the next one starts on its own slot, and over any
 * 60 s window at most `rpm + 1` requests start. Nothing accumulates while idle, so there is
 * never a burst after a quiet spell. A 429 pauses the whole limiter until the API's reset, so
 * every caller on that key waits, not just the one hit.
 *
 * Slot waits use real timers (they are what the API's window sees); 429 pauses use the
 * injected {@link Clock}, so tests can step through them.
 *
 * @module
 */
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { AbortError } from './errors.js';
import { fingerprint } from './redact.js';

/** A shared, pausable request pacer for one API key. */
export class RequestLimiter {
  #intervalMs: number;
  readonly #clock: Clock;
  /** When the next request may start, on the `performance.now()` time line. */
  #nextSlot = 0;
  #pausedUntil = 0;
  #pause: Promise<void> | null = null;
  #waiting = 0;

  /**
   * @param requestsPerMinute - the most requests started in any 60 s window.
   * @param clock - the clock that times 429 pauses.
   */
  constructor(requestsPerMinute: number, clock: Clock) {
    this.#intervalMs = 60_000 / requestsPerMinute;
    this.#clock = clock;
  }

  /** The minimum gap between two request starts, in ms. */
  get intervalMs(): number {
    return this.#intervalMs;
  }

  /**
   * Slow down to `requestsPerMinute` if that is below the current rate (never speeds up):
   * the most conservative client sharing a key sets the pace.
   */
  limitTo(requestsPerMinute: number): void {
    this.#intervalMs = Math.max(this.#intervalMs, 60_000 / requestsPerMinute);
  }

  /**
   * Run `task` on the next free start slot, after any 429 pause.
   *
   * @throws {@link AbortError} when `signal` fires while the task still waits its turn.
   */
  async schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new AbortError();
    this.#waiting += 1;
    try {
      await this.#waitForSlot(signal);
    } finally {
      this.#waiting -= 1;
    }
    return task();
  }

  async #waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      while (this.#pause) await abortable(this.#pause, signal);
      const now = performance.now();
      const slot = Math.max(now, this.#nextSlot);
      this.#nextSlot = slot + this.#intervalMs;
      if (slot > now) await systemClock.sleep(slot - now, signal);
      if (!this.#pause) return; // a 429 arrived while we waited: that slot is spent, queue again
    }
  }

  /**
   * Stop starting requests for `ms` (a 429's reset). Overlapping pauses extend, never shorten.
   *
   * @returns the epoch ms until which the limiter is paused.
   */
  pauseFor(ms: number): number {
    const until = this.#clock.now() + Math.max(0, ms);
    if (until <= this.#pausedUntil) return this.#pausedUntil;
    this.#pausedUntil = until;
    this.#pause = this.#clock.sleep(Math.max(0, ms)).then(() => {
      if (this.#pausedUntil === until) this.#pause = null;
    });
    return until;
  }

  /** True while a 429 pause is in force. */
  get isPaused(): boolean {
    return this.#pause !== null;
  }

  /** Requests waiting for their turn. */
  get pending(): number {
    return this.#waiting;
  }
}

/** Wait for `promise`, or reject with {@link AbortError} when `signal` fires first. */
function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortError());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

const limiters = new Map<string, RequestLimiter>();

/**
 * The process-wide limiter for one API key, created on first use. The registry is keyed by a
 * hash of `api` and the key (never the raw key). The lowest rate asked for wins (a later
 * client with a lower `requestsPerMinute` slows the shared limiter down); the first clock wins.
 */
export function sharedLimiter(api: string, secret: string, requestsPerMinute: number, clock: Clock): RequestLimiter {
  const id = fingerprint(api, secret);
  let limiter = limiters.get(id);
  if (!limiter) {
    limiter = new RequestLimiter(requestsPerMinute, clock);
    limiters.set(id, limiter);
  }
  limiter.limitTo(requestsPerMinute);
  return limiter;
}
