"""Impact formulas of IMPACT.md, checked to the gram against hand-derived figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bouteilles.services.impact.figures import BatchImpact, compute_batch_impact, round_g

# The default factor set fr-2026-1, as IMPACT.md lists it.
FR_2026_1 = {
    "ef_glass": Decimal("0.70"),
    "e_wash_bottle": Decimal("35.49"),
    "e_wash_box": Decimal("2.4"),
    "ef_elec": Decimal("48"),
    "ef_gas": Decimal("227"),
    "ef_van_km": Decimal("269.45"),
    "ef_truck_tkm": Decimal("105"),
    "e_su_box": Decimal("50"),
    "m_su_box": Decimal("25"),
}


def impact(**kwargs) -> BatchImpact:
    """compute_batch_impact with the default factor set."""
    return compute_batch_impact(factors=FR_2026_1, **kwargs)


def test_worked_example_of_impact_md():
    result = impact(
        family="bottle", mass_g=560, n_in=1000, n_ok=970, n_rej=30,
        transport=[{"km": 40, "mode": "van"}],
    )
    assert result == BatchImpact(
        co2e_avoided_g=335037, co2e_process_g=45203, waste_avoided_g=543200, to_recycling_g=16800
    )
    assert result.as_dict()["co2e_avoided_g"] == 335037


def test_boxes_with_rejects_and_a_van_leg():
    # bocal-500 (300 g): 200 in, 190 clean, 10 broken, 12.5 km by van.
    # gross       = 190 × 50            = 9,500
    # washing     = 190 × 2.4           =   456
    # replacement = 10 × 300 × 0.70     = 2,100
    # transport   = 12.5 × 269.45       = 3,368.125
    # avoided     = 9,500 − 456 − 2,100 − 3,368.125 = 3,575.875 → 3,576
    # process     = 456 + 2,100 + 3,368.125         = 5,924.125 → 5,924
    # waste       = 190 × 25 − 10 × 300 = 4,750 − 3,000 = 1,750
    # recycling   = 10 × 300            = 3,000
    result = impact(
        family="box", mass_g=300, n_in=200, n_ok=190, n_rej=10,
        transport=[{"km": Decimal("12.5"), "mode": "van"}],
    )
    assert result == BatchImpact(3576, 5924, 1750, 3000)


def test_boxes_without_rejects_have_no_replacement():
    # bocal-750: 40 in, 40 clean. gross 40 × 50 = 2,000; washing 40 × 2.4 = 96.
    # avoided 1,904; process 96; waste 40 × 25 = 1,000; recycling 0.
    assert impact(family="box", mass_g=400, n_in=40, n_ok=40, n_rej=0) == BatchImpact(
        1904, 96, 1000, 0
    )


def test_boxes_can_cost_more_than_they_save():
    # 10 in, 1 clean, 9 broken (300 g): gross 50; washing 2.4; replacement 9 × 300 × 0.7 = 1,890.
    # avoided = 50 − 2.4 − 1,890 = −1,842.4 → −1,842; process 1,892.4 → 1,892
    # waste = 25 − 2,700 = −2,675; recycling 2,700
    result = impact(family="box", mass_g=300, n_in=10, n_ok=1, n_rej=9)
    assert result == BatchImpact(-1842, 1892, -2675, 2700)


def test_metered_electricity_and_gas_replace_per_bottle_washing():
    # clavelin-62 (500 g): 3,000 in, 2,900 clean, 100 rejected; meters: 95.5 kWh el., 430 kWh gas.
    # washing  = 95.5 × 48 + 430 × 227 = 4,584 + 97,610 = 102,194 (not 2,900 × 35.49)
    # gross    = 2,900 × 500 × 0.70    = 1,015,000
    # avoided  = 912,806; process 102,194; waste 1,450,000; recycling 50,000
    result = impact(
        family="bottle", mass_g=500, n_in=3000, n_ok=2900, n_rej=100,
        electricity_kwh=Decimal("95.5"), gas_kwh=Decimal("430"),
    )
    assert result == BatchImpact(912806, 102194, 1450000, 50000)


def test_metered_electricity_alone_for_boxes():
    # 100 boxes, 3.3 kWh measured: washing = 3.3 × 48 = 158.4 (gas absent counts as 0).
    # avoided = 5,000 − 158.4 = 4,841.6 → 4,842; process 158.4 → 158; waste 2,500
    result = impact(
        family="box", mass_g=300, n_in=100, n_ok=100, n_rej=0, electricity_kwh=Decimal("3.3")
    )
    assert result == BatchImpact(4842, 158, 2500, 0)


def test_zero_metered_energy_is_still_metered():
    # A meter reading of 0 kWh replaces the default: washing = 0.
    result = impact(family="box", mass_g=300, n_in=10, n_ok=10, n_rej=0, gas_kwh=Decimal(0))
    assert result == BatchImpact(500, 0, 250, 0)


def test_truck_leg_counts_the_mass_of_all_inputs_rejects_included():
    # bouteille-75 (560 g): 480 in, 470 clean, 10 rejected; 120 km by truck, then 15 km by van.
    # truck     = (480 × 560 / 1e6 t) × 120 km × 105 = 0.2688 × 120 × 105 = 3,386.88
    # van       = 15 × 269.45                        = 4,041.75
    # washing   = 470 × 35.49                         = 16,680.3
    # gross     = 470 × 560 × 0.70                    = 184,240
    # avoided   = 184,240 − 16,680.3 − 3,386.88 − 4,041.75 = 160,131.07 → 160,131
    # process   = 16,680.3 + 3,386.88 + 4,041.75      = 24,108.93 → 24,109
    # waste 470 × 560 = 263,200; recycling 10 × 560 = 5,600
    result = impact(
        family="bottle", mass_g=560, n_in=480, n_ok=470, n_rej=10,
        transport=[{"km": 120, "mode": "truck"}, {"km": "15", "mode": "van"}],
    )
    assert result == BatchImpact(160131, 24109, 263200, 5600)


def test_rounding_is_half_up_once_at_the_end():
    # One bottle (560 g), metered 0.03125 kWh: washing = 0.03125 × 48 = 1.5 exactly.
    # gross = 392; avoided = 390.5 → 391 (half-up; banker's rounding would give 390);
    # process = 1.5 → 2.
    result = impact(
        family="bottle", mass_g=560, n_in=1, n_ok=1, n_rej=0, electricity_kwh=Decimal("0.03125")
    )
    assert result == BatchImpact(391, 2, 560, 0)
    assert round_g(Decimal("2.5")) == 3
    assert round_g(Decimal("2.4999")) == 2
    assert round_g(Decimal("-2.5")) == -3  # halves go away from zero


def test_no_transport_and_no_rejects():
    # 10 bottles: gross 3,920; washing 354.9 → avoided 3,565.1 → 3,565; process 354.9 → 355
    assert impact(family="bottle", mass_g=560, n_in=10, n_ok=10, n_rej=0) == BatchImpact(
        3565, 355, 5600, 0
    )


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        ([{"km": -1, "mode": "van"}], "km : zéro ou plus"),
        ([{"km": 10, "mode": "bike"}], "le mode est « van » ou « truck »"),
        ([{"mode": "van"}], "km : un nombre est attendu"),
        ([{"km": "ten", "mode": "van"}], "km : un nombre est attendu"),
        ([{"km": float("nan"), "mode": "truck"}], "nombre fini"),
        (["40 km"], "un objet avec « km » et « mode »"),
    ],
)
def test_invalid_transport_legs_are_refused(legs, message):
    with pytest.raises(ValueError, match=message):
        impact(family="bottle", mass_g=560, n_in=1, n_ok=1, n_rej=0, transport=legs)


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="doit égaler les entrées"):
        impact(family="bottle", mass_g=560, n_in=10, n_ok=9, n_rej=0)
    with pytest.raises(ValueError, match="famille"):
        impact(family="can", mass_g=15, n_in=1, n_ok=1, n_rej=0)
    with pytest.raises(ValueError, match="n_rej"):
        impact(family="box", mass_g=300, n_in=1, n_ok=2, n_rej=-1)
    with pytest.raises(ValueError, match="gas_kwh"):
        impact(family="box", mass_g=300, n_in=1, n_ok=1, n_rej=0, gas_kwh=Decimal(-3))
    with pytest.raises(ValueError, match="pas de facteur « ef_truck_tkm »"):
        compute_batch_impact(
            family="bottle", mass_g=560, n_in=1, n_ok=1, n_rej=0,
            factors={k: v for k, v in FR_2026_1.items() if k != "ef_truck_tkm"},
            transport=[{"km": 1, "mode": "truck"}],
        )
