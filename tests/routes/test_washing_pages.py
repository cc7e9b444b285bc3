"""The washing site's pages through the client: forms, refusals, access."""

import re
from zoneinfo import ZoneInfo

import pytest

from bouteilles.db.database import get_session
from bouteilles.models import Batch
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch


@pytest.fixture
def site(actors, login):
    return login(actors["washing_site"])


def batch_id_from(response) -> int:
    return int(re.search(r"/washing/batches/(\d+)", response.headers["Location"]).group(1))


@pytest.mark.parametrize("path", ["/washing/", "/washing/receive", "/washing/sort",
                                  "/washing/batches", "/washing/requests"])
def test_pages_render_for_the_site(client, site, path):
    page = client.get(path)
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text or path == "/washing/"


@pytest.mark.parametrize("kind", ["restaurant", "winegrower", "collector"])
def test_other_roles_are_refused(client, actors, login, kind):
    login(actors[kind])
    assert client.get("/washing/").status_code == 403
    assert client.post("/washing/batches", data={"type": "bouteille-75"}).status_code == 403


def test_anonymous_goes_to_login(client):
    assert client.get("/washing/batches").status_code == 302


def test_open_fill_close_a_batch(client, site):
    response = client.post("/washing/batches", data={"type": "bouteille-75"})
    assert response.status_code == 302
    batch_id = batch_id_from(response)
    assert client.post(f"/washing/batches/{batch_id}/inputs",
                       data={"count": "1000", "codes": ""}).status_code == 302
    # 960 + 30 ≠ 1000: refused, and everything typed is still there.
    refused = client.post(f"/washing/batches/{batch_id}/close", data={
        "clean": "960", "reject_broken": "20", "reject_chipped": "10", "water_l": "350,5",
        "km_0": "40", "mode_0": "van"})
    assert refused.status_code == 422
    for typed in ('value="960"', 'value="20"', 'value="10"', 'value="350,5"', 'value="40"'):
        assert typed in refused.text
    assert "1000" in refused.text and "ne tombe pas juste" in refused.text
    closed = client.post(f"/washing/batches/{batch_id}/close", data={
        "clean": "970", "reject_broken": "20", "reject_chipped": "10", "km_0": "40",
        "mode_0": "van"})
    assert closed.status_code == 302
    page = client.get(f"/washing/batches/{batch_id}")
    # 335 037 g avoided, 543 200 g of waste avoided: three significant digits (formatting.mass).
    assert "335\u202fkg" in page.text and "543\u202fkg" in page.text and "fr-2026-1" in page.text
    batch = get_session().get(Batch, batch_id)
    assert batch.status == "closed" and batch.co2e_avoided_g == 335_037


def test_measures_and_times_are_written_the_readers_way(client, site):
    batch_id = batch_id_from(client.post("/washing/batches", data={"type": "bouteille-75"}))
    client.post(f"/washing/batches/{batch_id}/inputs", data={"count": "1200", "codes": ""})
    assert client.post(f"/washing/batches/{batch_id}/close", data={
        "clean": "1200", "water_l": "35,5", "km_0": "18", "mode_0": "van"}).status_code == 302
    batch = get_session().get(Batch, batch_id)
    opened = batch.opened_at.astimezone(ZoneInfo("Europe/Paris"))
    french = client.get(f"/washing/batches/{batch_id}").text
    assert ">35,5<" in french and "18,0\u202fkm" in french and "1\u202f200" in french
    assert f"{opened:%d/%m/%Y %H:%M}</time>" in french and "UTC" not in french
    english = client.get(f"/washing/batches/{batch_id}?lang=en").text
    assert ">35.5<" in english and "18.0 km" in english and "1,200" in english
    assert f"{opened:%d/%m/%Y, %H:%M}</time>" in english


def test_bad_numbers_are_a_422_not_a_500(client, site):
    batch_id = batch_id_from(client.post("/washing/batches", data={"type": "bocal-500"}))
    page = client.post(f"/washing/batches/{batch_id}/inputs", data={"count": "beaucoup"})
    assert page.status_code == 422 and 'value="beaucoup"' in page.text
    page = client.post(f"/washing/batches/{batch_id}/close",
                       data={"clean": "0", "gas_kwh": "-3"})
    assert page.status_code == 422 and 'value="-3"' in page.text


