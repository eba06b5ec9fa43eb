"""Versioned schema migrations, applied at start.

Why: the schema must evolve without losing data already queued in the inbox and outbox. Each
migration runs in its own transaction and records its version in ``PRAGMA user_version`` in
the same transaction, so a crash leaves the database either before or after a migration, never
half-way. Later issues append to :data:`MIGRATIONS`; never edit a migration that has shipped.

Times are stored as REAL Unix seconds (``time.time()``): comparable in SQL for "due" scans.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import aiosqlite

_V1 = """
CREATE TABLE users (
    user_id    INTEGER PRIMARY KEY,
    lang       TEXT,
    country    TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);

CREATE TABLE sessions (
    chat_id    INTEGER PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at REAL NOT NULL
);

CREATE TABLE inbox (
    update_id    INTEGER PRIMARY KEY,
    chat_id      INTEGER,
    payload      TEXT NOT NULL,
    received_at  REAL NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'done', 'failed')),
    processed_at REAL,
    error        TEXT
);
CREATE INDEX inbox_pending ON inbox (update_id) WHERE status = 'pending';
CREATE INDEX inbox_chat ON inbox (chat_id);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER,
    method     TEXT NOT NULL,
    params     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    due_at     REAL NOT NULL,
    created_at REAL NOT NULL,
    sent_at    REAL,
    result     TEXT,
    error      TEXT,
    ref        TEXT
);
CREATE INDEX outbox_pending ON outbox (chat_id, id) WHERE status = 'pending';
CREATE INDEX outbox_ref ON outbox (ref) WHERE ref IS NOT NULL;

CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE blocked_chats (
    chat_id    INTEGER PRIMARY KEY,
    blocked_at REAL NOT NULL
);
"""


# Volunteer mediation: the roster, invites, cases with their messages, routing timers, the
# audit trail, suggestions from volunteers, and anonymous counters that survive /forget.
_V2 = """
CREATE TABLE volunteers (
    user_id      INTEGER PRIMARY KEY,
    countries    TEXT NOT NULL,
    languages    TEXT NOT NULL,
    alias        TEXT,
    available    INTEGER NOT NULL DEFAULT 1,
    current_case INTEGER,
    added_at     REAL NOT NULL
);

CREATE TABLE invites (
    token      TEXT PRIMARY KEY,
    countries  TEXT NOT NULL,
    languages  TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_by    INTEGER,
    used_at    REAL
);

CREATE TABLE cases (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id     INTEGER,
    person_name   TEXT,
    country       TEXT,
    lang          TEXT NOT NULL,
    flow_id       TEXT,
    step_id       TEXT,
    reason        TEXT,
    context       TEXT,
    status        TEXT NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'taken', 'closed')),
    volunteer_id  INTEGER,
    notify_stage  INTEGER NOT NULL DEFAULT 0,
    person_blocked INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT,
    rating        INTEGER,
    comment       TEXT,
    created_at    REAL NOT NULL,
    taken_at      REAL,
    closed_at     REAL
);
CREATE INDEX cases_open ON cases (status, created_at);
CREATE INDEX cases_person ON cases (person_id, status);
CREATE INDEX cases_volunteer ON cases (volunteer_id, status);

CREATE TABLE case_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out', 'note')),
    author_id   INTEGER,
    kind        TEXT NOT NULL,
    content     TEXT,
    chat_id     INTEGER,
    message_id  INTEGER,
    created_at  REAL NOT NULL
);
CREATE INDEX case_messages_case ON case_messages (case_id, id);
CREATE INDEX case_messages_age ON case_messages (created_at) WHERE content IS NOT NULL;

-- A volunteer replying to a relayed message: find the case from the outbox row that sent it.
CREATE INDEX outbox_chat ON outbox (chat_id, id);

CREATE TABLE timers (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind    TEXT NOT NULL,
    case_id INTEGER NOT NULL,
    due_at  REAL NOT NULL,
    done    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX timers_due ON timers (due_at) WHERE done = 0;

CREATE TABLE audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  INTEGER,
    actor_id INTEGER,
    action   TEXT NOT NULL,
    detail   TEXT,
    at       REAL NOT NULL
);
CREATE INDEX audit_case ON audit (case_id, id);

CREATE TABLE suggestions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER,
    volunteer_id INTEGER,
    flow_id      TEXT,
    step_id      TEXT,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   REAL NOT NULL,
    status       TEXT NOT NULL DEFAULT 'new'
);

