"""The synthetic generator: shape, determinism, streaming, ground truth and the hard cases' rates."""

from __future__ import annotations

import csv
import inspect
import itertools
import math
import re
import time
import tracemalloc
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from random import Random
from typing import Any

import orjson
import pytest

from graph_model.normalise.identifiers import (
    is_temporary_upn,
    is_valid_nhs_number,
    is_valid_pnc_id,
    is_valid_upn,
    nhs_check_digit,
    pnc_check_letter,
    upn_check_letter,
)
from graph_model.synthetic import DemoSummary, TruthRow, generate, generate_tagged, write_demo_data
from graph_model.synthetic import rates as R
from graph_model.synthetic.__main__ import main as cli_main
from graph_model.synthetic._reference import reference
from graph_model.synthetic._world import World
from graph_model.synthetic.generator import AGENCIES, HOUSING_CSV_COLUMNS

HOUSEHOLDS = 500
RATE_HOUSEHOLDS = 3000
SEED = 7
KEYS = [
    "source",
    "source_id",
    "given_name",
    "middle_names",
    "family_name",
    "dob",
    "sex",
    "addresses",
    "phones",
    "emails",
    "identifiers",
    "school",
    "relationships",
    "recorded_at",
]
ID_SHAPES = {
    "police": re.compile(r"NOM-\d{6}"),
    "health": re.compile(r"EMIS-\d{7}"),
    "education": re.compile(r"SIMS-[PC]\d{7}"),
    "social_care": re.compile(r"LCS-\d{7}"),
    "housing": re.compile(r"TEN-\d{7}-\d+"),
}

Tagged = list[tuple[dict[str, Any], TruthRow, tuple[str, ...]]]


@pytest.fixture(scope="module")
def tagged() -> Tagged:
    return list(generate_tagged(HOUSEHOLDS, seed=SEED))


@pytest.fixture(scope="module")
def tagged_large() -> Tagged:
    """Enough records to measure the rarer cases (0.3% placeholder dobs, police's 5% NFA) at their rates."""
    return list(generate_tagged(RATE_HOUSEHOLDS, seed=SEED))


def _group_by_person(tagged: Tagged) -> dict[str, list[tuple[dict[str, Any], tuple[str, ...]]]]:
    out: dict[str, list[tuple[dict[str, Any], tuple[str, ...]]]] = defaultdict(list)
    for record, truth, tags in tagged:
        out[truth.person_id].append((record, tags))
    return out


@pytest.fixture(scope="module")
def by_person(tagged: Tagged) -> dict[str, list[tuple[dict[str, Any], tuple[str, ...]]]]:
    return _group_by_person(tagged)


def _true_dob(records: list[tuple[dict[str, Any], tuple[str, ...]]]) -> str | None:
    errors = {"dob_swap", "dob_off_by_one", "dob_placeholder", "dob_partial", "alias"}
    dobs = Counter(r["dob"] for r, tags in records if r["dob"] and not errors & set(tags))
    return dobs.most_common(1)[0][0] if dobs else None


def _true_given(records: list[tuple[dict[str, Any], tuple[str, ...]]]) -> str | None:
    errors = {"nickname", "typo", "diacritics_dropped", "alias"}
    names = Counter(r["given_name"] for r, tags in records if not errors & set(tags))
    return names.most_common(1)[0][0] if names else None


def _age(dob: str) -> int:
    d = date.fromisoformat(dob)
    ref = R.REFERENCE_DATE
    return ref.year - d.year - ((ref.month, ref.day) < (d.month, d.day))


def _fold(text: str) -> str:
    """Upper case, no diacritics, Polish feminine endings made masculine (twins Nowicka and Nowicki)."""
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l")).encode("ascii", "ignore").decode().upper()
    return re.sub(r"(SK|CK|DZK)A\b", r"\1I", folded)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _assert_rate(hits: int, n: int, rate: float, what: str) -> None:
    """`hits` out of `n` is within four standard deviations of `rate` (and the case is present)."""
    assert n > 0, f"no opportunities for {what}"
    observed = hits / n
    slack = 4 * math.sqrt(rate * (1 - rate) / n) + 0.002
    assert hits > 0, f"{what}: none in {n}"
    assert abs(observed - rate) <= slack, (
        f"{what}: {hits}/{n} = {observed:.4f}, expected {rate} ± {slack:.4f}"
    )


