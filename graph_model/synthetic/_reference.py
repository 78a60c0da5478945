"""The shipped name lists, streets and towns, loaded once into fast weighted samplers."""

from __future__ import annotations

import csv
import json
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import accumulate
from random import Random
from typing import Generic, TypeVar

from graph_model.synthetic.rates import GROUP_WEIGHTS, HOUSEHOLD_KIND_WEIGHTS

T = TypeVar("T")

_DATA = files("graph_model.synthetic.data")


class Weighted(Generic[T]):
    """Pick from fixed values with fixed weights, using the caller's random stream."""

    __slots__ = ("_cum", "_total", "values")

    def __init__(self, values: Sequence[T], weights: Sequence[float]) -> None:
        if not values or len(values) != len(weights):
            raise ValueError("need as many weights as values, and at least one")
        self.values = tuple(values)
        self._cum = list(accumulate(weights))
        self._total = self._cum[-1]

    def pick(self, rng: Random) -> T:
        return self.values[bisect_right(self._cum, rng.random() * self._total)]


@dataclass(frozen=True, slots=True)
class School:
    urn: str
    name: str
    establishment: str  # DfE establishment number (4 digits), part of the UPNs it issues
    la_code: str
    phase: str  # "primary" | "secondary"


@dataclass(frozen=True, slots=True)
class Town:
    index: int
    name: str
    districts: tuple[str, ...]
    area_code: str
    exchange: str
    la_code: str
    localities: tuple[str, ...]
    police_station: tuple[str, str, str]  # line1, line2, postcode
    council_office: tuple[str, str, str]
    primaries: tuple[School, ...]
    secondaries: tuple[School, ...]


@dataclass(frozen=True, slots=True)
class CommonName:
    """A full name given on purpose to strangers in unrelated households."""

    family: str
    group: str
    given: dict[tuple[str, str], str]  # (sex, "adult"|"child") -> given name


@dataclass(frozen=True, slots=True)
class Reference:
    given: dict[tuple[str, str, str], Weighted[str]]  # (group, sex, era) -> names
    surnames: dict[str, Weighted[str]]
    streets: tuple[str, ...]
    towns: tuple[Town, ...]
    town_picker: Weighted[Town]
    group_picker: Weighted[str]
    kind_picker: Weighted[str]
    nicknames: dict[str, tuple[str, ...]]
    similar: dict[str, str]
    common_names: tuple[CommonName, ...]


_SAINTS = (
    "Mary",
    "Joseph",
    "Patrick",
    "Anne",
    "Peter",
    "Theresa",
    "Francis",
    "Augustine",
    "Bede",
    "Nicholas",
)


def _schools(
    index: int, localities: Sequence[str], la_code: str
) -> tuple[tuple[School, ...], tuple[School, ...]]:
    primaries = []
    for i, loc in enumerate(localities[:12]):
        pattern = i % 5
        if pattern == 2:
            name = f"St {_SAINTS[(index + i) % len(_SAINTS)]}'s Catholic Primary School"
        elif pattern == 3:
            name = f"{loc} Church of England Primary School"
        elif pattern == 4:
            name = f"{loc} Primary Academy"
        else:
            name = f"{loc} Primary School"
        primaries.append(School(str(107_000 + index * 50 + i), name, str(2001 + i * 7), la_code, "primary"))
    secondaries = []
    for i, loc in enumerate(localities[1::3][:5]):
        name = (f"{loc} High School", f"{loc} Academy", f"{loc} Community College")[i % 3]
        secondaries.append(
            School(str(139_000 + index * 50 + i), name, str(4001 + i * 11), la_code, "secondary")
        )
    return tuple(primaries), tuple(secondaries)


def _read_csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(_DATA.joinpath(name).read_text(encoding="utf-8").splitlines()))


@cache
def reference() -> Reference:
    """Load and index the data files (cached: read once per process)."""
    given_rows: dict[tuple[str, str, str], list[tuple[str, float]]] = {}
    for row in _read_csv("given_names.csv"):
        eras = ("adult", "child") if row["era"] == "any" else (row["era"],)
        for era in eras:
            given_rows.setdefault((row["group"], row["sex"], era), []).append(
                (row["name"], float(row["weight"]))
            )
    given = {key: Weighted([n for n, _ in rows], [w for _, w in rows]) for key, rows in given_rows.items()}

    surname_rows: dict[str, list[tuple[str, float]]] = {}
    for row in _read_csv("surnames.csv"):
        surname_rows.setdefault(row["group"], []).append((row["name"], float(row["weight"])))
    surnames = {g: Weighted([n for n, _ in rows], [w for _, w in rows]) for g, rows in surname_rows.items()}
    # Caribbean families mostly carry British surnames: sample those too, at lower weight.
    caribbean = surname_rows["black_caribbean"] + [(n, w * 0.3) for n, w in surname_rows["white_british"]]
    surnames["black_caribbean"] = Weighted([n for n, _ in caribbean], [w for _, w in caribbean])

    streets = tuple(
        line.strip()
        for line in _DATA.joinpath("streets.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    )

    towns_raw = json.loads(_DATA.joinpath("towns.json").read_text(encoding="utf-8"))["towns"]
    towns = []
    for i, t in enumerate(towns_raw):
        primaries, secondaries = _schools(i, t["localities"], t["la_code"])
        towns.append(
            Town(
                index=i,
                name=t["name"],
                districts=tuple(t["districts"]),
                area_code=t["area_code"],
                exchange=t["exchange"],
                la_code=t["la_code"],
                localities=tuple(t["localities"]),
                police_station=tuple(t["police_station"]),
                council_office=tuple(t["council_office"]),  # type: ignore[arg-type]
                primaries=primaries,
                secondaries=secondaries,
            )
        )

    nicknames: dict[str, list[str]] = {}
    for row in _read_csv("nicknames.csv"):
        nicknames.setdefault(row["formal"], []).append(row["alias"])

    similar: dict[str, str] = {}
    for row in _read_csv("similar_names.csv"):
        similar.setdefault(row["first"], row["second"])
        similar.setdefault(row["second"], row["first"])

    common = tuple(
        CommonName(
            row["family"],
            row["group"],
            {
                ("M", "adult"): row["male_adult"],
                ("M", "child"): row["male_child"],
                ("F", "adult"): row["female_adult"],
                ("F", "child"): row["female_child"],
            },
        )
        for row in _read_csv("common_names.csv")
    )

    missing = [g for g in GROUP_WEIGHTS if g not in surnames or (g, "M", "adult") not in given]
    if missing:
        raise RuntimeError(f"synthetic data files lack names for groups {missing}")

    return Reference(
        given=given,
        surnames=surnames,
        streets=streets,
        towns=tuple(towns),
        town_picker=Weighted(towns, [t["weight"] for t in towns_raw]),
        group_picker=Weighted(list(GROUP_WEIGHTS), list(GROUP_WEIGHTS.values())),
        kind_picker=Weighted(list(HOUSEHOLD_KIND_WEIGHTS), list(HOUSEHOLD_KIND_WEIGHTS.values())),
        nicknames={k: tuple(v) for k, v in nicknames.items()},
        similar=similar,
        common_names=common,
    )
