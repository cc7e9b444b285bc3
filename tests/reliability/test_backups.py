"""`backup -o FILE` then `restore FILE`: every table comes back exactly (counts and row hashes)."""

from __future__ import annotations

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
