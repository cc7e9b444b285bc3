"""The synthetic network generator (`demo --scale N`): invariants and proportions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bouteilles.demo import synthetic
from bouteilles.models import Batch, BatchReject, Container, ContainerType, Event, Organisation
from bouteilles.services.deposits import deposit_rows, network_balance, settlements
from bouteilles.services.impact.figures import compute_batch_impact, monthly_impact
from bouteilles.services.items.stock import stock_rows
from bouteilles.services.oversight.replay_check import check_integrity, format_report

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
