"""The import page (/admin/import): preview with each row's errors, then import;
administrators of the coordination only, a territory's within its territory."""

from __future__ import annotations

import io

from sqlalchemy import select

from bouteilles.models import Organisation, User
from bouteilles.services.members.accounts import create_user
from bouteilles.services.territories import create_territory

GOOD = "code;nom;type\nresto-page;Resto Page;restaurant\ncave-page;Cave Page;point de collecte\n"
BAD = "code,nom,type\nresto-page,Resto Page,restaurant\nbistro-page,,bistro\n"


def _upload(client, kind: str, text: str, name: str = "import.csv"):
    return client.post("/admin/import", content_type="multipart/form-data",
                       data={"kind": kind, "upload": (io.BytesIO(text.encode()), name)})


def _org(session, code: str):
    return session.scalar(select(Organisation).where(Organisation.code == code))


def test_preview_then_import(client, login, actors, session):
    login(actors["coordinator"])
    assert client.get("/admin/import").status_code == 200
    preview = _upload(client, "orgs", GOOD)
    assert preview.status_code == 200 and "Importer 2 lignes" in preview.text
    assert _org(session, "resto-page") is None
    rows = preview.text.split('name="rows" type="hidden" value="')[1].split('"')[0]
    done = client.post("/admin/import", data={"kind": "orgs", "rows": rows})
    assert done.status_code == 201 and "2 lignes importées" in done.text
    assert _org(session, "cave-page").kind == "collection_point"
    tampered = client.post("/admin/import", data={"kind": "orgs", "rows": rows[:-2] + "xx"})
    assert tampered.status_code == 422 and "expiré" in tampered.text


def test_preview_lists_each_row_s_errors(client, login, actors, session):
    login(actors["coordinator"])
    preview = _upload(client, "orgs", BAD)
    assert preview.status_code == 422
    assert "Ligne 3" in preview.text and "Colonne « type »" in preview.text
    assert 'name="rows"' not in preview.text and _org(session, "resto-page") is None
    wrong = _upload(client, "users", "\x00\x01", name="photo.png")
    assert wrong.status_code == 422 and "ni un fichier CSV" in wrong.text


def test_refused_to_other_members_and_readers(client, login, actors, session):
    reader = create_user(session, email="reader@coop.test", org=actors["coordinator"].org,
                         password="marnes-tilleul-1774")
    session.commit()
    for user in (reader, actors["restaurant"]):
        login(user)
        assert client.get("/admin/import").status_code == 403
        assert _upload(client, "orgs", GOOD).status_code == 403


def test_a_territory_imports_within_its_territory(client, login, make_org, session):
    jura = create_territory(session, code="jura", name="Jura")
    create_territory(session, code="doubs", name="Doubs")
    coop = make_org("coordinator", "coop-jura", territory_id=jura.id)
    away = make_org("restaurant", "resto-doubs")
    admin = create_user(session, email="admin@coop-jura.test", org=coop, admin=True,
                        password="marnes-tilleul-1774")
    session.commit()
    login(admin)
    users = _upload(client, "users", f"email;organisation\nx@example.org;{away.code}\n")
    assert users.status_code == 422 and "pas de votre territoire" in users.text
    orgs = _upload(client, "orgs", "code;nom;type;territoire\nvigne-doubs;V;vigneron;doubs\n")
    assert orgs.status_code == 422 and "votre territoire" in orgs.text
    preview = _upload(client, "orgs", "code;nom;type\nvigne-jura;V;vigneron\n")
    rows = preview.text.split('name="rows" type="hidden" value="')[1].split('"')[0]
    assert client.post("/admin/import", data={"kind": "orgs", "rows": rows}).status_code == 201
    assert _org(session, "vigne-jura").territory_id == jura.id
    assert session.scalar(select(User).where(User.email == "x@example.org")) is None
