/**
 * The SQLite schema, as numbered migrations run in order on open (each once, in a transaction).
 * A migration is never edited after it has shipped; a change is a new migration.
 */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO counters (name, value) VALUES ('mms', 0), ('zone', 0);

CREATE TABLE zones (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('institution', 'network')),
  suffix TEXT NOT NULL UNIQUE,
  network TEXT REFERENCES zones (code),
  created TEXT NOT NULL
);

-- The current state of each record; earlier states are in record_versions.
CREATE TABLE records (
  id INTEGER PRIMARY KEY,
  mms_id TEXT NOT NULL UNIQUE,
  zone TEXT NOT NULL REFERENCES zones (code),
  marc BLOB NOT NULL,
  format TEXT NOT NULL,
  brief_level TEXT NOT NULL,
  originating_version TEXT,
  cz_linked INTEGER NOT NULL DEFAULT 0,
  lock_by TEXT,
  lock_since TEXT,
  management_tag TEXT NOT NULL,
  suppressed INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL,
  updated TEXT NOT NULL,
  version INTEGER NOT NULL,
  saved_by TEXT NOT NULL,
  action TEXT NOT NULL,
  job_id INTEGER,
  title TEXT NOT NULL,
  author TEXT NOT NULL,
  date TEXT NOT NULL
);
CREATE INDEX records_zone ON records (zone, mms_id);

-- Each row is a record as it was before a save: version N's content, who saved it and how.
CREATE TABLE record_versions (
  mms_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  marc BLOB NOT NULL,
  brief_level TEXT NOT NULL,
  saved_by TEXT NOT NULL,
  saved_at TEXT NOT NULL,
  action TEXT NOT NULL,
  job_id INTEGER,
  PRIMARY KEY (mms_id, version)
) WITHOUT ROWID;

-- One b-tree for look-ups (the primary key) and one to replace a record's keys.
CREATE TABLE match_keys (
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  zone TEXT NOT NULL,
  record_id INTEGER NOT NULL REFERENCES records (id),
  PRIMARY KEY (kind, value, zone, record_id)
) WITHOUT ROWID;
CREATE INDEX match_keys_record ON match_keys (record_id);

-- Search text, normalized in JavaScript (search-text.ts); rowid = records.id. The zone column
-- holds one token per record ("z" + suffix) so zone filtering, counting and ranking stay
-- inside FTS5. Queries are words ANDed, never phrases: column detail is enough.
CREATE VIRTUAL TABLE records_fts USING fts5 (
  title, author, subject, keyword, zone,
  content = '', contentless_delete = 1, detail = column,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE import_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  institution TEXT NOT NULL REFERENCES zones (code),
  source TEXT NOT NULL,
  description TEXT NOT NULL,
  started TEXT NOT NULL,
  finished TEXT
);
CREATE INDEX import_jobs_institution ON import_jobs (institution, id);

-- One row per incoming record, whatever became of it: the bytes exactly as received.
CREATE TABLE job_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id INTEGER NOT NULL REFERENCES import_jobs (id),
  raw BLOB NOT NULL,
  outcome TEXT NOT NULL,
  mms_id TEXT,
  messages TEXT NOT NULL,
  log TEXT NOT NULL,
  received TEXT NOT NULL
);
CREATE INDEX job_records_job ON job_records (job_id, id);
CREATE INDEX job_records_mms ON job_records (mms_id);
`,
  },
  {
    version: 2,
    sql: `
