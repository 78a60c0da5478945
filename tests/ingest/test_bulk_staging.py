"""The bulk import's CSV files are the same whether the workers format them (chunks of CSV text sent back,
each shared node kept at its first sighting by the reading process) or the reading process stages every
prepared record itself (the path a chunk holding a later version of a record still takes). No database."""

from __future__ import annotations

import gc
import uuid
from pathlib import Path

import pytest

from graph_model.gc_policy import BATCH_GC_THRESHOLDS
from graph_model.ingest import PreparePool, open_input
from graph_model.ingest.bulk import BulkStager, _stage_one, stage_file
from graph_model.ingest.loader import LoadSummary
from graph_model.ingest.preparing import prepare_item
from graph_model.ingest.quarantine import Quarantine
from tests.ingest.test_bulk import _inputs

INGESTED_AT = "2026-12-05T09:00:00Z"


def _one_by_one(files: list[Path], out: Path) -> tuple[BulkStager, list[LoadSummary]]:
    """Every record prepared and staged here, one at a time (BulkStager.add)."""
    stager = BulkStager(out, INGESTED_AT)
    summaries = []
    for path in files:
        chosen, override, options = open_input(path, None, None, None)
        summary = LoadSummary()
        with Quarantine(path, out / "quarantine") as quarantine:
            for item in chosen.read(path, options):
                _stage_one(prepare_item(item, str(path), override), str(path), stager, summary, quarantine)
        summaries.append(summary)
    stager.finish()
    return stager, summaries


def _chunked(files: list[Path], out: Path, pool: PreparePool | None) -> tuple[BulkStager, list[LoadSummary]]:
    """The bulk import's own path: chunks prepared and formatted by stage_chunk (in ``pool``'s workers)."""
    stager = BulkStager(out, INGESTED_AT)
    run = uuid.uuid4().hex
    summaries = []
    thresholds = set()
    for path in files:
        chosen, override, options = open_input(path, None, None, None)
        with Quarantine(path, out / "quarantine") as quarantine:
            summaries.append(stage_file(stager, chosen.read(path, options), str(path), override, pool, run,
                                        quarantine, on_progress=lambda _n: thresholds.add(gc.get_threshold())))
    stager.finish()
    assert thresholds == {BATCH_GC_THRESHOLDS}  # full collections kept rare while staging
    return stager, summaries


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("workers", [0, 2])
def test_chunked_staging_writes_the_files_record_by_record_staging_writes(tmp_path: Path, workers: int) -> None:
    files = _inputs(tmp_path / "demo")
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old, old_summaries = _one_by_one(files, tmp_path / "old")
    if workers:
        # Small chunks, and workers replaced midway: many chunks, shared nodes and relationship targets
        # seen first by either worker, a worker's memory of what it reported lost with it.
        with PreparePool(workers, chunk_size=7, records_per_worker=30) as pool:
            new, new_summaries = _chunked(files, tmp_path / "new", pool)
            assert pool.generations > 2
    else:
        new, new_summaries = _chunked(files, tmp_path / "new", None)

    old_files, new_files = _outputs(tmp_path / "old"), _outputs(tmp_path / "new")
    assert old_files.keys() == new_files.keys()
    assert [name for name in old_files if old_files[name] != new_files[name]] == []
    assert new_summaries == old_summaries
    assert (new.counts, new.multiline, new.later_versions) == (old.counts, old.multiline, old.later_versions)
    assert (new.address_uprns, new.school_names) == (old.address_uprns, old.school_names)
    # What makes the comparison worth something: the input has every case the stager handles apart.
    assert old.later_versions > 0 and old.counts["stubs"] > 0
    assert old.address_uprns["LS61AA|7|"] == "100023336956" and old.school_names == {"100001": "Mill Lane Primary"}
    assert sum(s.rejected for s in old_summaries) == 2 and sum(s.stored for s in old_summaries) > 150
    assert old_files["records.csv"].count(b"\n") > 150


def test_a_second_import_through_the_same_workers_reports_every_shared_node_again(tmp_path: Path) -> None:
    """The workers remember the shared nodes they reported during one import only."""
    files = _inputs(tmp_path / "demo")
    with PreparePool(1, chunk_size=50) as pool:
        for name in ("first", "second"):
            (tmp_path / name).mkdir()
            _chunked(files, tmp_path / name, pool)
    first, second = _outputs(tmp_path / "first"), _outputs(tmp_path / "second")
    assert first == second
    assert first["addresses.csv"].count(b"\n") > 40


