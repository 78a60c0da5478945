"""The `mashgraph` command end to end, in a subprocess, against the real test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph_model.db import Database


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(args: list[str], env: dict[str, str]) -> Result:
    """Run the CLI in this process (so the suite sees which Cypher statements ran); env is already set."""
    from typer.testing import CliRunner

    from api.cli.main import app

    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"}, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def run_process(args: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "MASHGRAPH_DATA_DIR")}
    full_env.update(env)
    full_env["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-m", "api.cli.main", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=600)


def test_ingest_exit_codes_and_export(db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"source": "police", "source_id": "N1", "given_name": "Dan", "family_name": "Reed",
                                "identifiers": {"pnc_id": "19/0123456X"}}) + "\n")
    result = run(["ingest", str(good)], cli_env)
    assert result.returncode == 0, result.stderr
    assert "stored" in result.stdout

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"source": "police", "source_id": "N2", "given_name": "Amy"}) + "\n{oops\n")
    result = run(["ingest", str(bad)], cli_env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert (tmp_path / "bad.jsonl.rejected.jsonl").exists()

    out = tmp_path / "export.csv"
    result = run(["export", "--out", str(out)], cli_env)
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines() == ["source,source_id,person_id,household_id", "police,N1,,", "police,N2,,"]


def test_no_database_is_a_clear_failure(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"source": "police", "source_id": "N1", "given_name": "Dan"}) + "\n")
    env = {"NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x"}
    result = run_process(["ingest", str(good)], env)
    assert result.returncode == 1
    assert "not reachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_start_is_idempotent_and_status_counts(db: Database, cli_env: dict[str, str]) -> None:
    result = run(["db", "start"], cli_env)
    assert result.returncode == 0, result.stderr
    assert "already running" in result.stdout or "reachable" in result.stdout
    result = run(["db", "status"], cli_env)
    assert result.returncode == 0, result.stderr
    assert "5.26" in result.stdout and "2.13" in result.stdout


def test_db_reset_refuses_without_yes(db: Database, cli_env: dict[str, str]) -> None:
    db.driver.execute_query("CREATE (:Record {uid: 'x:1', source: 'x', source_id: '1'})")
    result = run(["db", "reset"], cli_env)
    assert result.returncode == 2
    records, _, _ = db.driver.execute_query("MATCH (n) WHERE NOT n:ResolveLock RETURN count(n) AS n")
    assert records[0]["n"] == 1
    result = run(["db", "reset", "--yes"], cli_env)
    assert result.returncode == 0, result.stderr
    records, _, _ = db.driver.execute_query("MATCH (n) WHERE NOT n:ResolveLock RETURN count(n) AS n")
    assert records[0]["n"] == 0


def test_explain_shows_the_street_of_an_address_without_a_house_number(
        db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    # Neither address picks out a dwelling (no house number, no UK postcode), so neither is an Address node;
    # their street and town still place both records on one street, and explain says so.
    records = [
        {"source": "health", "source_id": "H7", "given_name": "Jacob", "family_name": "Tilley",
         "addresses": [{"line1": "Studley Street", "line2": "Rose Vale", "town": "Riverwood"}]},
        {"source": "police", "source_id": "P7", "given_name": "Jacob", "family_name": "Tilley",
         "addresses": [{"line1": "Studley St", "town": "Riverwood"}]},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert run(["ingest", str(path)], cli_env).returncode == 0
    result = run(["resolve"], cli_env)
    assert result.returncode == 0, result.stdout + result.stderr
    from resolvers.pipeline import fetch_features

    streets = {f.uid: f.street_address for f in fetch_features(db)}
    assert streets["health:H7"] == streets["police:P7"] == "studley street|||riverwood"
    result = run(["explain", "health:H7", "police:P7"], cli_env)
    assert result.returncode == 0, result.stderr
    location = next(line for line in result.stdout.splitlines() if "location" in line)
    assert "similar_street" in location, result.stdout
    assert "riverwood" not in result.stdout.lower() and "studley" not in result.stdout.lower()


def test_formats_lists_jsonl_and_csv(cli_env: dict[str, str]) -> None:
    result = run(["formats"], cli_env)
    assert result.returncode == 0
    assert "jsonl" in result.stdout and "csv" in result.stdout


def test_resolve_then_explain_and_export(db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    records = [
        {"source": "health", "source_id": "H1", "given_name": "William", "family_name": "Ng", "dob": "2014-02-03",
         "addresses": [{"line1": "1 Elm Road", "postcode": "LS6 1AA"}]},
        {"source": "education", "source_id": "E1", "given_name": "Bill", "family_name": "Ng", "dob": "2014-03-02",
         "addresses": [{"line1": "1 Elm Rd", "postcode": "ls61aa"}]},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert run(["ingest", str(path)], cli_env).returncode == 0
    result = run(["resolve"], cli_env)
    assert result.returncode == 0, result.stdout
    assert "people 1" in result.stdout
    result = run(["explain", "health:H1", "education:E1"], cli_env)
    assert result.returncode == 0
    assert "nickname" in result.stdout and "day_month_swapped" in result.stdout
    assert "currently resolved to the same person" in result.stdout
    result = run(["explain", "health:H1", "health:NOPE"], cli_env)
    assert result.returncode == 1 and "no record health:NOPE" in result.stderr
    out = tmp_path / "export.csv"
    assert run(["export", "--out", str(out)], cli_env).returncode == 0
    rows = out.read_text().splitlines()[1:]
    person_ids = {row.split(",")[2] for row in rows}
    household_ids = {row.split(",")[3] for row in rows}
    assert len(person_ids) == 1 and person_ids != {""}
    assert len(household_ids) == 1 and household_ids != {""}


def test_ingest_incremental_resolves_each_record(db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    records = [
        {"source": "health", "source_id": "H1", "given_name": "William", "family_name": "Ng", "dob": "2014-02-03",
         "addresses": [{"line1": "1 Elm Road", "postcode": "LS6 1AA"}]},
        {"source": "education", "source_id": "E1", "given_name": "Bill", "family_name": "Ng", "dob": "2014-02-03",
         "addresses": [{"line1": "1 Elm Rd", "postcode": "ls61aa"}]},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run(["ingest", "--incremental", str(path)], cli_env)
    assert result.returncode == 0, result.stdout
    assert "resolved in real time" in result.stdout
    rows, _, _ = db.driver.execute_query("MATCH (r:Record)-[:RESOLVES_TO]->(p:Person) RETURN count(DISTINCT p) AS n")
    assert rows[0]["n"] == 1


@pytest.mark.slow
def test_demo_main_job(db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run(["demo", "--households", "30", "--out", str(tmp_path / "demo")], cli_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "records by agency" in result.stdout
    records, _, _ = db.driver.execute_query("MATCH (r:Record) WHERE r.stub IS NULL RETURN count(r) AS n")
    assert records[0]["n"] > 60
