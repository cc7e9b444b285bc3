"""Backups of the whole database: SQLite's online backup API, PostgreSQL's pg_dump.

A backup is one file. For SQLite it is itself a SQLite database, copied page by
page while the application keeps running (readers and writers are not
stopped). For PostgreSQL it is a `pg_dump --format=custom` archive, restored
with `pg_restore --clean --single-transaction`: the restore either replaces
everything or changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.engine import make_url

from .errors import ValidationError


class BackupError(ValidationError):
    """A backup or restore that could not be done (the message says why)."""


# A backup holds every member's data: readable by its owner only, from its first byte.
BACKUP_MODE = 0o600


def backup_database(engine: Engine, target: Path) -> Path:
    """Write a consistent copy of the database to `target` (mode 0600)."""
    target = Path(target)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    _create_private(tmp)
    try:
        if engine.url.get_backend_name() == "sqlite":
            _sqlite_backup(engine, tmp)
        else:
            _run_pg(["pg_dump", "--format=custom", "--no-owner", "--file", str(tmp)], engine)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(target)  # a half-written backup never takes the final name
    return target


def _create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 (never an existing file, nor through a
    link): SQLite and pg_dump then write into it, and keep its mode."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    os.close(os.open(path, flags, BACKUP_MODE))


def _sqlite_backup(engine: Engine, tmp: Path) -> None:
    """SQLite's online backup into `tmp` (its journal takes the file's mode)."""
    source = sqlite3.connect(_sqlite_path(engine))
    try:
        dest = sqlite3.connect(tmp)
        with dest:
            source.backup(dest)
        dest.close()
    finally:
        source.close()


def restore_database(engine: Engine, source: Path) -> None:
    """Replace the whole database with the backup in `source` (stop the app first)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(_l("Fichier de sauvegarde introuvable : %(path)s.", path=str(source)))
    engine.dispose()
    if engine.url.get_backend_name() == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            _check_sqlite_backup(backup, source)
            dest = sqlite3.connect(_sqlite_path(engine), timeout=30)
            with dest:
                backup.backup(dest)
            dest.close()
        finally:
            backup.close()
        return
    _run_pg(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--exit-on-error", str(source)], engine, dbname_flag=True)


def _check_sqlite_backup(conn: sqlite3.Connection, source: Path) -> None:
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        has_schema = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                  "AND name = 'alembic_version'").fetchone()
    except sqlite3.DatabaseError:
        ok, has_schema = False, None
    if not ok or not has_schema:
        raise BackupError(_l("%(path)s n'est pas une sauvegarde Bouteilles lisible.",
                             path=str(source)))


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError(_l("Base SQLite en mémoire : rien à sauvegarder."))
    return path


def _run_pg(args: list[str], engine: Engine, *, dbname_flag: bool = False) -> None:
    """Run a PostgreSQL client tool on the engine's database (password via the environment)."""
    if shutil.which(args[0]) is None:
        raise BackupError(_l("%(tool)s est introuvable : installez postgresql-client.",
                             tool=args[0]))
    url = make_url(engine.url)
    # Connection settings through libpq's environment: the password never shows in `ps`.
    settings = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
                "PGPASSWORD": url.password, "PGSSLMODE": url.query.get("sslmode")}
    env = dict(os.environ, PGCONNECT_TIMEOUT="10",
               **{key: str(value) for key, value in settings.items() if value})
    dbname = ["--dbname", url.database or ""]
    args = [*args[:-1], *dbname, args[-1]] if dbname_flag else [*args, *dbname]
    # umask: whatever the tool itself creates is its owner's only (pg_dump keeps the
    # mode of the file it is given; this covers any other).
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False,
                          umask=0o077)
    if done.returncode != 0:
        raise BackupError(_l("%(tool)s a échoué : %(detail)s", tool=args[0],
                             detail=done.stderr.strip()[-500:]))


def table_fingerprints(engine: Engine) -> dict[str, tuple[int, str]]:
    """Per table: (row count, SHA-256 of its rows in primary-key order). For comparisons."""
    metadata = MetaData()
    metadata.reflect(engine)
    result = {}
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            digest, count = hashlib.sha256(), 0
            for row in conn.execute(select(table).order_by(*order)).yield_per(1000):
                digest.update(repr(tuple(row)).encode())
                count += 1
            result[name] = (count, digest.hexdigest())
    return result
