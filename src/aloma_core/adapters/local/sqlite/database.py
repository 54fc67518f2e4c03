"""One SQLite file holding everything the local home stores, opened safely from many threads."""

import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .schema import MIGRATIONS


class SqliteDatabase:
    """The database file, with one connection per thread.

    Why per thread rather than one shared connection behind a lock: in WAL mode readers never wait
    for a writer, so API reads are not queued behind dispatcher and runner commits; writers take
    SQLite's write lock up front (`BEGIN IMMEDIATE`, waited for up to `busy_timeout`), so they
    queue instead of failing half way on a lock upgrade. Those same rules already serialise other
    processes opening the file, so threads need no lock of their own. Connections of finished
    threads are closed when a new thread connects, and all of them by `close`.
    """

    def __init__(self, path: Path, *, busy_timeout_ms: int = 10_000) -> None:
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._closed = False
        _create_private_file(path)
        connection = self._connection()
        connection.execute("PRAGMA journal_mode = WAL")
        migrate(connection, MIGRATIONS)

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction on this thread's connection: committed on success, else rolled back.

        A durable commit is on disk when it returns, power loss included (`synchronous = FULL`:
        an fsync, about 0.4 ms here). A non-durable one (`NORMAL`) survives the process being
        killed but may be rolled back by a power loss or an OS crash, until the next durable
        commit or checkpoint syncs it too; in WAL mode it never corrupts the file."""
        connection = self._connection()
        self._synchronous(connection, "FULL" if durable else "NORMAL")
        with _transaction(connection):
            yield connection

    def read(self) -> sqlite3.Connection:
        """This thread's connection in autocommit mode: each statement sees the latest commit."""
        return self._connection()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for _, connection in self._connections:
                connection.close()
            self._connections = []

    def __enter__(self) -> "SqliteDatabase":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _synchronous(self, connection: sqlite3.Connection, mode: str) -> None:
        if getattr(self._local, "synchronous", "FULL") != mode:
            connection.execute(f"PRAGMA synchronous = {mode}")
            self._local.synchronous = mode

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
            self._local.synchronous = "FULL"
        return connection

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread is off only so that `close` may close every thread's connection.
        connection = sqlite3.connect(
            self.path, timeout=self._busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
        connection.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        connection.execute("PRAGMA foreign_keys = ON")
        # FULL by default: a commit survives power loss too; an accepted task is never lost.
        connection.execute("PRAGMA synchronous = FULL")
        with self._lock:
            if self._closed:
                connection.close()
                raise sqlite3.ProgrammingError(f"database {self.path} is closed")
            alive = []
            for thread, other in self._connections:
                if thread.is_alive():
                    alive.append((thread, other))
                else:
                    other.close()
            alive.append((threading.current_thread(), connection))
            self._connections = alive
        return connection


def migrate(connection: sqlite3.Connection, migrations: Sequence[str]) -> None:
    """Apply the migrations not yet counted in `user_version`, all in one transaction with the count.

    The write lock is taken before `user_version` is read, so processes opening the file at the
    same time apply each migration exactly once, and a failing one leaves the schema as it was.
    """
    with _transaction(connection):
        applied: int = connection.execute("PRAGMA user_version").fetchone()[0]
        if applied > len(migrations):
            raise RuntimeError(
                f"schema is at migration {applied}, this aloma knows {len(migrations)}: too old"
            )
        for number, script in enumerate(migrations[applied:], start=applied + 1):
            for statement in _statements(script):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")


@contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _statements(script: str) -> Iterator[str]:
    """Split a script into single statements: `executescript` would commit the open transaction."""
    pending = ""
    for piece in re.split(r"(?<=;)", script):
        pending += piece
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {pending.strip()[:80]}")


def _create_private_file(path: Path) -> None:
    """The file holds workspace secrets: owner only. SQLite gives its -wal and -shm files the same mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
