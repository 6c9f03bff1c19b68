"""Where the records are, and one connection to them: an SQLite file or a PostgreSQL database.

``resolve_db_path`` finds the location (``--db``, else ``$WARROOM_DB``, else
``platformdirs.user_data_dir("warroom")/records.db``): a ``Path`` for an SQLite file, or a
``ServerDatabase`` for a ``postgresql://`` URL. ``connect`` opens it and returns a
``Connection``: both engines behind one small interface (run a statement with ``:name``
parameters, say whether a transaction is open, add CHECK constraints to a table the engine's
way, relax the checks while a migration copies rows), with every driver error turned into a
``RecordsError`` that names the location (a URL's password is never shown).

SQLite: the file is created owner-only (0600) and any folder warroom makes for it 0700; the
connection runs in WAL mode with a busy timeout and ``synchronous = FULL`` (a commit survives a
power cut: one fsync per write, a few milliseconds). Switching a new file to WAL needs a moment
alone with it, so two processes creating one database at once retry until the timeout instead
of failing. PostgreSQL: psycopg 3 in autocommit mode (the store issues ``BEGIN``/``COMMIT``
itself, as it does on SQLite), with ``lock_timeout`` set to the same timeout; psycopg is
imported only when a PostgreSQL database is opened, so SQLite users never pay for it.

This module must not hold queries about trainees (that is ``store``), must not build SQL from
values, and must not import the TUI, Textual or Rich.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from assessments.records.dialects import POSTGRESQL, SQLITE, Dialect
from assessments.records.errors import RecordsError

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "BUSY_TIMEOUT_S",
    "ENV_DB",
    "URL_SCHEMES",
    "Connection",
    "Location",
    "Result",
    "ServerDatabase",
    "connect",
    "location_of",
    "resolve_db_path",
]

ENV_DB = "WARROOM_DB"
"""Environment variable naming the database when ``--db`` is not given."""
BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another writer's transaction to finish."""
URL_SCHEMES = ("postgresql://", "postgres://")
"""How a PostgreSQL location begins (libpq's two spellings)."""
CONNECT_TIMEOUT_S = 10
"""How long opening a PostgreSQL connection may take."""


# --------------------------------------------------------------------------- locations


@dataclass(frozen=True)
class ServerDatabase:
    """A PostgreSQL database named by a libpq URL (``postgresql://user@host:port/dbname``).

    It prints without its password. Files that SQLite keeps beside the records (the certificate
    key) have no place on a server, so ``os.fspath`` of a server database is a local stand-in,
    ``user_data_dir("warroom")/postgresql/HOST-PORT-DBNAME.db``: the key of a PostgreSQL
    programme is ``HOST-PORT-DBNAME.key`` in that folder, on each machine that issues or
    verifies certificates (``docs/records.md``).
    """

    url: str = field(repr=False)
    """The URL as given (it may hold a password)."""

    def exists(self) -> bool:
        """Always true: a server's database is created by its administrator; warroom creates
        its tables when it first opens it."""
        return True

    def __str__(self) -> str:
        parts = urlsplit(self.url)
        netloc = parts.netloc
        if parts.password is not None:
            netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
        query = parse_qsl(parts.query, keep_blank_values=True)
        if any(k == "password" for k, _ in query):
            shown = [(k, "***" if k == "password" else v) for k, v in query]
            return urlunsplit((parts.scheme, netloc, parts.path, urlencode(shown), ""))
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))

    def __fspath__(self) -> str:
        parts = urlsplit(self.url)
        query = dict(parse_qsl(parts.query))
        host = query.get("host") or parts.hostname or "localhost"
        port = query.get("port") or (str(parts.port) if parts.port else "5432")
        name = query.get("dbname") or parts.path.lstrip("/") or parts.username or "postgres"
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{host}-{port}-{name}").strip("_")
        return str(_data_dir() / "postgresql" / f"{slug}.db")


Location = Path | ServerDatabase
"""Where records are: an SQLite file, or a PostgreSQL database."""


def location_of(value: str | os.PathLike[str] | ServerDatabase) -> Location:
    """``value`` as a location: a ``postgresql://`` URL names a server, anything else a file."""
    if isinstance(value, ServerDatabase | Path):
        return value
    text = os.fspath(value)
    if text.startswith(URL_SCHEMES):
        return ServerDatabase(text)
    return Path(text)