# --- determinism and streaming -------------------------------------------------------------------


def test_same_seed_gives_the_same_records() -> None:
    assert list(generate(150, seed=3)) == list(generate(150, seed=3))


def test_another_seed_gives_other_records() -> None:
    first = [r["given_name"] for r, _ in generate(50, seed=3)]
    second = [r["given_name"] for r, _ in generate(50, seed=4)]
    assert first != second


def test_a_shorter_run_is_a_prefix_of_a_longer_one() -> None:
    short = list(generate(100, seed=5))
    long = list(itertools.islice(generate(300, seed=5), len(short) - 20))
    assert short[: len(long)] == long


def test_the_global_random_state_is_left_alone() -> None:
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    list(generate(20, seed=1))
    assert random.random() == expected


def test_generate_is_a_lazy_generator() -> None:
    stream = generate(10**9, seed=1)
    assert inspect.isgenerator(stream)
    started = time.perf_counter()
    first = list(itertools.islice(stream, 200))
    assert len(first) == 200
    assert time.perf_counter() - started < 5  # a billion households were not built first


def test_memory_does_not_grow_with_households() -> None:
    reference()  # the shipped lists are loaded once; not part of what must stay flat

    def peak(households: int) -> int:
        tracemalloc.start()
        for _ in generate(households, seed=2):
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(300), peak(3000)
    assert large < small * 1.5 + 200_000, f"peak {small} bytes for 300 households, {large} for 3000"


# --- shape and ground truth -------------------------------------------------------------------------


def test_records_have_exactly_the_canonical_keys(tagged: Tagged) -> None:
    for record, _, _ in tagged:
        assert list(record) == KEYS
        assert record["source"] in AGENCIES
        assert ID_SHAPES[record["source"]].fullmatch(record["source_id"]), record["source_id"]
        assert record["sex"] in ("M", "F", "U", None)
        assert record["dob"] is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", record["dob"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", record["recorded_at"])
        assert record["recorded_at"][:10] < R.REFERENCE_DATE.isoformat()
        for address in record["addresses"]:
            assert list(address) == ["line1", "line2", "town", "postcode", "from", "to"]
        assert all(isinstance(p, str) and p for p in record["phones"])
        if record["school"] is not None:
            assert re.fullmatch(r"\d{6}", record["school"]["urn"]) and record["school"]["name"]


def test_every_record_is_valid_json(tagged: Tagged) -> None:
    for record, _, _ in tagged[:500]:
        assert orjson.loads(orjson.dumps(record)) == record


def test_source_ids_are_unique_within_each_source(tagged: Tagged) -> None:
    keys = [(r["source"], r["source_id"]) for r, _, _ in tagged]
    assert len(keys) == len(set(keys))


def test_every_record_has_a_truth_row(tagged: Tagged) -> None:
    for record, truth, _ in tagged:
        assert isinstance(truth, TruthRow)
        assert (truth.source, truth.source_id) == (record["source"], record["source_id"])
        assert re.fullmatch(r"P\d{6}", truth.person_id)
        assert re.fullmatch(r"H\d{6}", truth.household_id)


def test_a_person_lives_in_one_household(tagged: Tagged) -> None:
    homes: dict[str, set[str]] = defaultdict(set)
    for _, truth, _ in tagged:
        homes[truth.person_id].add(truth.household_id)
    assert all(len(h) == 1 for h in homes.values())


def test_household_ids_cover_the_requested_number(tagged: Tagged) -> None:
    households = {truth.household_id for _, truth, _ in tagged}
    assert max(int(h[1:]) for h in households) <= HOUSEHOLDS
    assert len(households) > 0.97 * HOUSEHOLDS  # a few lone adults are known to no agency


