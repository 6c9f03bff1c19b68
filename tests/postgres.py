"""A throwaway PostgreSQL server for the tests (a cluster in a temporary folder, reached only
through a Unix socket in that folder, stopped and deleted at the end), and raw SQL on either
backend.

PostgreSQL refuses to run as root, so as root (CI) ``initdb`` and ``pg_ctl`` run as the
``postgres`` user of the Debian package (``runuser -u postgres --``), which owns the folder.
pytest-postgresql was considered and does not fit: it runs ``pg_ctl`` as the current user, with
no way to drop root. ``start_cluster`` raises ``Unavailable`` with the reason when there is no
server to start; the fixtures in ``conftest`` skip on that locally and fail under ``CI=true``.

This module must not be imported by the packages, only by tests.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

SUPERUSER = "warroom"
"""The cluster's superuser (trust authentication, socket only)."""
RUN_AS = "postgres"
"""The user the server runs as when the tests run as root."""


class Unavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


def _bindir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    raise Unavailable(
        "no PostgreSQL server programs (pg_ctl, initdb) on PATH or in /usr/lib/postgresql; "
        "install the postgresql package"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway server."""

    root: Path
    """Its folder: the data directory, the log and the socket."""
    bindir: Path
    """Where ``pg_ctl`` is."""
    port: int
    """The port, which names the socket (the server listens on no TCP address)."""
    prefix: tuple[str, ...]
    """What runs a server program as the right user (empty unless root)."""

    def url(self, dbname: str = "postgres") -> str:
        """A libpq URL of ``dbname`` on this server."""
        return (
            f"postgresql://{SUPERUSER}@/{dbname}?host={quote(str(self.root), safe='')}"
            f"&port={self.port}"
        )

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        try:
            pg_ctl, data = str(self.bindir / "pg_ctl"), str(self.root / "data")
            subprocess.run(
                [*self.prefix, pg_ctl, "stop", "-D", data, "-m", "fast", "-w", "-t", "60"],
                capture_output=True,
                timeout=90,
                check=False,
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(*, durable: bool = False) -> Cluster:
    """Start a new cluster in a temporary folder.

    Args:
        durable: Keep PostgreSQL's fsync on (for measurements); tests turn it off.

    Raises:
        Unavailable: when there is no server to start, or it does not start.
    """
    bindir = _bindir()
    prefix: tuple[str, ...] = ()
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(RUN_AS)
        except KeyError:
            raise Unavailable(f"running as root and there is no {RUN_AS!r} user") from None
        runuser = shutil.which("runuser")
        if runuser is None:
            raise Unavailable("running as root and there is no runuser to drop to postgres")
        prefix = (runuser, "-u", RUN_AS, "--")
    # /tmp, not $TMPDIR: the server's user must reach the folder, and a socket's path is short.
    root = Path(
        tempfile.mkdtemp(prefix="warroom-pg-", dir="/tmp" if Path("/tmp").is_dir() else None)
    )
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(root, bindir, _free_port(), prefix)
    settings = f"-c listen_addresses='' -c unix_socket_directories='{root}' -p {cluster.port}"
    if not durable:
        settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    data, log = str(root / "data"), str(root / "log")
    initdb = (str(bindir / "initdb"), "-D", data, "-U", SUPERUSER, "--auth=trust", "-E")
    steps = (
        [*initdb, "UTF8", "--locale=C", "--no-sync"],
        [str(bindir / "pg_ctl"), "start", "-D", data, "-l", log, "-w", "-t", "60", "-o", settings],
    )
    for step in steps:
        try:
            done = subprocess.run(
                [*prefix, *step], capture_output=True, text=True, timeout=120, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            cluster.stop()
            raise Unavailable(f"{Path(step[0]).name} did not run: {exc}") from None
        if done.returncode != 0:
            log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
            cluster.stop()
            raise Unavailable(
                f"{Path(step[0]).name} failed ({done.returncode}): "
                f"{(done.stderr or done.stdout).strip()} {log.strip()[-500:]}"
            )
    return cluster


def raw_sql(location: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run ``query`` (``?`` placeholders) on an SQLite file or a PostgreSQL URL straight
    through the driver, past the records layer (to build rows the records would refuse)."""
    if location.startswith("postgresql://"):
        with psycopg.connect(location, autocommit=True) as conn:
            cur = conn.execute(query.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []
    lite = sqlite3.connect(location, isolation_level=None)
    try:
        return lite.execute(query, params).fetchall()
    finally:
        lite.close()
