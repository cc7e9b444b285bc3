"""The washing site's pages through the client: forms, refusals, access."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bouteilles.db.database import get_session
from bouteilles.models import Batch, utcnow
from bouteilles.services.members.accounts import create_user
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


# ------------------------------------------------------------------ a list of codes


@pytest.mark.parametrize("refused_first", [True, False])
def test_codes_of_another_size_keep_the_rest_of_the_list(client, site, session, make_crate,
                                                         make_container, scan, refused_first):
    boxes = []
    for type_code in ("bocal-500", "bocal-750", "bocal-500"):
        code = make_container(type_code, holder=site.org)
        scan(site, code, "sort")
        boxes.append(code)
    crate = make_crate("bocal-750", quantity=8, state="sorted", holder=site.org)
    good, larger = [boxes[0], boxes[2]], [boxes[1], crate]
    batch = open_batch(session, actor=site, type_code="bocal-500")
    session.commit()
    typed = [*larger, *good] if refused_first else [good[0], larger[0], good[1], larger[1]]
    page = client.post(f"/washing/batches/{batch.id}/inputs",
                       data={"codes": "\n".join(typed), "count": "4"})
    assert page.status_code == 422
    outcomes = re.search(r'<ul class="outcomes" id="input-outcomes">(.*?)</ul>', page.text,
                         re.S).group(1)
    for code in typed:  # every code typed is on the page, with what became of it
        assert code in outcomes
    assert outcomes.count('class="refused"') == 2 and outcomes.count('class="accepted"') == 2
    assert "750" in outcomes
    textarea = re.search(r'<textarea[^>]*id="in-codes"[^>]*>(.*?)</textarea>', page.text,
                         re.S).group(1)
    assert sorted(textarea.split()) == sorted(larger)  # left to deal with
    assert "2 codes refusés" in page.text
    # The accepted codes and the count are recorded (committed).
    assert '<dd id="batch-inputs">6 ' in page.text
    session.refresh(batch)
    assert batch.inputs == 6 and batch.counted_inputs == 4
    english = client.post(f"/washing/batches/{batch.id}/inputs?lang=en",
                          data={"codes": "\n".join(larger)})
    assert english.status_code == 422 and "2 codes refused" in english.text


def test_a_count_above_the_limit_is_refused_and_nothing_is_lost(client, site, session,
                                                                make_container, scan):
    box = make_container("bocal-500", holder=site.org)
    scan(site, box, "sort")
    batch = open_batch(session, actor=site, type_code="bocal-500")
    session.commit()
    limit = client.application.config["MAX_BATCH_INPUT"]
    assert limit == 100_000
    page = client.get(f"/washing/batches/{batch.id}")
    assert 'max="100000"' in page.text
    refused = client.post(f"/washing/batches/{batch.id}/inputs",
                          data={"codes": box, "count": "1000000"})
    assert refused.status_code == 422
    assert re.search(r'id="in-count-error">[^<]*100', refused.text)
    assert 'value="1000000"' in refused.text and box in refused.text
    client.application.config["MAX_BATCH_INPUT"] = 500
    refused = client.post(f"/washing/batches/{batch.id}/inputs", data={"count": "501"})
    assert refused.status_code == 422
    assert re.search(r'id="in-count-error">Un nombre de 0 à 500', refused.text)
    session.refresh(batch)
    assert batch.inputs == 0
    assert client.post(f"/washing/batches/{batch.id}/inputs",
                       data={"codes": box, "count": "500"}).status_code == 302
    session.refresh(batch)
    assert batch.inputs == 501


# ------------------------------------------------------------------ the close


def test_the_balance_is_shown_without_javascript(client, site):
    batch_id = batch_id_from(client.post("/washing/batches", data={"type": "bouteille-75"}))
    client.post(f"/washing/batches/{batch_id}/inputs", data={"count": "1000"})
    page = client.get(f"/washing/batches/{batch_id}")
    assert '<output id="balance-total">0</output>' in page.text
    assert "sur 1\u202f000 entrées" in page.text and "washing" in page.text  # washing.js
    refused = client.post(f"/washing/batches/{batch_id}/close", data={
        "clean": "960", "reject_broken": "20", "reject_chipped": "10"})
    assert '<output id="balance-total">990</output>' in refused.text
    assert "Il en manque 10." in refused.text
    refused = client.post(f"/washing/batches/{batch_id}/close", data={"clean": "1010"})
    assert "10 de trop." in refused.text


def test_an_unusual_batch_asks_for_a_confirmation(client, site, session):
    for n in (1_000, 1_100, 900):
        made = open_batch(session, actor=site, type_code="bouteille-75")
        add_inputs(session, made, actor=site, count=n)
        close_batch(session, made, actor=site, clean=n, rejected={})
    batch = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, batch, actor=site, count=10_000)  # ten times 1,000: not above
    session.commit()
    assert 'id="unusual"' not in client.get(f"/washing/batches/{batch.id}").text
    assert client.post(f"/washing/batches/{batch.id}/inputs",
                       data={"count": "1"}).status_code == 302
    page = client.get(f"/washing/batches/{batch.id}")
    assert 'id="unusual"' in page.text and "Je confirme" in page.text
    refused = client.post(f"/washing/batches/{batch.id}/close", data={"clean": "10001"})
    assert refused.status_code == 422
    assert re.search(r'id="confirm_unusual-error">[^<]*plus de 10 fois', refused.text)
    assert 'value="10001"' in refused.text
    closed = client.post(f"/washing/batches/{batch.id}/close",
                         data={"clean": "10001", "confirm_unusual": "1"})
    assert closed.status_code == 302


# ------------------------------------------------------------------ corrections


def closed_batch(session, site, *, days_ago: float = 0) -> Batch:
    batch = open_batch(session, actor=site, type_code="bouteille-75")
    add_inputs(session, batch, actor=site, count=1000)
    close_batch(session, batch, actor=site, clean=970, rejected={"broken": 20, "chipped": 10},
                transport=[{"km": 40, "mode": "van"}],
                closed_at=utcnow() - timedelta(days=days_ago))
    session.commit()
    return batch


def test_the_site_corrects_its_batch_from_its_page(client, site, session):
    batch = closed_batch(session, site, days_ago=2)
    page = client.get(f"/washing/batches/{batch.id}")
    assert 'id="correction-form"' in page.text and "Aucune correction." in page.text
    assert 'id="fix-clean" inputmode="numeric"' in page.text and 'value="970"' in page.text
    refused = client.post(f"/washing/batches/{batch.id}/corrections", data={
        "clean": "960", "reject_broken": "25", "reject_chipped": "15", "reason": ""})
    assert refused.status_code == 422 and 'id="fix-reason-error"' in refused.text
    assert 'value="960"' in refused.text and 'value="25"' in refused.text
    refused = client.post(f"/washing/batches/{batch.id}/corrections", data={
        "clean": "961", "reject_broken": "25", "reject_chipped": "15", "reason": "recompté"})
    assert refused.status_code == 422 and "ne tombe pas juste" in refused.text
    done = client.post(f"/washing/batches/{batch.id}/corrections", data={
        "clean": "960", "reject_broken": "25", "reject_chipped": "15",
        "reason": "10 ébréchées comptées propres"})
    assert done.status_code == 302
    page = client.get(done.headers["Location"])
    corrections = re.search(r'<ol class="corrections" id="corrections">(.*?)</ol>', page.text,
                            re.S).group(1)
    assert "970 → 960" in corrections and "30 → 40" in corrections
    assert "10 ébréchées comptées propres" in corrections and "-3,57\u202fkg" in corrections
    impact = re.search(r'<ul class="impact" id="impact">(.*?)</ul>', page.text, re.S).group(1)
    assert "<strong>960</strong>" in impact and "331\u202fkg" in impact
    assert "Lot" in page.text and "corrigé" in page.text
    english = client.get(f"/washing/batches/{batch.id}?lang=en").text
    assert "Corrections" in english and "Correct the counts" in english


def test_who_sees_the_correction_form(client, site, session, actors, login, make_user):
    old = closed_batch(session, site, days_ago=8)
    page = client.get(f"/washing/batches/{old.id}")
    assert page.status_code == 200 and 'id="correction-form"' not in page.text
    form = {"clean": "960", "reject_broken": "40", "reason": "recompté"}
    assert client.post(f"/washing/batches/{old.id}/corrections", data=form).status_code == 403
    login(actors["coordinator"])  # an administrator of the coordination
    assert 'id="correction-form"' in client.get(f"/washing/batches/{old.id}").text
    assert client.post(f"/washing/batches/{old.id}/corrections", data=form).status_code == 302
    reader = create_user(session, email="lecteur@coop.test", org=actors["coordinator"].org,
                         password="marnes-tilleul-1774", admin=False)
    session.commit()
    login(reader)
    page = client.get(f"/washing/batches/{old.id}")
    assert page.status_code == 200 and 'id="correction-form"' not in page.text
    assert "recompté" in page.text
    assert client.post(f"/washing/batches/{old.id}/corrections", data=form).status_code == 403
    login(make_user("washing_site"))
    assert client.post(f"/washing/batches/{old.id}/corrections", data=form).status_code == 403


def test_the_batch_list_shows_the_corrected_count(client, site, session):
    from bouteilles.services.washing.corrections import correct_batch

    batch = closed_batch(session, site, days_ago=1)
    correct_batch(session, batch, actor=site, clean=960, rejected={"broken": 40},
                  reason="recompté")
    session.commit()
    page = client.get("/washing/batches").text
    row = re.search(rf"{re.escape(batch.code)}</a>.*?</tr>", page, re.S).group(0)
    assert '<td class="num">960 <abbr' in row