def test_every_record_has_a_name_or_an_identifier(tagged: Tagged) -> None:
    for record, _, _ in tagged:
        assert (record["given_name"] and record["family_name"]) or record["identifiers"]


def test_relationships_point_to_records_of_the_same_source(tagged: Tagged) -> None:
    ids = {(r["source"], r["source_id"]) for r, _, _ in tagged}
    owner = {(r["source"], r["source_id"]): t for r, t, _ in tagged}
    count = 0
    for record, truth, _ in tagged:
        for rel in record["relationships"]:
            assert rel["type"] in ("parent_of", "child_of", "sibling_of", "partner_of", "carer_of", "other")
            assert (record["source"], rel["source_id"]) in ids
            assert owner[(record["source"], rel["source_id"])].person_id != truth.person_id
            count += 1
    assert count > 100


def test_school_contacts_point_at_pupils(tagged: Tagged) -> None:
    contacts = [r for r, _, _ in tagged if r["source_id"].startswith("SIMS-C")]
    assert contacts
    for record in contacts:
        assert record["relationships"], "a contact exists because of a pupil"
        assert all(rel["source_id"].startswith("SIMS-P") for rel in record["relationships"])
        assert record["school"] is None and record["identifiers"] == {}


def test_records_per_household_in_expected_range(tagged: Tagged) -> None:
    per_household = len(tagged) / HOUSEHOLDS
    assert 4.0 <= per_household <= 5.5, per_household
    by_source = Counter(r["source"] for r, _, _ in tagged)
    assert set(by_source) == set(AGENCIES)
    assert by_source["health"] > by_source["education"] > by_source["housing"] > by_source["police"]


def test_agency_coverage(tagged: Tagged, by_person: dict) -> None:
    people = len(by_person)
    in_health = {t.person_id for r, t, _ in tagged if r["source"] == "health"}
    assert 0.92 <= len(in_health) / people <= 0.99  # of the people some agency knows
    health = [r for r, _, _ in tagged if r["source"] == "health"]
    # Re-registration duplicates carry it half the time; a few people never had one.
    per_record = (R.HEALTH_NHS_NUMBER_RATE + R.HEALTH_DUPLICATE_RATE * 0.5) / (1 + R.HEALTH_DUPLICATE_RATE)
    expected = (1 - R.NO_NHS_NUMBER_RATE) * per_record
    _assert_rate(
        sum("nhs_number" in r["identifiers"] for r in health), len(health), expected, "NHS on health"
    )
    pupils = [(r, t) for r, t, _ in tagged if r["source_id"].startswith("SIMS-P")]
    for record, truth in pupils:
        dob = _true_dob(by_person[truth.person_id])
        assert record["school"] is not None
        assert dob is None or 4 <= _age(dob) <= 17, dob
    adults = {
        pid for pid, recs in by_person.items() if (d := _true_dob(recs)) and len(d) == 10 and _age(d) >= 18
    }
    police_adults = {t.person_id for r, t, _ in tagged if r["source"] == "police"} & adults
    assert 0.02 <= len(police_adults) / len(adults) <= 0.10


def test_social_care_knows_its_share_of_households(tagged_large: Tagged) -> None:
    by_person = _group_by_person(tagged_large)
    known = set()
    for record, truth, _ in tagged_large:
        dob = _true_dob(by_person[truth.person_id])
        if record["source"] == "social_care" and dob and len(dob) == 10 and _age(dob) < 18:
            known.add(truth.household_id)
    _assert_rate(len(known), RATE_HOUSEHOLDS, R.SOCIAL_CARE_HOUSEHOLD_RATE, "households known to social care")


# --- identifiers ---------------------------------------------------------------------------------


def test_nhs_numbers_are_test_range_and_valid_apart_from_typos(tagged: Tagged) -> None:
    seen = invalid = 0
    for record, _, tags in tagged:
        raw = record["identifiers"].get("nhs_number")
        if raw is None:
            continue
        number = _digits(raw)
        assert len(number) == 10 and number.startswith("999"), raw
        valid = nhs_check_digit(number[:9]) == int(number[9])
        assert valid != ("nhs_typo" in tags), (raw, tags)
        seen += 1
        invalid += not valid
    assert seen > 1000
    assert 0 < invalid / seen <= 0.02


