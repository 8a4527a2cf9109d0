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
    "ALTER TABLE tickets ADD COLUMN triage TEXT;\n",
};

#define POSTGRES_NMIGRATIONS ((int)(sizeof postgres_migrations / sizeof postgres_migrations[0]) - 1)

#endif
