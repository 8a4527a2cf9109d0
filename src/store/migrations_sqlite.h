/* migrations_sqlite.h — the SQLite schema as numbered migrations.
 *
 * Entry N (1-based) is migration N; never edit one that has shipped, add
 * the next. Keep in step with migrations_postgres.h: same tables, same
 * columns, same meaning (ids and instants are 64-bit integers, instants
 * in ms UTC, 0 = not set; optional strings are NULL). Included by
 * sqlite.c only. */
#ifndef PARLEY_STORE_MIGRATIONS_SQLITE_H
#define PARLEY_STORE_MIGRATIONS_SQLITE_H

static const char *const sqlite_migrations[] = {
    NULL,
    /* 1: the initial schema */
    "CREATE TABLE customers (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT, tier TEXT, language TEXT,\n"
    "  merged_into INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  updated_at INTEGER NOT NULL);\n"
    "CREATE TABLE identities (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  customer_id INTEGER NOT NULL REFERENCES customers (id),\n"
    "  kind INTEGER NOT NULL,\n"
    "  value TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  UNIQUE (kind, value));\n"
    "CREATE INDEX identities_customer ON identities (customer_id);\n"
    "CREATE TABLE users (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  email TEXT NOT NULL UNIQUE,\n"
    "  name TEXT,\n"
    "  role INTEGER NOT NULL,\n"
    "  skills TEXT, languages TEXT, password_hash TEXT,\n"
    "  active INTEGER NOT NULL DEFAULT 1,\n"
    "  created_at INTEGER NOT NULL);\n"
    "CREATE TABLE tickets (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  customer_id INTEGER NOT NULL REFERENCES customers (id),\n"
    "  subject TEXT,\n"
    "  status INTEGER NOT NULL,\n"
    "  priority INTEGER NOT NULL,\n"
    "  category TEXT,\n"
    "  channel INTEGER NOT NULL,\n"
    "  thread TEXT,\n"
    "  language TEXT,\n"
    "  assignee_id INTEGER NOT NULL DEFAULT 0,\n"
    "  sla_first_due INTEGER NOT NULL DEFAULT 0,\n"
    "  sla_next_due INTEGER NOT NULL DEFAULT 0,\n"
    "  sla_resolve_due INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  updated_at INTEGER NOT NULL,\n"
    "  first_response_at INTEGER NOT NULL DEFAULT 0,\n"
    "  resolved_at INTEGER NOT NULL DEFAULT 0,\n"
    "  closed_at INTEGER NOT NULL DEFAULT 0,\n"
    "  message_count INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX tickets_status_priority ON tickets (status, priority, id);\n"
    "CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);\n"
    "CREATE INDEX tickets_status_created ON tickets (status, created_at, id);\n"
    "CREATE INDEX tickets_assignee ON tickets (assignee_id, status, priority, id);\n"
    "CREATE INDEX tickets_customer_thread ON tickets (customer_id, thread);\n"
    "CREATE INDEX tickets_updated ON tickets (updated_at, id);\n"
    "CREATE INDEX tickets_created ON tickets (created_at, id);\n"
    "CREATE TABLE messages (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  ticket_id INTEGER NOT NULL REFERENCES tickets (id),\n"
    "  kind INTEGER NOT NULL,\n"
    "  channel INTEGER NOT NULL,\n"
    "  author_user_id INTEGER NOT NULL DEFAULT 0,\n"
    "  author_customer_id INTEGER NOT NULL DEFAULT 0,\n"
    "  body TEXT,\n"
    "  external_id TEXT,\n"
    "  analysis TEXT,\n"
    "  created_at INTEGER NOT NULL);\n"
    "CREATE INDEX messages_ticket ON messages (ticket_id, id);\n"
    "CREATE UNIQUE INDEX messages_external ON messages (external_id)\n"
    "  WHERE external_id IS NOT NULL;\n"
    /* AUTOINCREMENT: an event id is never reused, even after a rollback
     * of the newest rows — readers page events by id. */
    "CREATE TABLE events (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  type TEXT NOT NULL,\n"
    "  actor_kind INTEGER NOT NULL,\n"
    "  actor_id INTEGER NOT NULL DEFAULT 0,\n"
    "  ticket_id INTEGER NOT NULL DEFAULT 0,\n"
    "  customer_id INTEGER NOT NULL DEFAULT 0,\n"
    "  message_id INTEGER NOT NULL DEFAULT 0,\n"
    "  before_json TEXT,\n"
    "  after_json TEXT,\n"
    "  created_at INTEGER NOT NULL);\n"
    "CREATE INDEX events_ticket ON events (ticket_id, id);\n"
    "CREATE INDEX events_customer ON events (customer_id, id);\n"
    "CREATE TABLE sessions (\n"
    "  token_hash TEXT PRIMARY KEY,\n"
    "  user_id INTEGER NOT NULL REFERENCES users (id),\n"
    "  expires_at INTEGER NOT NULL);\n"
    "CREATE INDEX sessions_user ON sessions (user_id);\n"
    "CREATE INDEX sessions_expires ON sessions (expires_at);\n"
    "CREATE TABLE apikeys (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  role INTEGER NOT NULL,\n"
    "  key_hash TEXT NOT NULL UNIQUE,\n"
    "  created_by INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  revoked INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE settings (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL);\n",
    /* 2: the tamper-evident log (src/ledger/): one leaf hash (hex) per
     * event in log order, and the signed checkpoints by tree size */
    "CREATE TABLE ledger_leaves (\n"
    "  idx INTEGER PRIMARY KEY,\n"
    "  event_id INTEGER NOT NULL UNIQUE,\n"
    "  hash TEXT NOT NULL);\n"
    "CREATE TABLE ledger_checkpoints (\n"
    "  size INTEGER PRIMARY KEY,\n"
    "  note TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL);\n",
    /* 3: the latest triage of a ticket (struct ticket: emotion,
     * hostility per mille, escalated, triage JSON) */
    "ALTER TABLE tickets ADD COLUMN emotion TEXT;\n"
    "ALTER TABLE tickets ADD COLUMN hostility INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE tickets ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE tickets ADD COLUMN triage TEXT;\n",    /* 4: knowledge base, full-text search (FTS5 external-content tables
     * kept in step by triggers, in the writing transaction) and chats
     * (docs/chat.md) */
    "CREATE TABLE kb_articles (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  language TEXT NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  category TEXT,\n"
    "  body TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  updated_at INTEGER NOT NULL);\n"
    "CREATE INDEX kb_articles_language ON kb_articles (language, id);\n"
    "CREATE VIRTUAL TABLE kb_fts USING fts5(title, body, content='kb_articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2');\n"
    "CREATE TRIGGER kb_fts_ai AFTER INSERT ON kb_articles BEGIN INSERT INTO kb_fts (rowid, title, body) VALUES (new.id, new.title, new.body); END;\n"
    "CREATE TRIGGER kb_fts_ad AFTER DELETE ON kb_articles BEGIN INSERT INTO kb_fts (kb_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END;\n"
    "CREATE TRIGGER kb_fts_au AFTER UPDATE OF title, body ON kb_articles WHEN old.title IS NOT new.title OR old.body IS NOT new.body BEGIN INSERT INTO kb_fts (kb_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); INSERT INTO kb_fts (rowid, title, body) VALUES (new.id, new.title, new.body); END;\n"
    "INSERT INTO kb_fts (kb_fts) VALUES ('rebuild');\n"
    "CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2');\n"
    "CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END;\n"
    "CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); END;\n"
    "CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages WHEN old.body IS NOT new.body BEGIN INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END;\n"
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');\n"
    "CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2');\n"
    "CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject); END;\n"
    "CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject); END;\n"
    "CREATE TRIGGER tickets_fts_au AFTER UPDATE OF subject ON tickets WHEN old.subject IS NOT new.subject BEGIN INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject); INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject); END;\n"
    "INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild');\n"
    "CREATE VIRTUAL TABLE customers_fts USING fts5(name, content='customers', content_rowid='id', tokenize='unicode61 remove_diacritics 2');\n"
    "CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN INSERT INTO customers_fts (rowid, name) VALUES (new.id, new.name); END;\n"
    "CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN INSERT INTO customers_fts (customers_fts, rowid, name) VALUES ('delete', old.id, old.name); END;\n"
    "CREATE TRIGGER customers_fts_au AFTER UPDATE OF name ON customers WHEN old.name IS NOT new.name BEGIN INSERT INTO customers_fts (customers_fts, rowid, name) VALUES ('delete', old.id, old.name); INSERT INTO customers_fts (rowid, name) VALUES (new.id, new.name); END;\n"
    "INSERT INTO customers_fts (customers_fts) VALUES ('rebuild');\n"
    "CREATE TABLE chats (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  token_hash TEXT NOT NULL UNIQUE,\n"
    "  customer_id INTEGER NOT NULL DEFAULT 0,\n"
    "  ticket_id INTEGER NOT NULL DEFAULT 0,\n"
    "  language TEXT,\n"
    "  handoff INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at INTEGER NOT NULL);\n",
    /* 5: canned responses (docs/api.md), tagged by emotion and category */
    "CREATE TABLE canned_responses (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  language TEXT NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  body TEXT NOT NULL,\n"
    "  emotion TEXT,\n"
    "  category TEXT,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  updated_at INTEGER NOT NULL);\n",
    /* 6: witnesses of the tamper-evident log and their cosignatures of
     * checkpoints, one line per (checkpoint size, witness) */
    "CREATE TABLE ledger_witnesses (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  vkey TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL);\n"
    "CREATE TABLE ledger_cosignatures (\n"
    "  size INTEGER NOT NULL,\n"
    "  witness TEXT NOT NULL,\n"
    "  line TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  PRIMARY KEY (size, witness));\n",
    /* 7: dispute panels (docs/ledger.md): a question on a ticket, the
     * reviewers who decide it, their votes (one each; each also an event)
     * and the decision taken at the quorum */
    "CREATE TABLE disputes (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  ticket_id INTEGER NOT NULL,\n"
    "  question TEXT NOT NULL,\n"
    "  quorum INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  decision TEXT,\n"
    "  created_by INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  decided_at INTEGER NOT NULL DEFAULT 0,\n"
    "  decision_event_id INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX disputes_status ON disputes (status, id);\n"
    "CREATE TABLE dispute_reviewers (\n"
    "  dispute_id INTEGER NOT NULL,\n"
    "  user_id INTEGER NOT NULL,\n"
    "  PRIMARY KEY (dispute_id, user_id));\n"
    "CREATE TABLE dispute_votes (\n"
    "  dispute_id INTEGER NOT NULL,\n"
    "  user_id INTEGER NOT NULL,\n"
    "  decision TEXT NOT NULL,\n"
    "  reason TEXT,\n"
    "  event_id INTEGER NOT NULL,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  PRIMARY KEY (dispute_id, user_id));\n",
    /* 8: the facts behind service metrics, for drill-down (written by
     * the desk after the events they come from; metrics_facts_through in
     * settings says up to which event), and orders for ROI (docs/insight.md) */
    "CREATE TABLE metric_facts (\n"
    "  kind INTEGER NOT NULL,\n"
    "  at INTEGER NOT NULL,\n"
    "  ticket_id INTEGER NOT NULL,\n"
    "  agent INTEGER NOT NULL DEFAULT 0,\n"
    "  category TEXT,\n"
    "  channel INTEGER NOT NULL,\n"
    "  priority INTEGER NOT NULL,\n"
    "  value REAL,\n"
    "  label INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX metric_facts_kind_at ON metric_facts (kind, at);\n"
    "CREATE INDEX metric_facts_ticket ON metric_facts (ticket_id, kind);\n"
    "CREATE TABLE orders (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  external_id TEXT UNIQUE,\n"
    "  customer_id INTEGER NOT NULL REFERENCES customers (id),\n"
    "  amount_cents INTEGER NOT NULL,\n"
    "  currency TEXT,\n"
    "  upsell INTEGER NOT NULL DEFAULT 0,\n"
    "  ordered_at INTEGER NOT NULL,\n"
    "  created_at INTEGER NOT NULL);\n"
    "CREATE INDEX orders_at ON orders (ordered_at);\n"
    "CREATE INDEX orders_customer ON orders (customer_id, ordered_at);\n",
    /* 9: personal-data keys (docs/ledger.md "Erasure"): each customer's
     * secretbox key wrapped by the server's data key (base64), NULL once
     * the customer was erased */
    "CREATE TABLE customer_keys (\n"
    "  customer_id INTEGER PRIMARY KEY,\n"
    "  wrapped TEXT,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  erased_at INTEGER NOT NULL DEFAULT 0);\n",
    /* 10: CSAT surveys (single-use token, stored as its hex SHA-256),
     * alerts (complaint spikes, deviations from service standards, ...;
     * docs/insight.md) and inbound messages by time (the spike baseline) */
    "CREATE TABLE surveys (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  token_hash TEXT NOT NULL UNIQUE,\n"
    "  ticket_id INTEGER NOT NULL,\n"
    "  customer_id INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  answered_at INTEGER NOT NULL DEFAULT 0,\n"
    "  score INTEGER NOT NULL DEFAULT 0,\n"
    "  nps INTEGER NOT NULL DEFAULT -1,\n"
    "  comment TEXT,\n"
    "  analysis TEXT);\n"
    "CREATE INDEX surveys_ticket ON surveys (ticket_id);\n"
    "CREATE TABLE alerts (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n"
    "  category TEXT,\n"
    "  metric TEXT,\n"
    "  size REAL NOT NULL DEFAULT 0,\n"
    "  expected REAL NOT NULL DEFAULT 0,\n"
    "  observed REAL NOT NULL DEFAULT 0,\n"
    "  ticket_ids TEXT NOT NULL DEFAULT '[]',\n"
    "  detail TEXT,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  acknowledged_by INTEGER NOT NULL DEFAULT 0,\n"
    "  acknowledged_at INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX alerts_open ON alerts (acknowledged_at, id);\n"
    "CREATE INDEX messages_created ON messages (created_at);\n",
    /* 11: drill-down facts keyed by the event that produced them, so
     * writing one twice (two processes, a lost mark) is a no-op; the facts
     * are derived data: dropped here and rebuilt by the next replay */
    "DROP TABLE metric_facts;\n"
    "DELETE FROM settings WHERE key = 'metrics_facts_through';\n"
    "CREATE TABLE metric_facts (\n"
    "  event_id INTEGER NOT NULL,\n"
    "  kind INTEGER NOT NULL,\n"
    "  at INTEGER NOT NULL,\n"
    "  ticket_id INTEGER NOT NULL,\n"
    "  agent INTEGER NOT NULL DEFAULT 0,\n"
    "  category TEXT,\n"
    "  channel INTEGER NOT NULL,\n"
    "  priority INTEGER NOT NULL,\n"
    "  value REAL,\n"
    "  label INTEGER NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (event_id, kind));\n"
    "CREATE INDEX metric_facts_kind_at ON metric_facts (kind, at);\n"
    "CREATE INDEX metric_facts_ticket ON metric_facts (ticket_id, kind);\n",
    /* 12: the outbox (docs/channels.md): deliveries of outbound e-mail and
     * webhook calls, written in the transaction of the event that causes
     * them; webhook subscriptions; stored e-mail attachments */
    "CREATE TABLE outbox (\n"
    "  id INTEGER PRIMARY KEY,\n"
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
    "  id INTEGER PRIMARY KEY,\n"
    "  url TEXT NOT NULL,\n"
    "  events TEXT NOT NULL,\n"
    "  secret TEXT NOT NULL,\n"
    "  created_by BIGINT NOT NULL DEFAULT 0,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE TABLE attachments (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  message_id BIGINT NOT NULL,\n"
    "  ticket_id BIGINT NOT NULL,\n"
    "  filename TEXT,\n"
    "  content_type TEXT NOT NULL,\n"
    "  size BIGINT NOT NULL,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  data BLOB NOT NULL,\n"
    "  created_at BIGINT NOT NULL);\n"
    "CREATE INDEX attachments_ticket ON attachments (ticket_id, id);\n",
    /* 13: conflict tickets by creation time with their customer (an
     * index-only scan for the ROI's conflict customers of a period) */
    "CREATE INDEX tickets_conflict ON tickets (created_at, customer_id)\n"
    "  WHERE escalated <> 0 OR emotion IN ('anger', 'frustration');\n",
    /* 14: drill-down facts of one agent or one category by time */
    "CREATE INDEX metric_facts_agent ON metric_facts (kind, agent, at);\n"
    "CREATE INDEX metric_facts_category ON metric_facts (kind, category, at);\n",
    /* 15: full-text entries of new rows are made at COMMIT (sqlite_fts.c),
     * not by insert triggers */
    "DROP TRIGGER messages_fts_ai;\n"
    "DROP TRIGGER tickets_fts_ai;\n"
    "DROP TRIGGER customers_fts_ai;\n",
    /* 16: the log's leaves cheaper to write and to load: the hash as 32
     * bytes instead of 64 hex digits, and no UNIQUE index on event_id
     * (one B-tree per leaf, not two; event ids increase with idx, so
     * leaf_of_event searches the primary key). One set-based copy in
     * idx order; parley_unhex() is registered by sqlite.c. */
    "CREATE TABLE ledger_leaves_v16 (\n"
    "  idx INTEGER PRIMARY KEY,\n"
    "  event_id INTEGER NOT NULL,\n"
    "  hash BLOB NOT NULL);\n"
    "INSERT INTO ledger_leaves_v16 (idx, event_id, hash)\n"
    "  SELECT idx, event_id, parley_unhex(hash) FROM ledger_leaves ORDER BY idx;\n"
    "DROP TABLE ledger_leaves;\n"
    "ALTER TABLE ledger_leaves_v16 RENAME TO ledger_leaves;\n",
};

#define SQLITE_NMIGRATIONS ((int)(sizeof sqlite_migrations / sizeof sqlite_migrations[0]) - 1)

#endif
