/**
 * Smooth pacing (DESIGN.md §4): one limiter per API key per process, shared by every client
 * built with that key, starting one request per `60 000 / rpm` ms on average (p-queue in strict
 * mode, a rolling window of two intervals holding at most two starts). The burst of two lets a
 * start delayed by a busy event loop catch up instead of losing its slot for good, while no
 * 60 s window ever sees more than `rpm + 1` starts. A 429 pauses the whole limiter until the
 * API's reset, so every caller on that key waits, not just the one hit.
 *
 * @module
 */
import PQueue from 'p-queue';
import type { Clock } from './clock.js';
import { AbortError } from './errors.js';
import { fingerprint } from './redact.js';

/** Starts allowed back to back after a late one: a small burst at most (DESIGN.md §4). */
const BURST = 2;

/** A shared, pausable request pacer for one API key. */
export class RequestLimiter {
  #intervalMs: number;
  #queue: PQueue;
  readonly #clock: Clock;
  #pausedUntil = 0;

  /**
   * @param requestsPerMinute - the most requests started in any 60 s window.
   * @param clock - the clock that times 429 pauses.
   */
  constructor(requestsPerMinute: number, clock: Clock) {
    this.#intervalMs = 60_000 / requestsPerMinute;
    this.#clock = clock;
    this.#queue = RequestLimiter.#makeQueue(this.#intervalMs);
  }

  static #makeQueue(intervalMs: number): PQueue {
    return new PQueue({ concurrency: Number.POSITIVE_INFINITY, intervalCap: BURST, interval: intervalMs * BURST, strict: true });
  }

  /** The minimum gap between two request starts, in ms. */
  get intervalMs(): number {
    return this.#intervalMs;
  }

  /**
   * Slow down to `requestsPerMinute` if that is below the current rate (never speeds up):
   * the most conservative client sharing a key sets the pace. Requests already waiting keep
   * their place at the old pace; new ones follow the new pace.
   */
  limitTo(requestsPerMinute: number): void {
    const intervalMs = 60_000 / requestsPerMinute;
    if (intervalMs <= this.#intervalMs) return;
    this.#intervalMs = intervalMs;
    const paused = this.#queue.isPaused;
    this.#queue = RequestLimiter.#makeQueue(intervalMs);
    if (paused) this.#queue.pause();
  }

  /**
   * Run `task` when the pace allows (and the limiter is not paused).
   *
   * @throws {@link AbortError} when `signal` fires while the task still waits its turn.
   */
  async schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new AbortError();
    try {
      return await this.#queue.add(task, { signal });
    } catch (error) {
      if (signal?.aborted) throw new AbortError();
      throw error;
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
    this.#queue.pause();
    void this.#clock.sleep(Math.max(0, ms)).then(() => {
      if (this.#pausedUntil === until) this.#queue.start();
    });
    return until;
  }

  /** True while a 429 pause is in force. */
  get isPaused(): boolean {
    return this.#queue.isPaused;
  }

  /** Requests waiting for their turn. */
  get pending(): number {
    return this.#queue.size;
  }

  /**
   * Resolve once fewer than `limit` requests wait: the bounded read-ahead of DESIGN.md §4.
   */
  async onSizeLessThan(limit: number): Promise<void> {
    await this.#queue.onSizeLessThan(limit);
  }
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