-- An institution's integration profiles, one per type; settings are JSON text, kept as given.
CREATE TABLE integration_profiles (
  institution TEXT NOT NULL REFERENCES zones (code),
  type TEXT NOT NULL,
  code TEXT NOT NULL,
  settings TEXT NOT NULL,
  updated TEXT NOT NULL,
  PRIMARY KEY (institution, type)
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    sql: `
-- Why each incoming record came out as it did (the import layer's reason codes), the review of
-- rows held for review (open, forced, discarded: who, when, a note, the forced import's row),
-- the link of a forced import to its held row, and the undo of the row's change.
ALTER TABLE job_records ADD COLUMN reason_code TEXT;
ALTER TABLE job_records ADD COLUMN review_state TEXT
  CHECK (review_state IN ('open', 'forced', 'discarded'));
ALTER TABLE job_records ADD COLUMN reviewed_by TEXT;
ALTER TABLE job_records ADD COLUMN reviewed_at TEXT;
ALTER TABLE job_records ADD COLUMN review_note TEXT;
ALTER TABLE job_records ADD COLUMN forced_entry INTEGER;
ALTER TABLE job_records ADD COLUMN forced_from INTEGER;
ALTER TABLE job_records ADD COLUMN undone_by TEXT;
ALTER TABLE job_records ADD COLUMN undone_at TEXT;
UPDATE job_records SET review_state = 'open' WHERE outcome = 'review';
-- The review queue: open rows only (small), by job.
CREATE INDEX job_records_open_review ON job_records (job_id, id) WHERE review_state = 'open';

-- A version keeps the management tag and originating version it had (NULL tag: saved before).
ALTER TABLE record_versions ADD COLUMN originating_version TEXT;
ALTER TABLE record_versions ADD COLUMN management_tag TEXT;

-- Records deleted by an undo: what a restore needs to bring them back with their MMS ID (their
-- MARC is in record_versions, the last state included).
CREATE TABLE deleted_records (
  mms_id TEXT PRIMARY KEY,
  record_id INTEGER NOT NULL,
  zone TEXT NOT NULL REFERENCES zones (code),
  format TEXT NOT NULL,
  originating_version TEXT,
  cz_linked INTEGER NOT NULL,
  management_tag TEXT NOT NULL,
  suppressed INTEGER NOT NULL,
  created TEXT NOT NULL,
  version INTEGER NOT NULL,
  deleted_by TEXT NOT NULL,
  deleted_at TEXT NOT NULL,
  action TEXT NOT NULL,
  job_id INTEGER
) WITHOUT ROWID;
`,
  },
  {
    version: 4,
    sql: `
-- Each institution's local fields of a network-zone record (Alma's local extensions), every
-- saved state; the current one is the highest version. fields: the fields as JSON text.
-- No foreign key to records: a record's history may outlive its row.
CREATE TABLE local_fields (
  mms_id TEXT NOT NULL,
  institution TEXT NOT NULL REFERENCES zones (code),
  version INTEGER NOT NULL,
  fields TEXT NOT NULL,
  saved_by TEXT NOT NULL,
  saved_at TEXT NOT NULL,
  action TEXT NOT NULL,
  job_id INTEGER,
  PRIMARY KEY (mms_id, institution, version)
) WITHOUT ROWID;
`,
  },
  {
    version: 5,
    sql: `
-- Staff accounts (src/catalog/accounts.ts): passwords and keys only as hashes.
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created TEXT NOT NULL
) WITHOUT ROWID;

-- Browser sessions and API tokens, by the SHA-256 of their secret.
CREATE TABLE access_keys (
  hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('session', 'token')),
  user_name TEXT NOT NULL REFERENCES users (name),
  label TEXT NOT NULL,
  csrf TEXT,
  created TEXT NOT NULL,
  expires TEXT
) WITHOUT ROWID;
CREATE INDEX access_keys_user ON access_keys (user_name, kind);
`,
  },
  {
    // 5 is taken by work landing beside this one (users).
    version: 6,
    sql: `
-- FTS5 merges its b-trees of segments 8 at a time instead of 4: each Connexion commit writes a
-- small segment, and merging them 4 by 4 rewrote every token about twice as often. Measured on
-- a 100,000-record catalog, batches of 32 merges and creates: 0.54 → 0.39 ms of CPU per record.
-- Queries read at most 8 segments per level instead of 4.
INSERT INTO records_fts (records_fts, rank) VALUES ('automerge', 8);
`,
  },
  {
    version: 7,
    sql: `
-- A job's counts by outcome (every job report, the job list, the end of an import) from the
-- index alone: without it each count read every job row (~3.5 KB each, raw bytes and log),
-- 150 ms for a 100,000-record job.
CREATE INDEX job_records_outcome ON job_records (job_id, outcome);
`,
  },
  {
    version: 8,
    sql: `
-- The catalog merges the full-text index's segments itself, a few pages at the end of every
-- write transaction (SEARCH_MERGE_PAGES in sqlite.ts), instead of FTS5's automatic merging,
-- which did ~400 pages at once on whichever commit crossed its threshold: 12–30 ms commits, and
-- the slowest Connexion replies. A level is merged when it holds 8 segments, as automerge 8 did.
INSERT INTO records_fts (records_fts, rank) VALUES ('automerge', 0);
INSERT INTO records_fts (records_fts, rank) VALUES ('usermerge', 8);
`,
  },
  {
    // 9–11 are left to work landing beside this one.
    version: 12,
    sql: `
-- Search with rank, phrases and an exact-title tier: the full-text table keeps positions
-- (detail = full; bm25 scored every hit 0 with detail = column, and phrases were refused).
-- It is filled again from the records' MARC on open (SEARCH_TEXT_VERSION in search-text.ts:
-- the counter says which normalization the index was built with).
DROP TABLE records_fts;
CREATE VIRTUAL TABLE records_fts USING fts5 (
  title, author, subject, keyword, zone,
  content = '', contentless_delete = 1, detail = full,
  tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO records_fts (records_fts, rank) VALUES ('automerge', 0);
INSERT INTO records_fts (records_fts, rank) VALUES ('usermerge', 8);
INSERT INTO counters (name, value) VALUES ('search_text', 1)
  ON CONFLICT (name) DO UPDATE SET value = 1;
-- Scan (browse) of titles and main authors, case folded, by zone.
CREATE INDEX records_title_scan ON records (zone, lower(title));
CREATE INDEX records_author_scan ON records (zone, lower(author));
-- Suppressed records, which SRU and Z39.50 leave out (few: a partial index).
CREATE INDEX records_suppressed ON records (id) WHERE suppressed = 1;
`,
  },
  {
    version: 13,
    sql: `
-- The publishing log (src/publish/): one row for every change of a record's published state,
-- written by triggers on records in the same transaction as the change, whatever code path
-- made it (import, merge, overlay, restore, undo, delete, an attribute change). Locks are not
-- changes. Consumers read it from their own high-water mark (publish_consumers.high_water).
CREATE TABLE publish_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  mms_id TEXT NOT NULL,
  zone TEXT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('created', 'changed', 'deleted')),
  action TEXT NOT NULL,
  version INTEGER NOT NULL,
  management_tag TEXT NOT NULL,
  suppressed INTEGER NOT NULL,
  record_type TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX publish_log_zone ON publish_log (zone, seq);
-- Every record ever stored, deleted ones kept (deletes are persistent): what OAI-PMH lists.
CREATE TABLE publish_items (
  mms_id TEXT PRIMARY KEY,
  zone TEXT NOT NULL,
  record_type TEXT NOT NULL,
  management_tag TEXT NOT NULL,
  suppressed INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  datestamp TEXT NOT NULL,
  seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX publish_items_order ON publish_items (zone, datestamp, mms_id);
CREATE TABLE publish_consumers (
  name TEXT PRIMARY KEY,
  high_water INTEGER NOT NULL,
  last_run TEXT,
  last_count INTEGER NOT NULL DEFAULT 0,
  last_files TEXT NOT NULL DEFAULT '[]'
);
CREATE TRIGGER records_publish_insert AFTER INSERT ON records BEGIN
  INSERT INTO publish_log (mms_id, zone, event, action, version, management_tag, suppressed, record_type, at)
  VALUES (NEW.mms_id, NEW.zone, 'created', NEW.action, NEW.version, NEW.management_tag, NEW.suppressed,
    ${recordType("NEW")}, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
  ${upsertItem("0")}
END;
CREATE TRIGGER records_publish_update AFTER UPDATE OF marc, version, management_tag, suppressed, zone ON records
WHEN OLD.version IS NOT NEW.version OR OLD.management_tag IS NOT NEW.management_tag
  OR OLD.suppressed IS NOT NEW.suppressed OR OLD.zone IS NOT NEW.zone OR OLD.marc IS NOT NEW.marc
BEGIN
  INSERT INTO publish_log (mms_id, zone, event, action, version, management_tag, suppressed, record_type, at)
  VALUES (NEW.mms_id, NEW.zone, 'changed', NEW.action, NEW.version, NEW.management_tag, NEW.suppressed,
    ${recordType("NEW")}, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
  ${upsertItem("0")}
END;
CREATE TRIGGER records_publish_delete AFTER DELETE ON records BEGIN
  INSERT INTO publish_log (mms_id, zone, event, action, version, management_tag, suppressed, record_type, at)
  VALUES (OLD.mms_id, OLD.zone, 'deleted', 'deleted', OLD.version, OLD.management_tag, OLD.suppressed,
    ${recordType("OLD")}, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
  ${upsertItem("1")}
END;
-- Records stored before this migration: in the log once, as created now.
INSERT INTO publish_log (mms_id, zone, event, action, version, management_tag, suppressed, record_type, at)
SELECT mms_id, zone, 'created', action, version, management_tag, suppressed, ${recordType("records")},
  strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM records ORDER BY id;
INSERT INTO publish_items (mms_id, zone, record_type, management_tag, suppressed, deleted, datestamp, seq)
SELECT mms_id, zone, record_type, management_tag, suppressed, 0, at, seq FROM publish_log;
`,
  },
  {
    version: 14,
    sql: `
-- Staff per institution (src/catalog/accounts.ts): a user has one role in each institution they
-- work in, and separately may be an installation administrator. Today's accounts keep working:
-- each user's role becomes that role in every institution that exists now, and today's
-- administrators also become installation administrators.
CREATE TABLE user_roles (
  user_name TEXT NOT NULL REFERENCES users (name),
  institution TEXT NOT NULL REFERENCES zones (code),
  role TEXT NOT NULL,
  PRIMARY KEY (user_name, institution)
) WITHOUT ROWID;
ALTER TABLE users ADD COLUMN installation_admin INTEGER NOT NULL DEFAULT 0;
INSERT INTO user_roles (user_name, institution, role)
  SELECT u.name, z.code, u.role FROM users u, zones z WHERE z.kind = 'institution';
UPDATE users SET installation_admin = 1 WHERE role = 'General System Administrator';
ALTER TABLE users DROP COLUMN role;
`,
  },
  {
    version: 15,
    sql: `
-- Authority records (issue 23): each record's kind, from its leader/06 ('z': authority, any
-- other type: bib), computed by SQLite from the stored MARC so that no code path that writes a
-- record can leave it wrong. Match-key look-ups compare records of one kind only.
ALTER TABLE records ADD COLUMN record_kind TEXT GENERATED ALWAYS AS (
  CASE WHEN ${leaderType("marc")} = 'z' THEN 'authority' ELSE 'bib' END) VIRTUAL;
`,
  },
  {
    version: 16,
    sql: `
-- What each OCLC Data Sync consumer last sent of each record (src/publish/datasync.ts): how it
-- is published (bib, holdings, withdrawn), the OCLC numbers it carried (JSON array), what the
-- last file said of it (leader/05 n/c/d, set, delete, kept), the log row it reflects and when. Written with the consumer's high-water mark in one
-- transaction, after the files are in place.
CREATE TABLE publish_oclc (
  consumer TEXT NOT NULL,
  mms_id TEXT NOT NULL,
  zone TEXT NOT NULL,
  published_as TEXT NOT NULL,
  oclc_numbers TEXT NOT NULL,
  sent TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  file TEXT NOT NULL,
  PRIMARY KEY (consumer, mms_id)
) WITHOUT ROWID;
CREATE INDEX publish_oclc_record ON publish_oclc (mms_id);
`,
  },
  {
    version: 17,
    sql: `
-- Several OCLC Connexion profiles per institution (issue 23): a profile is one of its
-- institution's profiles of a type, by its code; the profile an institution had becomes its
-- default, the one a Connexion logon ID without "/CODE" reaches (docs/connexion.md). At most one
-- default per institution and type (the partial unique index).
CREATE TABLE integration_profiles_17 (
  institution TEXT NOT NULL REFERENCES zones (code),
  type TEXT NOT NULL,
  code TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  settings TEXT NOT NULL,
  updated TEXT NOT NULL,
  PRIMARY KEY (institution, type, code)
) WITHOUT ROWID;
INSERT INTO integration_profiles_17 (institution, type, code, is_default, settings, updated)
SELECT institution, type, code, 1, settings, updated FROM integration_profiles;
DROP TABLE integration_profiles;
ALTER TABLE integration_profiles_17 RENAME TO integration_profiles;
CREATE UNIQUE INDEX integration_profiles_default ON integration_profiles (institution, type)
  WHERE is_default = 1;
-- The code of the OCLC Connexion profile a job's records went through (forcing a held row
-- decides it again under that profile); NULL: the default (every job before this migration).
ALTER TABLE import_jobs ADD COLUMN profile TEXT;
`,
  },
];

