"""`backup -o FILE` then `restore FILE`: every table comes back exactly (counts and row hashes)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bouteilles.services import backups
from bouteilles.services.backups import table_fingerprints


def _some_history(session, actors, make_container, scan, n: int = 5) -> None:
    resto = actors["restaurant"]
    for _ in range(n):
        code = make_container(holder=resto.org)
        scan(resto, code, "lend")
        scan(resto, code, "return")
    session.commit()


def test_backup_restore_round_trip(app, session, runner, actors, make_container, scan,
                                   tmp_path, assert_invariants):
    _some_history(session, actors, make_container, scan)
    engine = app.extensions["db_engine"]
    before = table_fingerprints(engine)
    assert before["events"][0] == 15 and before["deposit_entries"][0] == 10

    target = tmp_path / "saves" / "bouteilles.backup"
    result = runner.invoke(args=["backup", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    _some_history(session, actors, make_container, scan, n=3)  # life goes on after the backup
    assert table_fingerprints(engine) != before
    session.close()

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    after = table_fingerprints(engine)
    assert after == before, {t for t in before if before[t] != after.get(t)}
    assert_invariants()


def test_restore_refuses_a_file_that_is_not_a_backup(runner, session, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    session.commit()
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code != 0
    assert "sauvegarde" in result.output or "failed" in result.output or "échoué" in result.output


def test_restore_asks_before_replacing_everything(runner, tmp_path):
    bogus = tmp_path / "x.backup"
    bogus.write_text("x")
    result = runner.invoke(args=["restore", str(bogus)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output


def test_backup_is_its_owners_only_from_the_first_byte(app, session, runner, actors,
                                                       make_container, scan, tmp_path,
                                                       monkeypatch):
    """0600 whatever the umask, and already while the data is written (no chmod after)."""
    _some_history(session, actors, make_container, scan, n=1)
    seen = {}
    real_run, real_copy = backups._run_pg, backups._sqlite_backup

    def watch(path: Path) -> None:
        seen[path.name] = stat.S_IMODE(path.stat().st_mode)

    def run_pg(args, engine, **kw):
        watch(Path(args[args.index("--file") + 1]))
        return real_run(args, engine, **kw)

    def sqlite_copy(engine, tmp):
        watch(tmp)
        return real_copy(engine, tmp)

    monkeypatch.setattr(backups, "_run_pg", run_pg)
    monkeypatch.setattr(backups, "_sqlite_backup", sqlite_copy)
    target = tmp_path / "saves" / "b.backup"
    target.parent.mkdir()
    target.write_text("yesterday's, readable by all")
    target.chmod(0o644)
    old_umask = os.umask(0)
    try:
        result = runner.invoke(args=["backup", "-o", str(target)])
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    assert seen == {"b.backup.part": 0o600}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.backup"]
