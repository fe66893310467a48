/**
 * Reconciliation: `runReconciliation` (what `engine.reconcile()` delegates to), its inputs,
 * and the Cliniko reading adapter.
 *
 * @module
 */
export { runReconciliation } from './run.js';
export { clinikoSourceFromClient } from './cliniko-source.js';
export { parseClinikoReference } from './stage.js';
export type { ClinikoReference } from './stage.js';
export type {
  ReconcileInternals,
  ReconcileOptions,
  ReconcileClinikoSource,
  ReconcileRepairer,
  RepairContext,
  ExpectedCustomer,
  ReadOptions,
} from './types.js';