def test_one_person_one_nhs_number(tagged: Tagged) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for record, truth, tags in tagged:
        if (raw := record["identifiers"].get("nhs_number")) and "nhs_typo" not in tags:
            owners[_digits(raw)].add(truth.person_id)
    assert all(len(p) == 1 for p in owners.values())


def test_upns_and_pnc_ids_carry_valid_check_letters(tagged: Tagged) -> None:
    upns = pncs = 0
    for record, _, tags in tagged:
        if (upn := record["identifiers"].get("upn")) and "temporary_upn" not in tags:
            assert re.fullmatch(r"[A-Z]\d{12}", upn) and upn_check_letter(upn[1:]) == upn[0], upn
            upns += 1
        if pnc := record["identifiers"].get("pnc_id"):
            assert (
                re.fullmatch(r"\d{2}/\d{7}[A-Z]", pnc) and pnc_check_letter(pnc[:2], pnc[3:10]) == pnc[10]
            ), pnc
            pncs += 1
    assert upns > 100 and pncs > 5


def test_identifiers_pass_the_normalisers_validators(tagged: Tagged) -> None:
    """The matcher's own validators accept every identifier the generator meant to be valid."""
    for record, _, tags in tagged:
        ids = record["identifiers"]
        if "nhs_number" in ids:
            assert is_valid_nhs_number(ids["nhs_number"]) != ("nhs_typo" in tags)
        if "upn" in ids:
            assert is_valid_upn(ids["upn"])
            assert is_temporary_upn(ids["upn"]) == ("temporary_upn" in tags)
        if "pnc_id" in ids:
            assert is_valid_pnc_id(ids["pnc_id"])


def test_phones_and_emails_are_fictional(tagged: Tagged) -> None:
    for record, _, _ in tagged:
        for phone in record["phones"]:
            digits = _digits(phone)
            assert digits.startswith(("0770", "447700", "07000", "00000", "01", "441")) or len(digits) <= 7, (
                phone
            )
        for email in record["emails"]:
            assert email.lower().endswith(
                ("@mailbox.test", "@post.test", "@inbox.test", "noemail@example.com")
            ), email


# --- hard cases, found in the records themselves --------------------------------------------------


def test_twins_exist(tagged_large: Tagged) -> None:
    """Same household, same dob, same surname, different people (about 15 pairs per 1,000 households)."""
    by_person = _group_by_person(tagged_large)
    home = {t.person_id: t.household_id for _, t, _ in tagged_large}
    born: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pid, recs in by_person.items():
        dob = _true_dob(recs)
        if dob and len(dob) == 10 and _age(dob) < 18:
            born[(home[pid], dob)].add(pid)
    twins = [pids for pids in born.values() if len(pids) == 2]
    assert len(twins) >= 10
    for pids in twins:  # the same surname, as the agency that holds most of each twin's records has it
        surnames = {
            _fold(Counter(r["family_name"] for r, _ in by_person[p]).most_common(1)[0][0]) for p in pids
        }
        assert len(surnames) == 1 or any(
            t in ("surname_change", "typo", "hyphen_variant")
            for p in pids
            for _, tags in by_person[p]
            for t in tags
        )


def test_fathers_and_sons_share_a_full_name(tagged: Tagged, by_person: dict) -> None:
    households: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for pid, recs in by_person.items():
        given = _true_given(recs)
        hid = next(t.household_id for _, t, _ in tagged if t.person_id == pid)
        households[(hid, given or "", recs[0][0]["family_name"].upper())].add(pid)
    same = [pids for pids in households.values() if len(pids) >= 2]
    assert same
    gaps = []
    for pids in same:
        years = sorted(int(d[:4]) for p in pids if (d := _true_dob(by_person[p])))
        gaps.append(years[-1] - years[0] if len(years) >= 2 else 0)
    assert max(gaps) >= 18  # a father and his son, not twins


