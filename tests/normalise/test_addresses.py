"""Address parsing, abbreviations, flat numbers, keys and placeholders."""

from __future__ import annotations

from typing import Any

import pytest

from graph_model.normalise import Address, normalise_address

FLAT_2_10_HIGH_STREET = "LS62AB|10|2"

# (description, args, expected key)
SAME_DWELLING = [
    ("flat first, comma, postcode in line1", ("Flat 2, 10 High St, LS6 2AB",), FLAT_2_10_HIGH_STREET),
    ("flat first, postcode field", ("Flat 2, 10 High St", None, None, "LS6 2AB"), FLAT_2_10_HIGH_STREET),
    ("slash form, postcode glued", ("2/10 High Street LS62AB",), FLAT_2_10_HIGH_STREET),
    ("slash form with spaces", ("2 / 10 High Street", None, "Leeds", "ls62ab"), FLAT_2_10_HIGH_STREET),
    ("flat last, lower-case postcode", ("10 High Street Flat 2 ls6 2ab",), FLAT_2_10_HIGH_STREET),
    ("flat first, no comma", ("Flat 2 10 High Street", "", "Leeds", "ls62ab"), FLAT_2_10_HIGH_STREET),
    ("flat on its own line", ("Flat 2", "10 High Street", "Leeds", "LS6 2AB"), FLAT_2_10_HIGH_STREET),
    ("apartment", ("Apartment 2, 10 High St.", None, None, "LS6 2AB"), FLAT_2_10_HIGH_STREET),
    ("apt abbreviation", ("Apt 2, 10 High St", None, None, "LS6 2AB"), FLAT_2_10_HIGH_STREET),
    ("unit", ("Unit 2, 10 High Street", None, None, "LS6 2AB"), FLAT_2_10_HIGH_STREET),
    ("flat with no", ("Flat No. 2, 10 High Street", None, None, "LS6 2AB"), FLAT_2_10_HIGH_STREET),
    ("upper case police style", ("FLAT 2, 10 HIGH STREET", None, "LEEDS", "LS6 2AB"), FLAT_2_10_HIGH_STREET),
    ("invalid postcode field, valid one in the line", ("Flat 2, 10 High St LS6 2AB", None, None, "LS6"),
     FLAT_2_10_HIGH_STREET),
]


@pytest.mark.parametrize(("description", "args", "key"), SAME_DWELLING, ids=[c[0] for c in SAME_DWELLING])
def test_spellings_of_one_flat_share_a_key(description: str, args: tuple[Any, ...], key: str) -> None:
    address = normalise_address(*args)
    assert address.key == key
    parts = (address.flat, address.number, address.street, address.postcode)
    assert parts == ("2", "10", "high street", "LS6 2AB")