def resolve_db_path(option: str | os.PathLike[str] | ServerDatabase | None = None) -> Location:
    """Where the records are: ``option``, else ``$WARROOM_DB``, else the user data directory.

    A ``postgresql://`` URL (either place) gives a ``ServerDatabase``; anything else a path.
    """
    if isinstance(option, ServerDatabase):
        return option
    if option is not None and os.fspath(option):
        return location_of(option)
    env = os.environ.get(ENV_DB, "")
    if env:
        return location_of(env)
    return _data_dir() / "records.db"


def _data_dir() -> Path:
    """The user's data folder for warroom (``platformdirs`` is imported only when needed, so
    naming a credit kind in ``warroom --help`` costs nothing)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("warroom"))


# --------------------------------------------------------------------------- connections


@dataclass(frozen=True)
class Result:
    """What a statement returned, read in full."""

    columns: list[str]
    """Column names (empty for a statement that returns no rows)."""
    rows: list[tuple[Any, ...]]
    """The rows."""
    lastrowid: int | None = None
    """SQLite's id of the row an ``INSERT`` made."""


class Connection(Protocol):
    """One connection to the records, whatever the engine."""

    dialect: Dialect
    """The engine's SQL differences."""
    location: Location
    """Where it is connected."""

    def execute(self, query: str, params: Mapping[str, Any] | None = None) -> Result:
        """Run ``query`` (``:name`` placeholders) with ``params``.

        Raises:
            RecordsError: for any driver error; a lock held past the timeout says so.
        """

    def in_transaction(self) -> bool:
        """Whether a transaction is open (or failed and awaits its rollback)."""

    def rollback(self) -> None:
        """Roll back the open transaction."""

    def relaxed(self) -> AbstractContextManager[None]:
        """A context in which a migration may copy rows as they are: SQLite turns off
        foreign-key and CHECK enforcement for it (entered outside a transaction)."""

    def add_checks(
        self, table: str, strict_columns: str, checks: Sequence[tuple[str, str]]
    ) -> None:
        """Give ``table`` the CHECK constraints ``checks`` (name, condition) inside the
        caller's transaction, keeping every row as it is. SQLite cannot add a constraint to a
        table: it rebuilds it as a ``STRICT`` table of ``strict_columns``, rows and indexes
        kept. PostgreSQL adds each one ``NOT VALID`` (checked for new and changed rows)."""

    def close(self) -> None:
        """Close the connection."""


def connect(location: Location, timeout: float = BUSY_TIMEOUT_S) -> Connection:
    """Open the records at ``location``; creates an SQLite file (and its folder) when missing.

    Raises:
        RecordsError: when the location cannot be opened as a database.
    """
    if isinstance(location, ServerDatabase):
        return PostgresConnection(location, timeout)
    return SqliteConnection(location, timeout)


def _private_folder(folder: Path) -> None:
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        with suppress(FileExistsError):
            made.mkdir(mode=0o700)


def _private_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


