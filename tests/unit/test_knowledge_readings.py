"""Reading values out of what the technician said (check_reading's safety property)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edge.errors import ToolError
from edge.tools.readings import choose_value, reading_numbers, said_unit

pytestmark = pytest.mark.unit


def test_the_llm_value_counts_only_when_it_was_said() -> None:
    said = "gearbox oil sump temperature is 92 degrees"
    assert choose_value(92, said).value == 92
    assert choose_value("92", said).value == 92
    assert choose_value(72, said).value == 92  # not said: read from the transcript
    assert choose_value(None, "it reads ninety two point five degrees").value == 92.5


def test_the_number_with_a_unit_is_the_reading() -> None:
    said = "gearbox 2 oil sump temperature 92 degrees"
    assert choose_value(None, said).value == 92
    assert [m.value for m in reading_numbers("M24 bolt on E-117 at 5 bar")] == [5]
    with pytest.raises(ToolError) as err:
        choose_value(None, "blade 2 and blade 3 are fine")
    assert err.value.code == "reading-value-unclear" and "2, 3" in err.value.message
    with pytest.raises(ToolError) as err:
        choose_value(92, "the oil is hot")
    assert err.value.code == "reading-no-value"


def test_units_said_win_over_the_llms() -> None:
    said = "oil temperature 200 fahrenheit"
    mention = choose_value(200, said)
    assert said_unit(said, mention, "degrees Celsius") == "°F"
    bare = "oil temperature is 92"
    assert said_unit(bare, choose_value(92, bare), "°C") is None  # the LLM made the unit up
    spoken = "temperature, degrees celsius, reads 92"
    assert said_unit(spoken, choose_value(92, spoken), "degrees Celsius") == "°C"
    assert (
        said_unit("coolant level 55 percent", choose_value(55, "coolant level 55 percent"), None)
        == "%"
    )


def test_limits_of_one_part_that_say_the_same_of_the_value_need_no_question() -> None:
    # "Room temperature below +1 °C" (a fault's condition) and "Ambient temperature +1 to
    # +45 °C" tie on words; for -2 °C both say "below", so which was meant changes nothing.
    from edge.aio import EngineThread
    from edge.knowledge.limit_match import Candidate
    from edge.knowledge.numbers import NumberMention
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import SpokenValue
    from edge.tools.readings import ReadingsTool

    room = Limit("", "Room temperature", "°C", 1, None, "1", "")
    ambient = Limit("", "Ambient temperature", "°C", 1, 45, "1", "45")
    tied = [Candidate(room, 2.85, ("temperatur",)), Candidate(ambient, 2.83, ("temperatur",))]
    tool = ReadingsTool(None, EngineThread("test"), None)  # type: ignore[arg-type]

    def value(number: float, unit: str) -> SpokenValue:
        return SpokenValue(NumberMention(number, 0, 2, str(number)), unit)

    try:
        assert tool._choose(tied, value(28, "°F")) == (room, False)  # -2.2 °C: below both
        with pytest.raises(ToolError) as asked:
            tool._choose(tied, value(60, "°C"))  # above the ambient range, nothing for the room
        assert asked.value.code == "reading-parameter-unclear"
    finally:
        tool._thread.shutdown()


def test_one_parameters_bounds_printed_apart_are_one_range() -> None:
    # "F51 Mains voltage below 195 V" and "F52 Mains voltage above 253 V": one parameter, two
    # bounds. The value is judged against the one it breaks; "mains voltage or mains voltage?"
    # would ask nothing.
    from edge.aio import EngineThread
    from edge.knowledge.limit_match import Candidate
    from edge.knowledge.numbers import NumberMention
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import SpokenValue
    from edge.tools.readings import ReadingsTool

    low = Limit("", "Mains voltage", "V", 195, None, "195", "")
    high = Limit("", "Mains voltage", "V", None, 253, "", "253")
    tied = [Candidate(high, 2.5, ("voltag",)), Candidate(low, 2.5, ("voltag",))]
    tool = ReadingsTool(None, EngineThread("test"), None)  # type: ignore[arg-type]

    def volts(number: float) -> SpokenValue:
        return SpokenValue(NumberMention(number, 0, 3, str(number)), "V")

    try:
        assert tool._choose(tied, volts(188)) == (low, False)
        assert tool._choose(tied, volts(260)) == (high, False)
        assert tool._choose(tied, volts(230)) == (high, False)  # within both: no question
    finally:
        tool._thread.shutdown()


def test_megohms_are_said_as_meg() -> None:
    assert said_unit("megger says six meg", choose_value(None, "megger says six meg"), None) == (
        "MOhm"
    )


def test_mil_is_read_as_thou_and_as_millimetre_and_the_limits_scale_decides() -> None:
    from edge.knowledge.limit_match import TIE, describe, rank, said, with_unit
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import spoken_values

    play = "car guide shoes have got two and a half mil of play"
    assert [(v.mention.value, v.unit) for v in spoken_values(play)] == [(2.5, "mil"), (2.5, "mm")]
    assert [v.unit for v in spoken_values("run-out is three thou")] == ["mil"]  # never a mm

    def best_unit(transcript: str, limit: Limit) -> str | None:
        described = [describe(limit, {})]
        scores = {
            v.unit: rank(with_unit(said(transcript, {}), v.unit), described, v.unit, value=2.5)[
                0
            ].score
            for v in spoken_values(transcript)
        }
        first = next(iter(scores))  # as the tool does: a later reading wins only by more than a tie
        return max(scores, key=lambda u: scores[u] + (TIE if u == first else 0.0))

    shoes = Limit("", "Guide shoe play", "mm", 1.0, 2.0, "1.0", "2.0")
    assert best_unit(play, shoes) == "mm"  # 2.5 thou is 0.06 mm, 17 times below the range
    runout = Limit("", "Shaft run-out", "mm", None, 0.05, "", "0.05")
    assert best_unit("shaft run-out is two and a half mil", runout) == "mil"  # 0.064 mm
    vibration = Limit("", "Vibration", "mil", None, 2.0, "", "2.0")
    assert best_unit("vibration is two and a half mils", vibration) == "mil"


def test_the_words_of_the_value_name_no_limit() -> None:
    # "three point two millimetres" said nothing about a brake's "measuring point".
    from edge.knowledge.limit_match import describe, rank, said, with_unit, without_value
    from edge.knowledge.records import Limit

    brake = Limit("BR1", "Air gap, each measuring point", "mm", 0.25, 0.40, "0.25", "0.40")
    spark = Limit("IE1", "Gap between electrode tips (spark gap)", "mm", 3.0, 4.0, "3.0", "4.0")
    described = [describe(brake, {}), describe(spark, {})]
    spoken = "spark gap is three point two millimetres"
    reading = with_unit(without_value(said(spoken, {}), "three point two"), "mm")
    assert "point" not in reading.words and "spark" in reading.words
    assert rank(reading, described, "mm", value=3.2)[0].limit is spark


def test_at_a_machine_its_limit_wins_over_a_closer_worded_one_of_another() -> None:
    # The VT 75's bearing limit is said in other words than the reading; the forklift's shares
    # more of them. At the compressor, its own limit is the one meant.
    from dataclasses import replace

    from edge.events import SourceRef
    from edge.knowledge.limit_match import describe, rank, said, with_unit
    from edge.knowledge.records import Limit

    compressor = Limit("", "Vibration velocity at the motor bearings", "mm/s", None, 3.5,
                       source=SourceRef("VT 75 compressor", "6.4"))  # fmt: skip
    other = Limit("M1", "Drive motor vibration velocity, rms", "mm/s", None, 4.5,
                  source=SourceRef("CPS 200 pump skid", "3.3"))  # fmt: skip
    described = [describe(compressor, {}), describe(other, {"M1": "Drive motor"})]
    reading = with_unit(said("drive motor vibration is 5.2 mm/s", {}), "mm/s")
    assert rank(reading, described, "mm/s", value=5.2)[0].limit is other
    at = replace(reading, machine="VT 75 compressor")
    assert rank(at, described, "mm/s", value=5.2)[0].limit is compressor


def test_at_a_machine_only_its_limits_judge_a_reading() -> None:
    from dataclasses import replace

    from edge.events import SourceRef
    from edge.knowledge.limit_match import describe, said
    from edge.knowledge.records import Limit
    from edge.tools.readings import at_the_machine

    mixer = Limit("TT2", "Gearbox output bearing temperature", "°C", None, 85.0,
                  source=SourceRef("AM-60 mixer", "4.7"))  # fmt: skip
    chiller = Limit("TT2", "Entering chilled water temperature", "°F", None, 90.0,
                    source=SourceRef("WC-180 chiller", "4.2"))  # fmt: skip
    pump = Limit("PT7", "Discharge pressure", "bar", None, 10.0,
                 source=SourceRef("CPS 200 pump skid", "3.3"))  # fmt: skip
    described = [
        describe(mixer, {}, frozenset({"tt2"})),  # IDs as the store keeps them, normalised
        describe(chiller, {}, frozenset({"tt2"})),
        describe(pump, {}, frozenset({"pt7"})),
    ]
    reading = said("TT2 is showing 178 Fahrenheit", {})
    assert at_the_machine(described, reading) == described  # no machine known: all of them
    at_mixer = replace(reading, machine="AM-60 mixer")
    assert [d.limit for d in at_the_machine(described, at_mixer)] == [mixer]
    # A tag only another machine's manual defines, or that machine named, reaches it.
    tagged = replace(said("PT7 is reading 12 bar", {}), machine="AM-60 mixer")
    assert at_the_machine(described, tagged) == described
    named = replace(at_mixer, machines=frozenset({"WC-180 chiller"}))
    assert at_the_machine(described, named) == described
    # Naming the machine one stands at ("on mixer two") keeps to its manual.
    itself = replace(at_mixer, machines=frozenset({"AM-60 mixer"}))
    assert [d.limit for d in at_the_machine(described, itself)] == [mixer]


def test_degrees_said_meet_a_limit_in_kelvin_only_as_a_difference() -> None:
    from edge.knowledge.limit_match import describe, rank, said, with_unit
    from edge.knowledge.records import Limit

    rise = Limit("Q1", "Terminal temperature rise above ambient", "K", None, 30.0)
    room = Limit("", "UPS room", "°C", 0.0, 40.0)
    described = [describe(rise, {}), describe(room, {})]
    hot = with_unit(said("it's 110 Fahrenheit in the UPS room", {}), "°F")
    assert [c.limit for c in rank(hot, described, "°F", value=110)] == [room]
    risen = with_unit(said("Q1 terminals have a rise of 20 degrees", {}), "°C")
    assert rank(risen, described, "°C", value=20)[0].limit is rise


def test_a_figure_said_beside_the_value_picks_the_models_limit() -> None:
    from edge.knowledge.limit_match import describe, rank, said, with_unit, without_value
    from edge.knowledge.records import Limit

    small = Limit("M1", "Running current, travelling up (TX-9/630)", "A", None, 16.0)
    large = Limit("M1", "Running current, travelling up (TX-9/1000)", "A", None, 26.0)
    described = [describe(small, {}), describe(large, {})]
    spoken = "pulling twenty two amps going up on the thousand kilo car"
    reading = with_unit(without_value(said(spoken, {}), "twenty two amps"), "A")
    assert rank(reading, described, "A", value=22)[0].limit is large


def test_a_setting_is_read_only_when_the_reading_says_a_setting_or_a_test() -> None:
    # The safety valve's set pressure names the intercooler; the gauge reads the interstage
    # pressure. "Lifted at" reads the valve.
    from edge.knowledge.limit_match import describe, rank, said, with_unit, without_value
    from edge.knowledge.records import Limit

    valve = Limit("", "Intercooler safety valve SV2, set pressure (RP-22/10)", "bar", 4.0, 4.12,
                  context="Variant data")  # fmt: skip
    stage = Limit("PT2", "Interstage pressure, loaded at 10 bar", "bar", 2.2, 2.9,
                  context="Variant limits")  # fmt: skip
    names = {"PT2": "Pressure transmitter, interstage"}
    described = [describe(valve, {}), describe(stage, names)]

    def best(spoken: str, value: str) -> Limit:
        reading = with_unit(without_value(said(spoken, {}), value), "bar")
        return rank(reading, described, "bar", value=float(value.split()[0]))[0].limit

    assert best("intercooler gauge shows 1.5 bar on the ten bar unit", "1.5 bar") is stage
    assert best("intercooler safety valve lifted at 4.4 bar on the ten bar", "4.4 bar") is valve


def test_a_variant_said_by_its_last_figure_or_letter_picks_its_limit() -> None:
    # "The six stage" is FP55-6, "the s mast" RR16-S, "FP55-8" said whole is FP55-8.
    from edge.knowledge.limit_match import describe, rank, said, with_unit, without_value
    from edge.knowledge.records import Limit

    def best(limits: list[Limit], spoken: str, value: str, unit: str) -> Limit:
        described = [describe(limit, {}) for limit in limits]
        reading = with_unit(without_value(said(spoken, {}), value), unit)
        number = float(value.split()[0])
        return rank(reading, described, unit, value=number)[0].limit

    six = Limit("", "Discharge pressure PT-102, normal (FP55-6)", "bar", 29.5, 33.5)
    eight = Limit("", "Discharge pressure PT-102, normal (FP55-8)", "bar", 40.0, 45.0)
    pumps = [six, eight]
    assert best(pumps, "discharge on the six stage B pump is 38.2 bar", "38.2 bar", "bar") is six
    assert best(pumps, "the FP55-8 discharge pressure is 31 bar", "31 bar", "bar") is eight
    s_mast = Limit("", "Elongation, max. (RR16-S)", "%", None, 3.0)
    h_mast = Limit("", "Elongation, max. (RR16-H)", "%", None, 2.0)
    masts = [s_mast, h_mast]
    assert best(masts, "right chain on the h mast is at 2.6 percent", "2.6 percent", "%") is h_mast
    assert best(masts, "left chain on the s mast is 2.4 percent", "2.4 percent", "%") is s_mast


def test_technicians_words_for_vibration_and_a_trucks_drive_motor() -> None:
    from edge.knowledge.limit_match import said, words

    assert words("vibes on the A pump") >= words("vibration")
    assert said("drive motor temp 118 degrees", {}).words >= words("traction motor temperature")
    assert "traction" not in " ".join(words("Main drive motor"))  # a manual's words stay its own


def test_a_word_said_outweighs_one_the_unit_only_implies() -> None:
    # "48 bar" implies a pressure; "counterbalance" was said. The counterbalance's limit sits in
    # a table whose rows do not say "pressure" (its unit label did), the pressure switch's do.
    from edge.knowledge.limit_match import describe, rank, said, with_unit
    from edge.knowledge.records import Limit

    counterbalance = Limit("", "Counterbalance, ram at rest at TDC", "bar", 55, 75, "55", "75",
                           context="Table 4.1 Test points")  # fmt: skip
    switch = Limit("S31", "Pressure rising", "bar", 80, 90, "80", "90",
                   context="Table 5.1 Component limits by tag")  # fmt: skip
    described = [describe(counterbalance, {}), describe(switch, {"S31": "Pressure switch"})]
    reading = with_unit(said("counterbalance on the left side is only 48 bar", {}), "bar")
    assert rank(reading, described, "bar", value=48)[0].limit is counterbalance


def test_degrees_may_be_an_angle_and_pounds_a_force_or_a_pressure() -> None:
    from edge.knowledge.limit_match import describe, rank, said, with_unit
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import spoken_values

    pitch = "blade three is pitched at fifteen point four degrees"
    assert [v.unit for v in spoken_values(pitch) if v.mention.value == 15.4] == ["°C", "°"]
    assert [v.unit for v in spoken_values("oil is at 92 degrees C")] == ["°C"]  # scale said
    assert [v.unit for v in spoken_values("takes 17 pounds to deflect")] == ["lb", "lbf", "psi"]
    manifold = spoken_values("low fire manifold reads 1.4 inches")
    assert [v.unit for v in manifold] == ["in", "inH2O"]
    limits = [
        describe(Limit("", "Blade pitch angle", "°", 14, 15, "14", "15"), {}),
        describe(Limit("", "Oil sump temperature", "°F", None, 180, "", "180"), {}),
    ]
    ranked = {
        v.unit: rank(with_unit(said(pitch, {}), v.unit), limits, v.unit, value=15.4)
        for v in spoken_values(pitch)
        if v.unit
    }
    assert ranked["°"][0].limit.parameter == "Blade pitch angle"
    assert ranked["°"][0].score > ranked["°C"][0].score


def test_a_value_read_with_no_unit_meets_a_limit_printed_with_none() -> None:
    from edge.knowledge.limit_match import describe, rank, said
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import states_a_value

    assert states_a_value("AE-04 reads 8.1") and states_a_value("the PI came out at 1.05")
    # What an instrument says, and a value sagging or dipping to a figure.
    assert states_a_value("38TGB says 58") and states_a_value("the gauge is indicating 4.2")
    assert states_a_value("incoming voltage is sagging to three forty five")
    assert not states_a_value("what does the manual say about 58")
    # "Measuring" says how it was read, not which "measuring point" it is.
    measured = said("the ropes are measuring seven point four", {})
    assert not any(w.startswith("measur") for w in measured.words)
    assert not states_a_value("what is the pH limit 7")
    limits = [
        describe(Limit("", "Hot water entering the tower", "°F", 85, 110, "85", "110"), {}),
        describe(Limit("", "pH", "", 7.2, 8.6, "7.2", "8.6"), {}),
    ]
    reading = said("ph on the tower water is six point seven", {})
    assert rank(reading, limits, None, value=6.7)[0].limit.parameter == "pH"


def test_units_of_conductivity_volume_force_and_angle() -> None:
    from edge.knowledge.limit_match import codes
    from edge.knowledge.units import convert, normalize_unit

    assert [normalize_unit(u) for u in ("micro siemens", "cc", "ml", "pounds force", "°")] == [
        "µS/cm",
        "cm³",
        "mL",
        "lbf",
        "°",
    ]
    assert convert(400, "cm³", "L") == pytest.approx(0.4)
    assert convert(10, "lbf", "N") == pytest.approx(44.48, abs=0.01)
    assert {"vs3", "vs4"} <= codes("Fan deck, transmitters VS1–VS4 (support beam)")


def test_limits_of_two_parts_that_agree_on_the_value_need_no_question() -> None:
    # The relay's and the dial thermometer's winding-temperature alarm points tie on the words
    # "winding temp": 100 °C is within both, 140 °C above both: no question either way.
    from edge.aio import EngineThread
    from edge.knowledge.limit_match import Candidate
    from edge.knowledge.numbers import NumberMention
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import SpokenValue
    from edge.tools.readings import ReadingsTool

    relay = Limit("K10", "Winding temperature, relay", "°C", None, 115, "", "115")
    dial = Limit("49W", "Winding temperature, dial", "°C", None, 120, "", "120")
    tied = [Candidate(relay, 2.0, ("wind",)), Candidate(dial, 2.0, ("wind",))]

    class Unnamed:  # the manuals give the tags no names
        def component_name(self, component_id: str, document: str | None = None) -> None:
            return None

    tool = ReadingsTool(Unnamed(), EngineThread("test"), None)  # type: ignore[arg-type]

    def value(number: float) -> SpokenValue:
        return SpokenValue(NumberMention(number, 0, 3, str(number)), "°C")

    try:
        assert tool._choose(tied, value(100)) == (relay, False)
        assert tool._choose(tied, value(140)) == (relay, False)
        with pytest.raises(ToolError) as asked:
            tool._choose(tied, value(118))  # above the relay's, within the dial's: which?
        assert asked.value.code == "reading-which-component"
    finally:
        tool._thread.shutdown()


def test_a_limit_under_a_condition_not_said_yields_to_the_one_that_always_holds() -> None:
    from edge.knowledge.limit_match import best, condition_words, describe, rank, said, with_unit
    from edge.knowledge.records import Limit

    assert condition_words("Gearbox oil temperature at start") == {"start"}
    assert not condition_words("pH, normal operation")
    assert not condition_words("Lube oil pressure at rated speed")
    assert not condition_words("Insulation resistance (min. R60 at 20 °C)")
    sump = Limit("GB", "Gearbox oil sump temperature", "°C", None, 90, "", "90")
    start = Limit("GB", "Gearbox oil temperature at start", "°C", -15, None, "-15", "")
    described = [describe(sump, {}), describe(start, {})]

    def picked(words: str, value: float) -> list[Limit]:
        reading = with_unit(said(words, {}), "°C")
        return [c.limit for c in best(rank(reading, described, "°C", value=value))]

    assert picked("gearbox oil is at 96 degrees", 96) == [sump]
    assert picked("gearbox oil is minus 20 at start", -20) == [start]


def test_of_two_limits_with_the_same_words_the_one_in_the_order_said_wins() -> None:
    from edge.knowledge.limit_match import best, describe, rank, said, with_unit
    from edge.knowledge.records import Limit

    hv = Limit("", "HV winding to LV winding and tank", "MOhm", 600, None, "600", "")
    lv = Limit("", "LV winding to HV winding and tank", "MOhm", 300, None, "300", "")
    described = [describe(hv, {}), describe(lv, {})]
    for words, meant in (("megger on HV to LV and tank", hv), ("LV to HV and tank", lv)):
        reading = with_unit(said(f"{words} is 650 megohms", {}), "MOhm")
        assert [c.limit for c in best(rank(reading, described, "MOhm", value=650))] == [meant]


def test_kelvin_said_is_a_difference_and_a_percentage_needs_its_name() -> None:
    from edge.aio import EngineThread
    from edge.knowledge.limit_match import Candidate, describe, rank, said, with_unit
    from edge.knowledge.numbers import NumberMention
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import SpokenValue
    from edge.tools.readings import ReadingsTool

    room = Limit("", "Boiler room temperature", "°C", 5, 40, "5", "40")
    spread = Limit("", "Flow/return difference", "K", None, 30, "", "30")
    reading = with_unit(said("delta t across the boiler is 36 k", {}), "K")
    ranked = rank(reading, [describe(room, {}), describe(spread, {})], "K", value=36)
    assert [c.limit for c in ranked] == [spread]  # no room is 36 K warm
    assert rank(reading, [describe(room, {})], "K", value=36) == []
    # "eight percent under the average tension": the manual's one limit in per cent (a phase
    # current imbalance) names nothing of it; a limit in volts would have been the voltage.
    imbalance = Limit("", "Difference between phase currents", "%", None, 10, "", "10")
    tool = ReadingsTool(None, EngineThread("test"), None)  # type: ignore[arg-type]
    eight = SpokenValue(NumberMention(8, 0, 1, "8"), "%")
    try:
        with pytest.raises(ToolError) as asked:
            tool._choose([Candidate(imbalance, 2.3)], eight)
        assert asked.value.code == "reading-which-parameter"
        assert tool._choose([Candidate(imbalance, 2.3, ("phase",))], eight) == (imbalance, False)
    finally:
        tool._thread.shutdown()


def test_a_value_stated_with_no_unit_is_a_reading_and_waits_only_when_the_scale_matters() -> None:
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import states_a_value
    from edge.tools.readings import _scale_matters

    assert states_a_value("gearbox oil is minus fifteen and we want to start up")
    assert states_a_value("ph of the system water is down to seven point nine")
    assert states_a_value("the oil's at 80")
    assert states_a_value("PT-101 just dropped to 2.3")
    assert not states_a_value("the guard has 4 bolts")
    top_oil = Limit("", "Top-oil temperature", "°C", -25, None, "-25", "")
    separator = Limit("", "Oil temperature", "°F", None, 180, "", "180")
    assert not _scale_matters(top_oil, -31)  # below the minimum in °C, °F and kelvin alike
    assert _scale_matters(separator, 130)  # within in °F, far above in °C: ask which
    # No bore is 55 inches or 55 thou: a bare 55.31 against max. 55.25 mm is millimetres.
    bore = Limit("", "Barrel bore diameter", "mm", None, 55.25, "", "55.25")
    assert not _scale_matters(bore, 55.31)
    runout = Limit("", "Shaft run-out", "mm", None, 2.0, "", "2.0")
    assert _scale_matters(runout, 0.08)  # 0.08 mm is within, 0.08 in (2.03 mm) is not


def test_a_unit_said_after_of_a() -> None:
    from edge.tools.reading_values import spoken_values

    said = spoken_values("platen parallelism came out at point zero nine of a millimetre")
    assert [(v.mention.value, v.unit) for v in said] == [(0.09, "mm")]


def test_a_value_off_the_only_limits_scale_is_no_reading_of_it_and_a_shortfall_is_negative() -> (
    None
):
    from edge.aio import EngineThread
    from edge.knowledge.limit_match import Candidate
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import spoken_values
    from edge.tools.readings import ReadingsTool

    vibration = Limit("", "Vibration velocity", "mm/s", None, 4.5, "", "4.5")
    tool = ReadingsTool(None, EngineThread("test"), None)  # type: ignore[arg-type]
    try:
        steps = spoken_values("steps are doing a hundred and eight feet a minute")[0]
        with pytest.raises(ToolError) as asked:
            tool._choose([Candidate(vibration, 0.5, (), off_scale=1.6)], steps)
        assert asked.value.code == "reading-which-parameter"
        steps = spoken_values("the steps on the unit measured 0.63 metres per second")[0]
        with pytest.raises(ToolError):  # 140 times the limit, one word shared: no vibration
            tool._choose([Candidate(vibration, 0.5, ("unit",), off_scale=1.7)], steps)
        housing = spoken_values("housing is at 6 millimetres per second")[0]
        assert tool._choose([Candidate(vibration, 0.0)], housing) == (vibration, True)
    finally:
        tool._thread.shutdown()
    relative = Limit("HR", "Handrail speed relative to step speed", "%", 0, 2, "0", "2")
    deviation = Limit("", "Deviation from mean tension", "%", None, 5, "", "5")
    slower = spoken_values("HR-R is running two percent slower than the steps")[0]
    assert slower.short and slower.against(relative) == -2  # below the 0 to +2 % band
    assert slower.against(deviation) == 2  # a deviation of 2 %, whichever way
    faster = spoken_values("left handrail is running three percent faster")[0]
    assert not faster.short and faster.against(relative) == 3
    # The unit as transcribed, capitals and all: "Percent" still ends where the shortfall begins.
    assert spoken_values("HR-R is running 2 Percent slower than the steps")[0].short


def test_a_part_s_limit_and_the_same_quantity_printed_without_a_tag_are_one_quantity() -> None:
    from edge.aio import EngineThread
    from edge.knowledge.limit_match import Candidate
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import spoken_values
    from edge.tools.readings import ReadingsTool

    table = Limit("TT1", "Gearbox oil temperature", "°C", None, 95, "", "95")
    sentence = Limit("", "Gearbox oil temperature", "°C", -15, None, "-15", "")
    tied = [Candidate(table, 2.0, ("oil",)), Candidate(sentence, 2.0, ("oil",))]

    class Named:
        def component_name(self, component_id: str, document: str | None = None) -> str:
            return "gearbox oil sump temperature sensor"

    tool = ReadingsTool(Named(), EngineThread("test"), None)  # type: ignore[arg-type]
    try:
        cold = spoken_values("oil in the gearbox is at minus twenty degrees")[0]
        hot = spoken_values("oil in the gearbox is at 99 degrees")[0]
        assert tool._choose(tied, cold) == (sentence, False)
        assert tool._choose(tied, hot) == (table, False)
    finally:
        tool._thread.shutdown()


def test_a_value_read_off_the_limit_s_own_instrument_is_in_its_unit() -> None:
    from edge.knowledge.limit_match import said
    from edge.knowledge.records import Limit
    from edge.tools.readings import _instrument_said

    bearing = Limit("TE-706", "TE-706", "°C", None, 92, "", "92")
    assert _instrument_said(bearing, said("TE-706 shows 112", {}))
    assert not _instrument_said(bearing, said("main bearing is at 112", {}))
    outlet = Limit("", "HT water temperature at engine outlet (TE-202)", "°C", 85, 92, "85", "92")
    assert _instrument_said(replace(outlet, codes=("TE-202",)), said("TE-202 reads 89", {}))


def test_a_point_s_band_and_the_same_quantity_s_bound_printed_apart_are_one_quantity() -> None:
    from edge.aio import EngineThread
    from edge.knowledge.limit_match import Candidate
    from edge.knowledge.records import Component, Limit
    from edge.tools.reading_values import spoken_values
    from edge.tools.readings import ReadingsTool

    band = Limit("", "Lube oil pressure at engine inlet (PT-101)", "bar", 4, 5, "4.0", "5.0")
    band = replace(band, codes=("PT-101",))
    floor = Limit("", "Lube oil pressure at engine inlet, min.", "bar", 3.5, None, "3.5", "")
    standard = replace(
        Limit("", "Motor current (AM-60S)", "A", None, 56, "", "56"), codes=("AM-60S",)
    )
    heavy = replace(Limit("", "Motor current (AM-60H)", "A", None, 82, "", "82"), codes=("AM-60H",))

    class Points:  # the manual lists PT-101 as a measuring point; models are no parts
        def component(self, code: str) -> Component | None:
            return Component(code, "Lube oil pressure") if code == "PT-101" else None

        def component_name(self, component_id: str, document: str | None = None) -> None:
            return None

    tool = ReadingsTool(Points(), EngineThread("test"), None)  # type: ignore[arg-type]
    try:
        low = spoken_values("lube oil pressure at the engine inlet is 3.8 bar")[0]
        pair = [Candidate(band, 3.0, ("oil",)), Candidate(floor, 3.0, ("oil",))]
        assert tool._choose(pair, low) == (band, False)  # below the band, above the alarm floor
        amps = spoken_values("the motor is drawing seventy amps")[0]
        with pytest.raises(ToolError) as asked:
            tool._choose(
                [Candidate(standard, 2.0, ("motor",)), Candidate(heavy, 2.0, ("motor",))], amps
            )
        assert asked.value.code == "reading-parameter-unclear"
    finally:
        tool._thread.shutdown()


def test_at_a_machine_an_id_is_named_as_its_own_manual_names_it() -> None:
    from types import SimpleNamespace

    from edge.knowledge import Knowledge

    snap = SimpleNamespace(
        names={"M1": ("Hoist motor", "PT100 sensor kit"), "GB1": ("Gearbox",)},
        own_names={("Escalator", "M1"): "Main drive motor", ("Crane", "M1"): "Hoist motor"},
    )
    stub = SimpleNamespace(_snap=snap)
    assert Knowledge.component_names(stub) == snap.names  # type: ignore[arg-type]
    at = Knowledge.component_names(stub, "Escalator")  # type: ignore[arg-type]
    assert at == {"M1": ("Main drive motor",), "GB1": ("Gearbox",)}


def test_a_word_and_a_number_said_meet_the_tag_of_the_series_they_name() -> None:
    from edge.knowledge.limit_match import describe, initial_codes, rank, said, with_unit
    from edge.knowledge.records import Limit

    assert initial_codes("zone three heater reads twenty one ohms") == {"z3"}
    assert initial_codes("motor two is pulling 40 amps") == {"m2"}  # not "pulling 40"
    zones = [
        describe(Limit("", f"Cold resistance (Barrel zone Z{n})", "Ω", 13.2, 16.2, "", ""), {})
        for n in (1, 2, 3)
    ]
    reading = said("zone three heater reads twenty one ohms cold", {})
    assert reading.codes == frozenset() and reading.initials == {"z3"}  # names no machine
    best = rank(with_unit(reading, "Ω"), zones, "Ω", value=21)
    assert best[0].limit.parameter.endswith("Z3)") and best[0].score > best[1].score


def test_a_deviation_is_judged_by_a_deviation_band_and_a_plain_value_never_is() -> None:
    from edge.knowledge.limit_match import DEVIATION, describe, rank, said, with_unit
    from edge.knowledge.limit_text import parse_bounds
    from edge.knowledge.records import Limit
    from edge.tools.reading_values import candidates

    band = parse_bounds("max. ± 50 °C from the mean of all cylinders")
    assert band is not None and (band.minimum, band.maximum, band.unit) == (-50, 50, "°C")
    deviation = describe(
        Limit("", "Exhaust gas temperature deviation from the mean", "°C", -50, 50, "", ""), {}
    )
    absolute = describe(Limit("", "Exhaust gas temperature", "°C", None, 480, "", "480"), {})
    plain = said("cylinder 4 exhaust gas temperature is 455 degrees", {})
    assert [c.limit for c in rank(with_unit(plain, "°C"), [deviation, absolute], "°C")] == [
        absolute.limit
    ]
    below = said("exhaust is eight degrees under the mean", {})
    assert DEVIATION in below.words
    # Two figures, the reading and its reference: the deviation is their difference.
    (value,) = candidates(None, "cylinder 4 exhaust is 455 and the average of all of them is 395")
    assert value.deviation and value.mention.value == 60
    (value,) = candidates(None, "number three exhaust reads 338 with the mean at 398")
    assert value.mention.value == -60
    # A generating "set" is no set point.
    ran = candidates(None, "on our sixty hertz set the engine ran up to 1050 rpm")
    assert not any(v.deviation for v in ran) and [v.mention.value for v in ran] == [60, 1050]
    under = candidates(None, "zone seven is eight degrees under set")[0]
    assert under.short and under.against(deviation.limit) == -8


def test_of_two_numbers_said_without_a_unit_the_one_read_off_is_the_reading() -> None:
    from edge.errors import ToolError
    from edge.tools.reading_values import candidates

    # The number before the verb names the part; the one after it is read off.
    assert [v.mention.value for v in candidates(None, "discharge temp on blower two is 138")] == [
        138
    ]
    assert [v.mention.value for v in candidates(None, "49S reads 119")] == [119]
    with pytest.raises(ToolError, match="Which one is the reading"):
        candidates(None, "pump 2 and pump 3 read 4 and 5")


def test_degrees_of_superheat_are_no_temperature() -> None:
    from edge.knowledge.limit_match import describe, rank, said, with_unit
    from edge.knowledge.records import Limit

    superheat = describe(Limit("", "Superheat at compressor suction", "°F", 9, 15, "9", "15"), {})
    freezestat = describe(
        Limit("FST1", "Opening temperature", "°F", 26, 32, "26", "32"),
        {"FST1": ("Evaporator freeze thermostat, circuit 1",)},
    )
    reading = said("superheat on circuit one is 4 degrees", {})
    best = rank(with_unit(reading, "°F"), [freezestat, superheat], "°F", value=4)
    assert best[0].limit is superheat.limit


def test_a_part_named_by_its_size_lends_its_unit_to_the_value_read_off_it() -> None:
    from edge.tools.reading_values import candidates, states_a_value

    (volts,) = candidates(None, "the twenty four volt control supply is down to twenty point nine")
    assert (volts.mention.value, volts.unit) == (20.9, "V")
    ropes = candidates(None, "the eight mil ropes are measuring seven point four")
    assert [(v.mention.value, v.unit) for v in ropes] == [(7.4, "mil"), (7.4, "mm")]
    both = candidates(None, "the 24 volt supply reads 22 volts")
    assert [v.mention.value for v in both] == [22]  # the size names the part; it is no reading
    model = candidates(None, "final safety valve on the ten bar opened at 168 psi on the bench")
    assert [(v.mention.value, v.unit) for v in model] == [(168, "psi")]  # "the ten bar" model
    assert states_a_value("barrel bore mics out at fifty five point three one")


def test_the_id_a_reading_names_is_a_code_and_not_its_value() -> None:
    from edge.knowledge.limit_match import said
    from edge.tools.reading_values import candidates
    from edge.tools.readings import _not_the_tag

    # A device number with one letter ("49S", "64F") is not shaped like most IDs; said as the
    # manuals print the component it names, it is a code all the same ...
    assert "49s" in said("49S reads 119", {}, named="49S").codes
    assert said("49S reads 119", {}).codes == frozenset()
    # ... and its figure is no value: "64F is reading 12 kilohms" is 12 kΩ, not 64 °F.
    text = "64F is reading 12 kilohms"
    assert [v.unit for v in _not_the_tag(candidates(None, text), text, "64F")] == ["kΩ"]
    assert len(_not_the_tag(candidates(None, text), text, None)) == 2
