"""Units: spoken and written forms to one canonical symbol, conversions, and speakable names.

The canonical symbols are what the manuals print (``°C``, ``bar``, ``N·m`` ...). Speech keeps the
manual's number exactly and only spells the unit out ("210 N·m" -> "210 newton metres"), because
text-to-speech engines read symbols badly or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

# canonical symbol -> (dimension, spoken form)
_UNITS: Final[dict[str, tuple[str, str]]] = {
    "°C": ("temperature", "degrees Celsius"),
    "°F": ("temperature", "degrees Fahrenheit"),
    "K": ("temperature", "kelvin"),
    "bar": ("pressure", "bar"),
    "psi": ("pressure", "p s i"),
    "kPa": ("pressure", "kilopascals"),
    "MPa": ("pressure", "megapascals"),
    "rpm": ("rotation", "revolutions per minute"),
    "N·m": ("torque", "newton metres"),
    "kN·m": ("torque", "kilonewton metres"),
    "mm": ("length", "millimetres"),
    "m": ("length", "metres"),
    "µm": ("length", "micrometres"),
    "%": ("fraction", "percent"),
    "mm/s": ("velocity", "millimetres per second"),
    "in/s": ("velocity", "inches per second"),
    "m/s": ("velocity", "metres per second"),
    "m/min": ("velocity", "metres per minute"),
    "V": ("voltage", "volts"),
    "kV": ("voltage", "kilovolts"),
    "A": ("current", "amps"),
    "Hz": ("frequency", "hertz"),
    "kW": ("power", "kilowatts"),
    "MW": ("power", "megawatts"),
    "W": ("power", "watts"),
    "kg": ("mass", "kilograms"),
    "g": ("mass", "grams"),
    "MOhm": ("resistance", "megohms"),
    "mΩ": ("resistance", "milliohms"),
    "µF": ("capacitance", "microfarads"),
    "kΩ": ("resistance", "kilohms"),
    "Ω": ("resistance", "ohms"),
    "µΩ": ("resistance", "microhms"),  # a breaker's main-circuit resistance
    "GΩ": ("resistance", "gigohms"),  # a medium-voltage main circuit's insulation
    "pC": ("charge", "picocoulombs"),  # apparent charge of partial discharges (IEC 60270)
    "V/cell": ("cell voltage", "volts per cell"),  # a battery's float and boost voltage
    # Durations a part is timed at (a breaker's opening time, a spring's charging time); minutes
    # and hours are left out: "min" is as often a minimum, and hours are intervals, not readings.
    "s": ("time", "seconds"),
    "ms": ("time", "milliseconds"),
    "L": ("volume", "litres"),
    "gal": ("volume", "gallons"),
    "mbar": ("pressure", "millibar"),
    "inH2O": ("pressure", "inches of water"),
    "inHg": ("pressure", "inches of mercury"),
    "in": ("length", "inches"),
    "mil": ("length", "mils"),
    "N": ("force", "newtons"),
    "kN": ("force", "kilonewtons"),
    "lbf·ft": ("torque", "pound-feet"),
    "lbf·in": ("torque", "pound-inches"),
    "m³/h": ("flow", "cubic metres per hour"),
    "L/min": ("flow", "litres per minute"),
    "gpm": ("flow", "gallons per minute"),
    "ppm": ("concentration", "parts per million"),
    "mg/l": ("concentration", "milligrams per litre"),
    "mg/kg": ("concentration", "milligrams per kilogram"),
    "kg/l": ("density", "kilograms per litre"),
    "SG": ("density", "specific gravity"),
    "drops/min": ("drip rate", "drops per minute"),
    "starts/h": ("start rate", "starts per hour"),
    "dB(A)": ("sound level", "decibels"),
    "mA": ("current", "milliamps"),
    "µA": ("current", "microamps"),
    "ft/min": ("velocity", "feet per minute"),
    "kVA": ("apparent power", "kilovolt-amperes"),
    "lb": ("mass", "pounds"),
    "lbf": ("force", "pounds-force"),
    "µS/cm": ("conductivity", "microsiemens per centimetre"),
    "cm³": ("volume", "cubic centimetres"),
    "mL": ("volume", "millilitres"),
    "°": ("angle", "degrees"),
    "cfm": ("flow", "cubic feet per minute"),
    "AWG": ("wire size", "gauge"),
    "mm²/s": ("viscosity", "square millimetres per second"),
}

# lower-cased spoken or written form -> canonical symbol
_ALIASES: Final[dict[str, str]] = {
    **{symbol.lower(): symbol for symbol in _UNITS},
    "c": "°C",
    "deg": "°C",
    "deg c": "°C",
    "degc": "°C",
    "degree": "°C",
    "degrees": "°C",
    "degree c": "°C",
    "degrees c": "°C",
    "degree celsius": "°C",
    "degrees celsius": "°C",
    "degrees centigrade": "°C",
    "celsius": "°C",
    "centigrade": "°C",
    "f": "°F",
    "deg f": "°F",
    "degrees f": "°F",
    "degree fahrenheit": "°F",
    "degrees fahrenheit": "°F",
    "fahrenheit": "°F",
    "kelvin": "K",
    "bars": "bar",
    "pounds per square inch": "psi",
    "kilopascal": "kPa",
    "kilopascals": "kPa",
    "megapascal": "MPa",
    "megapascals": "MPa",
    "r p m": "rpm",
    "rpms": "rpm",
    "rev/min": "rpm",
    "revs": "rpm",
    "revolutions per minute": "rpm",
    "nm": "N·m",
    "n m": "N·m",
    "n.m": "N·m",
    "n-m": "N·m",
    "n·m": "N·m",
    "newton metre": "N·m",
    "newton metres": "N·m",
    "newton meter": "N·m",
    "newton meters": "N·m",
    "newton-metres": "N·m",
    "newton-meters": "N·m",
    "knm": "kN·m",
    "kilonewton metres": "kN·m",
    "kilonewton meters": "kN·m",
    "millimetre": "mm",
    "millimetres": "mm",
    "millimeter": "mm",
    "millimeters": "mm",
    "metre": "m",
    "metres": "m",
    "meter": "m",
    "meters": "m",
    "micron": "µm",
    "microns": "µm",
    "um": "µm",
    "micrometre": "µm",
    "micrometres": "µm",
    "percent": "%",
    "per cent": "%",
    "pct": "%",
    "millimetres per second": "mm/s",
    "millimeters per second": "mm/s",
    "mm per second": "mm/s",
    # A rate said "a second", "a minute" as often as "per".
    "millimetres a second": "mm/s",
    "millimeters a second": "mm/s",
    "mm a second": "mm/s",
    "inches per second": "in/s",
    "inches a second": "in/s",
    "inch per second": "in/s",
    "in/s": "in/s",
    "ips": "in/s",
    "inches of mercury": "inHg",
    "inch of mercury": "inHg",
    "in hg": "inHg",
    "inhg": "inHg",
    "hg": "inHg",  # "in Hg": the leading "in" is taken off before the look-up
    "litres a minute": "L/min",
    "liters a minute": "L/min",
    "metres per second": "m/s",
    "meters per second": "m/s",
    "metres per minute": "m/min",
    "meters per minute": "m/min",
    "volt": "V",
    "volts": "V",
    "kilovolt": "kV",
    "kilovolts": "kV",
    "amp": "A",
    "amps": "A",
    "ampere": "A",
    "amperes": "A",
    "hertz": "Hz",
    "kilowatt": "kW",
    "kilowatts": "kW",
    "kilogram": "kg",
    "kilograms": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "gram": "g",
    "grams": "g",
    "mω": "MOhm",
    "megohm": "MOhm",
    "megohms": "MOhm",
    "megaohm": "MOhm",
    "megaohms": "MOhm",
    "meg": "MOhm",  # "the megger says six meg": how insulation readings are said
    "megs": "MOhm",
    "mohm": "MOhm",
    "l": "L",
    "litre": "L",
    "litres": "L",
    "liter": "L",
    "liters": "L",
    "gallon": "gal",
    "gallons": "gal",
    "us gal": "gal",
    "millibar": "mbar",
    "millibars": "mbar",
    "in h2o": "inH2O",
    "inh2o": "inH2O",
    "in wc": "inH2O",
    "inches of water": "inH2O",
    "inch of water": "inH2O",
    "inches water": "inH2O",
    "inches h2o": "inH2O",
    "cfm": "cfm",
    "cubic feet per minute": "cfm",
    "cubic feet a minute": "cfm",
    "awg": "AWG",
    "inches wc": "inH2O",
    "inch wc": "inH2O",
    "wc": "inH2O",
    "iwc": "inH2O",
    "in wg": "inH2O",
    "inches of water column": "inH2O",
    "inch of water column": "inH2O",
    "inches water column": "inH2O",
    "inches of water gauge": "inH2O",
    "inch": "in",
    "inches": "in",
    "mils": "mil",
    "thou": "mil",
    "thous": "mil",
    "thousandths": "mil",
    "newton": "N",
    "newtons": "N",
    "lbf-ft": "lbf·ft",
    "lbf ft": "lbf·ft",
    "lb-ft": "lbf·ft",
    "lb ft": "lbf·ft",
    "ft-lb": "lbf·ft",
    "foot-pounds": "lbf·ft",
    "foot pounds": "lbf·ft",
    "pound-feet": "lbf·ft",
    "pound feet": "lbf·ft",
    "lbf-in": "lbf·in",
    "lb-in": "lbf·in",
    "in-lb": "lbf·in",
    "inch pounds": "lbf·in",
    "inch-pounds": "lbf·in",
    "inch pound": "lbf·in",
    "pound inches": "lbf·in",
    "m3/h": "m³/h",
    "m^3/h": "m³/h",
    "cubic metres an hour": "m³/h",
    "cubic metres per hour": "m³/h",
    "cubic meters an hour": "m³/h",
    "cubic meters per hour": "m³/h",
    "cubes an hour": "m³/h",  # site talk for cubic metres
    "cubes per hour": "m³/h",
    "l/min": "L/min",
    "litres per minute": "L/min",
    "liters per minute": "L/min",
    "us gpm": "gpm",
    "gallons per minute": "gpm",
    "gallons a minute": "gpm",
    "parts per million": "ppm",
    "mg/litre": "mg/l",
    "mg/liter": "mg/l",
    "milligrams per litre": "mg/l",
    "milligrams per liter": "mg/l",
    "kg/l": "kg/l",
    "kg/dm³": "kg/l",
    "specific gravity": "SG",
    "sg": "SG",
    "starts per hour": "starts/h",
    "starts an hour": "starts/h",
    "starts in an hour": "starts/h",
    "starts in the last hour": "starts/h",
    "starts/h": "starts/h",
    "times per hour": "starts/h",
    "times an hour": "starts/h",
    "times in an hour": "starts/h",
    "times in the last hour": "starts/h",
    "drops per minute": "drops/min",
    "drops a minute": "drops/min",
    "drops/min": "drops/min",
    "db(a)": "dB(A)",
    "dba": "dB(A)",
    "db (a)": "dB(A)",
    "db": "dB(A)",  # a sound level said or printed without its weighting
    "decibel": "dB(A)",
    "decibels": "dB(A)",
    "megawatt": "MW",
    "megawatts": "MW",
    "mm2/s": "mm²/s",
    "cst": "mm²/s",
    "centistoke": "mm²/s",
    "centistokes": "mm²/s",
    "milliamps": "mA",
    "milliamp": "mA",
    "psig": "psi",
    "psia": "psi",
    "psid": "psi",
    "bar(g)": "bar",
    "bar g": "bar",
    "barg": "bar",
    "bar(a)": "bar",
    "bar abs": "bar",
    "bara": "bar",
    "bar absolute": "bar",
    "min⁻¹": "rpm",
    "min-1": "rpm",
    "1/min": "rpm",
    "mΩ": "MOhm",
    "m ohm": "MOhm",
    "volts dc": "V",
    "v dc": "V",
    "v ac": "V",
    "pounds": "lb",
    "lbs": "lb",
    "ohm": "Ω",
    "ohms": "Ω",
    "watt": "W",
    "watts": "W",
    "milliohm": "mΩ",
    "milliohms": "mΩ",
    "milli-ohms": "mΩ",
    "uf": "µF",
    "μf": "µF",
    "microfarad": "µF",
    "microfarads": "µF",
    "kilohm": "kΩ",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "msec": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "milli-seconds": "ms",
    "kilo-ohm": "kΩ",
    "kilo-ohms": "kΩ",
    "kilo ohms": "kΩ",
    "μω": "µΩ",  # with the Greek mu
    "µohm": "µΩ",
    "uohm": "µΩ",
    "microhm": "µΩ",
    "microhms": "µΩ",
    "micro-ohm": "µΩ",
    "micro-ohms": "µΩ",
    "micro ohms": "µΩ",
    "microohms": "µΩ",
    "gohm": "GΩ",
    "gigohm": "GΩ",
    "gigohms": "GΩ",
    "gigaohms": "GΩ",
    "gig-ohms": "GΩ",
    "gig ohms": "GΩ",
    "giga-ohms": "GΩ",
    "picocoulomb": "pC",
    "picocoulombs": "pC",
    "pico-coulombs": "pC",
    "pico coulombs": "pC",
    "vpc": "V/cell",
    "v per cell": "V/cell",
    "volt per cell": "V/cell",
    "volts per cell": "V/cell",
    "kilohms": "kΩ",
    "kohm": "kΩ",
    "kohms": "kΩ",
    "kilonewton": "kN",
    "kilonewtons": "kN",
    "microamp": "µA",
    "microamps": "µA",
    "microampere": "µA",
    "microamperes": "µA",
    "micro amps": "µA",
    "ua": "µA",
    "μa": "µA",  # Greek mu, as some manuals print it
    "feet per minute": "ft/min",
    "foot per minute": "ft/min",
    "feet a minute": "ft/min",
    "fpm": "ft/min",
    "pound force": "lbf",
    "pounds force": "lbf",
    "pounds-force": "lbf",
    "us/cm": "µS/cm",
    "μs/cm": "µS/cm",  # Greek mu
    "micro siemens": "µS/cm",
    "microsiemens": "µS/cm",
    "micro siemens per centimetre": "µS/cm",
    "microsiemens per centimetre": "µS/cm",
    "micro siemens per centimeter": "µS/cm",
    "microsiemens per centimeter": "µS/cm",
    "cc": "cm³",
    "ccs": "cm³",
    "cm3": "cm³",
    "cubic centimetres": "cm³",
    "cubic centimeters": "cm³",
    "ml": "mL",
    "millilitre": "mL",
    "millilitres": "mL",
    "milliliter": "mL",
    "milliliters": "mL",
}

_TO_BASE: Final[dict[str, tuple[float, float]]] = {
    # symbol -> (scale, offset) so that base = value * scale + offset
    "°C": (1.0, 0.0),
    "°F": (5.0 / 9.0, -32.0 * 5.0 / 9.0),
    "bar": (1.0, 0.0),
    "psi": (0.0689476, 0.0),
    "kPa": (0.01, 0.0),
    "MPa": (10.0, 0.0),
    "N·m": (1.0, 0.0),
    "kN·m": (1000.0, 0.0),
    "mm": (1.0, 0.0),
    "m": (1000.0, 0.0),
    "µm": (0.001, 0.0),
    "mm/s": (1.0, 0.0),
    "in/s": (25.4, 0.0),
    "m/s": (1000.0, 0.0),
    "m/min": (1000.0 / 60.0, 0.0),
    "V": (1.0, 0.0),
    "kV": (1000.0, 0.0),
    "kg": (1.0, 0.0),
    "g": (0.001, 0.0),
    "lb": (0.45359237, 0.0),
    "L": (1.0, 0.0),
    "gal": (3.785411784, 0.0),
    "mbar": (0.001, 0.0),
    "inH2O": (0.00249089, 0.0),
    "inHg": (0.0338639, 0.0),
    "in": (25.4, 0.0),
    "mil": (0.0254, 0.0),
    "lbf·ft": (1.3558179483, 0.0),
    "lbf·in": (0.1129848290, 0.0),
    "m³/h": (1.0, 0.0),
    "L/min": (0.06, 0.0),
    "gpm": (0.2271247, 0.0),
    "kg/l": (1.0, 0.0),
    "SG": (1.0, 0.0),
    "A": (1.0, 0.0),
    "mA": (0.001, 0.0),
    "µA": (0.000001, 0.0),
    "N": (1.0, 0.0),
    "kN": (1000.0, 0.0),
    "Ω": (1.0, 0.0),
    "kΩ": (1000.0, 0.0),
    "MOhm": (1_000_000.0, 0.0),
    "GΩ": (1_000_000_000.0, 0.0),
    "s": (1.0, 0.0),
    "ms": (0.001, 0.0),
    "mΩ": (0.001, 0.0),
    "µΩ": (0.000_001, 0.0),
    "W": (1.0, 0.0),
    "kW": (1000.0, 0.0),
    "MW": (1_000_000.0, 0.0),
    "mm²/s": (1.0, 0.0),
    # In water and oil analyses a milligram per litre or per kilogram is a part per million.
    "ppm": (1.0, 0.0),
    "mg/l": (1.0, 0.0),
    "mg/kg": (1.0, 0.0),
    "ft/min": (5.08, 0.0),
    "lbf": (4.4482216153, 0.0),
    "µS/cm": (1.0, 0.0),
    "cm³": (0.001, 0.0),
    "mL": (0.001, 0.0),
    "°": (1.0, 0.0),
    "cfm": (1.6990108, 0.0),
}

# Units the speech pass spells out when they follow a number in manual text.
_SPOKEN_AFTER_NUMBER: Final = re.compile(
    r"(?<=\d)(\s?)(N·m|Nm|kN·m|kN|°C|°F|mm/s|in/s|ft/min|inHg|m/min|m/s|L/min|drops/min|starts/h|"
    r"µm|mm|µA|µF|MOhm|MΩ|mΩ|µΩ|GΩ|kΩ|Ω|kPa|MPa|psi|rpm|kW|kV|pC|V/cell|"
    r"kg|V|Hz|%|g|h|ms|s|L)(?![\w/·])"
)
_IN_CODE: Final = re.compile(r"(?<![\w.])[A-Za-z]{1,4}-?\d+$")
"""The text before a unit letter ends in letters and figures run together: a model code."""
_SYMBOLS: Final[tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...]] = (
    (re.compile(r"±\s?"), "plus or minus "),
    (re.compile(r"≤\s?"), "at most "),
    (re.compile(r"≥\s?"), "at least "),
    (re.compile(r"(?<=\d)\s?[–—]\s?(?=\d)"), " to "),
    (re.compile(r"(?<=\d)°(?![CF])"), " degrees"),
    (re.compile(r"\be\.g\.", re.IGNORECASE), "for example"),
    (re.compile(r"\bi\.e\.", re.IGNORECASE), "that is"),
    (re.compile(r"\bapprox\.", re.IGNORECASE), "about"),
)
_EXTRA_SPOKEN: Final = {"Nm": "newton metres", "MΩ": "megohms", "h": "hours"}


_MEASURED_AS: Final = re.compile(
    r"\s+(?:pk-pk|p-p|pp|peak[- ]to[- ]peak|peak|pk|r\.?m\.?s\.?|true rms|avg|average)\.?$"
)
"""A qualifier after a unit saying how the value was taken: peak to peak, RMS."""


def normalize_unit(text: str | None) -> str | None:
    """Canonical symbol for a written or spoken unit (``"degrees"`` -> ``"°C"``), else None."""
    if not text:
        return None
    if text.strip() in ("mΩ", "mOhm"):
        return "mΩ"  # milliohms; "MΩ" is megohms, and lower case would make them one
    if text.strip() == "S":
        return None  # siemens, or the letter of a code ("49S"); seconds are "s"
    key = " ".join(text.strip().lower().replace("º", "°").split())
    key = key.removeprefix("in ").strip(" .")
    if key in _ALIASES:
        return _ALIASES[key]
    # "MICRONS PK-PK", "mm/s r.m.s.": how the value was taken, not its unit.
    key = _MEASURED_AS.sub("", key).strip(" .")
    if key in _ALIASES:
        return _ALIASES[key]
    # "in. w.c.": inches of water column, dots and all.
    key = " ".join(key.replace(".", "").split()) if "." in key else key
    if key in _ALIASES:
        return _ALIASES[key]
    # "Metres a second", "litres an hour": said for "per".
    key = re.sub(r"\s+an?\s+(?=(?:second|minute|hour|min|sec|hr)s?$)", " per ", key)
    if key in _ALIASES:
        return _ALIASES[key]
    key = key.replace("°", "").strip()
    return _ALIASES.get(key) or _ALIASES.get("deg " + key) if key else None


def units_said(text: str) -> frozenset[str]:
    """Canonical units ``text`` names in words or symbols ("in inch pounds" -> lbf·in).

    Single letters and the words that are units only now and then ("in", "um", "sg") are left
    out: in running words they are mostly not units.
    """
    lowered = " ".join(text.lower().split())
    return frozenset(unit for pattern, unit in _SAID_UNITS if pattern.search(lowered))


_WORDS_NOT_UNITS: Final = frozenset({"in", "um", "sg", "ma", "hg", "%"})
_SAID_UNITS: Final = tuple(
    (re.compile(rf"(?<![\w·]){re.escape(alias)}(?![\w·])"), unit)
    for alias, unit in _ALIASES.items()
    if len(alias) > 1 and alias not in _WORDS_NOT_UNITS
)
"""Each alias :func:`units_said` looks for, compiled once, with its unit."""


def unit_named_in(parameter: str) -> str | None:
    """The unit a parameter's own name gives ("Starts per hour, per pump" -> starts/h)."""
    lowered = " ".join(parameter.lower().split())
    for phrase, unit in _ALIASES.items():
        if " per " in phrase and re.search(rf"\b{re.escape(phrase)}\b", lowered):
            return unit
    return None


