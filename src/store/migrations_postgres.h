/* migrations_postgres.h — the PostgreSQL schema as numbered migrations.
 *
 * Entry N (1-based) is migration N; never edit one that has shipped, add
 * the next. Kept in step with migrations_sqlite.h: same tables, columns
 * and meaning; ids are BIGSERIAL/BIGINT, instants BIGINT ms UTC (0 = not
 * set), enums INTEGER, flags INTEGER 0/1. Included by postgres.c only. */
#ifndef PARLEY_STORE_MIGRATIONS_POSTGRES_H
#define PARLEY_STORE_MIGRATIONS_POSTGRES_H

static const char *const postgres_migrations[] = {
    NULL,
    /* 1: the initial schema */
    "CREATE TABLE customers (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  name TEXT, tier TEXT, language TEXT,\n"
    "  merged_into BIGINT NOT NULL DEFAULT 0,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL);\n"
    "CREATE TABLE identities (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  customer_id BIGINT NOT NULL REFERENCES customers (id),\n"
    "  kind INTEGER NOT NULL,\n"
    "  value TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  UNIQUE (kind, value));\n"
    "CREATE INDEX identities_customer ON identities (customer_id);\n"
    "CREATE TABLE users (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  email TEXT NOT NULL UNIQUE,\n"
    "  name TEXT,\n"
    "  role INTEGER NOT NULL,\n"
    "  skills TEXT, languages TEXT, password_hash TEXT,\n"
    "  active INTEGER NOT NULL DEFAULT 1,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE TABLE tickets (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  customer_id BIGINT NOT NULL REFERENCES customers (id),\n"
    "  subject TEXT,\n"
    "  status INTEGER NOT NULL,\n"
    "  priority INTEGER NOT NULL,\n"
    "  category TEXT,\n"
    "  channel INTEGER NOT NULL,\n"
    "  thread TEXT,\n"
    "  language TEXT,\n"
    "  assignee_id BIGINT NOT NULL DEFAULT 0,\n"
    "  sla_first_due BIGINT NOT NULL DEFAULT 0,\n"
    "  sla_next_due BIGINT NOT NULL DEFAULT 0,\n"
    "  sla_resolve_due BIGINT NOT NULL DEFAULT 0,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL,\n"
    "  first_response_at BIGINT NOT NULL DEFAULT 0,\n"
    "  resolved_at BIGINT NOT NULL DEFAULT 0,\n"
    "  closed_at BIGINT NOT NULL DEFAULT 0,\n"
    "  message_count INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX tickets_status_priority ON tickets (status, priority, id);\n"
    "CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);\n"
    "CREATE INDEX tickets_status_created ON tickets (status, created_at, id);\n"
    "CREATE INDEX tickets_assignee ON tickets (assignee_id, status, priority, id);\n"
    "CREATE INDEX tickets_customer_thread ON tickets (customer_id, thread);\n"
    "CREATE INDEX tickets_updated ON tickets (updated_at, id);\n"
    "CREATE INDEX tickets_created ON tickets (created_at, id);\n"
    "CREATE TABLE messages (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  ticket_id BIGINT NOT NULL REFERENCES tickets (id),\n"
    "  kind INTEGER NOT NULL,\n"
    "  channel INTEGER NOT NULL,\n"
    "  author_user_id BIGINT NOT NULL DEFAULT 0,\n"
    "  author_customer_id BIGINT NOT NULL DEFAULT 0,\n"
    "  body TEXT,\n"
    "  external_id TEXT,\n"
    "  analysis TEXT,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE INDEX messages_ticket ON messages (ticket_id, id);\n"
    "CREATE UNIQUE INDEX messages_external ON messages (external_id)\n"
    "  WHERE external_id IS NOT NULL;\n"
    /* A sequence never hands out an id twice, even after a rollback;
     * with the desk's single writer, ids also commit in order. */
    "CREATE TABLE events (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  type TEXT NOT NULL,\n"
    "  actor_kind INTEGER NOT NULL,\n"
    "  actor_id BIGINT NOT NULL DEFAULT 0,\n"
    "  ticket_id BIGINT NOT NULL DEFAULT 0,\n"
    "  customer_id BIGINT NOT NULL DEFAULT 0,\n"
    "  message_id BIGINT NOT NULL DEFAULT 0,\n"
    "  before_json TEXT,\n"
    "  after_json TEXT,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE INDEX events_ticket ON events (ticket_id, id);\n"
    "CREATE INDEX events_customer ON events (customer_id, id);\n"
    "CREATE TABLE sessions (\n"
    "  token_hash TEXT PRIMARY KEY,\n"
    "  user_id BIGINT NOT NULL REFERENCES users (id),\n"
    "  expires_at BIGINT NOT NULL);\n"
    "CREATE INDEX sessions_user ON sessions (user_id);\n"
    "CREATE INDEX sessions_expires ON sessions (expires_at);\n"
    "CREATE TABLE apikeys (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  role INTEGER NOT NULL,\n"
    "  key_hash TEXT NOT NULL UNIQUE,\n"
    "  created_by BIGINT NOT NULL DEFAULT 0,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  revoked INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE settings (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL);\n",
    /* 2: the tamper-evident log (src/ledger/): one leaf hash (hex) per
     * event in log order, and the signed checkpoints by tree size */
    "CREATE TABLE ledger_leaves (\n"
    "  idx BIGINT PRIMARY KEY,\n"
    "  event_id BIGINT NOT NULL UNIQUE,\n"
    "  hash TEXT NOT NULL);\n"
    "CREATE TABLE ledger_checkpoints (\n"
    "  size BIGINT PRIMARY KEY,\n"
    "  note TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL);\n",
    /* 3: the latest triage of a ticket (struct ticket: emotion,
     * hostility per mille, escalated, triage JSON) */
    "ALTER TABLE tickets ADD COLUMN emotion TEXT;\n"
    "ALTER TABLE tickets ADD COLUMN hostility INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE tickets ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE tickets ADD COLUMN triage TEXT;\n",    /* 4: knowledge base (tsvector by the article's language), full-text
     * search (GIN expression indexes, config russian: Cyrillic words by the
     * Russian stemmer, Latin ones by the English) and chats (docs/chat.md) */
    "CREATE TABLE kb_articles (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  language TEXT NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  category TEXT,\n"
    "  body TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL,\n"
    "  tsv tsvector GENERATED ALWAYS AS (\n"
    "    setweight(to_tsvector(CASE WHEN language = 'ru' THEN 'russian'::regconfig ELSE 'english'::regconfig END, title), 'A') ||\n"
    "    setweight(to_tsvector(CASE WHEN language = 'ru' THEN 'russian'::regconfig ELSE 'english'::regconfig END, body), 'B')) STORED);\n"
    "CREATE INDEX kb_articles_tsv ON kb_articles USING GIN (tsv);\n"
    "CREATE INDEX kb_articles_language ON kb_articles (language, id);\n"
    "CREATE INDEX messages_fts ON messages USING GIN (to_tsvector('russian', body));\n"
    "CREATE INDEX tickets_fts ON tickets USING GIN (to_tsvector('russian', coalesce(subject, '')));\n"
    "CREATE INDEX customers_fts ON customers USING GIN (to_tsvector('russian', coalesce(name, '')));\n"
    "CREATE TABLE chats (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  token_hash TEXT NOT NULL UNIQUE,\n"
    "  customer_id BIGINT NOT NULL DEFAULT 0,\n"
    "  ticket_id BIGINT NOT NULL DEFAULT 0,\n"
    "  language TEXT,\n"
    "  handoff INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at BIGINT NOT NULL);\n",
    /* 5: canned responses (docs/api.md), tagged by emotion and category */
    "CREATE TABLE canned_responses (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  language TEXT NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  body TEXT NOT NULL,\n"
    "  emotion TEXT,\n"
    "  category TEXT,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL);\n",
    /* 6: witnesses of the tamper-evident log and their cosignatures of
     * checkpoints, one line per (checkpoint size, witness) */
    "CREATE TABLE ledger_witnesses (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  vkey TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE TABLE ledger_cosignatures (\n"
    "  size BIGINT NOT NULL,\n"
    "  witness TEXT NOT NULL,\n"
    "  line TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  PRIMARY KEY (size, witness));\n",
    /* 7: dispute panels (docs/ledger.md): a question on a ticket, the
     * reviewers who decide it, their votes (one each; each also an event)
     * and the decision taken at the quorum */
    "CREATE TABLE disputes (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  ticket_id BIGINT NOT NULL,\n"
    "  question TEXT NOT NULL,\n"
    "  quorum INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  decision TEXT,\n"
    "  created_by BIGINT NOT NULL DEFAULT 0,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  decided_at BIGINT NOT NULL DEFAULT 0,\n"
    "  decision_event_id BIGINT NOT NULL DEFAULT 0);\n"
    "CREATE INDEX disputes_status ON disputes (status, id);\n"
    "CREATE TABLE dispute_reviewers (\n"
    "  dispute_id BIGINT NOT NULL,\n"
    "  user_id BIGINT NOT NULL,\n"
    "  PRIMARY KEY (dispute_id, user_id));\n"
    "CREATE TABLE dispute_votes (\n"
    "  dispute_id BIGINT NOT NULL,\n"
    "  user_id BIGINT NOT NULL,\n"
    "  decision TEXT NOT NULL,\n"
    "  reason TEXT,\n"
    "  event_id BIGINT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  PRIMARY KEY (dispute_id, user_id));\n",
    /* 8: the facts behind service metrics, for drill-down (written by
     * the desk after the events they come from; metrics_facts_through in
     * settings says up to which event), and orders for ROI (docs/insight.md) */
    "CREATE TABLE metric_facts (\n"
    "  kind INTEGER NOT NULL,\n"
    "  at BIGINT NOT NULL,\n"
    "  ticket_id BIGINT NOT NULL,\n"
    "  agent BIGINT NOT NULL DEFAULT 0,\n"
    "  category TEXT,\n"
    "  channel INTEGER NOT NULL,\n"
    "  priority INTEGER NOT NULL,\n"
    "  value DOUBLE PRECISION,\n"
    "  label INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX metric_facts_kind_at ON metric_facts (kind, at);\n"
    "CREATE INDEX metric_facts_ticket ON metric_facts (ticket_id, kind);\n"
    "CREATE TABLE orders (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  external_id TEXT UNIQUE,\n"
    "  customer_id BIGINT NOT NULL REFERENCES customers (id),\n"
    "  amount_cents BIGINT NOT NULL,\n"
    "  currency TEXT,\n"
    "  upsell INTEGER NOT NULL DEFAULT 0,\n"
    "  ordered_at BIGINT NOT NULL,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE INDEX orders_at ON orders (ordered_at);\n"
    "CREATE INDEX orders_customer ON orders (customer_id, ordered_at);\n",
    /* 9: personal-data keys (docs/ledger.md "Erasure"): each customer's
     * secretbox key wrapped by the server's data key (base64), NULL once
     * the customer was erased */
    "CREATE TABLE customer_keys (\n"
    "  customer_id BIGINT PRIMARY KEY,\n"
    "  wrapped TEXT,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  erased_at BIGINT NOT NULL DEFAULT 0);\n",
    /* 10: CSAT surveys (single-use token, stored as its hex SHA-256),
     * alerts (complaint spikes, deviations from service standards, ...;
     * docs/insight.md) and inbound messages by time (the spike baseline) */
    "CREATE TABLE surveys (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  token_hash TEXT NOT NULL UNIQUE,\n"
    "  ticket_id BIGINT NOT NULL,\n"
    "  customer_id BIGINT NOT NULL DEFAULT 0,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  answered_at BIGINT NOT NULL DEFAULT 0,\n"
    "  score INTEGER NOT NULL DEFAULT 0,\n"
    "  nps INTEGER NOT NULL DEFAULT -1,\n"
    "  comment TEXT,\n"
    "  analysis TEXT);\n"
    "CREATE INDEX surveys_ticket ON surveys (ticket_id);\n"
    "CREATE TABLE alerts (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n"
    "  category TEXT,\n"
    "  metric TEXT,\n"
    "  size DOUBLE PRECISION NOT NULL DEFAULT 0,\n"
    "  expected DOUBLE PRECISION NOT NULL DEFAULT 0,\n"
    "  observed DOUBLE PRECISION NOT NULL DEFAULT 0,\n"
    "  ticket_ids TEXT NOT NULL DEFAULT '[]',\n"
    "  detail TEXT,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  acknowledged_by BIGINT NOT NULL DEFAULT 0,\n"
    "  acknowledged_at BIGINT NOT NULL DEFAULT 0);\n"
    "CREATE INDEX alerts_open ON alerts (acknowledged_at, id);\n"
    "CREATE INDEX messages_created ON messages (created_at);\n",
    /* 11: drill-down facts keyed by the event that produced them, so
     * writing one twice (two processes, a lost mark) is a no-op; the facts
     * are derived data: dropped here and rebuilt by the next replay */
    "DROP TABLE metric_facts;\n"
    "DELETE FROM settings WHERE key = 'metrics_facts_through';\n"
    "CREATE TABLE metric_facts (\n"
    "  event_id BIGINT NOT NULL,\n"
    "  kind INTEGER NOT NULL,\n"
    "  at BIGINT NOT NULL,\n"
    "  ticket_id BIGINT NOT NULL,\n"
    "  agent BIGINT NOT NULL DEFAULT 0,\n"
    "  category TEXT,\n"
    "  channel INTEGER NOT NULL,\n"
    "  priority INTEGER NOT NULL,\n"
    "  value DOUBLE PRECISION,\n"
    "  label INTEGER NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (event_id, kind));\n"
    "CREATE INDEX metric_facts_kind_at ON metric_facts (kind, at);\n"
    "CREATE INDEX metric_facts_ticket ON metric_facts (ticket_id, kind);\n",
    /* 12: the outbox (docs/channels.md): deliveries of outbound e-mail and
     * webhook calls, written in the transaction of the event that causes
     * them; webhook subscriptions; stored e-mail attachments */
    "CREATE TABLE outbox (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  kind INTEGER NOT NULL,\n"
    "  status INTEGER NOT NULL,\n"
    "  message_id BIGINT NOT NULL DEFAULT 0,\n"
    "  ticket_id BIGINT NOT NULL DEFAULT 0,\n"
    "  event_id BIGINT NOT NULL DEFAULT 0,\n"
    "  webhook_id BIGINT NOT NULL DEFAULT 0,\n"
    "  payload TEXT,\n"
    "  attempts INTEGER NOT NULL DEFAULT 0,\n"
    "  last_error TEXT,\n"
    "  next_attempt_at BIGINT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL);\n"
    "CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);\n"
    "CREATE INDEX outbox_ticket ON outbox (ticket_id, id);\n"
    "CREATE UNIQUE INDEX outbox_message ON outbox (message_id) WHERE kind = 0;\n"
    "CREATE TABLE webhooks (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  url TEXT NOT NULL,\n"
    "  events TEXT NOT NULL,\n"
    "  secret TEXT NOT NULL,\n"
    "  created_by BIGINT NOT NULL DEFAULT 0,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE TABLE attachments (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  message_id BIGINT NOT NULL,\n"
    "  ticket_id BIGINT NOT NULL,\n"
    "  filename TEXT,\n"
    "  content_type TEXT NOT NULL,\n"
    "  size BIGINT NOT NULL,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  data BYTEA NOT NULL,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE INDEX attachments_ticket ON attachments (ticket_id, id);\n",
    /* 13: conflict tickets by creation time with their customer (an
     * index-only scan for the ROI's conflict customers of a period) */
    "CREATE INDEX tickets_conflict ON tickets (created_at, customer_id)\n"
    "  WHERE escalated <> 0 OR emotion IN ('anger', 'frustration');\n",
    /* 14: drill-down facts of one agent or one category by time */
    "CREATE INDEX metric_facts_agent ON metric_facts (kind, agent, at);\n"
    "CREATE INDEX metric_facts_category ON metric_facts (kind, category, at);\n",
    /* 15: nothing here (SQLite's full-text entries moved to COMMIT; the
     * numbers stay aligned across backends) */
    "SELECT 1;\n",
    /* 16: the log's leaves cheaper to write: the hash as bytea (32 bytes)
     * instead of 64 hex digits, and no UNIQUE index on event_id (event
     * ids increase with idx, so leaf_of_event searches the primary key).
     * One table rewrite, in the migration's transaction. */
    "ALTER TABLE ledger_leaves DROP CONSTRAINT ledger_leaves_event_id_key;\n"
    "ALTER TABLE ledger_leaves ALTER COLUMN hash TYPE bytea USING decode(hash, 'hex');\n",
};

#define POSTGRES_NMIGRATIONS ((int)(sizeof postgres_migrations / sizeof postgres_migrations[0]) - 1)

#endif
