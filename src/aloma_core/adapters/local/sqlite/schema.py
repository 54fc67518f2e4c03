"""The schema, as an ordered list of migrations; `PRAGMA user_version` counts those applied.

Append a new migration (a SQL script) to `MIGRATIONS` to change the schema; never edit one that
has shipped. Each runs in the same transaction as the `user_version` bump that records it.

Every table is keyed by workspace first, so every lookup is scoped to one workspace. Rows keep
the shared record (`aloma_core.records`) as JSON text, plus the columns that queries need.
The only foreign key ties history events to their task; nothing references `workspaces`, since
DynamoDB could not enforce that either and both homes should accept the same writes.
"""

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        record TEXT NOT NULL
    ) STRICT;

    CREATE TABLE tasks (
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        is_open INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (workspace_id, id)
    ) STRICT;
    CREATE INDEX tasks_newest ON tasks (workspace_id, created_at DESC, id DESC);
    CREATE INDEX tasks_by_state ON tasks (workspace_id, state, created_at DESC, id DESC);
    CREATE INDEX tasks_open ON tasks (created_at, id) WHERE is_open = 1;

    CREATE TABLE task_events (
        workspace_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (workspace_id, task_id, seq),
        FOREIGN KEY (workspace_id, task_id) REFERENCES tasks (workspace_id, id) ON DELETE CASCADE
    ) STRICT;

    CREATE TABLE steps (
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_seq INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (workspace_id, name)
    ) STRICT;
    CREATE INDEX steps_in_creation_order ON steps (workspace_id, created_seq);

    CREATE TABLE step_counters (
        workspace_id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL,
        last_created_seq INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE secrets (
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (workspace_id, name)
    ) STRICT;
    """,
    # 2: connectors and webhooks. A webhook is found by its key's hash from any workspace, so the
    # hash is unique across the table, like a workspace key's.
    """
    CREATE TABLE connectors (
        workspace_id TEXT NOT NULL,
        namespace TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (workspace_id, namespace)
    ) STRICT;

    CREATE TABLE webhooks (
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        record TEXT NOT NULL,
        PRIMARY KEY (workspace_id, name)
    ) STRICT;
    """,
    # 3: timers and schedules. `wake_at` is the task's next timer (park or timeout; NULL without
    # one), `next_fire_at` a schedule's next slot: the scheduler thread asks both for what is due.
    """
    ALTER TABLE tasks ADD COLUMN wake_at INTEGER;
    CREATE INDEX tasks_due ON tasks (wake_at) WHERE wake_at IS NOT NULL;

    CREATE TABLE schedules (
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        next_fire_at INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (workspace_id, name)
    ) STRICT;
    CREATE INDEX schedules_due ON schedules (next_fire_at);
    """,
    # 4: shared libraries, as immutable versions. `revision` numbers a workspace's library changes
    # (unique: two writers cannot both make revision R); a run reads the versions of its revision.
    """
    CREATE TABLE library_versions (
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (workspace_id, name, version),
        UNIQUE (workspace_id, revision)
    ) STRICT;
    """,
    # 5: notices of tasks that ended badly (notify/). The primary key is the claim that tells an
    # ending at most once; `due_at` of pending ones is what the notifier asks for, `at` what a
    # digest window counts.
    """
    CREATE TABLE notices (
        workspace_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        ending INTEGER NOT NULL,
        at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (workspace_id, task_id, ending)
    ) STRICT;
    CREATE INDEX notices_due ON notices (due_at) WHERE status = 'pending';
    CREATE INDEX notices_by_time ON notices (workspace_id, at);
    """,
)