def test_moved_households_have_stale_addresses(by_person: dict) -> None:
    stale = 0
    for recs in by_person.values():
        postcodes = {
            a["postcode"].replace(" ", "").upper()
            for r, _ in recs
            for a in r["addresses"]
            if a["postcode"] and a["to"] is None
        }
        dated = [a for r, _ in recs for a in r["addresses"] if a["to"]]
        if len(postcodes) >= 2 and not dated:
            stale += 1
    assert stale >= 10


def test_day_and_month_swapped(by_person: dict) -> None:
    swaps = 0
    for recs in by_person.values():
        true = _true_dob(recs)
        if not true or len(true) != 10:
            continue
        for record, _ in recs:
            d = record["dob"]
            if d and len(d) == 10 and d != true and (d[:4], d[5:7], d[8:]) == (true[:4], true[8:], true[5:7]):
                swaps += 1
    assert swaps >= 3


def test_same_full_name_in_unrelated_households_of_one_town(tagged: Tagged) -> None:
    bearers: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    households: dict[str, str] = {}
    for record, truth, tags in tagged:
        if record["source"] == "health" and not {"typo", "nickname"} & set(tags) and record["addresses"]:
            key = (record["given_name"], record["family_name"], record["addresses"][0]["town"])
            bearers[key].add(truth.person_id)
            households[truth.person_id] = truth.household_id
    shared = {k: p for k, p in bearers.items() if len({households[x] for x in p}) >= 2}
    assert len(shared) >= 3


def test_common_names_recur_on_purpose(tagged_large: Tagged) -> None:
    """Mohammed Khan, Olivia Smith...: several unrelated bearers in one town, some born the same year."""
    home = {t.person_id: t.household_id for _, t, _ in tagged_large}
    bearers: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
    for pid, recs in _group_by_person(tagged_large).items():
        if "same_name_stranger" not in recs[0][1] or not (dob := _true_dob(recs)):
            continue
        family = Counter(r["family_name"] for r, _ in recs).most_common(1)[0][0]
        town = Counter(a["town"] for r, _ in recs for a in r["addresses"] if a["to"] is None).most_common(1)[
            0
        ][0]
        bearers[(_true_given(recs) or "", family, town)].add((home[pid], dob[:4]))
    repeated = [b for b in bearers.values() if len({h for h, _ in b}) >= 2]
    assert len(repeated) >= 5
    assert sum(len({y for _, y in b}) < len(b) for b in repeated) >= 2  # some born in the same year


def test_hyphenated_surnames_recorded_both_ways(by_person: dict) -> None:
    both = 0
    for recs in by_person.values():
        names = {r["family_name"] for r, _ in recs}
        double = [n for n in names if "-" in n and n[0].isupper() and not n.startswith(("Al-", "El-"))]
        if double and any(n in double[0].split("-") or n == double[0].replace("-", " ") for n in names):
            both += 1
    assert both >= 1


def test_shared_landlines_within_households(tagged: Tagged) -> None:
    landline_owners: dict[str, set[str]] = defaultdict(set)
    for record, truth, _ in tagged:
        for phone in record["phones"]:
            digits = _digits(phone)
            if digits.startswith("441"):
                digits = "0" + digits[2:]
            if digits.startswith("01") and len(digits) == 11:
                landline_owners[digits].add(truth.person_id)
    assert sum(len(p) >= 3 for p in landline_owners.values()) >= 10


def test_placeholders_appear(tagged_large: Tagged) -> None:
    dobs = Counter(r["dob"] for r, _, _ in tagged_large)
    addresses = Counter(a["line1"] for r, _, _ in tagged_large for a in r["addresses"])
    phones = Counter(p for r, _, _ in tagged_large for p in r["phones"])
    assert dobs["1900-01-01"] >= 1
    assert addresses["No Fixed Abode"] + addresses["NFA"] >= 1
    assert phones["07000 000000"] + phones["00000 000000"] >= 1


