"""Factor sets: a new version is a copy with new values; a used set is never edited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bouteilles.services.errors import Conflict, NotFound, ValidationError
from bouteilles.services.impact.factor_sets import (
    FactorInput,
    batches_using,
    create_factor_set,
    get_factor_set,
    list_factor_sets,
    update_factor_set,
)
from bouteilles.services.washing.batches import (
    add_inputs,
    close_batch,
    factor_set_in_force,
    open_batch,
)


def copy_of(factor_set, **values) -> dict[str, FactorInput]:
    return {f.key: FactorInput(values.get(f.key, str(f.value)), f.unit, f.source)
            for f in factor_set.factors}


def test_a_new_set_applies_to_batches_closed_from_its_date(session, actors):
    base = factor_set_in_force(session)
    new = create_factor_set(session, code="fr-2026-2", name="France 2026 v2",
                            valid_from=date(2026, 1, 2), factors=copy_of(base, ef_glass="0.8"))
    assert factor_set_in_force(session).code == "fr-2026-2"
    batch = open_batch(session, actor=actors["coordinator"], type_code="bouteille-75",
                       site_code=actors["washing_site"].org.code)
    add_inputs(session, batch, actor=actors["coordinator"], count=100)
    close_batch(session, batch, actor=actors["coordinator"], clean=100, rejected={})
    assert batch.factor_set_id == new.id
    assert batch.co2e_avoided_g == round(100 * 560 * Decimal("0.8") - 100 * Decimal("35.49"))
    assert batches_using(session, new) == 1 and batches_using(session, base) == 0
    with pytest.raises(Conflict, match="lecture seule"):
        update_factor_set(session, new, name="x", valid_from=date(2026, 1, 2),
                          factors=copy_of(new, ef_glass="0.1"))
    rows = list_factor_sets(session, page=1).items
    assert [(fs.code, used) for fs, used in rows] == [("fr-2026-2", 1), ("fr-2026-1", 0)]


@pytest.mark.parametrize("change,message", [
    ({"code": "FR 2027"}, "Code"),
    ({"code": "fr-2026-1"}, "existe déjà"),
    ({"name": " "}, "nom"),
    ({"valid_from": None}, "date"),
    ({"ef_glass": "-1"}, "ef_glass"),
    ({"ef_glass": "NaN"}, "ef_glass"),
    ({"ef_glass": "1e9"}, "ef_glass"),
    ({"drop": "ef_gas"}, "manquants"),
    ({"unit": ""}, "unité"),
    ({"key": "x" * 40}, "Clé"),
])
def test_refusals(session, change, message):
    base = factor_set_in_force(session)
    factors = copy_of(base, **{k: v for k, v in change.items() if k == "ef_glass"})
    if "drop" in change:
        factors.pop(change["drop"])
    if "key" in change:
        factors[change["key"]] = FactorInput("1", "g", "x")
    if "unit" in change:
        factors["ef_van_km"] = FactorInput("1", "", "x")
    with pytest.raises((ValidationError, Conflict), match=message):
        create_factor_set(session, code=change.get("code", "fr-2027-1"),
                          name=change.get("name", "France 2027"),
                          valid_from=change.get("valid_from", date(2027, 1, 1)),
                          factors=factors)


def test_unknown_set(session):
    with pytest.raises(NotFound):
        get_factor_set(session, "nope")


def test_a_new_set_keeps_or_changes_its_ranges(session):
    base = factor_set_in_force(session)
    factors = {f.key: FactorInput(str(f.value), f.unit, f.source, str(f.low), str(f.high))
               for f in base.factors}
    factors["ef_glass"] = FactorInput("0.8", "kg/kg", "source", "0.6", "0.9")
    new = create_factor_set(session, code="fr-2026-3", name="v3", valid_from=date(2026, 1, 2),
                            factors=factors)
    ranges = {f.key: (f.low, f.high) for f in new.factors}
    assert ranges["ef_glass"] == (Decimal("0.6"), Decimal("0.9"))
    assert ranges["ef_van_km"] == (Decimal("221.9"), Decimal("317"))
    for low, high, message in (("0.9", "1.0", "encadrer"), ("0.6", "", "deux bornes")):
        factors["ef_glass"] = FactorInput("0.8", "kg/kg", "source", low, high)
        with pytest.raises(ValidationError, match=message):
            update_factor_set(session, new, name="v3", valid_from=date(2026, 1, 2),
                              factors=factors)
    factors["ef_glass"] = FactorInput("0.8", "kg/kg", "source")  # no range: allowed
    update_factor_set(session, new, name="v3", valid_from=date(2026, 1, 2), factors=factors)
    assert {f.key: f.low for f in new.factors}["ef_glass"] is None