def unit_in_header(header: str) -> tuple[str, str | None]:
    """Split a column header like ``"Torque (N·m)"`` into its name and canonical unit."""
    name, unit, _ = header_unit(header)
    return name, unit


def header_unit(header: str) -> tuple[str, str | None, str]:
    """A column header's name, canonical unit and the unit as printed ("" when it has none).

    A unit after a comma comes first ("Torque, N·m", "Weight empty, kg (lb)": the bracket holds
    the conversion); a short header that is a unit is that unit ("°C", "psi").
    """
    alone = normalize_unit(header.strip())
    if alone and len(header.strip()) <= 6:
        return "", alone, header.strip()  # a column headed by its unit alone ("°C | °F")
    for pattern in _HEADER_UNIT:
        m = pattern.match(header)
        if m and (unit := normalize_unit(m.group(2))):
            name, printed = m.group(1), m.group(2)
            before = _UNIT_BEFORE_BRACKET.match(name)
            if (
                before
                and (first := normalize_unit(before.group(2)))
                and (dimension(first) == dimension(unit) is not None)
            ):
                # "NORMAL L/MIN (GPM)": the unit before the bracket is the one the cells give
                # first ("180 TO 220 (48 TO 58)"); the bracket holds its conversion.
                return before.group(1), first, before.group(2)
            return name, unit, printed
    return header, None, ""