# (description, args, expected fields as a dict)
PARSED: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("number with a letter", ("10a High Street", "Headingley", "Leeds", "LS6 2AB"),
     {"number": "10a", "street": "high street", "town": "leeds", "key": "LS62AB|10a|"}),
    ("number and letter apart", ("10 A High Street", None, None, "LS6 2AB"),
     {"number": "10a", "key": "LS62AB|10a|"}),
    ("number range", ("10-12 High Street", None, None, "LS6 2AB"),
     {"number": "10-12", "street": "high street"}),
    ("number on its own segment", ("10, Mill Lane", None, None, "LS6 2AB"),
     {"number": "10", "street": "mill lane"}),
    ("rd expanded", ("4 Oak Rd", None, None, "LS6 2AB"), {"street": "oak road"}),
    ("ave expanded", ("4 Oak Ave", None, None, "LS6 2AB"), {"street": "oak avenue"}),
    ("av expanded", ("4 Oak Av", None, None, "LS6 2AB"), {"street": "oak avenue"}),
    ("ln expanded", ("4 Oak Ln", None, None, "LS6 2AB"), {"street": "oak lane"}),
    ("cres expanded", ("4 Oak Cres", None, None, "LS6 2AB"), {"street": "oak crescent"}),
    ("ct expanded", ("4 Oak Ct", None, None, "LS6 2AB"), {"street": "oak court"}),
    ("dr expanded", ("4 Oak Dr", None, None, "LS6 2AB"), {"street": "oak drive"}),
    ("pl expanded", ("4 Oak Pl", None, None, "LS6 2AB"), {"street": "oak place"}),
    ("sq expanded", ("4 Oak Sq", None, None, "LS6 2AB"), {"street": "oak square"}),
    ("gdns expanded", ("4 Oak Gdns", None, None, "LS6 2AB"), {"street": "oak gardens"}),
    ("gr expanded", ("4 Oak Gr", None, None, "LS6 2AB"), {"street": "oak grove"}),
    ("grv expanded", ("4 Oak Grv", None, None, "LS6 2AB"), {"street": "oak grove"}),
    ("cl expanded", ("4 Oak Cl", None, None, "LS6 2AB"), {"street": "oak close"}),
    ("terr expanded", ("4 Oak Terr", None, None, "LS6 2AB"), {"street": "oak terrace"}),
    ("ter expanded", ("4 Oak Ter", None, None, "LS6 2AB"), {"street": "oak terrace"}),
    ("pk expanded", ("4 Hyde Pk", None, None, "LS6 2AB"), {"street": "hyde park"}),
    ("st at the end is street", ("4 Church St.", None, None, "LS6 2AB"), {"street": "church street"}),
    ("st at the start is saint", ("10 St John's Road", None, None, "LS6 2AB"),
     {"street": "saint johns road"}),
    ("st. at the start is saint", ("10 St. Mary's Rd", None, None, "LS6 2AB"),
     {"street": "saint marys road"}),
    ("saint and street together", ("3 St Peters St", None, None, "LS6 2AB"),
     {"street": "saint peters street"}),
    ("hse and blk expanded", ("Flat 3, Blk B, Oak Hse", "Mill Lane", None, "LS6 2AB"),
     {"flat": "3", "building": "block b", "street": "mill lane"}),
    ("street with a locality after it", ("10 High Street Headingley", None, "Leeds"),
     {"street": "high street", "key": "high street|10||leeds"}),
    ("directional suffix kept", ("10 High Street North", None, None, "LS6 2AB"),
     {"street": "high street north"}),
    ("a street called Street Lane", ("5 Street Lane", None, None, "LS8 1AB"),
     {"number": "5", "street": "street lane"}),
    ("street named without a type", ("10, The Willows", None, "Leeds", "LS6 2AB"),
     {"number": "10", "street": "the willows"}),
    ("building name only", ("Rose Cottage", "Church Lane", "Otley", "LS21 1AA"),
     {"building": "rose cottage", "street": "church lane", "number": None, "key": "LS211AA|rose cottage|"}),
    ("flat in a named building with a numbered street",
     ("Apartment 5, Riverside Apartments, 3 Mill Lane", None, "Leeds", "LS1 4AB"),
     {"flat": "5", "building": "riverside apartments", "number": "3", "key": "LS14AB|3|5"}),
    ("number before a building name is the flat", ("5 Riverside House", "Mill Lane", "Leeds", "LS1 4AB"),
     {"flat": "5", "building": "riverside house", "number": None, "key": "LS14AB|riverside house|5"}),
    ("flat letter", ("Flat A, 10 High Street", None, None, "LS6 2AB"), {"flat": "a", "key": "LS62AB|10|a"}),
    ("flat with letter suffix", ("Flat 3B, 10 High Street", None, None, "LS6 2AB"), {"flat": "3b"}),
    ("floor flat", ("Ground Floor Flat, 10 High St", None, None, "LS6 2AB"),
     {"flat": "ground floor", "key": "LS62AB|10|ground floor"}),
    ("1st floor", ("1st Floor, 10 High St", None, None, "LS6 2AB"), {"flat": "first floor"}),
    ("Flats is a building word, not flat s", ("Flat 1, Mill Flats", "Mill Lane", None, "LS6 2AB"),
     {"flat": "1", "building": "mill flats"}),
    ("punctuation removed", ("10, High-Street.", None, "Leeds!", "LS6 2AB"),
     {"street": "high street", "town": "leeds"}),
    ("diacritics removed", ("10 Rue Hélène", None, "Leeds", "LS6 2AB"), {"street": "rue helene"}),
    ("UPRN wins the key", ("10 High St", None, None, "LS6 2AB", "000100012345"), {"key": "uprn:100012345"}),
    ("UPRN with no digits is ignored", ("10 High St", None, None, "LS6 2AB", "n/a"), {"key": "LS62AB|10|"}),
    ("no postcode: street, number, flat, town", ("Flat 2, 10 High St", None, "Leeds"),
     {"key": "high street|10|2|leeds"}),
    ("no postcode and no town: no key", ("10 High Street",), {"key": None}),
    ("no postcode, no number: no key", ("High Street", None, "Leeds"), {"key": None}),
    ("postcode only: no key (it would merge a whole street)", ("", None, None, "LS6 2AB"),
     {"key": None, "postcode": "LS6 2AB"}),
    ("street only with postcode keys on the street", ("Mill Lane", None, None, "LS6 2AB"),
     {"key": "LS62AB|mill lane|"}),
    ("nothing at all", (None,), {"key": None, "raw": None, "placeholder": False}),
    ("raw keeps the lines for display", ("10 High St", "Headingley", "Leeds", "ls62ab"),
     {"raw": "10 High St, Headingley, Leeds, ls62ab"}),
    ("postcode from abroad kept as a token, the key as without a postcode",
     ("12 Main Street", None, "Dublin", "D02 X285"),
     {"key": "main street|12||dublin", "postcode": None, "other_postcode": "D02X285"}),
    ("BFPO number kept as a token", ("Block 4", None, "Gutersloh", "BFPO 801"),
     {"postcode": None, "other_postcode": "BFPO801"}),
    ("UK postcode: no other postcode", ("10 High St", None, None, "LS6 2AB"),
     {"postcode": "LS6 2AB", "other_postcode": None}),
    ("invalid postcode field but a UK one in the line: no other postcode",
     ("10 High St LS6 2AB", None, None, "12345"), {"postcode": "LS6 2AB", "other_postcode": None}),
    ("district only: no other postcode", ("10 High St", None, "Leeds", "LS6"),
     {"postcode": None, "other_postcode": None}),
    ("NHS no-fixed-abode pseudo-postcode is not kept", ("10 High St", None, "Leeds", "ZZ99 3VZ"),
     {"postcode": None, "other_postcode": None}),
]


