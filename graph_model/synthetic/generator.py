"""Synthetic multi-agency records with ground truth, for the demo, the accuracy benchmark and tests.

Entirely fake: people are drawn from shipped name lists (``data/``), phones from fictional
ranges, emails from ``example.*`` domains, NHS numbers from the 999 test range. The same seed
always gives the same records, and a run of N households is a prefix of a run of N+k.

Canonical record (one JSON object per line; every key is present, ``null``/empty when the agency
does not hold it)::

    source         police | education | health | social_care | housing
    source_id      unique within source: NOM-123456, EMIS-1234567, SIMS-P1234567 (pupil),
                   SIMS-C1234567 (parent/carer contact), LCS-1234567, TEN-1234567-1
    given_name, middle_names, family_name
    dob            YYYY-MM-DD, sometimes YYYY-MM or YYYY; null when unknown
    sex            M | F | U | null
    addresses      [{line1, line2, town, postcode, from, to}]  (to null = current)
    phones, emails [str]
    identifiers    {nhs_number | upn | pnc_id | uprn: str}
    school         {urn, name} for pupils, else null
    relationships  [{type: parent_of|child_of|sibling_of|partner_of|carer_of|other, source_id}]
    recorded_at    YYYY-MM-DDTHH:MM:SSZ

The world behind the records (household kinds, moves, separations, twins, juniors, common names)
and every error rate are in :mod:`graph_model.synthetic.rates`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

import orjson

from graph_model.synthetic._agencies import Agencies, Item
from graph_model.synthetic._reference import reference
from graph_model.synthetic._world import World

__all__ = [
    "AGENCIES",
    "HOUSING_CSV_COLUMNS",
    "DemoSummary",
    "TruthRow",
    "generate",
    "generate_tagged",
    "write_demo_data",
]

AGENCIES = ("police", "education", "health", "social_care", "housing")

HOUSING_CSV_COLUMNS = (
    "tenancy_ref",
    "person_ref",
    "title",
    "forename",
    "surname",
    "date_of_birth",
    "gender",
    "address_line_1",
    "address_line_2",
    "town",
    "post_code",
    "uprn",
    "home_phone",
    "mobile",
    "email",
    "relationship_to_lead",
    "tenancy_start",
)


@dataclass(frozen=True, slots=True)
class TruthRow:
    """Which real person (and household, by current address) a record belongs to."""

    source: str
    source_id: str
    person_id: str
    household_id: str


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What :func:`write_demo_data` wrote."""

    out_dir: Path
    records: dict[str, int] = field(default_factory=dict)  # per agency
    people: int = 0  # distinct people with at least one record
    households: int = 0  # distinct households with at least one record

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    def __str__(self) -> str:
        agencies = ", ".join(f"{name} {count:,}" for name, count in self.records.items())
        return (
            f"{self.total_records:,} records ({agencies}) for {self.people:,} people "
            f"in {self.households:,} households"
        )


def _units(households: int, seed: int) -> Iterator[list[Item]]:
    if households < 0:
        raise ValueError("households must be zero or more")
    rng = Random(seed)
    ref = reference()
    world = World(rng, ref)
    agencies = Agencies(rng, ref)
    made = 0
    while made < households:
        unit = world.unit(households - made)
        made += len(unit)
        items = agencies.unit_records(unit)
        world.release(unit)
        yield items


def generate_tagged(
    households: int, seed: int = 1
) -> Iterator[tuple[dict[str, Any], TruthRow, tuple[str, ...]]]:
    """Like :func:`generate`, plus the hard cases behind each record ("twin", "dob_swap", "stale_address"...).

    The tags are for tests and for error analysis of a matcher; they are not part of the record.
    """
    for items in _units(households, seed):
        for record, truth, tags, _extra in items:
            yield record, TruthRow(*truth), tags


def generate(households: int, seed: int = 1) -> Iterator[tuple[dict[str, Any], TruthRow]]:
    """Yield (canonical record dict, truth row) pairs, household by household.

    ``households`` counts household ids: a family that separated yields two. Memory does not
    grow with ``households``; deterministic for a given ``seed``.
    """
    for items in _units(households, seed):
        for record, truth, _tags, _extra in items:
            yield record, TruthRow(*truth)


def _housing_row(record: dict[str, Any], extra: dict[str, str]) -> list[str]:
    address = record["addresses"][0] if record["addresses"] else {}
    dob = record["dob"] or ""
    if len(dob) == 10:
        dob = f"{dob[8:10]}/{dob[5:7]}/{dob[:4]}"
    gender = {"M": "Male", "F": "Female", "U": "Unknown"}.get(record["sex"] or "", "")
    return [
        extra["tenancy_ref"],
        record["source_id"],
        extra["title"],
        record["given_name"] or "",
        record["family_name"] or "",
        dob,
        gender,
        address.get("line1") or "",
        address.get("line2") or "",
        address.get("town") or "",
        address.get("postcode") or "",
        record["identifiers"].get("uprn", ""),
        extra["home_phone"],
        extra["mobile"],
        record["emails"][0] if record["emails"] else "",
        extra["relationship_to_lead"],
        extra["tenancy_start"],
    ]


def write_demo_data(out_dir: Path, households: int, seed: int = 1) -> DemoSummary:
    """Write ``<agency>.jsonl`` for each agency, ``truth.csv`` and ``housing_tenancies.csv`` to ``out_dir``.

    ``housing_tenancies.csv`` holds the housing records again, as the housing system exports them
    (``tenancy_ref, person_ref, title, forename, surname, date_of_birth`` DD/MM/YYYY, ``gender``
    Male/Female, address, ``uprn``, phones, ``relationship_to_lead``, ``tenancy_start``);
    ``person_ref`` is the housing record's ``source_id``. Streams: memory stays flat.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(AGENCIES, 0)
    people = 0
    household_count = 0
    files = {name: open(out_dir / f"{name}.jsonl", "wb") for name in AGENCIES}  # noqa: SIM115
    try:
        with (
            open(out_dir / "truth.csv", "w", newline="", encoding="utf-8") as truth_fh,
            open(out_dir / "housing_tenancies.csv", "w", newline="", encoding="utf-8") as housing_fh,
        ):
            truth_csv = csv.writer(truth_fh)
            truth_csv.writerow(("source", "source_id", "person_id", "household_id"))
            housing_csv = csv.writer(housing_fh)
            housing_csv.writerow(HOUSING_CSV_COLUMNS)
            for items in _units(households, seed):
                pids: set[str] = set()
                hids: set[str] = set()
                for record, truth, _tags, extra in items:
                    source = truth[0]
                    files[source].write(orjson.dumps(record) + b"\n")
                    truth_csv.writerow(truth)
                    counts[source] += 1
                    pids.add(truth[2])
                    hids.add(truth[3])
                    if extra is not None:
                        housing_csv.writerow(_housing_row(record, extra))
                people += len(pids)
                household_count += len(hids)
    finally:
        for fh in files.values():
            fh.close()
    return DemoSummary(out_dir=out_dir, records=counts, people=people, households=household_count)
