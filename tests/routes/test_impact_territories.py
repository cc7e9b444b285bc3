"""Figures, reports and exports by territory: a territory's coordination reads its own
only (the API, the dashboard, each download, EPCIS, passports), the national one reads
every territory and compares them side by side; a box lent in one territory and
returned in another settles in both territories' reports."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from reports.csv_read import csv_tables

from bouteilles.models import utcnow
from bouteilles.services.impact.comparison import compare_territories
from bouteilles.services.impact.figures import twelve_months
from bouteilles.services.movements import commission_containers, record_scan
from bouteilles.services.territories import Scope, create_territory, scope_for_code
from bouteilles.services.washing.batches import add_inputs, close_batch, open_batch
from bouteilles.services.washing.corrections import correct_batch

from .test_impact_api import this_month

TERRITORIES = ("jura", "doubs", "bresse")
SAME = ("batches", "inputs", "containers_reused", "containers_rejected", "co2e_avoided_g",
        "waste_avoided_g")


@pytest.fixture
def world(session, make_org, make_user):
    """Jura, Doubs and Bresse, each with its coordination, a restaurant and a washing
    site, and the national coordination. This month: a batch at the Jura's site and one
    at the Doubs's; three Jura boxes lent in the Jura, one returned there and one
    returned in the Doubs; two Doubs boxes lent in the Doubs, one returned there."""
    world = {"month": this_month()}
    for code in TERRITORIES:
        territory = create_territory(session, code=code, name=code.title())
        session.commit()
        for kind in ("coordinator", "restaurant", "washing_site"):
            org = make_org(kind, f"{kind.replace('_', '-')}-{code}", territory_id=territory.id)
            world[kind, code] = make_user(kind, org=org)
    world["national"] = make_user("coordinator", org=make_org("coordinator", "national"))
    boxes = {}
    for code in ("jura", "doubs"):
        boxes[code] = [box.code for box in commission_containers(
            session, actor=world["washing_site", code], type_code="bocal-500", count=3,
            holder_code=f"restaurant-{code}")]
    session.commit()
    moves = [("jura", 0, "lend", "jura"), ("jura", 1, "lend", "jura"),
             ("jura", 2, "lend", "jura"), ("jura", 0, "return", "jura"),
             ("jura", 1, "return", "doubs"), ("doubs", 0, "lend", "doubs"),
             ("doubs", 1, "lend", "doubs"), ("doubs", 0, "return", "doubs")]
    for home, i, action, where in moves:
        record_scan(session, actor=world["restaurant", where], code=boxes[home][i],
                    action=action)
    session.commit()
    for code, type_code, n_in, clean, rejected in (
            ("jura", "bocal-500", 100, 95, {"broken": 5}),
            ("doubs", "bouteille-75", 200, 190, {"broken": 10})):
        site = world["washing_site", code]
        batch = open_batch(session, actor=site, type_code=type_code)
        add_inputs(session, batch, actor=site, count=n_in)
        world["batch", code] = close_batch(session, batch, actor=site, clean=clean,
                                           rejected=rejected, closed_at=utcnow())
    session.commit()
    world["boxes"] = boxes
    return world


def _get(client, url, headers):
    answer = client.get(url, headers=headers)
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    return answer


def test_a_territory_reads_its_own_batches_and_circulation(client, world, token_for):
    month = world["month"]
    jura = _get(client, f"/api/v1/impact?month={month}",
                token_for(world["coordinator", "jura"])).get_json()
    assert jura["scope"] == "territory" and jura["territory"] == "jura"
    assert jura["territory_name"] == "Jura"
    assert jura["batches"] == 1 and jura["containers_reused"] == 95
    assert [s["site"] for s in jura["by_site"]] == ["washing-site-jura"]
    assert {b["site"] for b in jura["by_batch"]} == {"washing-site-jura"}
    # Lent three, took one back; the other return was recorded in the Doubs.
    assert (jura["circulation"]["lends"], jura["circulation"]["returns"]) == (3, 1)
    doubs = _get(client, f"/api/v1/impact?month={month}",
                 token_for(world["coordinator", "doubs"])).get_json()
    assert doubs["batches"] == 1 and doubs["containers_reused"] == 190
    assert (doubs["circulation"]["lends"], doubs["circulation"]["returns"]) == (2, 2)
    bresse = _get(client, f"/api/v1/impact?month={month}",
                  token_for(world["coordinator", "bresse"])).get_json()
    assert bresse["batches"] == 0 and bresse["by_batch"] == []
    assert bresse["circulation"]["lends"] == 0
    # The national coordination: the network, and each territory as its own reads it.
    national = token_for(world["national"])
    network = _get(client, f"/api/v1/impact?month={month}", national).get_json()
    assert network["scope"] == "network" and network["territory"] is None
    assert network["batches"] == 2 and network["containers_reused"] == 95 + 190
    for code, own in (("jura", jura), ("doubs", doubs), ("bresse", bresse)):
        read = _get(client, f"/api/v1/impact?month={month}&territory={code}",
                    national).get_json()
        assert read == own
        # Its own code is the same reading for a territory's coordination.
        again = _get(client, f"/api/v1/impact?month={month}&territory={code}",
                     token_for(world["coordinator", code])).get_json()
        assert again == own


def test_another_territory_is_refused_an_unknown_one_not_found(client, world, token_for):
    month = world["month"]
    jura = token_for(world["coordinator", "jura"])
    refused = client.get(f"/api/v1/impact?month={month}&territory=doubs", headers=jura)
    assert refused.status_code == 403 and refused.is_json
    assert client.get("/api/v1/impact?territory=nowhere", headers=jura).status_code == 404
    assert client.get("/api/v1/impact?territory=nowhere",
                      headers=token_for(world["national"])).status_code == 404
    # A member of another territory, or the national coordination: 403.
    for org in ("restaurant-doubs", "national"):
        assert client.get(f"/api/v1/impact?org={org}", headers=jura).status_code == 403
    # A member of its own: its figures.
    own = client.get("/api/v1/impact?org=washing-site-jura", headers=jura).get_json()
    assert own["scope"] == "site" and own["batches"] == 1
    for path in (f"/exports/impact/{month}.csv", f"/exports/impact/{month}.pdf",
                 f"/exports/epcis/{month}.jsonld", f"/api/v1/passports?month={month}"):
        sep = "&" if "?" in path else "?"
        assert client.get(f"{path}{sep}territory=doubs", headers=jura).status_code == 403
        assert client.get(f"{path}{sep}territory=nowhere", headers=jura).status_code == 404
    # A member that is not the coordination asks for a territory: 403; its own
    # figures are what they were (its share).
    resto = token_for(world["restaurant", "jura"])
    assert client.get("/api/v1/impact?territory=jura", headers=resto).status_code == 403
    mine = client.get("/api/v1/impact", headers=resto).get_json()
    assert mine["scope"] == "member" and mine["org"] == "restaurant-jura"
    site = client.get("/api/v1/impact", headers=token_for(world["washing_site", "doubs"]))
    assert site.get_json()["scope"] == "site" and site.get_json()["batches"] == 1


def test_each_download_is_the_territory_s(client, world, token_for, tmp_path):
    month = world["month"]
    headers = token_for(world["coordinator", "jura"])
    api = _get(client, f"/api/v1/impact?month={month}", headers).get_json()
    answer = _get(client, f"/exports/impact/{month}.csv", headers)
    assert answer.headers["Content-Disposition"] == \
        f'attachment; filename="impact-{month}-jura.zip"'
    tables = csv_tables(answer.data)
    assert [row["Code"] for row in tables["par-site"]] == ["washing-site-jura"]
    assert len(tables["par-lot"]) == 1
    assert any("Jura" in value for row in tables["rapport"] for value in row.values())

    wb = load_workbook(io.BytesIO(_get(client, f"/exports/impact/{month}.xlsx", headers).data))
    title = wb["Synthèse"]["A1"].value
    assert title.startswith("Rapport d'impact — Jura — "), title
    summary = {r[0]: r[1] for r in wb["Synthèse"].iter_rows(min_row=6, values_only=True)}
    assert summary["Contenants réemployés"] == api["containers_reused"] == 95
    assert summary["Lots de lavage clôturés"] == 1

    pdf = _get(client, f"/exports/impact/{month}.pdf", headers).data
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Jura — " in text and "Washing-Site-Jura" in text
        assert "Washing-Site-Doubs" not in text
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        assert "Rapport d'impact — Jura — " in info


def test_epcis_and_passports_are_the_territory_s_events(client, world, token_for):
    month = world["month"]
    boxes = world["boxes"]
    crossed = boxes["jura"][1]  # lent in the Jura, returned in the Doubs

    def epcis(code):
        answer = _get(client, f"/exports/epcis/{month}.jsonld",
                      token_for(world["coordinator", code]))
        assert answer.headers["Content-Disposition"].endswith(f'-{code}.jsonld"')
        return json.loads(answer.data)["epcisBody"]["eventList"]

    def passports(code):
        answer = _get(client, f"/api/v1/passports?month={month}",
                      token_for(world["coordinator", code]))
        return {json.loads(line)["code"] for line in answer.text.splitlines()}

    def actions(events, code):
        return sorted(e.get("bizStep", "").rsplit("/", 1)[-1] for e in events
                      if any(code in epc for epc in e.get("epcList", [])))

    jura, doubs, bresse = epcis("jura"), epcis("doubs"), epcis("bresse")
    assert sum(e["type"] == "TransformationEvent" for e in jura) == 1
    assert sum(e["type"] == "TransformationEvent" for e in doubs) == 1
    assert bresse == []
    # The crossing box: its commission and lend in the Jura's, its return in the Doubs's.
    assert len(actions(jura, crossed)) == 2 and len(actions(doubs, crossed)) == 1
    national = json.loads(_get(client, f"/exports/epcis/{month}.jsonld",
                               token_for(world["national"])).data)["epcisBody"]["eventList"]
    assert len(national) == len(jura) + len(doubs)
    jura_codes, doubs_codes = passports("jura"), passports("doubs")
    assert set(boxes["jura"]) <= jura_codes and not set(boxes["doubs"]) & jura_codes
    assert set(boxes["doubs"]) | {crossed} <= doubs_codes
    assert not (set(boxes["jura"]) - {crossed}) & doubs_codes
    assert passports("bresse") == set()


def test_a_settlement_across_territories_shows_in_both_reports(client, world, token_for):
    """The Jura box returned in the Doubs: the Jura restaurant owes the Doubs one its
    refund, in both territories' reports, not in a third's."""
    month = world["month"]
    owed = {"De": "restaurant-jura", "À": "restaurant-doubs", "Montant (€)": "5,00"}

    def settlements(code):
        answer = _get(client, f"/exports/impact/{month}.csv",
                      token_for(world["coordinator", code]))
        return csv_tables(answer.data)["reglements"]

    assert owed in settlements("jura") and owed in settlements("doubs")
    assert settlements("bresse") == []
    network = _get(client, f"/exports/impact/{month}.csv", token_for(world["national"]))
    assert owed in csv_tables(network.data)["reglements"]


def test_the_comparison_is_each_territory_s_figures(client, world, token_for, session):
    month = world["month"]
    national = token_for(world["national"])
    compared = _get(client, f"/api/v1/territories?month={month}", national).get_json()
    assert [row["territory"] for row in compared["rows"]] == ["bresse", "doubs", "jura"]
    assert compared["none"] is None  # the national coordination is no member
    for row in compared["rows"]:
        own = _get(client, f"/api/v1/impact?month={month}&territory={row['territory']}",
                   national).get_json()
        assert row["members"] == 2  # a restaurant and a washing site
        assert {k: row[k] for k in ("batches", "containers_reused", "co2e_avoided_g",
                                    "waste_avoided_g")} == \
            {k: own[k] for k in ("batches", "containers_reused", "co2e_avoided_g",
                                 "waste_avoided_g")}
        assert (row["lends"], row["returns"], row["return_rate"]) == (
            own["circulation"]["lends"], own["circulation"]["returns"],
            own["circulation"]["return_rate"])
    network = _get(client, f"/api/v1/impact?month={month}", national).get_json()
    total = compared["total"]
    assert total["co2e_avoided_g"] == network["co2e_avoided_g"]
    assert (total["lends"], total["returns"]) == (5, 3) == (
        network["circulation"]["lends"], network["circulation"]["returns"])
    # A territory's coordination and a member do not compare.
    for user in (world["coordinator", "jura"], world["restaurant", "jura"]):
        assert client.get("/api/v1/territories", headers=token_for(user)).status_code == 403


def test_members_outside_every_territory_have_a_line(session, world, make_user, make_container,
                                                     scan):
    outside = make_user("restaurant")
    code = make_container(holder=outside.org)
    scan(outside, code, "lend")
    compared = compare_territories(session, world["month"])
    assert compared["none"]["members"] == 1 and compared["none"]["lends"] == 1
    assert compared["total"]["lends"] == 6
    assert compared["total"]["members"] == 7


def test_the_dashboard_is_scoped_and_compares(client, world, login):
    month = world["month"]
    login(world["coordinator", "jura"])
    page = client.get(f"/dashboard?month={month}")
    assert page.status_code == 200
    assert "Washing-Site-Jura" in page.text and "Washing-Site-Doubs" not in page.text
    assert 'id="territories"' not in page.text and "Restaurant-Doubs" not in page.text
    assert client.get("/dashboard?territory=doubs").status_code == 403
    assert client.get("/dashboard?territory=nowhere").status_code == 404
    assert client.get("/dashboard?org=restaurant-doubs").status_code == 403
    assert f"/exports/impact/{month}.pdf?territory=jura" in page.text

    login(world["national"])
    page = client.get(f"/dashboard?month={month}")
    assert page.status_code == 200 and 'id="territories"' in page.text
    table = page.text.split('id="territories"')[1].split("</table>")[0]
    for name in ("Bresse", "Doubs", "Jura"):
        assert f">{name}</a>" in table
    assert 'id="chart-territories"' in page.text and "<desc" in page.text
    one = client.get(f"/dashboard?month={month}&territory=doubs")
    assert one.status_code == 200 and 'id="territories"' not in one.text
    assert "Washing-Site-Doubs" in one.text and "Washing-Site-Jura" not in one.text


def test_the_command_line_exports_a_territory(app, world, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "jura.csv"
    result = runner.invoke(args=["export", "impact", "--month", world["month"],
                                 "--territory", "jura", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 batches, 95 containers reused" in result.output
    result = runner.invoke(args=["export", "epcis", "--month", world["month"],
                                 "--territory", "bresse", "-o", str(tmp_path / "b.jsonld")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "b.jsonld").read_text())["epcisBody"]["eventList"] == []
    refused = runner.invoke(args=["export", "impact", "--month", world["month"],
                                  "--territory", "nowhere", "-o", str(out)])
    assert refused.exit_code != 0 and "nowhere" in refused.output


def test_a_correction_is_an_adjustment_of_its_batch_s_territory(client, world, token_for,
                                                                 session):
    batch = world["batch", "jura"]
    correct_batch(session, batch, actor=world["washing_site", "jura"], clean=96,
                  rejected={"broken": 4}, reason="recompté")
    session.commit()
    month = world["month"]

    def read(code):
        return _get(client, f"/api/v1/impact?month={month}",
                    token_for(world["coordinator", code])).get_json()

    jura, doubs = read("jura"), read("doubs")
    assert [a["batch"] for a in jura["adjustments"]] == [batch.code]
    assert jura["containers_reused"] == 96 and doubs["adjustments"] == []
    assert doubs["containers_reused"] == 190
    for code, clean in (("jura", 96), ("doubs", 190), ("bresse", 0)):
        scope = scope_for_code(session, Scope.WHOLE, code)
        assert twelve_months(session, month, scope=scope)[-1]["containers_reused"] == clean
    compared = compare_territories(session, month)
    assert {r["territory"]: r["containers_reused"] for r in compared["rows"]} == {
        "bresse": 0, "doubs": 190, "jura": 96}