def test_phone_and_postcode_formats_vary(tagged: Tagged) -> None:
    phones = [p for r, _, _ in tagged for p in r["phones"]]
    assert any(p.startswith("+44 ") for p in phones)
    assert any(re.fullmatch(r"07\d{9}", p) for p in phones)
    assert any(re.fullmatch(r"07\d{3} \d{6}", p) for p in phones)
    assert any(re.fullmatch(r"0113 496 \d{4}", p) for p in phones)
    postcodes = [a["postcode"] for r, _, _ in tagged for a in r["addresses"] if a["postcode"]]
    odd = [p for p in postcodes if p != p.upper() or " " not in p]
    _assert_rate(len(odd), len(postcodes), R.POSTCODE_FORMAT_RATE + 0.0, "postcode format")


def test_parent_contacts_usually_have_no_dob(tagged: Tagged) -> None:
    contacts = [r for r, _, _ in tagged if r["source_id"].startswith("SIMS-C")]
    _assert_rate(
        sum(r["dob"] is None for r in contacts), len(contacts), R.CONTACT_DOB_MISSING_RATE, "contact dob"
    )


def test_siblings_at_two_schools_give_two_contacts_for_a_parent(tagged: Tagged) -> None:
    contacts = Counter(t.person_id for r, t, _ in tagged if r["source_id"].startswith("SIMS-C"))
    assert any(n >= 2 for n in contacts.values())


def test_health_duplicates(tagged_large: Tagged) -> None:
    per_person = Counter(t.person_id for r, t, _ in tagged_large if r["source"] == "health")
    _assert_rate(
        sum(n == 2 for n in per_person.values()),
        len(per_person),
        R.HEALTH_DUPLICATE_RATE,
        "health duplicates",
    )


# --- hard cases at their rates, in the units the rates are defined in -------------------------------


def _tag_rate(tagged: Tagged, tag: str, eligible: Any = None) -> tuple[int, int]:
    pool = [(r, t, tags) for r, t, tags in tagged if eligible is None or eligible(r, t, tags)]
    return sum(tag in tags for _, _, tags in pool), len(pool)


@dataclass(frozen=True)
class _Truths:
    """Each person's true given name and dob, read back from the records that carry no error."""

    given: dict[str, str | None]
    dob: dict[str, str | None]


@pytest.fixture(scope="module")
def truths(tagged_large: Tagged) -> _Truths:
    people = _group_by_person(tagged_large)
    return _Truths(
        {p: _true_given(r) for p, r in people.items()}, {p: _true_dob(r) for p, r in people.items()}
    )


# Who is eligible for each error must not depend on whether they got it: a record that has the error
# is eligible by definition (its person's true value is unknowable when every one of their records has it).
Eligible = Callable[[dict[str, Any], TruthRow, tuple[str, ...], _Truths], bool]


def _not_alias(r: dict[str, Any], t: TruthRow, tags: tuple[str, ...], truth: _Truths) -> bool:
    return "alias" not in tags


def _has_nickname(r: dict[str, Any], t: TruthRow, tags: tuple[str, ...], truth: _Truths) -> bool:
    return "nickname" in tags or truth.given[t.person_id] in reference().nicknames


def _swappable(r: dict[str, Any], t: TruthRow, tags: tuple[str, ...], truth: _Truths) -> bool:
    if "dob_swap" in tags:
        return True
    d = truth.dob[t.person_id]
    if not r["dob"] or d is None or len(d) != 10 or {"dob_placeholder", "alias"} & set(tags):
        return False
    return int(d[8:]) <= 12 and d[8:] != d[5:7] and int(d[:4]) < R.REFERENCE_DATE.year


def _with_dob(r: dict[str, Any], t: TruthRow, tags: tuple[str, ...], truth: _Truths) -> bool:
    return bool(r["dob"]) and not {"dob_placeholder", "alias"} & set(tags)


def _any_dob(r: dict[str, Any], t: TruthRow, tags: tuple[str, ...], truth: _Truths) -> bool:
    return r["dob"] is not None


def _police(r: dict[str, Any], t: TruthRow, tags: tuple[str, ...], truth: _Truths) -> bool:
    return r["source"] == "police"


