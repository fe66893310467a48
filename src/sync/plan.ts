/**
 * Saved dry runs (`engine.plan()` / `engine.apply(planId)`): the store keeps ids, payload
 * hashes and reason codes only; the readable plan is rendered on demand.
 *
 * @module
 */
import type { JsonValue } from './ports.js';
import type { SyncStream } from './events.js';

/** One write a dry run found. */
export interface PlannedItem {
  stream: SyncStream;
  /** The Cliniko id. */
  clinikoId: string;
  /** The Cliniko `updated_at` the plan was made from. */
  updatedAt: string;
  /** What run() would do, e.g. `create`, `update`, `approve`, `pay`, `cancel`, `delete`, `review`. */
  action: string;
  /** The hash of the mapped payload (apply refuses the item when it changed since). */
  hash: string;
  /** Why, as a reason code (e.g. `no-match`, `email`, `external-reference`, `linked`). */
  reason: string;
}

/** A saved plan as `engine.plan()` returns it. */
export interface SyncPlan {
  /** Pass to `engine.apply(id)`. */
  id: string;
  /** ISO 8601. */
  createdAt: string;
  items: PlannedItem[];
  /** Counts by action, e.g. `{ create: 3, update: 1 }`. */
  counts: Record<string, number>;
}

/** The result of `engine.apply(planId)`. */
export interface ApplyResult {
  planId: string;
  /** Items written. */
  applied: number;
  /** Items refused because their Cliniko record changed since the plan (ids only). */
  refused: Array<{ stream: SyncStream; clinikoId: string; reason: 'changed-since-plan' | 'missing' }>;
}

/** Counts of a plan's items by action. */
export function countByAction(items: readonly PlannedItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.action] = (counts[item.action] ?? 0) + 1;
  return counts;
}

/** The JSON kept in the store for a plan (ids, hashes and reason codes only). */
export function planToJson(plan: SyncPlan): JsonValue {
  return { id: plan.id, createdAt: plan.createdAt, items: plan.items.map((i) => ({ ...i })) };
}

/** Reads a stored plan back. */
export function planFromJson(data: JsonValue): SyncPlan {
  const raw = data as unknown as { id: string; createdAt: string; items: PlannedItem[] };
  return { id: raw.id, createdAt: raw.createdAt, items: raw.items, counts: countByAction(raw.items) };
}