_HEADER_UNIT: Final = (
    re.compile(r"^(.*?),\s*([^,()\[\]]+?)\s*(?:[\(\[][^()\[\]]*[\)\]])?\s*$"),
    re.compile(r"^(.*?)\s*[\(\[]\s*([^()\[\]]+?)\s*[\)\]]\s*$"),
)
"""Where a header prints its unit: after a comma, else in a closing bracket."""
_UNIT_BEFORE_BRACKET: Final = re.compile(r"^(.*?)\s*(\S+)$")
"""A header's last word before its bracketed unit, which may be the unit itself."""
_SHORT_WORD: Final = re.compile(r"[A-Za-z][\w/.]{0,7}")


def bracketed_unit(header: str) -> tuple[str, str] | None:
    """A header's name and the short word in its closing bracket, taken as its unit.

    "Interval [h]" -> ("Interval", "h"): a unit no table of units has (:func:`header_unit`
    gives none) is still one.
    """
    m = _HEADER_UNIT[1].match(header)
    return (m.group(1), m.group(2)) if m and _SHORT_WORD.fullmatch(m.group(2)) else None


def dimension(unit: str) -> str | None:
    """What a canonical unit measures (``"temperature"``), None for unknown units."""
    entry = _UNITS.get(unit)
    return entry[0] if entry else None