def _not_contact(r: dict[str, Any], t: TruthRow, tags: tuple[str, ...], truth: _Truths) -> bool:
    return "contact" not in tags


@pytest.mark.parametrize(
    ("tag", "rate", "eligible"),
    [
        ("typo", R.NAME_TYPO_RATE, _not_alias),
        ("nickname", R.NICKNAME_RATE, _has_nickname),
        ("dob_swap", R.DOB_SWAP_RATE, _swappable),
        # not applied on top of a swap, nor when it would put the dob after the reference date
        ("dob_off_by_one", R.DOB_OFF_BY_ONE_RATE * 0.99, _with_dob),
        ("dob_placeholder", R.PLACEHOLDER_DOB_RATE, _any_dob),
        ("nfa", R.NFA_RATE, _police),
        ("sex_unknown", R.SEX_UNKNOWN_RATE, _not_contact),
    ],
)
def test_record_level_rates(
    tagged_large: Tagged, truths: _Truths, tag: str, rate: float, eligible: Eligible
) -> None:
    pool = [tags for r, t, tags in tagged_large if eligible(r, t, tags, truths)]
    _assert_rate(sum(tag in tags for tags in pool), len(pool), rate, tag)


def test_moved_record_rates(tagged_large: Tagged) -> None:
    movers = [
        (r, t, tags)
        for r, t, tags in tagged_large
        if "moved" in tags
        and r["source"] != "housing"
        and not {"nfa", "placeholder_address", "duplicate"} & set(tags)
    ]
    _assert_rate(*_tag_rate(movers, "stale_address"), R.STALE_ADDRESS_RATE, "stale address of movers")
    _assert_rate(*_tag_rate(movers, "both_addresses"), R.BOTH_ADDRESSES_RATE, "old and new address")


@pytest.fixture(scope="module")
def world_people() -> tuple[list, list]:
    """People and households of a larger world (no records) for person- and household-level rates."""
    world = World(Random(SEED), reference())
    households: list = []
    while len(households) < 5000:
        households.extend(world.unit(5000 - len(households)))
    return households, [p for h in households for p in h.members]


def test_exactly_the_requested_households_are_made(world_people: tuple[list, list]) -> None:
    households, _ = world_people
    assert [h.hid for h in households] == [f"H{i:06d}" for i in range(1, 5001)]


def test_household_and_person_level_rates(world_people: tuple[list, list]) -> None:
    households, people = world_people
    children = [p for p in people if p.age < 18]
    _assert_rate(sum("twin" in p.tags for p in children), len(children), R.TWIN_RATE, "twins")
    juniors = sum(any("junior" in p.tags for p in h.members) for h in households)
    _assert_rate(juniors, len(households), R.JUNIOR_RATE, "juniors")
    unsplit = [h for h in households if not any("split" in p.tags for p in h.members)]
    _assert_rate(
        sum(h.prev_address is not None for h in unsplit), len(unsplit), R.MOVED_HOUSEHOLD_RATE, "moves"
    )
    _assert_rate(
        sum(p.alt_family is not None for p in children),
        len(children),
        R.CHILD_SURNAME_CHANGE_RATE,
        "child surname change",
    )
    strangers = sum(any("same_name_stranger" in p.tags for p in h.members) for h in households)
    _assert_rate(
        strangers,
        len(households),
        R.SAME_NAME_STRANGER_RATE / (1 + R.SPLIT_FAMILY_RATE),
        "same-name strangers",
    )
    splits = sum(h.leaver is not None for h in households)
    _assert_rate(splits, len(households), R.SPLIT_FAMILY_RATE / (1 + R.SPLIT_FAMILY_RATE), "separations")
    tenancies = sum(h.tenancy for h in households)
    _assert_rate(tenancies, len(households), R.HOUSING_TENANCY_RATE, "tenancies")