def test_another_sites_batch_is_forbidden(client, site, session, make_user):
    other = make_user("washing_site")
    batch = open_batch(session, actor=other, type_code="bouteille-75")
    session.commit()
    assert client.get(f"/washing/batches/{batch.id}").status_code == 403
    assert client.post(f"/washing/batches/{batch.id}/close",
                       data={"clean": "0"}).status_code == 403


def test_coordinator_reads_batches(client, session, actors, login):
    batch = open_batch(session, actor=actors["washing_site"], type_code="bouteille-75")
    login(actors["coordinator"])
    assert batch.code in client.get("/washing/batches").text
    assert client.get(f"/washing/batches/{batch.id}").status_code == 200
    assert client.get("/washing/receive").status_code == 403


def test_batch_list_filters_and_paginates(client, site, session):
    for _ in range(23):
        open_batch(session, actor=site, type_code="bouteille-75")
    closed = open_batch(session, actor=site, type_code="clavelin-62")
    close_batch(session, closed, actor=site, clean=0, rejected={})
    session.commit()
    first = client.get("/washing/batches?status=open")
    assert first.status_code == 200 and "Page 1 sur 2" in first.text
    assert closed.code not in first.text
    assert closed.code in client.get("/washing/batches?status=closed&type=clavelin-62").text
    assert client.get("/washing/batches?page=zzz&type=nope").status_code == 200


def test_receive_by_code_and_by_count(client, site, actors, make_crate, scan):
    code = make_crate(quantity=40)
    scan(actors["collector"], code, "collect")
    get_session().commit()
    assert client.post("/washing/receive", data={"mode": "codes", "codes": code}).status_code == 302
    refused = client.post("/washing/receive", data={"mode": "codes", "codes": f"{code}\nZZZZ"})
    assert refused.status_code == 422 and "ZZZZ" in refused.text
    counted = client.post("/washing/receive",
                          data={"mode": "count", "type": "bouteille-75", "quantity": "300"})
    assert counted.status_code == 302 and "crate=" in counted.headers["Location"]
    page = client.get(counted.headers["Location"])
    assert "Imprimer" in page.text
    # Receipts name their action in the reader's words, not its code.
    codes = r"<td>(deliver|collect|commission)\b"
    assert re.search(r"<td>(Livrer|Collecter|Mettre en service)", page.text)
    assert not re.search(codes, page.text)
    english = client.get(counted.headers["Location"] + "&lang=en").text
    assert re.search(r"<td>(Deliver|Collect|Commission)", english)
    assert not re.search(codes, english)
    new_code = counted.headers["Location"].split("crate=")[1]
    pdf = client.get(f"/washing/labels.pdf?codes={new_code}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_sort_a_crate_keeps_the_form_on_refusal(client, site, make_crate):
    code = make_crate(quantity=10, state="collected", holder=site.org)
    get_session().commit()
    refused = client.post("/washing/sort", data={"mode": "crate", "crate": code,
                                                 "reject_broken": "11"})
    assert refused.status_code == 422 and 'value="11"' in refused.text and code in refused.text
    assert client.post("/washing/sort", data={"mode": "crate", "crate": code,
                                              "reject_broken": "2"}).status_code == 302


def test_release_into_crates_and_print(client, site, session):
    batch = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, batch, actor=site, count=100)
    close_batch(session, batch, actor=site, clean=100, rejected={})
    session.commit()
    refused = client.post(f"/washing/batches/{batch.id}/release", data={"size": "0"})
    assert refused.status_code == 422 and 'id="size"' in refused.text
    assert client.post(f"/washing/batches/{batch.id}/release",
                       data={"size": "40"}).status_code == 302
    page = client.get(f"/washing/batches/{batch.id}")
    assert page.text.count("<td class=\"num\">40</td>") >= 2
    pdf = client.get(f"/washing/batches/{batch.id}/labels.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_fulfil_a_request(client, site, session, actors, make_crate):
    from bouteilles.services.pages.winegrower import create_request

    grower = actors["winegrower"]
    request = create_request(session, actor=grower, site_code=site.org.code,
                             type_code="bouteille-75", quantity=100)
    crate = make_crate(quantity=100, state="clean", holder=site.org)
    session.commit()
    assert grower.org.name in client.get("/washing/requests").text
    refused = client.post(f"/washing/requests/{request.id}/fulfil", data={"codes": "QQQQ"})
    assert refused.status_code == 422 and "QQQQ" in refused.text
    assert client.post(f"/washing/requests/{request.id}/fulfil",
                       data={"codes": crate}).status_code == 302
    session.refresh(request)
    assert request.status == "fulfilled"