def units_of(kind: str) -> tuple[str, ...]:
    """Every canonical unit that measures ``kind`` (``"temperature"``: °C, °F, K)."""
    return tuple(unit for unit, (measures, _) in _UNITS.items() if measures == kind)


_DIFFERENCE: Final = {"K": 1.0, "°C": 1.0, "°F": 5.0 / 9.0}
"""Kelvin in manuals is a temperature difference ("min. 6 K drop across the cooler")."""


def convert(value: float, unit: str, target: str) -> float | None:
    """``value`` in ``unit`` expressed in ``target``; None when they measure different things."""
    if unit == target:
        return value
    if dimension(unit) is None or dimension(unit) != dimension(target):
        return None
    if "K" in (unit, target):
        return value * _DIFFERENCE[unit] / _DIFFERENCE[target]
    if unit not in _TO_BASE or target not in _TO_BASE:
        return None
    scale, offset = _TO_BASE[unit]
    base = value * scale + offset
    t_scale, t_offset = _TO_BASE[target]
    return (base - t_offset) / t_scale


def spoken_unit(unit: str) -> str:
    """How to say a canonical unit (``"N·m"`` -> ``"newton metres"``)."""
    entry = _UNITS.get(unit)
    return entry[1] if entry else _EXTRA_SPOKEN.get(unit, unit)