@pytest.mark.parametrize(("description", "args", "expected"), PARSED, ids=[c[0] for c in PARSED])
def test_parsing(description: str, args: tuple[Any, ...], expected: dict[str, Any]) -> None:
    address = normalise_address(*args)
    assert {field: getattr(address, field) for field in expected} == expected


# (description, args, expected key)
PLACEHOLDERS = [
    ("No Fixed Abode", ("No Fixed Abode", None, "Leeds"), "no fixed abode|||leeds"),
    ("NFA", ("NFA", None, "Leeds"), "no fixed abode|||leeds"),
    ("N.F.A.", ("N.F.A.", None, "Leeds"), "no fixed abode|||leeds"),
    ("no fixed address", ("No fixed address",), "no fixed abode|||"),
    ("unknown", ("Unknown", None, None, None), "no fixed abode|||"),
    ("not known", ("Not Known",), "no fixed abode|||"),
    ("homeless", ("Homeless", None, "Leeds"), "no fixed abode|||leeds"),
    ("NFA with the police station postcode", ("NFA", None, None, "LS7 3QB"), "LS73QB|no fixed abode|"),
    ("care of", ("c/o Mrs Smith, 4 Oak Road", None, "Leeds"), "oak road|4||leeds"),
    ("C/O before the number", ("C/O 4 Oak Road", None, "Leeds"), "oak road|4||leeds"),
    ("police station", ("Leeds District Police Station", "Stainbeck Lane", "Leeds", "LS7 3QB"),
     "LS73QB|leeds district police station|"),
    ("civic centre", ("Civic Centre", "High Street", "Huddersfield", "HD1 2NF"), "HD12NF|civic centre|"),
    ("civic hall", ("Civic Hall", "Calverley Street", "Leeds", "LS1 1UR"), "LS11UR|civic hall|"),
    ("council offices", ("Council Offices, 1 Market Street", None, None, "WF1 2AB"), "WF12AB|1|"),
    ("town hall", ("Town Hall", "Crossley Street", "Halifax", "HX1 1UJ"), "HX11UJ|town hall|"),
    ("town hall extension", ("Town Hall Extension", "Lloyd Street", "Manchester", "M2 5DB"),
     "M25DB|town hall extension|"),
    ("city hall", ("City Hall", "Centenary Square", "Bradford", "BD1 1HY"), "BD11HY|city hall|"),
    ("county hall", ("County Hall", "Bond Street", "Wakefield", "WF1 2QW"), "WF12QW|county hall|"),
    ("council house", ("Council House", "Victoria Square", "Birmingham", "B1 1BB"), "B11BB|council house|"),
    ("hospital", ("St James's Hospital", "Beckett Street", "Leeds", "LS9 7TF"),
     "LS97TF|saint jamess hospital|"),
    ("refuge (placeholders key without a postcode)", ("Womens Refuge", None, "Leeds"),
     "womens refuge|||leeds"),
]


