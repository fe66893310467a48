/**
 * The PostgreSQL schema as ordered migrations: entry n brings the schema to version n + 1.
 * Append new entries; never edit a released one. `{schema}` is replaced by the quoted schema
 * name. Id columns use the "C" collation so `ORDER BY length(id), id` is numeric order for digit
 * ids whatever the database's locale. Columns hold ids, timestamps (epoch ms), field names,
 * reason codes and hashes only: never patient data (`docs/architecture.md#privacy-by-shape`).
 *
 * @internal
 * @module
 */

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE {schema}.leases (
    account_id text COLLATE "C" PRIMARY KEY,
    fence bigint NOT NULL,
    token text,
    owner text,
    acquired_at bigint,
    expires_at bigint,
    depth integer NOT NULL DEFAULT 0
  );
  CREATE TABLE {schema}.cursors (
    account_id text COLLATE "C" NOT NULL, stream text NOT NULL, updated_at text NOT NULL, id text NOT NULL, extra jsonb,
    PRIMARY KEY (account_id, stream)
  );
  CREATE TABLE {schema}.seen (
    account_id text COLLATE "C" NOT NULL, stream text NOT NULL, id text COLLATE "C" NOT NULL, updated_at text NOT NULL, updated_ms bigint NOT NULL,
    PRIMARY KEY (account_id, stream, id, updated_at)
  );
  CREATE INDEX seen_by_time ON {schema}.seen (account_id, stream, updated_ms);
  CREATE TABLE {schema}.links (
    seq bigserial PRIMARY KEY,
    account_id text COLLATE "C" NOT NULL, kind text NOT NULL, cliniko_id text COLLATE "C" NOT NULL, tradify_id text COLLATE "C" NOT NULL,
    status text NOT NULL, revision integer NOT NULL DEFAULT 0,
    external_reference text, tradify_updated_at text, merged_into text,
    created_at bigint NOT NULL, updated_at bigint NOT NULL, superseded_at bigint, superseded_reason text
  );
  CREATE UNIQUE INDEX links_current ON {schema}.links (account_id, kind, cliniko_id) WHERE status = 'current';
  CREATE INDEX links_by_tradify ON {schema}.links (account_id, kind, tradify_id);
  CREATE INDEX links_in_order ON {schema}.links (account_id, kind, length(cliniko_id), cliniko_id, seq);
  CREATE TABLE {schema}.hashes (
    account_id text COLLATE "C" NOT NULL, kind text NOT NULL, cliniko_id text COLLATE "C" NOT NULL, hash text NOT NULL,
    PRIMARY KEY (account_id, kind, cliniko_id)
  );
  CREATE TABLE {schema}.dead_letters (
    id bigserial PRIMARY KEY,
    account_id text COLLATE "C" NOT NULL, stream text NOT NULL, record_id text NOT NULL, updated_at text,
    reason_code text NOT NULL, message text NOT NULL, paths jsonb NOT NULL, attempts integer NOT NULL,
    created_at bigint NOT NULL, last_attempt_at bigint NOT NULL, status text NOT NULL, closed_at bigint, resolution text
  );
  CREATE UNIQUE INDEX dead_letters_open ON {schema}.dead_letters (account_id, stream, record_id) WHERE status = 'open';
  CREATE TABLE {schema}.reviews (
    id bigserial PRIMARY KEY,
    account_id text COLLATE "C" NOT NULL, kind text NOT NULL, record_id text NOT NULL, reason_code text NOT NULL, detail jsonb NOT NULL,
    status text NOT NULL, resolution text, created_at bigint NOT NULL, resolved_at bigint
  );
  CREATE UNIQUE INDEX reviews_open ON {schema}.reviews (account_id, kind, record_id, reason_code) WHERE status = 'open';
  CREATE TABLE {schema}.audit (
    id bigserial PRIMARY KEY,
    account_id text COLLATE "C" NOT NULL, at bigint NOT NULL, run_id text, stream text NOT NULL, action text NOT NULL,
    cliniko_id text, tradify_id text, cliniko_created_at text, cliniko_updated_at text, tradify_updated_at text,
    changed_fields jsonb NOT NULL, request_id text, reason_code text
  );
  CREATE INDEX audit_by_time ON {schema}.audit (account_id, at);
  CREATE INDEX audit_by_run ON {schema}.audit (account_id, run_id);
  CREATE TABLE {schema}.runs (
    seq bigserial PRIMARY KEY,
    account_id text COLLATE "C" NOT NULL, id text NOT NULL, kind text NOT NULL, status text NOT NULL,
    started_at bigint NOT NULL, finished_at bigint, summary jsonb,
    UNIQUE (account_id, id)
  );
  CREATE TABLE {schema}.incidents (
    account_id text COLLATE "C" NOT NULL, fingerprint text NOT NULL, first_seen_at bigint NOT NULL, last_seen_at bigint NOT NULL,
    last_alerted_at bigint, count integer NOT NULL, state text NOT NULL,
    PRIMARY KEY (account_id, fingerprint)
  );
  CREATE TABLE {schema}.plans (
    account_id text COLLATE "C" NOT NULL, id text NOT NULL, created_at bigint NOT NULL, data jsonb NOT NULL,
    PRIMARY KEY (account_id, id)
  );
  CREATE TABLE {schema}.staging (
    account_id text COLLATE "C" NOT NULL, run_id text NOT NULL, side text NOT NULL, kind text NOT NULL, id text COLLATE "C" NOT NULL,
    key text, fields jsonb NOT NULL, amounts jsonb, attributes jsonb,
    PRIMARY KEY (account_id, run_id, side, kind, id)
  );
  CREATE INDEX staging_in_order ON {schema}.staging (account_id, run_id, side, kind, length(id), id);
  CREATE INDEX staging_by_key ON {schema}.staging (account_id, run_id, side, kind, key);
  CREATE TABLE {schema}.tradify_index (
    account_id text COLLATE "C" NOT NULL, kind text NOT NULL, tradify_id text COLLATE "C" NOT NULL,
    external_reference text, email_hash text, updated_at text, active boolean,
    PRIMARY KEY (account_id, kind, tradify_id)
  );
  CREATE INDEX tradify_index_by_ref ON {schema}.tradify_index (account_id, kind, external_reference);
  CREATE INDEX tradify_index_by_email ON {schema}.tradify_index (account_id, kind, email_hash);
  `,
  // 2: the multi-account worker's job claims (a worker-level heartbeat so a dead worker's job is failed over).
  `
  CREATE TABLE {schema}.worker_claims (
    job_id text PRIMARY KEY,
    queue text NOT NULL,
    account_id text COLLATE "C" NOT NULL,
    owner text NOT NULL,
    claimed_at bigint NOT NULL,
    heartbeat_at bigint NOT NULL
  );
  CREATE INDEX worker_claims_by_heartbeat ON {schema}.worker_claims (heartbeat_at);
  `,
  // 3: why the store ended a run and the release that last migrated the schema;
  // alert delivery per destination, so a failed delivery is sent again instead of counting as alerted
  `
  ALTER TABLE {schema}.runs ADD COLUMN end_reason text;
  ALTER TABLE {schema}.schema_version ADD COLUMN package_version text;
  ALTER TABLE {schema}.incidents ADD COLUMN alert jsonb;
  ALTER TABLE {schema}.incidents ADD COLUMN deliveries jsonb;
  ALTER TABLE {schema}.incidents ADD COLUMN undelivered boolean NOT NULL DEFAULT false;
  CREATE INDEX incidents_undelivered ON {schema}.incidents (account_id, first_seen_at) WHERE undelivered;
  `,
];
