"""The one DynamoDB table of the AWS home: its items, keys, indexes and limits.

The SAM template and the matcher's stream filter are written against these names; change them
together or not at all. `table_definition` gives the CreateTable arguments the template declares.

Table: key `pk` (S, hash) + `sk` (S, range), PAY_PER_REQUEST, stream NEW_IMAGE, TTL on
`expires_at` (N, epoch seconds). Every item has `kind` (S), which the stream filter selects on.

Items (`{ws}` a workspace id, `{id}` a task id):
- `workspace`: pk `WS#{ws}`, sk `WORKSPACE`; `record`; gsi1pk `WORKSPACES`,
  gsi1sk `{created_at:013d}#{ws}`.
- `key`: pk `KEY#{sha256 hex of the API key}`, sk `KEY`; `workspace_id`.
- `task`: pk `WS#{ws}#TASK#{id}`, sk `TASK`; `workspace_id`, `task_id`, `version` (N), `state`,
  `rematch` (BOOL: false on a version the matcher need not see, which the stream filter drops),
  `record`, `data`, `result`; gsi1pk `WS#{ws}#TASKS` and gsi2pk `WS#{ws}#STATE#{state}`, both
  with sort key `{created_at:013d}#{id}`; `expires_at` once ended; while a timer of the task is
  armed (park, timeout), gsi3pk `DUE#TASK` and gsi3sk `{wake_at:013d}#{ws}#{id}`.
- `event`: pk `WS#{ws}#TASK#{id}` (beside its task), sk `EVT#{task version:010d}#{index:03d}`;
  `record` (one event) or `records` (several, see below); `expires_at` once the task ended.
- `step`: pk `WS#{ws}#STEPS`, sk `STEP#{name}`; `name`, `version` (N), `created_seq` (N), `record`.
- `steps_meta`: pk `WS#{ws}#STEPS`, sk `META`; `revision` (N), `last_created_seq` (N).
- `connector`: pk `WS#{ws}#CONNECTORS`, sk `CONNECTOR#{namespace}`; `namespace`, `record` (the
  stored configuration: secret fields hold references to workspace secrets, never values).
- `webhook`: pk `WS#{ws}#WEBHOOKS`, sk `WEBHOOK#{name}`; `name`, `key_hash`, `record`.
- `webhook_key`: pk `HOOK#{sha256 hex of the webhook's key}`, sk `HOOK`; `workspace_id`, `name`,
  `record` (a copy of the webhook's: a delivery finds its webhook in one read). Written with its
  `webhook` item in one transaction, each only if absent (names unique per workspace, keys
  unique), and deleted with it in one transaction; webhooks are never changed in place, so the
  copy cannot go stale (a change would have to write both items in one transaction too).
- `schedule`: pk `WS#{ws}#SCHEDULES`, sk `SCHEDULE#{name}`; `name`, `next_fire_at` (N),
  `updated_at` (N), `record`; gsi3pk `DUE#SCHEDULE`, gsi3sk `{next_fire_at:013d}#{ws}#{name}`.
  A firing advances it with a write conditioned on both numbers (see `dynamodb/schedules.py`).
- `library`: pk `WS#{ws}#LIBS`, sk `LIB#{name}#{version:010d}`; `name`, `version` (N),
  `revision` (N), `deleted` (N, 0 or 1), `updated_at` (N), `source`. Immutable: one per version.
- `libraries_meta`: pk `WS#{ws}#LIBS`, sk `REVISION`; `revision` (N), moved with each new
  `library` item in one transaction, conditioned on the value the writer read.
- `notice`: pk `WS#{ws}#NOTICES`, sk `NOTICE#{task id}#{ending:010d}` (an ending is the history
  seq of the state event that ended the task, see `notify/`); `status`, `attempts` (N), `due_at`
  (N), `record`; gsi1pk `WS#{ws}#NOTICES`, gsi1sk `{at:013d}#{task id}#{ending:010d}` (a digest
  window's count); while pending, gsi3pk `DUE#NOTICE` and gsi3sk `{due_at:013d}#{ws}#{id}#{ending}`;
  `expires_at` 30 days after it was recorded. Put only if absent (the claim), then moved on with
  writes conditioned on the status, attempts and due time the writer read.
- `rate`: pk `RATE#{limiter key}#{epoch minute}`, sk `RATE`; `hits` (N), `expires_at` a few
  minutes after its minute ends. One UpdateItem per event: ADD 1 if `hits` is still under the
  limit (a failed condition is a refusal). Every write of these items reaches the stream too,
  where the matcher's filter drops it, as it drops every kind but `task`.

`record` is the JSON text of the shared codec in `aloma_core.records`: free-form JSON (event
details, step conditions) stays a JSON string inside it, byte for byte. A task's `data` and
`result` are the exception: each is an attribute of its own holding the compact JSON text once
(inside `record` it would be escaped a second time, and quote-heavy data would take twice its
size: 256 KiB of it would no longer fit an item). Items written before still hold both inside
`record`, and are read as they are. (`data` is a reserved word: in an expression, alias it.)

Indexes `gsi1` (`gsi1pk`, `gsi1sk`) and `gsi2` (`gsi2pk`, `gsi2sk`): gsi1 lists a workspace's
tasks newest first (and the workspaces, oldest first), gsi2 the same per state. Both project
KEYS_ONLY: a listing queries the index for a page of keys, then reads those items with strongly
consistent BatchGetItem requests (at most 100 keys each, in the index's order, unprocessed keys
asked again), dropping an entry whose item is gone or, in gsi2, has left the state. The indexes
are eventually consistent: a task written a moment ago may be missing from a listing, never
from `get`; what a listing shows of a task is its latest version.

Why KEYS_ONLY and not ALL: writes are frequent (every dispatch, run start and commit saves the
task), listings rare (a person or a script paging `GET /v1/tasks`), and the listing must return
each task's data, which ALL would copy into both indexes on every write. With ALL, a save costs
the task item once in the table (twice: it is transactional) and once more per index, plus a
delete in gsi2 when the state changes. With KEYS_ONLY an index entry is about 280 bytes and holds
nothing that a save changes, so DynamoDB writes it only when the task is created and (gsi2) when
its state changes: 2 write units each time, none on other saves. Write units per save of a task
with 3 claims (1 unit per KB, transactional table writes 2x, index writes 1x), before -> after:
order-like JSON data of 2 KiB: 16 -> 8; of 20 KiB: 104 -> 44; plain data at the 256 KiB limit:
1032 -> 516 (1290 -> 518 when the state changes). The price is on the rare listing: a Query of
keys plus strongly consistent reads (1 read unit per 4 KB per item instead of half a unit per
4 KB of index), about 2-3x the read units of an ALL listing, and one more round trip; at the
on-demand prices (a write unit costs 5 read units) one save saves more than a page of 50 costs.

Index `gsi3` (`gsi3pk`, `gsi3sk`) is the sparse due-time index: only items with an armed timer
carry its keys, so the tick Lambda's one Query a minute (`gsi3sk <= now`) reads just what is due,
and DynamoDB writes an entry only when a timer is set, moved or cleared. KEYS_ONLY, like the
others: the tick re-reads each item strongly consistently before acting on it.

Events carry the task version that wrote them, so their sort keys sort in write order and a
task's history is one Query. A task that ends (`done`, `ignored`) gets `expires_at` = now +
retention on itself and on its events; the store back-fills the events written before the end.

DynamoDB limits and how the stores keep within them:
- an item holds at most 400 KB (names and values): a task or step item over `ITEM_BYTES` is
  refused with `TooLarge` before any write; an event's record is cut to `EVENT_BYTES` (its
  `logs` and `changes` lists are shortened, then other bulky fields dropped; the event keeps its
  type, time, step and error and says what it lost under `truncated`, see `history.py`);
- a transaction holds at most 100 items and 4 MB: a save's events share the room left by the
  task item, and when they are more than 99 items, consecutive events are packed into items
  holding `records` (a JSON array of event records); the history reads both shapes;
- keys: a partition key holds at most 2048 bytes, a sort key 1024; an id that cannot fit is
  simply not found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import CreateTableInputTypeDef

TTL_ATTRIBUTE = "expires_at"
GSI_TASKS = "gsi1"
GSI_STATES = "gsi2"
GSI_DUE = "gsi3"
DUE_TASK_PK = "DUE#TASK"
DUE_SCHEDULE_PK = "DUE#SCHEDULE"
DUE_NOTICE_PK = "DUE#NOTICE"

ITEM_BYTES = 400_000
EVENT_BYTES = 350_000
TRANSACTION_ITEMS = 100
TRANSACTION_BYTES = 4_000_000
PARTITION_KEY_BYTES = 2048
SORT_KEY_BYTES = 1024

WORKSPACE_SK = "WORKSPACE"
KEY_SK = "KEY"
TASK_SK = "TASK"
EVENT_PREFIX = "EVT#"
STEP_PREFIX = "STEP#"
STEPS_META_SK = "META"
WORKSPACES_GSI_PK = "WORKSPACES"
CONNECTOR_PREFIX = "CONNECTOR#"
WEBHOOK_PREFIX = "WEBHOOK#"
WEBHOOK_KEY_SK = "HOOK"
RATE_SK = "RATE"
SCHEDULE_PREFIX = "SCHEDULE#"
LIBRARY_PREFIX = "LIB#"
LIBRARIES_META_SK = "REVISION"
NOTICE_PREFIX = "NOTICE#"


def workspace_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}"


def key_pk(key_hash: str) -> str:
    return f"KEY#{key_hash}"


def task_pk(workspace_id: str, task_id: str) -> str:
    return f"WS#{workspace_id}#TASK#{task_id}"


def tasks_gsi_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#TASKS"


def state_gsi_pk(workspace_id: str, state: str) -> str:
    return f"WS#{workspace_id}#STATE#{state}"


def created_order(created_at: int, object_id: str) -> str:
    """Sorts by creation time, then id, as text: what gsi1sk and gsi2sk hold."""
    return f"{created_at:013d}#{object_id}"


def event_sk(version: int, index: int) -> str:
    return f"{EVENT_PREFIX}{version:010d}#{index:03d}"


def steps_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#STEPS"


def step_sk(name: str) -> str:
    return f"{STEP_PREFIX}{name}"


def connectors_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#CONNECTORS"


def connector_sk(namespace: str) -> str:
    return f"{CONNECTOR_PREFIX}{namespace}"


def webhooks_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#WEBHOOKS"


def webhook_sk(name: str) -> str:
    return f"{WEBHOOK_PREFIX}{name}"


def webhook_key_pk(key_hash: str) -> str:
    return f"HOOK#{key_hash}"


def schedules_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#SCHEDULES"


def schedule_sk(name: str) -> str:
    return f"{SCHEDULE_PREFIX}{name}"


def libraries_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#LIBS"


def library_prefix(name: str) -> str:
    """The sort keys of every version of one library start with this."""
    return f"{LIBRARY_PREFIX}{name}#"


def library_sk(name: str, version: int) -> str:
    return f"{library_prefix(name)}{version:010d}"


def notices_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#NOTICES"


def notice_sk(task_id: str, ending: int) -> str:
    return f"{NOTICE_PREFIX}{task_id}#{ending:010d}"


def time_order(at_ms: int, task_id: str, ending: int) -> str:
    """A notice's gsi1sk: by time, so a Query between two times counts a digest window."""
    return f"{at_ms:013d}#{task_id}#{ending:010d}"


def due_order(at_ms: int, workspace_id: str, key: str) -> str:
    """Sorts by due time, as text: what gsi3sk holds. A Query `gsi3sk <= due_until(now)` finds
    everything due by `now`."""
    return f"{at_ms:013d}#{workspace_id}#{key}"


def due_until(now_ms: int) -> str:
    """The greatest gsi3sk due at `now_ms` ('$' sorts after '#')."""
    return f"{now_ms:013d}$"


def rate_pk(key: str, minute: int) -> str:
    return f"RATE#{key}#{minute}"


def table_definition(name: str) -> CreateTableInputTypeDef:
    """CreateTable arguments of the table above (TTL is set apart, with UpdateTimeToLive)."""
    keys = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk")
    return {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"} for key in keys],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": f"{index}pk", "KeyType": "HASH"},
                    {"AttributeName": f"{index}sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
            for index in (GSI_TASKS, GSI_STATES, GSI_DUE)
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    }