@pytest.mark.parametrize(("description", "args", "key"), PLACEHOLDERS, ids=[c[0] for c in PLACEHOLDERS])
def test_placeholders(description: str, args: tuple[Any, ...], key: str | None) -> None:
    address = normalise_address(*args)
    assert address.placeholder
    assert address.key == key


NOT_PLACEHOLDERS = [
    ("street named after a hospital", ("12 Hospital Lane", None, "Leeds", "LS1 1AA")),
    ("street named after a town hall", ("3 Town Hall Street", None, "Sowerby Bridge", "HX6 2AB")),
    ("police station road", ("1 Police Station Road", None, None, "LS1 1AA")),
    ("ordinary address", ("10 High Street", None, "Leeds", "LS6 2AB")),
    ("a company 'co' is not care-of", ("Acme Co, 10 High Street", None, "Leeds", "LS6 2AB")),
]


@pytest.mark.parametrize(("description", "args"), NOT_PLACEHOLDERS, ids=[c[0] for c in NOT_PLACEHOLDERS])
def test_not_placeholders(description: str, args: tuple[Any, ...]) -> None:
    assert not normalise_address(*args).placeholder


def test_same_police_station_written_twice_meets_on_one_key() -> None:
    a = normalise_address("Leeds District Police Station, Stainbeck Lane", None, "Leeds", "LS7 3QB")
    b = normalise_address("LEEDS DISTRICT POLICE STATION", "STAINBECK LN", "LEEDS", "ls73qb")
    assert a.key == b.key and a.placeholder and b.placeholder


def test_address_is_frozen() -> None:
    address = normalise_address("10 High St", None, None, "LS6 2AB")
    assert isinstance(address, Address)
    with pytest.raises(AttributeError):
        address.key = "x"  # type: ignore[misc]


NEVER_RAISES = [("\x00",), ("////",), ("-",), ("Flat",), ("1/2/3/4",), ("💥 10 High St",), ("a" * 5000,)]


@pytest.mark.parametrize("args", NEVER_RAISES)
def test_never_raises(args: tuple[Any, ...]) -> None:
    assert isinstance(normalise_address(*args), Address)


def test_placeholder_address_keeps_no_other_postcode() -> None:
    # A refuge abroad or a council office with a mistyped postcode is still nobody's own place.
    address = normalise_address("Civic Centre", "High Street", "Huddersfield", "HD1 2CF")
    assert address.placeholder and address.other_postcode is None
