/**
 * The `TradifyPort` conformance suite, runner-agnostic: pass your runner's `describe`, `it`
 * and `expect` (vitest, jest, node:test with an adapter) and a factory for a fresh port.
 *
 * Each check is its own `it`, named by {@link TRADIFY_CONFORMANCE_CHECKS}, and gets a fresh
 * port against a fresh backend (the factory is called once per check, and `close` after it).
 * The checks write customers, invoices and payments: never point them at a real account. The
 * money checks assume the backend's default tax rate is 10 % (GST, as in `docs/tradify-contract.md#records`).
 *
 * @example
 * ```ts
 * import { describe, it, expect } from 'vitest';
 * import { HttpTradifyClient } from 'cliniko-tradify';
 * import { runTradifyPortConformance, startFakeTradify } from 'cliniko-tradify/testing';
 *
 * runTradifyPortConformance({ describe, it, expect }, async () => {
 *   const fake = await startFakeTradify({ seed: 1 });
 *   const port = new HttpTradifyClient({ apiKey: fake.apiKey, baseUrl: fake.url, pageSize: 2 });
 *   return { port, close: () => fake.close() };
 * });
 * ```
 *
 * @module
 */
import type { TradifyPort } from '../tradify/port.js';
import { CHECKS, TRADIFY_CONFORMANCE_CHECKS, type TradifyConformanceCheck } from './tradify-conformance-checks.js';
import { annotatedPort, checkTools } from './tradify-conformance-tools.js';

export { TRADIFY_CONFORMANCE_CHECKS };
export type { TradifyConformanceCheck };

/** The assertions the suite uses; vitest's and jest's `expect` both fit. */
export interface TradifyConformanceMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
}

/** The slice of a test runner the suite needs. Nothing is imported from any runner. */
export interface TradifyConformanceRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
  expect(actual: unknown): TradifyConformanceMatchers;
}

/** A port under test and how to release its backend. */
export interface TradifyPortUnderTest {
  port: TradifyPort;
  /** Called after each check, pass or fail. */
  close?: (() => Promise<void> | void) | undefined;
}

/** Options of {@link runTradifyPortConformance}. */
export interface TradifyConformanceOptions {
  /**
   * How many customers, invoices and payments the "reads every page" check creates.
   * Configure the port or its backend with a page size below this so the listings must
   * follow a cursor.
   * @defaultValue `5`
   */
  recordsBeyondOnePage?: number | undefined;
  /** The `describe` title. @defaultValue `'TradifyPort conformance'` */
  title?: string | undefined;
}

/**
 * Registers the conformance checks with the given runner, one `it` per entry of
 * {@link TRADIFY_CONFORMANCE_CHECKS}. A failing check throws an `Error` whose message names
 * the port method, its input and what was expected, e.g.
 * `TradifyPort conformance: invoices.create({…}): expected taxMode to be "inclusive", got "exclusive"`.
 * Checks that depend on a capability (unique external references) follow what
 * `port.capabilities` declares.
 *
 * @param runner - `{ describe, it, expect }` from your test runner.
 * @param makePort - returns a fresh port against a fresh, empty-enough backend for each check.
 * @param options - see {@link TradifyConformanceOptions}.
 */
export function runTradifyPortConformance(
  runner: TradifyConformanceRunner,
  makePort: () => Promise<TradifyPortUnderTest> | TradifyPortUnderTest,
  options: TradifyConformanceOptions = {},
): void {
  const recordsBeyondOnePage = options.recordsBeyondOnePage ?? 5;
  let counter = 0;
  const unique = (label: string): string => `conformance:${label}:${Date.now().toString(36)}:${++counter}`;
  runner.describe(options.title ?? 'TradifyPort conformance', () => {
    for (const [key, check] of Object.entries(CHECKS) as Array<[TradifyConformanceCheck, (typeof CHECKS)[TradifyConformanceCheck]]>) {
      runner.it(TRADIFY_CONFORMANCE_CHECKS[key], async () => {
        const subject = await makePort();
        try {
          await check(annotatedPort(subject.port), checkTools(runner.expect, recordsBeyondOnePage, unique));
        } finally {
          await subject.close?.();
        }
      });
    }
  });
}
