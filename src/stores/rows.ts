/**
 * Row → record mapping shared by the SQL stores. The two databases differ only in how a JSON
 * column and a boolean column come back (SQLite: JSON text and 0/1; PostgreSQL: parsed `jsonb`
 * and `true`/`false`), so each store passes its own {@link ColumnDecoding}.
 *
 * @internal
 * @module
 */
import type {
  Alert,
  AlertDelivery,
  AlertIncident,
  AuditEntry,
  DeadLetter,
  JsonValue,
  LinkKind,
  LinkRecord,
  NewAuditEntry,
  Review,
  RunRecord,
  RunStatus,
  StagingRow,
  StorePage,
  StreamCursor,
  TradifyIndexEntry,
} from '../sync/ports.js';

/** A database row, by column name. */
export type Row = Record<string, unknown>;

/** How one database returns JSON and boolean columns. */
export interface ColumnDecoding {
  /** A JSON column's value, or `fallback` when it is NULL. */
  json<T>(value: unknown, fallback: T): T;
  /** A boolean column's value (not NULL). */
  bool(value: unknown): boolean;
}

/** The record mappers of one store. */
export interface RowMappers {
  toLink(r: Row): LinkRecord;
  toDeadLetter(r: Row): DeadLetter;
  toReview(r: Row): Review;
  toAudit(r: Row): AuditEntry;
  toRun(r: Row): RunRecord;
  toIncident(r: Row): AlertIncident;
  toStaging(r: Row): StagingRow;
  toIndexEntry(r: Row): TradifyIndexEntry;
  toCursor(r: Row): StreamCursor;
}

/** A nullable text column. */
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
/** A nullable number column. */
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

const AUDIT_OPTIONAL: ReadonlyArray<[keyof NewAuditEntry, string]> = [
  ['runId', 'run_id'],
  ['clinikoId', 'cliniko_id'],
  ['tradifyId', 'tradify_id'],
  ['clinikoCreatedAt', 'cliniko_created_at'],
  ['clinikoUpdatedAt', 'cliniko_updated_at'],
  ['tradifyUpdatedAt', 'tradify_updated_at'],
  ['requestId', 'request_id'],
  ['reasonCode', 'reason_code'],
];

function toLink(r: Row): LinkRecord {
  return {
    kind: r.kind as LinkKind,
    clinikoId: String(r.cliniko_id),
    tradifyId: String(r.tradify_id),
    status: r.status as LinkRecord['status'],
    revision: Number(r.revision),
    externalReference: str(r.external_reference),
    tradifyUpdatedAt: str(r.tradify_updated_at),
    mergedIntoClinikoId: str(r.merged_into),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    supersededAt: num(r.superseded_at),
    supersededReason: str(r.superseded_reason),
  };
}

function toIncident(r: Row, decode: ColumnDecoding): AlertIncident {
  const incident: AlertIncident = {
    fingerprint: String(r.fingerprint),
    firstSeenAt: Number(r.first_seen_at),
    lastSeenAt: Number(r.last_seen_at),
    lastAlertedAt: num(r.last_alerted_at),
    count: Number(r.count),
    state: r.state as AlertIncident['state'],
  };
  if (r.alert !== null && r.alert !== undefined) incident.alert = decode.json<Alert | undefined>(r.alert, undefined);
  if (r.deliveries !== null && r.deliveries !== undefined) incident.deliveries = decode.json<Record<string, AlertDelivery>>(r.deliveries, {});
  return incident;
}

/** The mappers for a database that decodes JSON and booleans as `decode` says. */
export function rowMappers(decode: ColumnDecoding): RowMappers {
  return {
    toLink,
    toIncident: (r) => toIncident(r, decode),
    toDeadLetter: (r) => ({
      id: String(r.id),
      accountId: String(r.account_id),
      stream: String(r.stream),
      recordId: String(r.record_id),
      updatedAt: str(r.updated_at),
      reasonCode: String(r.reason_code),
      message: String(r.message),
      paths: decode.json<string[]>(r.paths, []),
      attempts: Number(r.attempts),
      createdAt: Number(r.created_at),
      lastAttemptAt: Number(r.last_attempt_at),
      status: r.status as DeadLetter['status'],
      closedAt: num(r.closed_at),
      resolution: str(r.resolution),
    }),
    toReview: (r) => ({
      id: String(r.id),
      accountId: String(r.account_id),
      kind: String(r.kind),
      recordId: String(r.record_id),
      reasonCode: String(r.reason_code),
      detail: decode.json<Review['detail']>(r.detail, {}),
      status: r.status as Review['status'],
      resolution: str(r.resolution),
      createdAt: Number(r.created_at),
      resolvedAt: num(r.resolved_at),
    }),
    toAudit: (r) => {
      const entry: AuditEntry = {
        id: String(r.id),
        accountId: String(r.account_id),
        at: Number(r.at),
        stream: String(r.stream),
        action: String(r.action),
        changedFields: decode.json<string[]>(r.changed_fields, []),
      };
      for (const [key, column] of AUDIT_OPTIONAL) {
        const value = str(r[column]);
        if (value !== undefined) (entry as unknown as Record<string, string>)[key] = value;
      }
      return entry;
    },
    toRun: (r) => ({
      id: String(r.id),
      accountId: String(r.account_id),
      kind: String(r.kind),
      status: r.status as RunStatus,
      startedAt: Number(r.started_at),
      finishedAt: num(r.finished_at),
      summary: decode.json<Record<string, JsonValue> | undefined>(r.summary, undefined),
      endReason: str(r.end_reason) as RunRecord['endReason'],
    }),
    toStaging: (r) => {
      const row: StagingRow = {
        runId: String(r.run_id),
        side: r.side as StagingRow['side'],
        kind: String(r.kind),
        id: String(r.id),
        fields: decode.json<Record<string, string>>(r.fields, {}),
      };
      if (r.key !== null) row.key = String(r.key);
      if (r.amounts !== null) row.amounts = decode.json<Record<string, string>>(r.amounts, {});
      if (r.attributes !== null) row.attributes = decode.json<Record<string, string | null>>(r.attributes, {});
      return row;
    },
    toIndexEntry: (r) => {
      const entry: TradifyIndexEntry = { kind: r.kind as TradifyIndexEntry['kind'], tradifyId: String(r.tradify_id) };
      if (r.external_reference !== null) entry.externalReference = String(r.external_reference);
      if (r.email_hash !== null) entry.emailHash = String(r.email_hash);
      if (r.updated_at !== null) entry.updatedAt = String(r.updated_at);
      if (r.active !== null) entry.active = decode.bool(r.active);
      return entry;
    },
    toCursor: (r) => {
      const cursor: StreamCursor = { updatedAt: String(r.updated_at), id: String(r.id) };
      if (r.extra !== null) cursor.extra = decode.json<NonNullable<StreamCursor['extra']>>(r.extra, {});
      return cursor;
    },
  };
}

/** Keyset paging on one integer column (ascending, or descending for newest-first lists). */
export function pageBySeq<T>(rows: Row[], limit: number, seqColumn: string, map: (r: Row) => T): StorePage<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(map), next: rows.length > limit && last ? String(last[seqColumn]) : undefined };
}
