/**
 * The PostgreSQL schema, as numbered migrations run in order on open, all pending ones in one
 * transaction under an advisory lock (so two marcgate processes starting at once don't both
 * migrate). A migration is never edited after it has shipped; a change is a new migration.
 *
 * Choices, where they differ from SQLite's schema:
 * - MMS ID numbers and zone suffixes come from SEQUENCEs (`nextval` never blocks and never hands
 *   out a number twice, whatever the number of processes). A record's `id` is its MMS sequence
 *   number, so a bulk load knows the ids of the rows it inserts before it inserts them.
 * - Codes and MMS IDs are `COLLATE "C"`: byte order, the same as SQLite and JavaScript sort.
 * - Search is one `tsvector` column (`'simple'` configuration over the text normalized in
 *   JavaScript) with weights: title A, author B, subject C, the rest D. An index search asks for
 *   the weight (`word:A`), keyword for any; one GIN index serves both.
 * - MARC and raw job bytes are `bytea`, times `timestamptz`, job messages and logs `jsonb`;
 *   integration profile settings `json` (the text as given, like SQLite).
 */

/** One schema change. */
export interface PostgresMigration {
  readonly version: number;
  readonly sql: string;
}

/** Key of the advisory lock that serializes migrations (any fixed 64-bit number would do). */
export const MIGRATION_LOCK_KEY = 7_236_521_870_041;

