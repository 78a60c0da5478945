"""The project-managed Neo4j + GDS: GDS through Cypher and the Python client, persistence."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from neo4j import Driver

from graph_model.config import Settings
from graph_model.db import Database
from graph_model.gds import gds_client
from graph_model.localdb import LocalNeo4j
from graph_model.localdb.server import _is_signature_file, unsign_jar


def test_server_reports_versions(db: Database) -> None:
    row = db.run("status/versions")[0]
    assert row["version"].startswith("5.26")
    assert row["gds_version"].startswith("2.13")


def test_gds_python_client_projects_and_runs_wcc(db: Database, driver: Driver) -> None:
    driver.execute_query("CREATE (:T {i: 1})-[:L]->(:T {i: 2}), (:T {i: 3})")
    gds = gds_client(driver)
    assert gds is not None
    graph, result = gds.graph.project.native("test-wcc", "T", "L", overwrite=True)
    try:
        assert result.node_count == 3
        components = gds.wcc.stream(graph, log_progress=False)
        assert components["componentId"].nunique() == 2
    finally:
        graph.drop()


def test_server_is_bound_to_loopback_only(test_settings: Settings) -> None:
    if test_settings.external:
        pytest.skip("external database")
    conf = (test_settings.local_home / "conf" / "neo4j.conf").read_text()
    assert "server.default_listen_address=127.0.0.1" in conf
    assert "server.http.enabled=false" in conf
    assert (test_settings.local_home / "mashgraph-credentials.json").stat().st_mode & 0o077 == 0


def test_server_bounds_its_transaction_logs(db: Database, test_settings: Settings) -> None:
    # Neo4j's default keeps two days of transaction logs whatever their size (a full resolve of a million records
    # writes GBs); the local server runs with the configured bound, which Neo4j accepted at start.
    if test_settings.external:
        pytest.skip("external database")
    rows, _, _ = db.driver.execute_query("SHOW SETTINGS YIELD name, value "
                                         "WHERE name = 'db.tx_log.rotation.retention_policy' RETURN value")
    assert [row["value"] for row in rows] == [test_settings.neo4j_tx_log_retention] == ["2 days 2G"]


@pytest.mark.slow
def test_data_persists_across_stop_and_start(db: Database, test_settings: Settings) -> None:
    if test_settings.external:
        pytest.skip("external database")
    db.driver.execute_query("CREATE (:Record {uid: 'persist:1', source: 'persist', source_id: '1'})")
    server = LocalNeo4j(test_settings)
    assert server.stop() is True
    assert server.state().running is False
    assert server.stop() is False
    assert server.start() is True
    assert server.start() is False  # idempotent
    records, _, _ = db.driver.execute_query("MATCH (r:Record {uid: 'persist:1'}) RETURN count(r) AS n")
    assert records[0]["n"] == 1



def test_generated_passwords_are_never_taken_for_options() -> None:
    """Regression: a password starting with '-' made `neo4j-admin dbms set-initial-password` fail."""
    from graph_model.localdb.server import new_password

    passwords = [new_password() for _ in range(5000)]
    assert not [p for p in passwords if p.startswith("-")]
    assert len(set(passwords)) == len(passwords) and min(len(p) for p in passwords) >= 32


def _jar(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as jar:
        for name, data in entries.items():
            jar.writestr(name, data)


def test_unsign_jar_removes_only_the_signature(tmp_path: Path) -> None:
    """A signed jar makes every JVM start verify it and hash each class loaded from it; the signature files and
    the manifest's digest-only sections go, everything else stays byte for byte (CRLF manifest, folded lines)."""
    long_name = "org/example/" + "deep/" * 20 + "Thing.class"
    folded = f"Name: {long_name}"
    folded = "\r\n ".join(folded[i:i + 70] for i in range(0, len(folded), 70))
    manifest = ("Manifest-Version: 1.0\r\nCreated-By: test\r\n\r\n"
                f"{folded}\r\nSHA-256-Digest: abc=\r\n\r\n"
                "Name: org/example/sealed/\r\nSealed: true\r\n\r\n"
                "Name: org/example/Other.class\r\nSHA-256-Digest: def=\r\nSHA1-Digest: ghi=\r\n\r\n").encode()
    kept = {"META-INF/": b"", "META-INF/services/org.example.Api": b"org.example.Impl\n",
            long_name: b"\xca\xfe\xba\xbe" + bytes(range(256)), "org/example/Other.class": b"\xca\xfe\xba\xbe"}
    jar = tmp_path / "signed.jar"
    _jar(jar, {"META-INF/MANIFEST.MF": manifest, **kept, "META-INF/PUBLISHER.SF": b"sig",
               "META-INF/PUBLISHER.RSA": b"key", "META-INF/SIG-OTHER": b"x"})

    assert unsign_jar(jar) is True
    with zipfile.ZipFile(jar) as unsigned:
        assert unsigned.namelist() == ["META-INF/MANIFEST.MF", *kept]
        assert {name: unsigned.read(name) for name in kept} == kept
        assert unsigned.read("META-INF/MANIFEST.MF") == (b"Manifest-Version: 1.0\r\nCreated-By: test\r\n\r\n"
                                                          b"Name: org/example/sealed/\r\nSealed: true\r\n\r\n")
    assert unsign_jar(jar) is False  # unsigned now: left as it is


def test_provisioned_home_holds_no_signed_jar(db: Database, test_settings: Settings) -> None:
    if test_settings.external:
        pytest.skip("external database")
    jars = [*(test_settings.local_home / "lib").glob("*.jar"), *(test_settings.local_home / "plugins").glob("*.jar")]
    assert len(jars) > 100
    signed = []
    for jar in jars:
        with zipfile.ZipFile(jar) as archive:
            if any(_is_signature_file(name) for name in archive.namelist()):
                signed.append(jar.name)
    assert signed == []