def test_the_world_is_plausible(world_people: tuple[list, list]) -> None:
    households, people = world_people
    for p in people:
        for parent in p.parents():
            assert parent.age - p.age >= 16, (parent.age, p.age)
        if "twin" in p.tags:
            assert any(q is not p and q.dob == p.dob and "twin" in q.tags for q in p.household.members)
        if "junior" in p.tags:
            assert any(
                q is not p and q.given == p.given and q.family == p.family for q in p.household.members
            )
    kinds = Counter(h.kind for h in households)
    assert kinds["couple_children"] == max(kinds.values())
    assert all(h.members for h in households)
    groups = Counter(p.group for p in people)
    assert groups["white_british"] > groups["pakistani_bangladeshi"] > groups["romanian"]


def test_addresses_are_not_shared_by_unrelated_households(world_people: tuple[list, list]) -> None:
    households, _ = world_people
    keys = Counter(
        (h.town.name, h.address.street, h.address.number, h.address.postcode, h.address.flat)
        for h in households
    )
    assert max(keys.values()) == 1


# --- files ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    out = tmp_path_factory.mktemp("demo")
    return out, write_demo_data(out, 300, seed=11)


def test_demo_files_and_summary(demo: tuple[Path, DemoSummary]) -> None:
    out, summary = demo
    total = 0
    for agency in AGENCIES:
        lines = (out / f"{agency}.jsonl").read_bytes().splitlines()
        assert len(lines) == summary.records[agency] > 0
        assert all(orjson.loads(line)["source"] == agency for line in lines)
        total += len(lines)
    with open(out / "truth.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["source", "source_id", "person_id", "household_id"]
    assert len(rows) == total == summary.total_records
    assert summary.people == len({r["person_id"] for r in rows})
    assert summary.households == len({r["household_id"] for r in rows})
    streamed = [(r["source"], r["source_id"]) for r, _ in generate(300, seed=11)]
    assert [(r["source"], r["source_id"]) for r in rows] == streamed


def test_housing_csv_holds_the_same_people_as_the_jsonl(demo: tuple[Path, DemoSummary]) -> None:
    out, _ = demo
    jsonl = {r["source_id"]: r for r in map(orjson.loads, (out / "housing.jsonl").read_bytes().splitlines())}
    with open(out / "housing_tenancies.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == HOUSING_CSV_COLUMNS
        rows = list(reader)
    assert {r["person_ref"] for r in rows} == set(jsonl)
    assert len(rows) == len(jsonl)
    labels = Counter(r["relationship_to_lead"] for r in rows)
    assert labels["Lead tenant"] == len({r["tenancy_ref"] for r in rows})
    assert labels["Joint tenant"] and (labels["Son"] or labels["Daughter"])
    for row in rows:
        record = jsonl[row["person_ref"]]
        assert row["person_ref"].startswith(row["tenancy_ref"] + "-")
        assert (row["forename"], row["surname"]) == (record["given_name"], record["family_name"])
        if record["dob"]:
            y, m, d = record["dob"].split("-")
            assert row["date_of_birth"] == f"{d}/{m}/{y}"
        assert row["gender"] in ("Male", "Female", "Unknown", "")
        assert row["post_code"] == record["addresses"][0]["postcode"]
        assert row["uprn"] == record["identifiers"]["uprn"]
        assert {p for p in (row["home_phone"], row["mobile"]) if p} == set(record["phones"])
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", row["tenancy_start"])
        if row["relationship_to_lead"] == "Lead tenant":
            assert record["relationships"] == []
        else:
            lead = record["relationships"][0]["source_id"]
            assert lead == row["tenancy_ref"] + "-1"


def test_cli_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["--households", "20", "--seed", "1", "--out", str(tmp_path / "d")]) == 0
    names = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert names == sorted([*(f"{a}.jsonl" for a in AGENCIES), "truth.csv", "housing_tenancies.csv"])
    assert "records" in capsys.readouterr().out


# --- speed ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_twenty_thousand_households_well_under_thirty_seconds() -> None:
    started = time.perf_counter()
    records = sum(1 for _ in generate(20_000, seed=1))
    elapsed = time.perf_counter() - started
    assert 80_000 <= records <= 110_000
    assert elapsed < 30, f"{records} records in {elapsed:.1f}s"