CREATE TABLE counters (
    name  TEXT NOT NULL,
    key   TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (name, key)
);
"""

# Publishing flow changes (issue 12): every published version of a flow file, proposals sent
# from Telegram and their review, and which volunteer suggestion a proposal answers.
# author_id / approver_id / reviewer_id name people: /forget sets them to NULL.
_FLOW_PUBLISHING = """
CREATE TABLE flow_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    flow_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,          -- 1, 2, 3... per flow
    content_hash TEXT NOT NULL,             -- sha1 of the bytes, first 12 hex (Flow.version)
    path         TEXT NOT NULL,             -- inside FLOWS_DIR, e.g. KZ/birth-registration.yaml
    content      TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('disk', 'proposal', 'rollback')),
    proposal_id  INTEGER,
    restores     INTEGER,                   -- rollback: the version number it brought back
    author_id    INTEGER,
    approver_id  INTEGER,
    checker      TEXT,                      -- checker summary at publication
    published_at REAL NOT NULL,
    UNIQUE (flow_id, version)
);

CREATE TABLE proposals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    status       TEXT NOT NULL DEFAULT 'received'
                 CHECK (status IN ('received', 'invalid', 'draft', 'pending', 'approved',
                                   'rejected', 'stale')),
    author_id    INTEGER,
    chat_id      INTEGER,
    file_id      TEXT,
    file_name    TEXT NOT NULL,
    caption      TEXT,
    flow_id      TEXT,
    path         TEXT,
    base_hash    TEXT,                      -- the published version the author edited
    content      TEXT,
    report       TEXT,                      -- JSON: problems or change summary
    reviewer_id  INTEGER,
    reason       TEXT,
    created_at   REAL NOT NULL,
    reviewed_at  REAL
);
CREATE INDEX proposals_status ON proposals (status, id);

ALTER TABLE suggestions ADD COLUMN proposal_id INTEGER;
"""

# Outcomes (issue 11): anonymous outcome records (no user id, no case id, no free text:
# nothing for /forget to erase), and per-run follow-ups with their timers, which name the
# person and are erased by /forget. `change_notes` remembers which notes were announced.
_FOLLOWUPS = """
CREATE TABLE outcome_reports (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    day       TEXT NOT NULL,
    country   TEXT,
    flow_id   TEXT,
    office_id TEXT,
    lang      TEXT,
    source    TEXT NOT NULL CHECK (source IN ('followup', 'case')),
    result    TEXT NOT NULL,
    blockers  TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX outcome_reports_day ON outcome_reports (day);

CREATE TABLE followup_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL,
    flow_id     TEXT NOT NULL,
    country     TEXT,
    office_id   TEXT,
    lang        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'answered', 'stopped')),
    reported_blocker INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    answered_at REAL
);
CREATE INDEX followup_runs_user ON followup_runs (user_id);
CREATE INDEX followup_runs_reported ON followup_runs (flow_id, user_id)
    WHERE reported_blocker = 1;

