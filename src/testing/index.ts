/**
 * Test helpers for cliniko-tradify and for integrators: loopback fakes of Cliniko and the
 * Tradify contract, seeded data, fault injection and runner-agnostic conformance suites.
 * Importing this entry loads no test runner, no msw and no native module.
 *
 * @packageDocumentation
 */

// --- fake Cliniko ---
export { startFakeCliniko } from './fake-cliniko/server.js';
export type { FakeCliniko, StartFakeClinikoOptions } from './fake-cliniko/server.js';
export { createFakeClinikoCore } from './fake-cliniko/core.js';
export type {
  FakeClinikoOptions,
  FakeClinikoCore,
  FakeRequestRecord,
  FakeHttpRequest,
  FakeHttpResult,
} from './fake-cliniko/core.js';
export { generateClinikoData } from './fake-cliniko/generate.js';
export type { GenerateClinikoDataOptions } from './fake-cliniko/generate.js';
export type {
  ClinikoSeedData,
  FakePatientRow,
  FakeInvoiceRow,
  FakeInvoiceItemRow,
  FakeUserRow,
  FakePractitionerRow,
  FakeBusinessRow,
  FakeTaxRow,
  FakePhoneNumber,
} from './fake-cliniko/records.js';
export type {
  FakeClinikoDb,
  FakeCollection,
  FakePatientCollection,
  FakeDeletableCollection,
  FakeInvoiceCollection,
} from './fake-cliniko/db.js';
export type { FakeClock } from './fake-cliniko/clock.js';
export type { FakeTable as FakeClinikoTable, BaseRow as FakeClinikoBaseRow } from './fake-cliniko/table.js';
export type { FakeClinikoFaults, FaultController, FaultRule, FaultKind, ListEvent, PageEvent } from './fake-cliniko/faults.js';
export type { FakeRateLimitOptions, RateLimiter, RateDecision } from './fake-cliniko/rate-limiter.js';
export type { PerPageOver100 } from './fake-cliniko/listing.js';
export { FILTER_WHITELISTS } from './fake-cliniko/filters.js';
export type { FilterFieldType, FilterWhitelist } from './fake-cliniko/filters.js';

// --- fake Tradify ---
export { startFakeTradify } from './fake-tradify/server.js';
export type { FakeTradify } from './fake-tradify/server.js';
export type {
  FakeRequestLogEntry,
  FakeStaffSeed,
  FakeTradifyFaultControl,
  FakeTradifyFaults,
  FakeTradifyOptions,
  FakeWriteInfo,
} from './fake-tradify/options.js';
export type { FakeTradifyState } from './fake-tradify/state.js';
export type { FakeTable } from './fake-tradify/table.js';
export type { FakeTaxMode } from './fake-tradify/money.js';
export type {
  FakeAddress,
  FakeCustomer,
  FakeInvoice,
  FakeInvoiceStatus,
  FakeLineItem,
  FakeLineItemView,
  FakePayment,
  FakeStaff,
  FakeStoredInvoice,
  FakeTaxRate,
} from './fake-tradify/records.js';

// --- conformance suites -------------------------------------------------------------------
export { runStateStoreConformance } from './state-store-conformance.js';
export type {
  ConformanceMatchers,
  ConformanceRunner,
  StateStoreFactory,
  StateStoreFactoryContext,
  StateStoreConformanceOptions,
} from './state-store-conformance.js';
export { runTradifyPortConformance, TRADIFY_CONFORMANCE_CHECKS } from './tradify-conformance.js';
export type {
  TradifyConformanceMatchers,
  TradifyConformanceRunner,
  TradifyConformanceCheck,
  TradifyConformanceOptions,
  TradifyPortUnderTest,
} from './tradify-conformance.js';