def speakable(text: str) -> str:
    """Manual text made fit for TTS: numbers unchanged, unit symbols and signs spelled out."""
    for pattern, replacement in _SYMBOLS:
        text = pattern.sub(replacement, text)

    def unit(m: re.Match[str]) -> str:
        symbol = m.group(2)
        if not m.group(1) and _IN_CODE.search(text[: m.start()]):
            return m.group(0)  # a model code ("AM-60S", "VT55L"), not 60 seconds
        canonical = normalize_unit(symbol) if symbol not in _EXTRA_SPOKEN else symbol
        spoken = spoken_unit(canonical or symbol)
        one = re.search(r"(?<![\d.])1$", text[: m.start()]) is not None
        return " " + (singular(spoken) if one else spoken)

    return _SPOKEN_AFTER_NUMBER.sub(unit, text)


def singular(spoken: str) -> str:
    """The unit for a count of one: "newton metres" -> "newton metre"."""
    words = spoken.split()
    for i, w in enumerate(words):
        if w.endswith("s") and w not in ("bar", "hertz", "kelvin", "percent", "p", "s", "i"):
            words[i] = w[:-1]
            break
    return " ".join(words)


def format_number(value: float) -> str:
    """A float as a person says it: no trailing ``.0``, at most two decimals."""
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")
