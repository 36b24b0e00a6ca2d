"""Which manual a question names by the words for its machine."""

from __future__ import annotations

import pytest

from edge.knowledge.machines import machine_name, machine_stems, machine_words, machines_named

pytestmark = pytest.mark.unit

DOCUMENTS = {
    "WC-180 Water-Cooled Chiller": [
        "Stop the chiller and lock out the pump.",
        "The chiller compressor oil filter is OF1.",
        "Check the unit's pump and water flow.",
    ],
    "HX-30 Hydraulic Power Unit": [
        "The power unit has a main pump P1 and a reservoir.",
        "Stop the unit and release the pressure. The pump must be stopped.",
    ],
    "CPS 200 Pump Skid": ["The skid carries two pumps.", "Each pump has a motor.", "pump pump"],
}


def test_title_words_its_manual_uses_most_name_it() -> None:
    words = machine_words(DOCUMENTS)
    chiller = machines_named("how do I change the oil filter on the chiller", words)
    assert chiller == {"WC-180 Water-Cooled Chiller"}
    assert machines_named("what's the oil in this power unit", words) == {
        "HX-30 Hydraulic Power Unit"
    }
    assert machines_named("what PPE on the skid", words) == {"CPS 200 Pump Skid"}


def test_words_every_manual_uses_name_none() -> None:
    words = machine_words(DOCUMENTS)
    # "pump" is in the skid's title, but the other manuals speak of pumps too; "unit" likewise.
    assert machines_named("pump inlet pressure", words) == frozenset()
    assert machines_named("stop the unit", words) == frozenset()


def test_the_words_for_the_machine_say_which_manual_not_which_passage() -> None:
    words = machine_words(DOCUMENTS)
    assert machine_stems("what's the oil in this power unit", words) == {"power", "unit"}
    assert machine_stems("pump inlet pressure", words) == frozenset()


def test_a_manuals_title_names_its_machine_in_a_few_words() -> None:
    assert (
        machine_name(
            "CPS 200 Duty/Standby Centrifugal Pump Skid – Installation, Operation and Maintenance"
            " Manual"
        )
        == "CPS 200 Duty/Standby Centrifugal Pump Skid"
    )
    assert machine_name("WT-2000 Wind Turbine Maintenance Manual") == "WT-2000 Wind Turbine"
    assert machine_name("VT 55 / VT 75 Rotary Screw Compressors") == (
        "VT 55 / VT 75 Rotary Screw Compressors"
    )
    # A shouted title reads as a sentence, its model code as printed.
    assert (
        machine_name("WC-180 WATER-COOLED ROTARY SCREW LIQUID CHILLER INSTALLATION, OPERATION")
        == "WC-180 water-cooled rotary screw liquid chiller"
    )
    assert machine_name("Service Manual") == "Service"