@pytest.mark.parametrize(("given_name", "address_line", "multiline"), [
    ("Ann", "1 Mill Lane", False),
    ("Ann\nMarie", "1 Mill Lane", True),  # a record's own row
    ("Ann\rMarie", "1 Mill Lane", True),
    ("Ann", "1 Mill Lane\nLeeds", True),  # a shared node's row (the address as displayed)
])
def test_a_chunk_says_when_a_row_holds_a_line_break(given_name: str, address_line: str, multiline: bool) -> None:
    """The importer reads fields holding line breaks only when told (--multiline-fields)."""
    import json

    from graph_model.ingest.bulk import stage_chunk
    from graph_model.ingest.readers import SourceItem

    records = [{"source": "police", "source_id": "1", "given_name": "Bob", "family_name": "Shaw"},
               {"source": "police", "source_id": "2", "given_name": given_name, "family_name": "Shaw",
                "addresses": [{"line1": address_line, "postcode": "LS6 1AA"}]}]
    items = [SourceItem(number, raw=json.dumps(record).encode()) for number, record in enumerate(records, start=1)]
    staged = stage_chunk(items, "test.jsonl", None, INGESTED_AT, uuid.uuid4().hex)
    assert len(staged.uids) == 2 and staged.counts["records"] == 2
    assert staged.multiline is multiline


def test_a_double_quote_in_a_value_is_doubled_and_reads_back(tmp_path: Path) -> None:
    """Strings are quoted; one holding a double quote has it doubled (the importer's CSV), others are written
    as they are; a percent sign survives the templates the importer ids are filled into."""
    import csv
    import json

    from graph_model.ingest.bulk import RECORD_HEADER, stage_chunk
    from graph_model.ingest.readers import SourceItem

    record = {"source": "police", "source_id": 'A"1%d', "given_name": "Ann", "family_name": 'O"Neil',
              "nickname": 'the "boss" 100%', "addresses": [{"line1": '"Rose Cottage", 1 Mill Lane', "postcode": "LS6 1AA"}],
              "phones": ["0113 496 0000"], "identifiers": {"other_ref": 'R"7%s'}}
    staged = stage_chunk([SourceItem(1, raw=json.dumps(record).encode())], "test.jsonl", None, INGESTED_AT,
                         uuid.uuid4().hex)
    stager = BulkStager(tmp_path, INGESTED_AT)
    stager.add_chunk(staged)
    stager.finish()
    text = {name: (tmp_path / f"{name}.csv").read_text() for name in ("records", "has_phone", "has_identifier",
                                                                     "identifiers", "addresses")}
    rows = {name: list(csv.reader(content.splitlines()))[1:] for name, content in text.items()}
    row = dict(zip(RECORD_HEADER, rows["records"][0], strict=True))
    assert '"O""Neil"' in text["records"]
    assert (row[":ID(Record)"], row["uid"], row["source_id"], row["family_name"]) == ("0", 'police:A"1%d', 'A"1%d', 'O"Neil')
    assert json.loads(row["extra"]) == {"nickname": 'the "boss" 100%'}
    assert row["given_name"] == "Ann" and '"Ann"' in text["records"]
    # relationship rows of two integer ids, the shared node's key (a quote in it) kept on its node
    assert rows["identifiers"][0][:2] == [str(4 << 40), 'other_ref:R"7%s']
    assert text["has_identifier"].splitlines()[1] == f"0,{4 << 40}"
    assert rows["has_phone"] == [["0", str(2 << 40)]]
    assert rows["addresses"][0][0] == str(1 << 40)
    assert rows["addresses"][0][-2] == '"Rose Cottage", 1 Mill Lane, LS6 1AA'


