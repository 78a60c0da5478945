"""The names and signatures other modules import from graph_model.normalise must stay put."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import graph_model.normalise as normalise

# (name, parameters in order)
FUNCTIONS = [
    ("clean_name", ["raw"]),
    ("clean_given_name", ["raw"]),
    ("clean_family_name", ["raw"]),
    ("family_name_parts", ["family"]),
    ("canonical_given_name", ["given"]),
    ("given_name_groups", ["given"]),
    ("phonetic_key", ["name"]),
    ("initial", ["name"]),
    ("parse_date", ["raw", "today", "day_first"]),
    ("dob_relation", ["a", "b"]),
    ("normalise_postcode", ["raw"]),
    ("other_postcode", ["raw"]),
    ("normalise_phone", ["raw", "region"]),
    ("normalise_email", ["raw"]),
    ("normalise_address", ["line1", "line2", "town", "postcode", "uprn"]),
    ("normalise_identifier", ["scheme", "raw"]),
    ("nhs_check_digit", ["nine_digits"]),
    ("is_valid_nhs_number", ["s"]),
    ("upn_check_letter", ["twelve_chars"]),
    ("is_valid_upn", ["s"]),
    ("is_temporary_upn", ["s"]),
    ("pnc_check_letter", ["year2", "serial"]),
    ("is_valid_pnc_id", ["s"]),
]


@pytest.mark.parametrize(("name", "parameters"), FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_function_signatures(name: str, parameters: list[str]) -> None:
    assert name in normalise.__all__
    function = getattr(normalise, name)
    assert list(inspect.signature(function).parameters) == parameters
    assert function.__doc__


# (class, fields in order)
RESULTS = [
    ("PartialDate", ["value", "precision", "year", "month", "day", "flag", "raw"]),
    ("Postcode", ["value", "outward", "inward", "sector", "district", "area", "valid", "raw"]),
    ("Phone", ["e164", "kind", "valid", "placeholder", "raw"]),
    ("Email", ["value", "valid", "placeholder", "raw"]),
    ("Address", ["key", "flat", "number", "building", "street", "town", "postcode", "placeholder", "raw",
                 "other_postcode"]),
    ("Identifier", ["scheme", "value", "valid", "reason", "raw"]),
]


@pytest.mark.parametrize(("name", "fields"), RESULTS, ids=[r[0] for r in RESULTS])
def test_result_classes_are_frozen_slotted_dataclasses(name: str, fields: list[str]) -> None:
    cls = getattr(normalise, name)
    assert name in normalise.__all__
    assert [f.name for f in dataclasses.fields(cls)] == fields
    assert cls.__dataclass_params__.frozen
    assert "__slots__" in cls.__dict__


def test_keyword_only_options_of_parse_date() -> None:
    parameters = inspect.signature(normalise.parse_date).parameters
    assert parameters["today"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["day_first"].kind is inspect.Parameter.KEYWORD_ONLY


def test_everything_exported_exists() -> None:
    for name in normalise.__all__:
        assert hasattr(normalise, name), name