CREATE TABLE followup_timers (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id   INTEGER NOT NULL REFERENCES followup_runs (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('followup', 'reminder')),
    ref      TEXT,
    deadline TEXT,
    due_at   REAL NOT NULL,
    done     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX followup_timers_due ON followup_timers (due_at) WHERE done = 0;
CREATE INDEX followup_timers_run ON followup_timers (run_id);

CREATE TABLE change_notes (
    flow_id      TEXT NOT NULL,
    note_id      TEXT NOT NULL,
    announced_at REAL NOT NULL,
    recipients   INTEGER NOT NULL DEFAULT 0,
    cursor       INTEGER NOT NULL DEFAULT 0,  -- the last user id queued (sent in chunks)
    done         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (flow_id, note_id)
);
"""

# /forget: each update handled as part of a case is tagged with it, so the volunteer's side of
# the conversation (replies quoting the person, button presses on their case's messages,
# commands such as /close OUTCOME) can be blanked together with the person's own chat.
_INBOX_CASE_LINK = """
ALTER TABLE inbox ADD COLUMN case_id INTEGER;
CREATE INDEX inbox_case ON inbox (case_id) WHERE case_id IS NOT NULL;
"""

# Fair under flood (issue 8) and outbox lanes (issue 11):
# - ``outbox.lane``: "chat" (people talking to the bot) always goes before "bulk" (follow-ups,
#   reminders, announcements). A chat's head is its lowest pending id of its best lane.
# - ``outbox.thread``: a conversation inside a chat (a case, in a volunteer's chat); a chat's
#   threads are served round robin, and consecutive texts of one thread may be merged.
# - ``volunteers.notified_at`` and ``cases.notify_waves``: new cases are offered to a few
#   volunteers per wave, least recently notified first, more at each wave.
_FLOOD_LANES = """
ALTER TABLE outbox ADD COLUMN lane TEXT NOT NULL DEFAULT 'chat'
    CHECK (lane IN ('chat', 'bulk'));
ALTER TABLE outbox ADD COLUMN thread TEXT;
DROP INDEX outbox_pending;
-- A chat's next rows: its chat lane first ('chat' > 'bulk', hence DESC), then by id.
CREATE INDEX outbox_pending ON outbox (chat_id, lane DESC, id) WHERE status = 'pending';
-- The sender's head scans: the chat lane's heads, and the bulk lane's next due rows.
CREATE INDEX outbox_lane_due ON outbox (lane, due_at, id) WHERE status = 'pending';

ALTER TABLE volunteers ADD COLUMN notified_at REAL;
ALTER TABLE cases ADD COLUMN notify_waves INTEGER NOT NULL DEFAULT 0;
"""

# Anonymous journey events for reports (issue 11). Identical events of one day share a row and
# a count: no user id, no chat id, no time of day and no insertion order that would let the
# steps of one person be put back together. /forget has nothing to erase here. The key's order
# is the reports' GROUP BY, so they stream through it without sorting; a day range or a country
# is a skip-scan of the same key (an index on day made SQLite look up every row: 10x slower).
_JOURNEY_EVENTS = """
CREATE TABLE journey_events (
    day     TEXT NOT NULL,             -- YYYY-MM-DD (UTC), no time
    country TEXT NOT NULL DEFAULT '',  -- ISO alpha-2 of the procedure
    flow_id TEXT NOT NULL,             -- the procedure (the root flow of the run)
    step_id TEXT NOT NULL DEFAULT '',  -- "step", or "subflow/step" for a step of another flow
    lang    TEXT NOT NULL DEFAULT '',
    kind    TEXT NOT NULL,             -- started, reached, answered, invalid, back, restarted,
                                       -- escalated, completed, abandoned, returned, stuck
    detail  TEXT NOT NULL DEFAULT '',  -- answer kind (text, date, choice...) or escalation way
    n       INTEGER NOT NULL,
    PRIMARY KEY (flow_id, kind, step_id, detail, country, day, lang)
) WITHOUT ROWID;
"""

# Reports filter cases by creation time and look up their first volunteer answer. Both indexes
# cover what the report reads, so it never visits the case rows themselves (3x faster).
_REPORT_INDEXES = """
CREATE INDEX cases_report ON cases (created_at, country, flow_id, rating);
CREATE INDEX case_messages_first ON case_messages (case_id, direction, created_at);
"""

# The team workspace (issue 15): a forum supergroup bound to countries, one topic per case,
# the workspace's own outbox (calls into the group, paced by the group's budget and sent in
# priority order: the person's words, then cards and icons, then the queue summary), the
# admin notices already given per cause, volunteers' shifts and capacity, response targets.
# case_topics.thread_id NULL means "to (re)create": self-repair clears it and the worker
# stores the new id in the same transaction that records the repair.
_WORKSPACE = """
CREATE TABLE workspaces (
    chat_id          INTEGER PRIMARY KEY,
    countries        TEXT NOT NULL,            -- comma-separated ISO codes
    lang             TEXT NOT NULL DEFAULT 'en',
    bound_by         INTEGER,
    bound_at         REAL NOT NULL,
    queue_thread_id  INTEGER,
    queue_message_id INTEGER
);

CREATE TABLE case_topics (
    case_id         INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    thread_id       INTEGER,                   -- NULL: the topic is to be (re)created
    card_message_id INTEGER,
    status          TEXT NOT NULL DEFAULT 'unclaimed',
    alias           TEXT,                      -- the claimer's alias, shown on the card
    repairs         INTEGER NOT NULL DEFAULT 0,
    repair_cause    TEXT,
    closed          INTEGER NOT NULL DEFAULT 0,
    created_at      REAL NOT NULL
);
CREATE INDEX case_topics_thread ON case_topics (chat_id, thread_id);

CREATE TABLE ws_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER NOT NULL,
    case_id    INTEGER,
    priority   INTEGER NOT NULL,               -- 0 words, 1 cards/icons, 2 notices, 3 summary
    ordered    INTEGER NOT NULL DEFAULT 1,     -- 1: after the case's earlier rows
    target     TEXT NOT NULL DEFAULT 'chat',   -- chat, topic (thread id), card (message id)
    method     TEXT NOT NULL,
    params     TEXT NOT NULL,
    merge_key  TEXT,                           -- a newer row with the same key replaces it
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    due_at     REAL NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT,
    result     TEXT,
    created_at REAL NOT NULL,
    sent_at    REAL
);
CREATE INDEX ws_outbox_pending ON ws_outbox (chat_id, priority, id) WHERE status = 'pending';
CREATE INDEX ws_outbox_case ON ws_outbox (case_id);