class SqliteConnection:
    """An SQLite file in WAL mode."""

    dialect = SQLITE

    def __init__(self, path: Path, timeout: float) -> None:
        self.location: Location = path
        if path.is_dir():
            raise RecordsError(f"{path}: is a directory; give the database file's path")
        try:
            _private_folder(path.parent)
            _private_file(path)
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise RecordsError(f"{path}: cannot open the records database: {exc}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            mode = self._wal(conn, time.monotonic() + timeout)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            if isinstance(exc, sqlite3.OperationalError) and _locked(exc):
                raise RecordsError(
                    f"{path}: the database stayed locked by another process: {exc}"
                ) from None
            raise RecordsError(f"{path}: not a warroom records database ({exc})") from None
        if str(mode).lower() != "wal":
            conn.close()
            raise RecordsError(f"{path}: the database refused WAL mode (got {mode})")
        self._conn = conn

    @staticmethod
    def _wal(conn: sqlite3.Connection, deadline: float) -> object:
        pause = 0.005
        while True:
            try:
                row = conn.execute("PRAGMA journal_mode = WAL").fetchone()
                return None if row is None else row[0]
            except sqlite3.OperationalError as exc:
                if not _locked(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def execute(self, query: str, params: Mapping[str, Any] | None = None) -> Result:
        try:
            cur = self._conn.execute(self.dialect.sql(query), dict(params or {}))
            columns = [d[0] for d in cur.description or ()]
            rows = cur.fetchall() if columns else []
        except sqlite3.OperationalError as exc:
            if _locked(exc):
                raise RecordsError(
                    f"{self.location}: the database stayed locked by another writer: {exc}"
                ) from None
            raise RecordsError(f"{self.location}: {exc}") from None
        except sqlite3.IntegrityError as exc:
            raise RecordsError(f"{self.location}: the records refused a row: {exc}") from None
        except sqlite3.Error as exc:
            raise RecordsError(f"{self.location}: {exc}") from None
        return Result(columns, rows, cur.lastrowid)

    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    @contextmanager
    def relaxed(self) -> Iterator[None]:
        self._conn.execute("PRAGMA foreign_keys = OFF")
        self._conn.execute("PRAGMA ignore_check_constraints = ON")
        try:
            yield
        finally:
            self._conn.execute("PRAGMA ignore_check_constraints = OFF")
            self._conn.execute("PRAGMA foreign_keys = ON")

    def add_checks(
        self, table: str, strict_columns: str, checks: Sequence[tuple[str, str]]
    ) -> None:
        clauses = [f"CONSTRAINT {name} CHECK ({condition})" for name, condition in checks]
        new = f"warroom_new_{table}"
        indexes = self.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :table "
            "AND sql IS NOT NULL",
            {"table": table},
        ).rows
        self.execute(f"CREATE TABLE {new} ({', '.join([strict_columns, *clauses])}) STRICT")
        columns = ", ".join(str(r[1]) for r in self.execute(f"PRAGMA table_info({new})").rows)
        self.execute(f"INSERT INTO {new} ({columns}) SELECT {columns} FROM {table}")
        self.execute(f"DROP TABLE {table}")
        self.execute(f"ALTER TABLE {new} RENAME TO {table}")
        for (sql,) in indexes:
            self.execute(str(sql))

    def close(self) -> None:
        self._conn.close()


def _locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class PostgresConnection:
    """A PostgreSQL database through psycopg 3."""

    dialect = POSTGRESQL

    def __init__(self, database: ServerDatabase, timeout: float) -> None:
        import psycopg

        self.location: Location = database
        try:
            self._conn: psycopg.Connection[tuple[Any, ...]] = psycopg.connect(
                database.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            )
        except psycopg.Error as exc:
            raise RecordsError(
                f"{database}: cannot connect to the records database: {_message(exc)}"
            ) from None
        except ValueError as exc:  # a malformed URL, as psycopg's conninfo parser says
            raise RecordsError(f"{database}: not a PostgreSQL URL: {exc}") from None
        self.execute(
            "SELECT set_config('lock_timeout', :ms, false)", {"ms": f"{int(timeout * 1000)}ms"}
        )

    def execute(self, query: str, params: Mapping[str, Any] | None = None) -> Result:
        import psycopg
        from psycopg import errors

        try:
            cur = self._conn.execute(self.dialect.sql(query), dict(params or {}))
            columns = [d.name for d in cur.description or ()]
            rows = cur.fetchall() if columns else []
        except errors.LockNotAvailable as exc:
            raise RecordsError(
                f"{self.location}: the database stayed locked by another writer: {_message(exc)}"
            ) from None
        except psycopg.IntegrityError as exc:
            raise RecordsError(
                f"{self.location}: the records refused a row: {_message(exc)}"
            ) from None
        except psycopg.Error as exc:
            raise RecordsError(f"{self.location}: {_message(exc)}") from None
        return Result(columns, rows)

    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    @contextmanager
    def relaxed(self) -> Iterator[None]:
        yield

    def add_checks(
        self, table: str, strict_columns: str, checks: Sequence[tuple[str, str]]
    ) -> None:
        for name, condition in checks:
            self.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition}) NOT VALID")

    def close(self) -> None:
        self._conn.close()


def _message(exc: Exception) -> str:
    return " ".join(str(exc).split())
