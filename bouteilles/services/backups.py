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

from sqlalchemy import Engine, MetaData, select
from sqlalchemy.engine import make_url

from .errors import ValidationError


class BackupError(ValidationError):
    """A backup or restore that could not be done (the message says why)."""


def backup_database(engine: Engine, target: Path) -> Path:
    """Write a consistent copy of the database to `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    url = engine.url
    if url.get_backend_name() == "sqlite":
        tmp = target.with_name(target.name + ".part")
        tmp.unlink(missing_ok=True)
        source = sqlite3.connect(_sqlite_path(engine))
        try:
            dest = sqlite3.connect(tmp)
            with dest:
                source.backup(dest)
            dest.close()
        finally:
            source.close()
        tmp.replace(target)  # a half-written backup never takes the final name
        return target
    _run_pg(["pg_dump", "--format=custom", "--no-owner", "--file", str(target)], engine)
    return target


def restore_database(engine: Engine, source: Path) -> None:
    """Replace the whole database with the backup in `source` (stop the app first)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError("Fichier de sauvegarde introuvable : {path}.", path=str(source))
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
        raise BackupError("{path} n'est pas une sauvegarde Bouteilles lisible.", path=str(source))


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("Base SQLite en mémoire : rien à sauvegarder.")
    return path


def _run_pg(args: list[str], engine: Engine, *, dbname_flag: bool = False) -> None:
    """Run a PostgreSQL client tool on the engine's database (password via the environment)."""
    if shutil.which(args[0]) is None:
        raise BackupError("{tool} est introuvable : installez postgresql-client.", tool=args[0])
    url = make_url(engine.url)
    # Connection settings through libpq's environment: the password never shows in `ps`.
    settings = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
                "PGPASSWORD": url.password, "PGSSLMODE": url.query.get("sslmode")}
    env = dict(os.environ, PGCONNECT_TIMEOUT="10",
               **{key: str(value) for key, value in settings.items() if value})
    dbname = ["--dbname", url.database or ""]
    args = [*args[:-1], *dbname, args[-1]] if dbname_flag else [*args, *dbname]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError("{tool} a échoué : {detail}", tool=args[0],
                          detail=done.stderr.strip()[-500:])


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
