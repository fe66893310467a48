/**
 * msw request handlers that behave like the loopback fakes, for tests that mock `fetch`
 * rather than open a port. Needs the optional peer `msw`.
 *
 * @packageDocumentation
 */

// --- Cliniko handlers ---
export { clinikoHandlers } from './fake-cliniko/msw.js';
export type { ClinikoHandlersOptions, ClinikoMsw } from './fake-cliniko/msw.js';

// --- Tradify handlers ---
export { tradifyHandlers } from './fake-tradify/msw.js';
export type { TradifyHandlers, TradifyHandlersOptions } from './fake-tradify/msw.js';
