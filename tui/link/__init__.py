"""The link between a playing session and the seats that watch it: a Unix socket, asyncio only.

A TUI session lives in its own directory, ``sessions/<scenario>-<YYYYmmdd-HHMMSS>-<trainee>/``,
holding ``journal.jsonl``, ``link.sock`` and later the reports. ``LinkServer`` serves the
session's event stream on ``link.sock`` (owner-only: the directory is 0700 and the socket 0600)
and hands the commands of the seats allowed to send them to the session. ``LinkClient`` is a
seat: it reads the stream and sends commands, and when the connection drops it reconnects and
resumes where it stopped, so its consumer sees every event exactly once. ``find_live_sessions``
lists the session directories a server answers in, for ``warroom facilitate --attach``.

The messages are ``simulator.protocol``'s; nothing here depends on the socket being a Unix
one except how it is opened. This module must not import Textual: the screens run these
coroutines from their own workers.

Modules: ``common`` (names, paths, errors, finding live sessions), ``server`` (``LinkServer``),
``client`` (``LinkClient``).
"""
