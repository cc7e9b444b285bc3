"""The synthetic network generator (`demo --scale N`): invariants and proportions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bouteilles.demo import synthetic
from bouteilles.models import (
    Batch,
    BatchReject,
    Container,
    ContainerType,
    Event,
    Organisation,
    Territory,
)
from bouteilles.services.deposits import deposit_rows, network_balance, settlements
from bouteilles.services.impact.figures import compute_batch_impact, monthly_impact
from bouteilles.services.items.stock import stock_rows
from bouteilles.services.oversight.replay_check import check_integrity, format_report
from bouteilles.services.territories import Scope

END = datetime(2026, 10, 31, 18, 0, tzinfo=UTC)


@pytest.fixture
def loaded(app):
    engine = app.extensions["db_engine"]
    with app.app_context():
        summary = synthetic.generate(engine, events=12_000, seed=7, end=END, chunk_rows=2_000,
                                     check_transitions=True)
    with Session(engine) as session:
        yield summary, session


def test_every_invariant_of_the_record_holds(loaded):
    summary, session = loaded
    report = check_integrity(session)
    assert report.ok, format_report(report)
    assert report.counts["events"] == summary.events >= 12_000
    assert report.counts["containers"] == summary.containers
    assert session.scalar(select(func.count()).select_from(Organisation)) >= 300


def test_life_cycle_proportions_are_plausible(loaded):
    summary, session = loaded
    actions = summary.actions
    assert set(actions) >= {"commission", "deliver", "lend", "fill", "return", "collect",
                            "sort", "wash", "batch_close", "reject", "lose"}
    # Every wash ends in a close or a reject; about 3 % of labelled inputs are rejected.
    container_washes = session.scalar(select(func.count()).where(
        Event.action == "wash", Event.container_id.is_not(None)))
    container_ends = session.scalar(select(func.count()).where(
        Event.action.in_(("batch_close", "reject")), Event.container_id.is_not(None)))
    assert container_washes == container_ends
    assert 0.01 < actions["reject"] / container_washes < 0.06
    # Returns follow lends and fills; collections follow returns; sorting feeds washing.
    assert actions["return"] <= actions["lend"] + actions["fill"]
    assert actions["sort"] == actions["wash"]
    rejected = session.scalar(select(func.sum(Batch.rejected)))
    inputs = session.scalar(select(func.sum(Batch.inputs)))
    assert 0.02 < rejected / inputs < 0.045


def test_batches_are_closed_with_the_impact_of_the_engine(loaded):
    _summary, session = loaded
    assert session.scalar(select(func.count()).where(Batch.status != "closed")) == 0
    for batch in session.scalars(select(Batch).order_by(Batch.id).limit(30)):
        ctype = session.get(ContainerType, batch.type_id)
        impact = compute_batch_impact(
            family=ctype.family, mass_g=ctype.mass_g, n_in=batch.inputs, n_ok=batch.clean,
            n_rej=batch.rejected, factors=batch.factor_set.values(), transport=batch.transport)
        assert batch.co2e_avoided_g == impact.co2e_avoided_g
        assert batch.waste_avoided_g == impact.waste_avoided_g
        rejects = session.scalar(select(func.coalesce(func.sum(BatchReject.count), 0))
                                 .where(BatchReject.batch_id == batch.id))
        assert rejects == batch.rejected


def test_reports_give_meaningful_answers(loaded):
    _summary, session = loaded
    month = monthly_impact(session, "2026-09")
    assert month["batches"] > 0 and month["co2e_avoided_g"] > 0
    assert month["containers_reused"] > month["containers_rejected"] > 0
    assert sum(r["count"] for r in stock_rows(session)) > 0
    ledger, carried = network_balance(session)
    in_use_boxes = session.scalar(select(func.count()).select_from(Container)
                                  .join(ContainerType).where(Container.state == "in_use",
                                                              ContainerType.deposit_cents > 0))
    assert ledger == carried == 500 * in_use_boxes > 0
    assert deposit_rows(session) and settlements(session)


def test_the_territories_are_rows_and_every_member_is_in_one(loaded):
    _summary, session = loaded
    territories = {t.code: t for t in session.scalars(select(Territory))}
    assert set(territories) == {slug for slug, *_ in synthetic.TERRITORIES}
    assert territories["hsavoie"].name == "Haute-Savoie"
    orgs = list(session.scalars(select(Organisation)))
    national = [o for o in orgs if o.territory_id is None]
    assert [o.code for o in national] == ["syn-coop"] and national[0].kind == "coordinator"
    assert national[0].latitude is None
    for org in orgs:
        if org.territory_id is None:
            continue
        slug = org.code.removeprefix("syn-").split("-")[0]
        assert territories[slug].id == org.territory_id
        # A few km around the territory's city.
        lat, lon = next(place for s, _d, _c, place in synthetic.TERRITORIES if s == slug)
        assert abs(org.latitude - lat) < 0.05 and abs(org.longitude - lon) < 0.08


def _count(session, sql: str) -> int:
    """A count by SQL, `IS NOT` being "differs from, NULL included" on both databases."""
    if session.get_bind().dialect.name == "postgresql":
        sql = sql.replace(" IS NOT ", " IS DISTINCT FROM ").replace(
            " IS DISTINCT FROM NULL", " IS NOT NULL")
    return session.execute(text(sql)).scalar()


def test_every_row_carries_the_territory_its_writer_gives(loaded):
    _summary, session = loaded
    # Events and ledger entries: the territory of the member that recorded them;
    # none only for the national coordinator's (the declared losses).
    assert _count(session, "SELECT count(*) FROM events e JOIN organisations o "
                  "ON o.id = e.org_id WHERE e.territory_id IS NOT o.territory_id") == 0
    assert _count(session, "SELECT count(*) FROM events e JOIN organisations o "
                  "ON o.id = e.org_id WHERE e.territory_id IS NULL AND o.code <> 'syn-coop'") == 0
    assert _count(session, "SELECT count(*) FROM events WHERE territory_id IS NULL") == \
        _count(session, "SELECT count(*) FROM events WHERE action = 'lose'") > 0
    assert _count(session, "SELECT count(*) FROM deposit_entries d JOIN events e "
                  "ON e.id = d.event_id WHERE d.territory_id IS NOT e.territory_id") == 0
    # Containers, crates, labels: the home territory (the commissioning site's).
    for table in ("containers", "crates"):
        assert _count(session, f"SELECT count(*) FROM {table} i JOIN organisations o "
                      "ON o.id = i.owner_id WHERE i.territory_id IS NOT o.territory_id "
                      "OR i.territory_id IS NULL") == 0
        assert _count(session, f"SELECT count(*) FROM {table} i JOIN events e "
                      "ON e.code = i.code AND e.action = 'commission' "
                      "WHERE e.territory_id IS NOT i.territory_id") == 0
    assert _count(session, "SELECT count(*) FROM labels l LEFT JOIN containers c "
                  "ON c.id = l.container_id LEFT JOIN crates k ON k.id = l.crate_id "
                  "WHERE l.territory_id IS NOT coalesce(c.territory_id, k.territory_id) "
                  "OR l.territory_id IS NULL") == 0
    # Batches: the washing site's.
    assert _count(session, "SELECT count(*) FROM batches b JOIN organisations o "
                  "ON o.id = b.site_id WHERE b.territory_id IS NOT o.territory_id "
                  "OR b.territory_id IS NULL") == 0


def test_some_boxes_are_returned_in_the_neighbouring_territory(loaded):
    _summary, session = loaded
    away = session.execute(select(Container.id, Container.territory_id, Event.territory_id)
                           .join(Event, Event.container_id == Container.id)
                           .where(Event.action == "return",
                                  Event.territory_id != Container.territory_id)).all()
    assert away
    neighbours = {session.get(Territory, home).code: session.get(Territory, there).code
                  for _id, home, there in away}
    assert neighbours.get("jura", "doubs") == "doubs"
    # Refunded where it came back; owned still by its home site.
    for box_id, home, _there in away[:10]:
        box = session.get(Container, box_id)
        assert box.owner.territory_id == home == box.territory_id


def test_a_territory_stock_is_what_its_members_hold(loaded):
    _summary, session = loaded
    whole = sum(r["count"] for r in stock_rows(session))
    total = 0
    for territory in session.scalars(select(Territory)):
        scope = Scope(territory.id, territory.code, territory.name)
        rows = stock_rows(session, scope=scope)
        assert rows and all(r["holder"].startswith(f"syn-{territory.code}-") for r in rows)
        total += sum(r["count"] for r in rows)
    assert total == whole > 0  # the national coordinator holds nothing


def test_a_second_load_is_refused(app, loaded):
    with app.app_context(), pytest.raises(synthetic.SyntheticError):
        synthetic.generate(app.extensions["db_engine"], events=10, end=END)


def test_the_demo_command_takes_a_scale(runner):
    result = runner.invoke(args=["demo", "--scale", "3000"])
    assert result.exit_code == 0, result.output
    assert "Synthetic network loaded: 361 organisations" in result.output
    assert "rows/s" in result.output


def test_codes_are_valid_and_distinct():
    from bouteilles.services.items.codes import normalize_code
    codes = {synthetic.code_of(n) for n in range(1, 2000)}
    assert len(codes) == 1999
    assert all(normalize_code(c) == c for c in list(codes)[:50])
