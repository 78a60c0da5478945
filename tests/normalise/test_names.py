"""Name cleaning, placeholders, surname parts, nickname groups and phonetic keys."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph_model.normalise import (
    canonical_given_name,
    clean_family_name,
    clean_given_name,
    clean_name,
    family_name_parts,
    given_name_groups,
    initial,
    phonetic_key,
)
from graph_model.normalise.names import _GROUPS

CLEAN_NAME = [
    ("plain lower-cased", "SMITH", "smith"),
    ("diacritics stripped", "Zoë", "zoe"),
    ("Polish letters transliterated", "Małgorzata", "malgorzata"),
    ("Romanian comma-below", "Ștefan", "stefan"),
    ("Vietnamese stacked diacritics", "Nguyễn", "nguyen"),
    ("apostrophe removed without a space", "O'Brien", "obrien"),
    ("curly apostrophe removed", "O’Brien", "obrien"),
    ("hyphen kept", "Smith-Jones", "smith-jones"),
    ("spaced hyphen joined", "Smith - Jones", "smith-jones"),
    ("double hyphen collapsed", "Smith--Jones", "smith-jones"),
    ("whitespace collapsed and stripped", "  Mary   Ann  ", "mary ann"),
    ("title Mr removed", "Mr John Smith", "john smith"),
    ("title with full stop removed", "Dr. Jane Doe", "jane doe"),
    ("title after a comma removed", "Smith, Mrs", "smith"),
    ("Mx removed", "Mx Sam Taylor", "sam taylor"),
    ("master removed", "Master Oliver", "oliver"),
    ("punctuation dropped", "J. (Jack) Smith!", "j jack smith"),
    ("digits dropped", "John2", "john"),
    ("initial kept", "J.", "j"),
    ("name containing a title-like word kept", "Sirius", "sirius"),
    ("None", None, None),
    ("empty", "", None),
    ("blank", "   ", None),
    ("unknown", "Unknown", None),
    ("not known", "NOT KNOWN", None),
    ("n/k", "n/k", None),
    ("nk", "NK", None),
    ("n/a", "N/A", None),
    ("none", "None", None),
    ("dash", "-", None),
    ("xxx", "XXX", None),
    ("only a title", "Mrs", None),
    ("only punctuation", "...", None),
]


@pytest.mark.parametrize(("description", "raw", "expected"), CLEAN_NAME, ids=[c[0] for c in CLEAN_NAME])
def test_clean_name(description: str, raw: str | None, expected: str | None) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(("description", "raw", "expected"), CLEAN_NAME, ids=[c[0] for c in CLEAN_NAME])
def test_clean_name_is_idempotent(description: str, raw: str | None, expected: str | None) -> None:
    # records store the cleaned name and later code cleans it again: that must not change it
    assert clean_name(expected) == expected


GIVEN = [
    ("ordinary", "Olivia", "olivia"),
    ("baby", "Baby", None),
    ("baby boy", "BABY BOY", None),
    ("baby of mother", "Baby of Sarah", None),
    ("infant", "Infant", None),
    ("unborn", "Unborn", None),
    ("twin placeholder", "Twin 2", None),
    ("placeholder unknown", "unknown", None),
    ("name starting with baby letters kept", "Babatunde", "babatunde"),
    ("hyphenated given", "Mary-Jane", "mary-jane"),
]


@pytest.mark.parametrize(("description", "raw", "expected"), GIVEN, ids=[c[0] for c in GIVEN])
def test_clean_given_name(description: str, raw: str | None, expected: str | None) -> None:
    assert clean_given_name(raw) == expected


FAMILY = [
    ("upper case police style", "NOWAK", "nowak"),
    ("baby is a surname placeholder only for given names", "Baby", "baby"),
    ("apostrophe", "D'Arcy", "darcy"),
    ("placeholder", "Not Known", None),
]


@pytest.mark.parametrize(("description", "raw", "expected"), FAMILY, ids=[c[0] for c in FAMILY])
def test_clean_family_name(description: str, raw: str | None, expected: str | None) -> None:
    assert clean_family_name(raw) == expected


PARTS = [
    ("single", "Smith", ("smith",)),
    ("hyphenated", "Smith-Jones", ("smith", "jones")),
    ("double-barrelled with a space", "Smith Jones", ("smith", "jones")),
    ("particles joined to the next word", "van der Berg", ("vanderberg",)),
    ("de la", "De La Cruz", ("delacruz",)),
    ("Arabic al- with hyphen", "Al-Hassan", ("alhassan",)),
    ("bin", "bin Laden", ("binladen",)),
    ("O with a space", "O Brien", ("obrien",)),
    ("apostrophe form", "O'Brien", ("obrien",)),
    ("hyphenated with a particle", "Smith-van Dyke", ("smith", "vandyke")),
    ("trailing particle kept", "Smith De", ("smith", "de")),
    ("None", None, ()),
    ("placeholder", "unknown", ()),
]


@pytest.mark.parametrize(("description", "raw", "expected"), PARTS, ids=[c[0] for c in PARTS])
def test_family_name_parts(description: str, raw: str | None, expected: tuple[str, ...]) -> None:
    assert family_name_parts(raw) == expected


CANONICAL = [
    ("bill", "Bill", "william"),
    ("billy", "billy", "william"),
    ("liam", "Liam", "william"),
    ("william itself", "William", "william"),
    ("bob", "Bob", "robert"),
    ("robbie", "Robbie", "robert"),
    ("liz", "Liz", "elizabeth"),
    ("libby", "Libby", "elizabeth"),
    ("peggy", "Peggy", "margaret"),
    ("maisie", "Maisie", "margaret"),
    ("muhammad", "Muhammad", "mohammed"),
    ("mohamed", "MOHAMED", "mohammed"),
    ("mo", "Mo", "mohammed"),
    ("md abbreviation", "Md", "mohammed"),
    ("catherine", "Catherine", "katherine"),
    ("kathryn", "Kathryn", "katherine"),
    ("kate", "Kate", "katherine"),
    ("alec", "Alec", "alexander"),
    ("xander", "Xander", "alexander"),
    ("alex goes to the first group listed", "Alex", "alexander"),
    ("lexi", "Lexi", "alexandra"),
    ("alexandra heads its own group", "Alexandra", "alexandra"),
    ("jimmy", "Jimmy", "james"),
    ("jack", "Jack", "john"),
    ("jonny", "Jonny", "jonathan"),
    ("mick", "Mick", "michael"),
    ("tommy", "Tommy", "thomas"),
    ("dick", "Dick", "richard"),
    ("ted", "Ted", "edward"),
    ("chuck", "Chuck", "charles"),
    ("kit", "Kit", "christopher"),
    ("danny", "Danny", "daniel"),
    ("joey", "Joey", "joseph"),
    ("sammy", "Sammy", "samuel"),
    ("benny", "Benny", "benjamin"),
    ("matt", "Matt", "matthew"),
    ("nicky", "Nicky", "nicholas"),
    ("tony", "Tony", "anthony"),
    ("drew", "Drew", "andrew"),
    ("davey", "Davey", "david"),
    ("steven", "Steven", "stephen"),
    ("jess", "Jess", "jessica"),
    ("becky", "Becky", "rebecca"),
    ("tori", "Tori", "victoria"),
    ("gail", "Gail", "abigail"),
    ("livvy", "Livvy", "olivia"),
    ("olly", "Olly", "oliver"),
    ("harry goes to henry first", "Harry", "henry"),
    ("izzy", "Izzy", "isabella"),
    ("isabelle", "Isabelle", "isabella"),
    ("millie", "Millie", "amelia"),
    ("fatimah", "Fatimah", "fatima"),
    ("aisha", "Aisha", "ayesha"),
    ("abdel", "Abdel", "abdul"),
    ("yousef keeps its own group", "Yousef", "yusuf"),
    ("ebrahim", "Ebrahim", "ibrahim"),
    ("nathan heads its own group", "Nathan", "nathan"),
    ("diacritic variant", "Zoë", "zoe"),
    ("Polish nickname", "Gosia", "malgorzata"),
    ("Yoruba short form", "Femi", "olufemi"),
    ("multi-word mapped word by word", "Mohammad Ali", "mohammed ali"),
    ("unknown name maps to itself", "Zebedee", "zebedee"),
    ("None", None, None),
    ("baby placeholder", "Baby", None),
]


@pytest.mark.parametrize(("description", "raw", "expected"), CANONICAL, ids=[c[0] for c in CANONICAL])
def test_canonical_given_name(description: str, raw: str | None, expected: str | None) -> None:
    assert canonical_given_name(raw) == expected


GROUPS = [
    ("alex in both alexander and alexandra", "Alex", {"alexander", "alexandra"}),
    ("sasha in both", "Sasha", {"alexander", "alexandra"}),
    ("charlie in charles and charlotte", "Charlie", {"charles", "charlotte"}),
    ("harry in several", "Harry", {"henry", "harrison", "harold", "harpreet"}),
    ("nathan heads its group and is a variant of nathaniel", "Nathan", {"nathan", "nathaniel"}),
    ("canonical name is in its own group", "William", {"william"}),
    ("multi-word uses the first word", "Mo Farah", {"mohammed"}),
    ("unknown name is its own group", "Zebedee", {"zebedee"}),
    ("None", None, set()),
    ("placeholder", "unknown", set()),
]


@pytest.mark.parametrize(("description", "raw", "expected"), GROUPS, ids=[c[0] for c in GROUPS])
def test_given_name_groups(description: str, raw: str | None, expected: set[str]) -> None:
    assert given_name_groups(raw) == frozenset(expected)


SAME_GROUP = [
    ("bill and william", "Bill", "William"),
    ("bill and liam", "Bill", "Liam"),
    ("mo and muhammad", "Mo", "Muhammad"),
    ("mohamad and muhammed", "Mohamad", "Muhammed"),
    ("kate and catherine", "Kate", "Catherine"),
    ("aysha and ayesha", "Aysha", "Ayesha"),
    ("yusuf and yousef", "Yusuf", "Yousef"),
]


@pytest.mark.parametrize(("description", "a", "b"), SAME_GROUP, ids=[c[0] for c in SAME_GROUP])
def test_variants_share_a_group(description: str, a: str, b: str) -> None:
    assert given_name_groups(a) & given_name_groups(b)


DIFFERENT_GROUP = [
    ("yusuf is not joseph", "Yusuf", "Joseph"),
    ("ali is not alison", "Ali", "Alison"),
    ("john is not ian", "John", "Ian"),
]


@pytest.mark.parametrize(("description", "a", "b"), DIFFERENT_GROUP, ids=[c[0] for c in DIFFERENT_GROUP])
def test_unrelated_names_do_not_share_a_group(description: str, a: str, b: str) -> None:
    assert not given_name_groups(a) & given_name_groups(b)


def test_nickname_table_has_enough_groups() -> None:
    heads = {canon for canons in _GROUPS.values() for canon in canons}
    assert len(heads) >= 150


def test_synthetic_nickname_pairs_share_a_group() -> None:
    """Every (formal, alias) pair the synthetic generator uses must be recognised as one group."""
    path = Path(__file__).resolve().parents[2] / "graph_model" / "synthetic" / "data" / "nicknames.csv"
    if not path.exists():
        pytest.skip("synthetic nickname list not present")
    with path.open(encoding="utf-8") as handle:
        missing = [(row["formal"], row["alias"]) for row in csv.DictReader(handle)
                   if clean_given_name(row["formal"]) != clean_given_name(row["alias"])
                   and not given_name_groups(row["formal"]) & given_name_groups(row["alias"])]
    assert missing == []


PHONETIC = [
    ("spelling variants agree", "Mohammed", "Muhammad", True),
    ("C/K initial agree", "Catherine", "Katherine", True),
    ("Stephenson and Stevenson agree", "Stephenson", "Stevenson", True),
    ("Hussain and Hussein agree", "Hussain", "Hussein", True),
    ("different names differ", "Smith", "Jones", False),
    ("Lee and Li kept apart", "Lee", "Li", False),
    ("Patel and Pattle kept apart", "Patel", "Pattle", False),
]


@pytest.mark.parametrize(("description", "a", "b", "same"), PHONETIC, ids=[c[0] for c in PHONETIC])
def test_phonetic_key_agreement(description: str, a: str, b: str, same: bool) -> None:
    assert (phonetic_key(a) == phonetic_key(b)) is same


PHONETIC_VALUES = [
    ("hyphen ignored", "Smith-Jones", phonetic_key("smithjones")),
    ("cleaned first", "  O'BRIEN ", phonetic_key("obrien")),
    ("None", None, None),
    ("placeholder", "unknown", None),
]


@pytest.mark.parametrize(("description", "raw", "expected"), PHONETIC_VALUES,
                         ids=[c[0] for c in PHONETIC_VALUES])
def test_phonetic_key_values(description: str, raw: str | None, expected: str | None) -> None:
    assert phonetic_key(raw) == expected


INITIAL = [
    ("plain", "Olivia", "o"),
    ("diacritic", "Élodie", "e"),
    ("title skipped", "Mr John", "j"),
    ("None", None, None),
    ("placeholder", "N/K", None),
]


@pytest.mark.parametrize(("description", "raw", "expected"), INITIAL, ids=[c[0] for c in INITIAL])
def test_initial(description: str, raw: str | None, expected: str | None) -> None:
    assert initial(raw) == expected