/** leader/06 (type of record) of a stored record, in SQL: ISO 2709 bytes or MARC-in-JSON. */
function recordType(row: string): string {
  return leaderType(`${row}.marc`);
}

/** leader/06 of the MARC in a column (ISO 2709 bytes or MARC-in-JSON), in SQL. */
function leaderType(marc: string): string {
  return `CASE WHEN substr(CAST(${marc} AS TEXT), 1, 1) = '{'
    THEN coalesce(substr(json_extract(CAST(${marc} AS TEXT), '$.leader'), 7, 1), ' ')
    ELSE substr(CAST(${marc} AS TEXT), 7, 1) END`;
}

/** The trigger statement that sets a record's publish_items row from the log row just written. */
function upsertItem(deleted: string): string {
  return `INSERT INTO publish_items (mms_id, zone, record_type, management_tag, suppressed, deleted, datestamp, seq)
  SELECT mms_id, zone, record_type, management_tag, suppressed, ${deleted}, at, seq
    FROM publish_log WHERE seq = last_insert_rowid()
  ON CONFLICT (mms_id) DO UPDATE SET zone = excluded.zone, record_type = excluded.record_type,
    management_tag = excluded.management_tag, suppressed = excluded.suppressed, deleted = ${deleted},
    datestamp = excluded.datestamp, seq = excluded.seq;`;
}