@pytest.mark.parametrize(("value", "refused"), [
    ("ab" * 1_250, []),  # longer than the shortcut's bound, short enough in bytes for the index
    ("ab" * 4_001, ["health:1", "health:4"]),  # 8,002 bytes: the identifier's key and the family name
    ("\U0001f600" * 2_001, ["health:1"]),  # 8,004 bytes of UTF-8 (no letters: no normalised family name)
    ("\U0001f600" * 1_990, []),  # 7,960 bytes, 7,970 in the key "other_ref:..."
])
def test_a_value_too_long_for_the_index_is_refused_and_no_other(value: str, refused: list[str]) -> None:
    """stage_chunk gathers a record's indexed values only when its rows are long enough to hold one that is
    too long: each case also has a short record, and a long record whose long value is not indexed."""
    import json

    from graph_model.ingest.bulk import stage_chunk
    from graph_model.ingest.readers import SourceItem

    records = [{"source": "health", "source_id": "1", "given_name": "Al", "identifiers": {"other_ref": value}},
               {"source": "health", "source_id": "2", "given_name": "Bo", "family_name": "Ray"},
               {"source": "health", "source_id": "3", "given_name": "Cy", "nickname": value},
               {"source": "health", "source_id": "4", "given_name": "Di", "family_name": value}]
    items = [SourceItem(number, raw=json.dumps(record).encode()) for number, record in enumerate(records, start=1)]
    staged = stage_chunk(items, "test.jsonl", None, INGESTED_AT, uuid.uuid4().hex)
    assert [f"health:{r.source_id}" for r in staged.rejections] == refused
    assert {r.reason for r in staged.rejections} <= {"database_refused"}
    assert staged.uids == [f"health:{n}" for n in range(1, 5) if f"health:{n}" not in refused]


def test_nodes_get_integer_ids_in_input_order_and_relationships_end_at_them(tmp_path: Path) -> None:
    """The importer reads integer ids (--id-type=integer): records numbered in the order staged, stubs after
    them, each kind of shared node from its own base in the order first seen; a relationship's ends are those
    numbers, a RELATED row's too when the record it ends at comes later in the input or never (a stub). The
    keys stay properties; the numbers are not stored (id columns without a property name)."""
    import csv
    import json

    from graph_model.ingest.bulk import NODE_FILES, RELATIONSHIP_FILES
    from graph_model.ingest.readers import SourceItem

    address = {"line1": "7 Mill Lane", "town": "Leeds", "postcode": "LS6 1AA"}
    records = [
        {"source": "police", "source_id": "A", "given_name": "Ann", "family_name": "Shaw", "addresses": [address],
         "phones": ["0113 496 0000"], "relationships": [{"type": "parent_of", "source_id": "B"},
                                                        {"type": "parent_of", "source_id": "NEVER"}]},
        {"source": "police", "source_id": "B", "given_name": "Bo", "family_name": "Shaw",
         "addresses": [{**address, "uprn": "100023336956"}, {"line1": "9 Mill Lane", "postcode": "LS6 1AA"}],
         "phones": ["0113 496 0000"], "relationships": [{"type": "child_of", "source_id": "A"}]},
    ]
    items = [SourceItem(number, raw=json.dumps(record).encode()) for number, record in enumerate(records, start=1)]
    stager = BulkStager(tmp_path, INGESTED_AT)
    with Quarantine(tmp_path / "in.jsonl", tmp_path / "quarantine") as quarantine:
        stage_file(stager, items, "in.jsonl", None, None, uuid.uuid4().hex, quarantine)
    stager.finish()

    def rows(name: str) -> list[list[str]]:
        with open(tmp_path / f"{name}.csv", newline="", encoding="utf-8") as fh:
            return list(csv.reader(fh))

    assert all(header[0].startswith(":ID(") for _, header in NODE_FILES.values())
    assert [header[:2] for _, header in RELATIONSHIP_FILES.values()] == [
        [":START_ID(Record)", f":END_ID({end})"] for end in ("Address", "Phone", "Email", "Identifier", "School", "Record")]
    assert [row[:2] for row in rows("records")[1:]] == [["0", "police:A"], ["1", "police:B"]]
    assert [row[:2] for row in rows("stubs")[1:]] == [["2", "police:NEVER"]]
    assert [row[:2] for row in rows("addresses")[1:]] == [[str(1 << 40), "LS61AA|7|"], [str((1 << 40) + 1), "LS61AA|9|"]]
    assert [row[:2] for row in rows("phones")[1:]] == [[str(2 << 40), "+441134960000"]]
    assert [row[:2] for row in rows("has_address")[1:]] == [
        ["0", str(1 << 40)], ["1", str(1 << 40)], ["1", str((1 << 40) + 1)]]
    assert rows("has_phone")[1:] == [["0", str(2 << 40)], ["1", str(2 << 40)]]
    assert rows("related")[1:] == [["0", "1", "parent_of"], ["0", "2", "parent_of"], ["1", "0", "child_of"]]
    assert stager.address_uprns == {"LS61AA|7|": "100023336956"}  # a late value: set after the import
    assert "--id-type=integer" in stager.importer_arguments()
    assert not (tmp_path / "related.pending.csv").exists()