/** The migrations, oldest first. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    sql: `
CREATE SEQUENCE mms_sequence AS bigint START 1;
CREATE SEQUENCE zone_sequence AS integer START 1 MAXVALUE 8999;

CREATE TABLE zones (
  code text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('institution', 'network')),
  suffix text NOT NULL UNIQUE,
  network text COLLATE "C" REFERENCES zones (code),
  created timestamptz NOT NULL
);

-- The current state of each record; earlier states are in record_versions.
-- id is the MMS sequence number (unique across zones).
CREATE TABLE records (
  id bigint PRIMARY KEY,
  mms_id text COLLATE "C" NOT NULL UNIQUE,
  zone text COLLATE "C" NOT NULL REFERENCES zones (code),
  marc bytea NOT NULL,
  format text NOT NULL,
  brief_level text NOT NULL,
  originating_version text,
  cz_linked boolean NOT NULL DEFAULT false,
  lock_by text,
  lock_since timestamptz,
  management_tag text NOT NULL,
  suppressed boolean NOT NULL DEFAULT false,
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL,
  version integer NOT NULL,
  saved_by text NOT NULL,
  action text NOT NULL,
  job_id bigint,
  title text NOT NULL,
  author text NOT NULL,
  date text NOT NULL,
  search tsvector NOT NULL
);
CREATE INDEX records_zone ON records (zone, mms_id);
CREATE INDEX records_search ON records USING gin (search);

-- Each row is a record as it was before a save: version N's content, who saved it and how.
CREATE TABLE record_versions (
  mms_id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  marc bytea NOT NULL,
  brief_level text NOT NULL,
  saved_by text NOT NULL,
  saved_at timestamptz NOT NULL,
  action text NOT NULL,
  job_id bigint,
  PRIMARY KEY (mms_id, version)
);

-- ord keeps the extractor's order of a record's keys.
CREATE TABLE match_keys (
  record_id bigint NOT NULL REFERENCES records (id),
  ord integer NOT NULL,
  kind text NOT NULL,
  value text NOT NULL,
  zone text COLLATE "C" NOT NULL,
  PRIMARY KEY (record_id, ord)
);
CREATE INDEX match_keys_lookup ON match_keys (kind, value, zone);

CREATE TABLE import_jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  institution text COLLATE "C" NOT NULL REFERENCES zones (code),
  source text NOT NULL,
  description text NOT NULL,
  started timestamptz NOT NULL,
  finished timestamptz
);
CREATE INDEX import_jobs_institution ON import_jobs (institution, id);

-- One row per incoming record, whatever became of it: the bytes exactly as received.
CREATE TABLE job_records (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id bigint NOT NULL REFERENCES import_jobs (id),
  raw bytea NOT NULL,
  outcome text NOT NULL,
  mms_id text COLLATE "C",
  messages jsonb NOT NULL,
  log jsonb NOT NULL,
  received timestamptz NOT NULL
);
CREATE INDEX job_records_job ON job_records (job_id, id);
CREATE INDEX job_records_mms ON job_records (mms_id);
`,
  },
  {
    version: 2,
    sql: `
-- An institution's integration profiles, one per type. Settings are json, not jsonb: the text is
-- kept as given (key order, and U+0000 escapes, which jsonb refuses), as SQLite keeps it.
CREATE TABLE integration_profiles (
  institution text COLLATE "C" NOT NULL REFERENCES zones (code),
  type text COLLATE "C" NOT NULL,
  code text NOT NULL,
  settings json NOT NULL,
  updated timestamptz NOT NULL,
  PRIMARY KEY (institution, type)
);
`,
  },
  {
    version: 3,
    sql: `
-- Why each incoming record came out as it did (the import layer's reason codes), the review of
-- rows held for review (open, forced, discarded: who, when, a note, the forced import's row),
-- the link of a forced import to its held row, and the undo of the row's change.
ALTER TABLE job_records
  ADD COLUMN reason_code text,
  ADD COLUMN review_state text CHECK (review_state IN ('open', 'forced', 'discarded')),
  ADD COLUMN reviewed_by text,
  ADD COLUMN reviewed_at timestamptz,
  ADD COLUMN review_note text,
  ADD COLUMN forced_entry bigint,
  ADD COLUMN forced_from bigint,
  ADD COLUMN undone_by text,
  ADD COLUMN undone_at timestamptz;
UPDATE job_records SET review_state = 'open' WHERE outcome = 'review';
-- The review queue: open rows only (small), by job.
CREATE INDEX job_records_open_review ON job_records (job_id, id) WHERE review_state = 'open';

-- A version keeps the management tag and originating version it had (NULL tag: saved before).
ALTER TABLE record_versions
  ADD COLUMN originating_version text,
  ADD COLUMN management_tag text;

-- Records deleted by an undo: what a restore needs to bring them back with their MMS ID and
-- id (their MARC is in record_versions, the last state included).
CREATE TABLE deleted_records (
  mms_id text COLLATE "C" PRIMARY KEY,
  record_id bigint NOT NULL,
  zone text COLLATE "C" NOT NULL REFERENCES zones (code),
  format text NOT NULL,
  originating_version text,
  cz_linked boolean NOT NULL,
  management_tag text NOT NULL,
  suppressed boolean NOT NULL,
  created timestamptz NOT NULL,
  version integer NOT NULL,
  deleted_by text NOT NULL,
  deleted_at timestamptz NOT NULL,
  action text NOT NULL,
  job_id bigint
);
`,
  },
  {
    version: 4,
    sql: `
-- Each institution's local fields of a network-zone record (Alma's local extensions), every
-- saved state; the current one is the highest version. fields: json text, as given.
-- No foreign key to records: a record's history may outlive its row.
CREATE TABLE local_fields (
  mms_id text COLLATE "C" NOT NULL,
  institution text COLLATE "C" NOT NULL REFERENCES zones (code),
  version integer NOT NULL,
  fields json NOT NULL,
  saved_by text NOT NULL,
  saved_at timestamptz NOT NULL,
  action text NOT NULL,
  job_id bigint,
  PRIMARY KEY (mms_id, institution, version)
);
`,
  },
  {
    version: 5,
    sql: `
-- Staff accounts (src/catalog/accounts.ts): passwords and keys only as hashes.
CREATE TABLE users (
  name text COLLATE "C" PRIMARY KEY,
  role text NOT NULL,
  password_hash text NOT NULL,
  created timestamptz NOT NULL
);

-- Browser sessions and API tokens, by the SHA-256 of their secret.
CREATE TABLE access_keys (
  hash text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('session', 'token')),
  user_name text COLLATE "C" NOT NULL REFERENCES users (name),
  label text NOT NULL,
  csrf text,
  created timestamptz NOT NULL,
  expires timestamptz
);
CREATE INDEX access_keys_user ON access_keys (user_name, kind);
`,
  },
  {
    // 6 is SQLite's full-text setting; the numbers stay those of the SQLite migrations.
    version: 7,
    sql: `
-- A job's counts by outcome from the index alone (an index-only scan), not from every job row.
CREATE INDEX job_records_outcome ON job_records (job_id, outcome);
`,
  },
  // 8 is SQLite's full-text merging.
  {
    // PostgreSQL only: one process owns an SQLite catalog and counts failed logons in memory.
    version: 9,
    sql: `
-- Failed logons, counted for every node on the catalog (src/catalog/postgres-throttle.ts).
CREATE TABLE logon_throttle (
  scope text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  state jsonb NOT NULL,
  until timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX logon_throttle_until ON logon_throttle (until);
`,
  },
  // 10 and 11 are left to work landing beside this one.
  {
    version: 12,
    sql: `
-- Which search normalization (SEARCH_TEXT_VERSION in search-text.ts) built the search vectors;
-- an older one is rebuilt on open from the records' MARC (postgres-search.ts).
CREATE TABLE search_text (version integer NOT NULL);
INSERT INTO search_text (version) VALUES (1);
-- Scan (browse) of titles and main authors, case folded, by zone.
CREATE INDEX records_title_scan ON records (zone, lower(title) COLLATE "C");
CREATE INDEX records_author_scan ON records (zone, lower(author) COLLATE "C");
`,
  },
  {
    version: 13,
    sql: `
-- The publishing log (src/publish/): one row for every change of a record's published state,
-- written by a trigger on records in the same transaction as the change, whatever code path
-- made it (import, merge, overlay, restore, undo, delete, an attribute change). Locks are not
-- changes. Consumers read it from their own high-water mark (publish_consumers.high_water).
-- Times are seconds-granular UTC text, as OAI-PMH wants them, from clock_timestamp().
CREATE TABLE publish_log (
  seq bigserial PRIMARY KEY,
  mms_id text COLLATE "C" NOT NULL,
  zone text COLLATE "C" NOT NULL,
  event text NOT NULL CHECK (event IN ('created', 'changed', 'deleted')),
  action text NOT NULL,
  version integer NOT NULL,
  management_tag text NOT NULL,
  suppressed boolean NOT NULL,
  record_type text NOT NULL,
  at text COLLATE "C" NOT NULL,
  -- The writing transaction: a record changed twice in one transaction (an undelete inserts the
  -- row, then sets its version) is one change, one row.
  tx bigint NOT NULL DEFAULT txid_current()
);
CREATE INDEX publish_log_record ON publish_log (mms_id, seq);
CREATE INDEX publish_log_zone ON publish_log (zone, seq);
-- Every record ever stored, deleted ones kept (deletes are persistent): what OAI-PMH lists.
CREATE TABLE publish_items (
  mms_id text COLLATE "C" PRIMARY KEY,
  zone text COLLATE "C" NOT NULL,
  record_type text NOT NULL,
  management_tag text NOT NULL,
  suppressed boolean NOT NULL,
  deleted boolean NOT NULL,
  datestamp text COLLATE "C" NOT NULL,
  seq bigint NOT NULL
);
CREATE INDEX publish_items_order ON publish_items (zone, datestamp, mms_id);
CREATE TABLE publish_consumers (
  name text COLLATE "C" PRIMARY KEY,
  high_water bigint NOT NULL,
  last_run text,
  last_count integer NOT NULL DEFAULT 0,
  last_files text NOT NULL DEFAULT '[]'
);
CREATE FUNCTION publish_record_type(marc bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN get_byte(marc, 0) = 123
    THEN coalesce(substr(convert_from(marc, 'UTF8')::jsonb ->> 'leader', 7, 1), ' ')
    ELSE chr(get_byte(marc, 6)) END
$$;
CREATE FUNCTION publish_log_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r records;
  ev text;
  act text;
  stamp text := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
  rt text;
  n bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    r := OLD; ev := 'deleted'; act := 'deleted';
  ELSE
    r := NEW; act := NEW.action;
    IF TG_OP = 'INSERT' THEN ev := 'created'; ELSE
      IF OLD.version IS NOT DISTINCT FROM NEW.version
        AND OLD.management_tag IS NOT DISTINCT FROM NEW.management_tag
        AND OLD.suppressed IS NOT DISTINCT FROM NEW.suppressed
        AND OLD.zone IS NOT DISTINCT FROM NEW.zone
        AND OLD.marc IS NOT DISTINCT FROM NEW.marc THEN
        RETURN NULL;
      END IF;
      ev := 'changed';
    END IF;
  END IF;
  rt := publish_record_type(r.marc);
  UPDATE publish_log SET zone = r.zone, action = act, version = r.version,
      management_tag = r.management_tag, suppressed = r.suppressed, record_type = rt,
      event = CASE WHEN ev = 'deleted' THEN ev WHEN event = 'created' THEN event ELSE ev END
    WHERE seq = (SELECT max(seq) FROM publish_log WHERE mms_id = r.mms_id)
      AND tx = txid_current()
    RETURNING seq INTO n;
  IF n IS NULL THEN
    INSERT INTO publish_log (mms_id, zone, event, action, version, management_tag, suppressed, record_type, at)
    VALUES (r.mms_id, r.zone, ev, act, r.version, r.management_tag, r.suppressed, rt, stamp)
    RETURNING seq INTO n;
  END IF;
  INSERT INTO publish_items (mms_id, zone, record_type, management_tag, suppressed, deleted, datestamp, seq)
  SELECT mms_id, zone, record_type, management_tag, suppressed, event = 'deleted', at, seq
    FROM publish_log WHERE seq = n
  ON CONFLICT (mms_id) DO UPDATE SET zone = excluded.zone, record_type = excluded.record_type,
    management_tag = excluded.management_tag, suppressed = excluded.suppressed,
    deleted = excluded.deleted, datestamp = excluded.datestamp, seq = excluded.seq;
  RETURN NULL;
END
$$;
CREATE TRIGGER records_publish AFTER INSERT OR UPDATE OR DELETE ON records
  FOR EACH ROW EXECUTE FUNCTION publish_log_write();
-- Records stored before this migration: in the log once, as created now.
INSERT INTO publish_log (mms_id, zone, event, action, version, management_tag, suppressed, record_type, at)
SELECT mms_id, zone, 'created', action, version, management_tag, suppressed, publish_record_type(marc),
  to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM records ORDER BY id;
INSERT INTO publish_items (mms_id, zone, record_type, management_tag, suppressed, deleted, datestamp, seq)
SELECT mms_id, zone, record_type, management_tag, suppressed, false, at, seq FROM publish_log;
`,
  },
  {
    version: 14,
    sql: `
-- Staff per institution: one role per institution a user works in, and the installation
-- administrator flag. Today's role becomes that role in every institution that exists now;
-- today's administrators also become installation administrators.
CREATE TABLE user_roles (
  user_name text COLLATE "C" NOT NULL REFERENCES users (name),
  institution text COLLATE "C" NOT NULL REFERENCES zones (code),
  role text NOT NULL,
  PRIMARY KEY (user_name, institution)
);
ALTER TABLE users ADD COLUMN installation_admin boolean NOT NULL DEFAULT false;
INSERT INTO user_roles (user_name, institution, role)
  SELECT u.name, z.code, u.role FROM users u CROSS JOIN zones z WHERE z.kind = 'institution';
UPDATE users SET installation_admin = true WHERE role = 'General System Administrator';
ALTER TABLE users DROP COLUMN role;
`,
  },
  {
    version: 15,
    sql: `
-- Authority records (issue 23): each record's kind, from its leader/06 ('z': authority, any
-- other type: bib), computed from the stored MARC (publish_record_type, migration 13) so that no
-- code path that writes a record can leave it wrong. Match-key look-ups compare one kind only.
ALTER TABLE records ADD COLUMN record_kind text GENERATED ALWAYS AS (
  CASE WHEN publish_record_type(marc) = 'z' THEN 'authority' ELSE 'bib' END) STORED;
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
  consumer text COLLATE "C" NOT NULL,
  mms_id text COLLATE "C" NOT NULL,
  zone text COLLATE "C" NOT NULL,
  published_as text NOT NULL,
  oclc_numbers text NOT NULL,
  sent text NOT NULL,
  seq bigint NOT NULL,
  at text NOT NULL,
  file text NOT NULL,
  PRIMARY KEY (consumer, mms_id)
);
CREATE INDEX publish_oclc_record ON publish_oclc (mms_id);
`,
  },
  {
    version: 17,
    sql: `
-- Several OCLC Connexion profiles per institution (issue 23): a profile is one of its
-- institution's profiles of a type, by its code (compared byte for byte, as SQLite does); the
-- profile an institution had becomes its default, the one a Connexion logon ID without "/CODE"
-- reaches (docs/connexion.md). At most one default per institution and type.
ALTER TABLE integration_profiles ADD COLUMN is_default boolean NOT NULL DEFAULT false;
UPDATE integration_profiles SET is_default = true;
ALTER TABLE integration_profiles ALTER COLUMN code TYPE text COLLATE "C";
ALTER TABLE integration_profiles DROP CONSTRAINT integration_profiles_pkey;
ALTER TABLE integration_profiles ADD PRIMARY KEY (institution, type, code);
CREATE UNIQUE INDEX integration_profiles_default ON integration_profiles (institution, type)
  WHERE is_default;
-- The code of the OCLC Connexion profile a job's records went through (forcing a held row
-- decides it again under that profile); NULL: the default (every job before this migration).
ALTER TABLE import_jobs ADD COLUMN profile text COLLATE "C";
`,
  },
];
