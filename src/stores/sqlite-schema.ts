/**
 * The SQLite schema as ordered migrations: entry n brings the file to version n + 1.
 * Append new entries; never edit a released one. Columns hold ids, timestamps, field names,
 * reason codes and hashes only: never patient data (`docs/architecture.md#privacy-by-shape`).
 *
 * @internal
 * @module
 */

export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE leases (
    account_id TEXT PRIMARY KEY,
    fence INTEGER NOT NULL,
    token TEXT,
    owner TEXT,
    acquired_at INTEGER,
    expires_at INTEGER,
    depth INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE cursors (
    account_id TEXT NOT NULL, stream TEXT NOT NULL, updated_at TEXT NOT NULL, id TEXT NOT NULL, extra TEXT,
    PRIMARY KEY (account_id, stream)
  ) WITHOUT ROWID;
  CREATE TABLE seen (
    account_id TEXT NOT NULL, stream TEXT NOT NULL, id TEXT NOT NULL, updated_at TEXT NOT NULL, updated_ms INTEGER NOT NULL,
    PRIMARY KEY (account_id, stream, id, updated_at)
  ) WITHOUT ROWID;
  CREATE INDEX seen_by_time ON seen (account_id, stream, updated_ms);
  CREATE TABLE links (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL, kind TEXT NOT NULL, cliniko_id TEXT NOT NULL, tradify_id TEXT NOT NULL,
    status TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 0,
    external_reference TEXT, tradify_updated_at TEXT, merged_into TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, superseded_at INTEGER, superseded_reason TEXT
  );
  CREATE UNIQUE INDEX links_current ON links (account_id, kind, cliniko_id) WHERE status = 'current';
  CREATE INDEX links_by_tradify ON links (account_id, kind, tradify_id);
  CREATE INDEX links_in_order ON links (account_id, kind, length(cliniko_id), cliniko_id, seq);
  CREATE TABLE hashes (
    account_id TEXT NOT NULL, kind TEXT NOT NULL, cliniko_id TEXT NOT NULL, hash TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, cliniko_id)
  ) WITHOUT ROWID;
  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL, stream TEXT NOT NULL, record_id TEXT NOT NULL, updated_at TEXT,
    reason_code TEXT NOT NULL, message TEXT NOT NULL, paths TEXT NOT NULL, attempts INTEGER NOT NULL,
    created_at INTEGER NOT NULL, last_attempt_at INTEGER NOT NULL, status TEXT NOT NULL, closed_at INTEGER, resolution TEXT
  );
  CREATE INDEX dead_letters_by_record ON dead_letters (account_id, stream, record_id, status);
  CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL, kind TEXT NOT NULL, record_id TEXT NOT NULL, reason_code TEXT NOT NULL, detail TEXT NOT NULL,
    status TEXT NOT NULL, resolution TEXT, created_at INTEGER NOT NULL, resolved_at INTEGER
  );
  CREATE UNIQUE INDEX reviews_open ON reviews (account_id, kind, record_id, reason_code) WHERE status = 'open';
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL, at INTEGER NOT NULL, run_id TEXT, stream TEXT NOT NULL, action TEXT NOT NULL,
    cliniko_id TEXT, tradify_id TEXT, cliniko_created_at TEXT, cliniko_updated_at TEXT, tradify_updated_at TEXT,
    changed_fields TEXT NOT NULL, request_id TEXT, reason_code TEXT
  );
  CREATE INDEX audit_by_time ON audit (account_id, at);
  CREATE INDEX audit_by_run ON audit (account_id, run_id);
  CREATE TABLE runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
    started_at INTEGER NOT NULL, finished_at INTEGER, summary TEXT,
    UNIQUE (account_id, id)
  );
  CREATE TABLE incidents (
    account_id TEXT NOT NULL, fingerprint TEXT NOT NULL, first_seen_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,
    last_alerted_at INTEGER, count INTEGER NOT NULL, state TEXT NOT NULL,
    PRIMARY KEY (account_id, fingerprint)
  ) WITHOUT ROWID;
  CREATE TABLE plans (
    account_id TEXT NOT NULL, id TEXT NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;
  CREATE TABLE staging (
    account_id TEXT NOT NULL, run_id TEXT NOT NULL, side TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, id_len INTEGER NOT NULL,
    key TEXT, fields TEXT NOT NULL, amounts TEXT, attributes TEXT,
    PRIMARY KEY (account_id, run_id, side, kind, id)
  );
  CREATE INDEX staging_in_order ON staging (account_id, run_id, side, kind, id_len, id);
  CREATE INDEX staging_by_key ON staging (account_id, run_id, side, kind, key);
  CREATE TABLE tradify_index (
    account_id TEXT NOT NULL, kind TEXT NOT NULL, tradify_id TEXT NOT NULL,
    external_reference TEXT, email_hash TEXT, updated_at TEXT, active INTEGER,
    PRIMARY KEY (account_id, kind, tradify_id)
  ) WITHOUT ROWID;
  CREATE INDEX tradify_index_by_ref ON tradify_index (account_id, kind, external_reference);
  CREATE INDEX tradify_index_by_email ON tradify_index (account_id, kind, email_hash);
  `,
  // lookups by key and by Cliniko id that also come back in order without a scan (queries name them with INDEXED BY)
  `
  DROP INDEX staging_by_key;
  CREATE INDEX staging_by_key_in_order ON staging (account_id, run_id, side, kind, key, id_len, id);
  CREATE INDEX links_by_cliniko ON links (account_id, kind, cliniko_id, seq);
  `,
  // 3: why the store ended a run and the release that last migrated the schema;
  // alert delivery per destination, so a failed delivery is sent again instead of counting as alerted
  `
  ALTER TABLE runs ADD COLUMN end_reason TEXT;
  ALTER TABLE schema_version ADD COLUMN package_version TEXT;
  ALTER TABLE incidents ADD COLUMN alert TEXT;
  ALTER TABLE incidents ADD COLUMN deliveries TEXT;
  ALTER TABLE incidents ADD COLUMN undelivered INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX incidents_undelivered ON incidents (account_id, first_seen_at) WHERE undelivered = 1;
  `,
];
