"""Imports from a spreadsheet (services/imports/, `flask import`): valid rows
written, one bad row and nothing is, CSV `;` and `,` and XLSX, bad files refused."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bouteilles.models import Container, Event, Label, Organisation, User
from bouteilles.services.imports import KINDS, FileRefused, read_file, run_import
from bouteilles.services.items.codes import new_code
from bouteilles.services.members.management import must_change_password
from bouteilles.services.movements import mint_codes
from bouteilles.services.territories import Scope, create_territory

ORGS = ("\ufeffcode;nom;type;adresse;territoire;latitude;longitude;gln;remarque\n"
        "resto-import;La Taverne;Restaurant;1 rue Neuve;jura;46,67;5,55;3760123456784;x\n"
        "vigne-import;Domaine Import;vigneron;;;;;;\n")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _run(session, kind: str, data: bytes, apply: bool = True, actor=None, scope=Scope.WHOLE):
    outcome = run_import(session, KINDS[kind], read_file(KINDS[kind], data), actor=actor,
                         scope=scope, apply=apply)
    session.commit()
    return outcome


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_orgs_from_a_semicolon_csv(session):
    create_territory(session, code="jura", name="Jura")
    dry = _run(session, "orgs", ORGS.encode(), apply=False)
    assert dry.ok and not dry.applied and dry.ignored == ["remarque"]
    assert session.scalar(select(Organisation).where(Organisation.code == "resto-import")) is None
    done = _run(session, "orgs", ORGS.encode())
    assert done.applied and done.count == 2
    taverne = session.scalar(select(Organisation).where(Organisation.code == "resto-import"))
    assert (taverne.kind, taverne.territory.code, taverne.latitude, taverne.gln) == (
        "restaurant", "jura", 46.67, "3760123456784")


def test_one_bad_row_and_nothing_is_written(session):
    before = _count(session, Organisation)
    data = (b"code,name,kind\nok-one,One,winegrower\nbad-one,Bad,bistro\n"
            b"ok-one,Twice,restaurant\n")
    outcome = _run(session, "orgs", data)
    assert not outcome.ok and not outcome.applied
    assert [(row.line, [e.column for e in row.errors]) for row in outcome.faulty] == [
        (3, ["kind"]), (4, ["code"])]
    assert _count(session, Organisation) == before


def test_users_from_xlsx_get_temporary_passwords(session, make_org):
    coop, resto = make_org("coordinator"), make_org("restaurant")
    data = _xlsx([["E-mail", "Nom", "Organisation", "Admin", "Langue"],
                  ["Anna@Example.org", "Anna", coop.code, "oui", "anglais"],
                  [None, None, None, None, None],
                  ["paul@example.org", None, resto.code, None, "fr"]])
    outcome = _run(session, "users", data)
    assert outcome.applied and [email for email, _ in outcome.passwords] == [
        "anna@example.org", "paul@example.org"]
    anna = session.scalar(select(User).where(User.email == "anna@example.org"))
    assert anna.is_admin and anna.locale == "en" and must_change_password(session, anna.id)
    bad = _xlsx([["email", "organisation", "admin"], ["x@example.org", resto.code, "oui"],
                 ["y@example.org", "nobody", "non"]])
    refused = _run(session, "users", bad)
    assert [(row.line, row.errors[0].column) for row in refused.faulty] == [
        (2, "admin"), (3, "org")]
    assert session.scalar(select(User).where(User.email == "y@example.org")) is None


def test_stock_commissioned_and_owned_through_the_log(session, actors, make_org):
    coordinator, grower = actors["coordinator"], make_org("winegrower")
    printed, unregistered = mint_codes(session, 1)[0], new_code()
    session.commit()
    data = (f"code;type;détenteur;propriétaire;état\n{printed};bouteille-75;{grower.code};;propre\n"
            f"{unregistered};bouteille-75;{grower.code};{grower.code};\n").encode()
    bad = data + f"{new_code()};bouteille-75;{grower.code};;sale\n".encode()
    refused = _run(session, "stock", bad, actor=coordinator)
    assert [(row.line, row.errors[0].column) for row in refused.faulty] == [(4, "state")]
    assert session.get(Label, unregistered) is None
    outcome = _run(session, "stock", data, actor=coordinator)
    assert outcome.applied and outcome.count == 2
    boxes = {box.code: box for box in session.scalars(
        select(Container).where(Container.code.in_([printed, unregistered])))}
    assert {box.holder_id for box in boxes.values()} == {grower.id}
    assert boxes[printed].owner_id == coordinator.org_id
    assert boxes[unregistered].owner_id == grower.id
    actions = session.scalars(select(Event.action).where(Event.code == unregistered)
                              .order_by(Event.id)).all()
    assert actions == ["commission", "transfer"]
    again = _run(session, "stock", data, actor=coordinator)
    assert {row.errors[0].column for row in again.faulty} == {"code"}


@pytest.mark.parametrize(("data", "says"), [
    (b"", "vide"),
    ("email;organisation\nété@x.fr;coop\n".encode("latin-1"), "UTF-8"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    (b"PK\x03\x04not a workbook", "XLSX"),
    (b"courriel;nom\na@b.fr;A\n", "organisation"),
    (b"email;organisation\n", "aucune ligne"),
    (b"email;organisation\n" + b"a@b.fr;c\n" * 101, "100"),
])
def test_bad_files_are_refused_clearly(app, data, says):
    with app.test_request_context(), pytest.raises(FileRefused) as refused:
        read_file(KINDS["users"], data)
    assert says in str(refused.value)


def test_too_many_rows(app):
    with app.test_request_context(), pytest.raises(FileRefused, match="5"):
        read_file(KINDS["orgs"], b"code,nom,type\n" + b"a,b,c\n" * 5001)


def test_cli_dry_run_then_apply(runner, session, tmp_path):
    create_territory(session, code="jura", name="Jura")
    session.commit()
    path = tmp_path / "orgs.csv"
    path.write_text(ORGS, encoding="utf-8")
    dry = runner.invoke(args=["import", "orgs", str(path)])
    assert dry.exit_code == 0 and "dry run" in dry.output, dry.output
    applied = runner.invoke(args=["import", "orgs", str(path), "--apply"])
    assert applied.exit_code == 0 and "2 row(s) imported (orgs)" in applied.output, applied.output
    again = runner.invoke(args=["import", "orgs", str(path), "--apply"])
    assert again.exit_code == 1 and "line 2, gln" in again.output, again.output