CREATE TABLE ws_notices (
    chat_id INTEGER NOT NULL,
    cause   TEXT NOT NULL,
    told_at REAL NOT NULL,
    PRIMARY KEY (chat_id, cause)
);

ALTER TABLE volunteers ADD COLUMN on_shift INTEGER NOT NULL DEFAULT 0;
ALTER TABLE volunteers ADD COLUMN away_until REAL;
ALTER TABLE volunteers ADD COLUMN capacity INTEGER NOT NULL DEFAULT 5;
ALTER TABLE volunteers ADD COLUMN suggested_at REAL;
ALTER TABLE cases ADD COLUMN linked_to INTEGER;
"""

# Response targets (issue 15): each timer is a row; it pauses while the case waits for the
# person (paused_at set, remaining kept) and stops at close (done). A miss is posted once.
_TARGETS = """
CREATE TABLE case_targets (
    case_id   INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('first', 'next')),
    due_at    REAL,                            -- NULL while paused
    remaining REAL,                            -- seconds left when paused
    status    TEXT NOT NULL DEFAULT 'running'
              CHECK (status IN ('running', 'paused', 'met', 'missed', 'stopped')),
    country   TEXT NOT NULL DEFAULT '',
    month     TEXT NOT NULL,                   -- YYYY-MM of the case's creation
    PRIMARY KEY (case_id, kind)
);
CREATE INDEX case_targets_due ON case_targets (due_at) WHERE status = 'running';
"""

# Several processes (issue 16): an inbox row is claimed by one process under a lease (a
# process that dies leaves the row to come back when the lease ends), and counts its
# attempts, so an update that keeps killing its process is set aside instead of looping.
# Harmless on SQLite (one process; the columns stay NULL and 0).
_INBOX_LEASES = """
ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN lease_until REAL;
ALTER TABLE inbox ADD COLUMN lease_owner TEXT;
-- A chat's oldest pending row: the claim looks it up for every candidate.
CREATE INDEX inbox_chat_pending ON inbox (chat_id, update_id) WHERE status = 'pending';
"""

# Reports given out (CLI, /report): their days and each count they showed or hid, so that a
# later report over overlapping days is suppressed with them (services/report_overlaps.py).
# Counts only: nothing here is about a person.
_REPORT_RELEASES = """
CREATE TABLE report_releases (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    country    TEXT,
    since      TEXT NOT NULL,
    until      TEXT NOT NULL,
    min_count  INTEGER NOT NULL,
    created_at REAL NOT NULL,
    cells      TEXT NOT NULL
);
CREATE INDEX report_releases_days ON report_releases (until, since);
"""

MIGRATIONS: list[tuple[int, str]] = [
    (1, _V1),
    (2, _V2),
    (3, _FLOW_PUBLISHING),
    (4, _FOLLOWUPS),
    (5, _INBOX_CASE_LINK),
    (6, _FLOOD_LANES),
    (7, _JOURNEY_EVENTS + _REPORT_INDEXES),
    (8, _WORKSPACE),
    (9, _TARGETS),
    (12, _REPORT_RELEASES),
    (16, _INBOX_LEASES),
]


async def migrate(conn: aiosqlite.Connection, migrations: Sequence[tuple[int, str]]) -> int:
    """Apply every migration newer than the database's ``user_version``; return the version.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so the script's own
    ``BEGIN``/``COMMIT`` are the only transaction boundaries.
    """
    versions = [version for version, _ in migrations]
    # Ascending, gaps allowed: parallel branches reserve their own numbers, and a database at
    # version N has applied every migration numbered N or less.
    if not versions or versions[0] < 1 or any(b <= a for a, b in pairwise(versions)):
        raise ValueError(f"migration versions must be ascending from 1; got {versions}")
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    if current > versions[-1]:
        raise RuntimeError(
            f"database schema version {current} is newer than this code ({versions[-1]})"
        )
    for version, sql in migrations:
        if version <= current:
            continue
        try:
            await conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {version};\nCOMMIT;"
            )
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        current = version
    return current
