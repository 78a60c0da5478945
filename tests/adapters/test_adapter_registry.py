"""The adapters register, are sniffed from their files, and ship only synthetic, well-formed test data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from graph_model.ingest import get_format, list_formats, sniff_format
from graph_model.normalise import is_valid_nhs_number, is_valid_upn
from tests.adapters.conftest import FIXTURES

DEFAULT_SOURCES = {"fhir": "health", "ctf": "education", "ssd": "social_care", "cin": "social_care",
                   "pole": "police", "housing": "housing"}


def test_every_adapter_is_registered_with_its_default_source() -> None:
    names = {fmt.name for fmt in list_formats()}
    assert set(DEFAULT_SOURCES) <= names and {"jsonl", "csv"} <= names
    for name, source in DEFAULT_SOURCES.items():
        fmt = get_format(name)
        assert fmt.default_source == source and fmt.maps and fmt.description


@pytest.mark.parametrize(("relative", "expected"), [
    ("fhir/bundle.json", "fhir"), ("fhir/patient_restricted.json", "fhir"), ("fhir/patients.ndjson", "fhir"),
    ("ctf/ctf_sample.xml", "ctf"), ("cin/cin_census.xml", "cin"),
    ("ssd/ssd_person.csv", "ssd"), ("ssd/ssd_linked_identifiers.csv", "ssd"),
    ("pole/pole_export.json", "pole"), ("pole/pole_export.ndjson", "pole"), ("pole/pole_persons.csv", "pole"),
    ("pole/pole_links.csv", "pole"), ("housing/tenancies.csv", "housing"),
    ("malformed/ctf_broken.xml", "ctf"), ("malformed/fhir_mixed.ndjson", "fhir"),
])
def test_formats_are_sniffed_from_name_and_first_bytes(relative: str, expected: str) -> None:
    assert sniff_format(FIXTURES / relative).name == expected


def test_generic_files_still_sniff_as_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text('{"source": "police", "source_id": "N1", "given_name": "A"}\n')
    assert sniff_format(jsonl).name == "jsonl"
    csv = tmp_path / "x.csv"
    csv.write_text("a,b\n1,2\n")
    assert sniff_format(csv).name == "csv"


def _fixture_texts() -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.rglob("*")) if p.is_file()]


def test_fixture_nhs_numbers_come_from_the_999_test_range() -> None:
    found = 0
    for path, text in _fixture_texts():
        for number in re.findall(r"(?<![0-9/])(\d{10})(?![0-9])", text):
            if path.parent.name in ("ctf",) or number.startswith(("48",)):
                continue  # ULNs (10 digits) in the CTF are not NHS numbers
            found += 1
            assert number.startswith("999"), f"{path.name}: {number[:3]}... is outside the 999 test range"
            assert is_valid_nhs_number(number), f"{path.name}: a fixture NHS number fails Modulus 11"
    assert found >= 10


def test_fixture_upns_have_valid_check_letters_except_where_meant_not_to() -> None:
    for path, text in _fixture_texts():
        for upn in re.findall(r"\b([A-Z]\d{11}[0-9A-Z])\b", text):
            assert is_valid_upn(upn), f"{path.name}: {upn} has a wrong check letter"


def test_mashgraph_formats_lists_the_adapters() -> None:
    result = subprocess.run([sys.executable, "-m", "api.cli.main", "formats"], capture_output=True, text=True,
                            env={"COLUMNS": "250", "PATH": "/usr/bin:/bin"}, timeout=120,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    for name in DEFAULT_SOURCES:
        assert re.search(rf"\b{name}\b", result.stdout), name
