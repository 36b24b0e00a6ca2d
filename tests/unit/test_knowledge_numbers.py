"""Numbers and units as technicians say them: "point one five", "a quarter inch", "a second"."""

from __future__ import annotations

import pytest

from edge.knowledge.numbers import find_numbers
from edge.knowledge.units import convert, normalize_unit

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("said", "values"),
    [
        ("point one five inches per second", [0.15]),
        ("three point six milliamps", [3.6]),
        ("about a quarter inch over the plates", [0.25]),
        ("a tenth of an inch", [0.1]),
        ("five and a half inches", [5.5]),
        ("three quarters of a turn", [0.75]),
        ("three thirty-seconds of an inch", [0.09375]),
        ("the point is it leaks", []),
        ("check both halves", []),
    ],
)
def test_spoken_decimals_and_fractions(said: str, values: list[float]) -> None:
    assert [m.value for m in find_numbers(said)] == values


def test_rates_said_with_a_and_pressures_in_mercury() -> None:
    assert normalize_unit("millimetres a second") == "mm/s"
    assert normalize_unit("inches per second") == "in/s"
    assert normalize_unit("litres a minute") == "L/min"
    assert normalize_unit("inches of mercury") == normalize_unit("in Hg") == "inHg"
    assert convert(0.15, "in/s", "mm/s") == pytest.approx(3.81)
    assert convert(6, "inHg", "kPa") == pytest.approx(20.3, abs=0.1)


def test_force_resistance_small_currents_and_feet_per_minute() -> None:
    from edge.knowledge.units import speakable
    from edge.tools.reading_values import states_a_value

    assert normalize_unit("kilonewtons") == "kN" and convert(81, "kN", "N") == 81_000
    assert normalize_unit("ohms") == "Ω" and convert(0.5, "MOhm", "kΩ") == pytest.approx(500)
    assert normalize_unit("microamps") == "µA" and convert(2.8, "µA", "mA") == pytest.approx(0.0028)
    assert convert(140, "ft/min", "m/s") == pytest.approx(0.7112)
    assert (
        speakable("48 Ω ± 10 %, min. 84 kN")
        == "48 ohms plus or minus 10 percent, min. 84 kilonewtons"
    )
    # Each makes a stated reading ("take-up load cell reads 81 kilonewtons" was a question).
    assert states_a_value("take-up load cell reads 81 kilonewtons")
    assert states_a_value("coil resistance on BR2 is fifty five ohms")


def test_sound_levels_output_and_viscosity_are_units() -> None:
    from edge.knowledge.limit_text import parse_bounds
    from edge.tools.reading_values import spoken_values

    assert normalize_unit("dB") == normalize_unit("decibels") == normalize_unit("dB(A)")
    assert normalize_unit("megawatts") == "MW" and convert(12.6, "MW", "kW") == 12_600
    assert normalize_unit("centistokes") == normalize_unit("cSt") == "mm²/s"
    viscosity = parse_bounds("12–18 mm²/s (cSt)")
    assert viscosity is not None and viscosity.unit == "mm²/s"
    said = spoken_values("heavy fuel viscosity at the engine inlet is 24 centistokes")
    assert [(v.mention.value, v.unit) for v in said] == [(24.0, "mm²/s")]


def test_half_a_unit_and_water_analyses_in_milligrams_per_litre() -> None:
    from edge.tools.reading_values import spoken_values

    assert [n.value for n in find_numbers("came back with half a percent water")] == [0.5]
    assert [n.value for n in find_numbers("tip clearance on blade four is half an inch")] == [
        4,
        0.5,
    ]
    said = spoken_values("nitrite in the jacket water tested 800 ppm")
    assert convert(said[0].mention.value, said[0].unit or "", "mg/l") == 800
    assert normalize_unit("mg/L") == "mg/l"


def test_counts_per_hour_are_readings_and_limits() -> None:
    from edge.knowledge.units import speakable, unit_named_in
    from edge.tools.reading_values import spoken_values

    # "Starts per hour | max. 10": the parameter names the unit its bare number is in.
    assert unit_named_in("Starts per hour, per pump") == "starts/h"
    assert unit_named_in("Flow per pump") is None
    said = spoken_values("pump A has started twelve times in the last hour")
    assert [(v.mention.value, v.unit) for v in said] == [(12.0, "starts/h")]
    assert speakable("12 starts/h, 25 drops/min") == "12 starts per hour, 25 drops per minute"


def test_a_number_before_a_comma_is_still_a_number() -> None:
    # "grade ISO VG 46, zinc-free": the comma ends the number; only three digits after it group.
    assert [n.value for n in find_numbers("viscosity grade 46, zinc-free")] == [46]
    assert [n.value for n in find_numbers("at 46, 47 or 1,000,000 cycles")] == [46, 47, 1_000_000]


def test_a_model_said_digit_group_by_digit_group() -> None:
    from edge.knowledge.numbers import code_figures

    # "on the ES thirty thirty five": 3035, as "twenty twenty five" is 2025; never 30 + 35.
    assert [m.value for m in find_numbers("ES thirty thirty five")] == [3035]
    assert [m.value for m in find_numbers("twenty one amps")] == [21]
    # ... or by its last group, which tells a family's variants apart ("the thirty five").
    assert code_figures("M1 current, max. (ES-30/35)") == {3035, 35}
    assert code_figures("Brake M24 on E-117") == set()  # one group: no model said in groups


def test_a_rate_said_with_a_for_per() -> None:
    assert normalize_unit("metres a second") == "m/s"
    assert normalize_unit("feet a minute") == "ft/min"
