"""Provision, start, stop and inspect the project-managed Neo4j server.

Why this route: the machines this is built on have no Docker, but reach Maven Central. Neo4j
Community and OpenGDS are published there, so ``mvn dependency:copy-dependencies`` on the shipped
``pom.xml`` assembles a server home: every jar in ``lib/``, the GDS jars also in ``plugins/`` (GDS
finds its extensions through ServiceLoader on the classpath *and* needs the plugin folder). The
server is Neo4j's own entry point ``org.neo4j.server.CommunityEntryPoint``, as ``bin/neo4j`` runs it.

Security: Bolt listens on 127.0.0.1 only, HTTP is off, authentication is on with a random password
set before the first start (``neo4j-admin dbms set-initial-password``) and kept in a 0600 file in
the server home.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from graph_model.config import Settings
from graph_model.errors import DatabaseError
from graph_model.processes import process_alive

NEO4J_VERSION = "5.26.24"
GDS_VERSION = "2.13.9"

_JAVA_OPENS = [
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.util.stream=ALL-UNNAMED",
    "--add-opens=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
]
_CREDENTIALS_FILE = "mashgraph-credentials.json"
_PROVISIONED_MARKER = f"provisioned-neo4j-{NEO4J_VERSION}-gds-{GDS_VERSION}"
# Present while an offline bulk import replaces the (empty) database: if the import is killed, the next
# start finds it and empties the half-imported database rather than serving it.
_BULK_IMPORT_MARKER = "bulk-import-incomplete"
# Present once the home's jars have had their publishers' signatures removed (see unsign_jar).
_UNSIGNED_MARKER = "jars-unsigned-1"
_SIGNATURE_FILE_SUFFIXES = (".SF", ".RSA", ".DSA", ".EC")


@dataclass(frozen=True, slots=True)
class ServerState:
    running: bool
    pid: int | None
    bolt_uri: str
    home: Path


class LocalNeo4j:
    """The local server living in ``settings.local_home``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.local_home
        self.pid_file = self.home / "run" / "mashgraph-neo4j.pid"
        self.console_log = self.home / "logs" / "console.log"

    # ---------------------------------------------------------------- provisioning
    @property
    def provisioned(self) -> bool:
        return (self.home / _PROVISIONED_MARKER).exists()

    def provision(self, log: Callable[[str], None] = lambda _msg: None) -> None:
        """Fetch the jars (first time only; Maven caches them in ~/.m2) and write the config."""
        for sub in ("lib", "plugins", "conf", "data", "logs", "run"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        if not self.provisioned:
            mvn = shutil.which("mvn")
            if mvn is None:
                raise DatabaseError("Maven (mvn) is needed to fetch Neo4j and GDS", hint="apt-get install maven")
            pom = self.home / "pom.xml"
            pom.write_bytes(resources.files("graph_model.localdb").joinpath("pom.xml").read_bytes())
            log(f"fetching Neo4j {NEO4J_VERSION} and GDS {GDS_VERSION} jars with Maven (first run: ~130 MB)")
            for target, extra in (("lib", []), ("plugins", ["-DincludeGroupIds=org.neo4j.gds"])):
                self._run(
                    [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                     "-DincludeScope=runtime", f"-DoutputDirectory={self.home / target}", *extra],
                    what=f"mvn copy-dependencies into {target}/",
                )
            (self.home / _PROVISIONED_MARKER).write_text("ok\n")
        if not (self.home / _UNSIGNED_MARKER).exists():  # also a home provisioned before this step existed
            for jar in sorted([*(self.home / "lib").glob("*.jar"), *(self.home / "plugins").glob("*.jar")]):
                unsign_jar(jar)
            (self.home / _UNSIGNED_MARKER).write_text("ok\n")
        self._write_config()
        if not (self.home / _CREDENTIALS_FILE).exists():
            self._set_initial_password()

    def _write_config(self) -> None:
        h = self.home
        lines = [
            "# Written by mashgraph; regenerated on every start.",
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.settings.bolt_port}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            f"server.directories.data={h / 'data'}",
            f"server.directories.plugins={h / 'plugins'}",
            f"server.directories.logs={h / 'logs'}",
            f"server.directories.run={h / 'run'}",
            f"server.memory.pagecache.size={self.settings.neo4j_pagecache}",
            "dbms.security.auth_enabled=true",
            "dbms.security.procedures.unrestricted=gds.*",
            "dbms.usage_report.enabled=false",
            # Queries are logged without parameter values: parameters carry personal data.
            "db.logs.query.parameter_logging_enabled=false",
            "db.transaction.timeout=0",
            f"db.tx_log.rotation.retention_policy={self.settings.neo4j_tx_log_retention}",
        ]
        (h / "conf" / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _set_initial_password(self) -> None:
        password = new_password()
        self._run(
            [self._java(), "-cp", f"{self.home / 'lib'}/*", "org.neo4j.cli.AdminTool",
             "dbms", "set-initial-password", password],
            what="neo4j-admin dbms set-initial-password",
            env={**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")},
        )
        path = self.home / _CREDENTIALS_FILE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"user": "neo4j", "password": password}, fh)

    def credentials(self) -> tuple[str, str]:
        path = self.home / _CREDENTIALS_FILE
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise DatabaseError(
                f"the local Neo4j in {self.home} has not been set up", hint="run `mashgraph db start`"
            ) from None
        return data["user"], data["password"]

    # ---------------------------------------------------------------- process control
    def state(self) -> ServerState:
        pid = self._pid()
        return ServerState(running=pid is not None, pid=pid, bolt_uri=self.settings.bolt_uri, home=self.home)

    def start(self, timeout: float = 180.0, log: Callable[[str], None] = lambda _msg: None) -> bool:
        """Start the server and wait until Bolt and GDS answer. Returns False if it was already running."""
        self.provision(log)
        if self._pid() is not None:
            self.wait_ready(timeout)
            return False
        if (self.home / _BULK_IMPORT_MARKER).exists():
            self.discard_database()
            (self.home / _BULK_IMPORT_MARKER).unlink()
            log("an interrupted bulk import left an incomplete database: emptied it (it was empty before the "
                "import); run the bulk ingest again")
        if _port_open(self.settings.bolt_port):
            raise DatabaseError(
                f"port {self.settings.bolt_port} is taken by another process",
                hint="stop it, or set MASHGRAPH_BOLT_PORT to another port",
            )
        heap = self.settings.neo4j_heap
        command = [
            self._java(), f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
            *_JAVA_OPENS,
            # lib/ first: it holds every jar, GDS's too (plugins/ has copies, which GDS also needs as its plugin
            # folder); a class is looked up through the jars in order, and most are Neo4j's. Server start, three
            # interleaved pairs and two more (load 7-11): 13.0-14.5 -> 12.1-13.5 CPU s.
            "-cp", f"{self.home / 'lib'}/*:{self.home / 'plugins'}/*",
            "org.neo4j.server.CommunityEntryPoint",
            f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}",
        ]
        log(f"starting Neo4j {NEO4J_VERSION} with GDS {GDS_VERSION} on {self.settings.bolt_uri}")
        with open(self.console_log, "ab") as out:
            process = subprocess.Popen(
                command, cwd=self.home, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        try:
            self.wait_ready(timeout, process=process)
        except DatabaseError:
            self.stop()
            raise
        return True

    def wait_ready(self, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
        from graph_model.db import connect  # late: db imports the driver, not needed to stop a server

        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise DatabaseError(f"Neo4j exited with code {process.returncode} while starting:\n{self.log_tail()}")
            if _port_open(self.settings.bolt_port):
                try:
                    with connect(self.settings, check=False) as driver:
                        driver.execute_query("RETURN gds.version() AS v", database_=self.settings.neo4j_database)
                    return
                except Exception as exc:  # still starting up: retry until the deadline
                    last_error = exc
            # Often: a bulk import waits on this start, and a port check costs next to nothing.
            time.sleep(0.1)
        raise DatabaseError(f"Neo4j did not become ready in {timeout:.0f}s ({last_error}):\n{self.log_tail()}")

    def stop(self, timeout: float = 90.0) -> bool:
        """Stop the server. Returns False if it was not running."""
        pid = self._pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not process_alive(pid):
                break
            time.sleep(0.3)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def stop_for_bulk_import(self) -> float:
        """The first step of a bulk import, which may overlap preparing its files: mark the import as under
        way (a database left by an interrupted one is emptied at the next start) and stop the server.
        Returns the seconds the stop took."""
        (self.home / _BULK_IMPORT_MARKER).write_text("a bulk import is replacing the empty database\n")
        started = time.monotonic()
        self.stop()
        return time.monotonic() - started

    def cancel_bulk_import(self, timeout: float = 180.0, log: Callable[[str], None] = lambda _msg: None) -> None:
        """A bulk import given up before the importer ran: the database was not touched; start the server again."""
        (self.home / _BULK_IMPORT_MARKER).unlink(missing_ok=True)
        self.start(timeout=timeout, log=log)

    def bulk_import(self, arguments: list[str], report: Path, log: Callable[[str], None] = lambda _msg: None,
                    timeout: float = 180.0) -> None:
        """Replace the database with CSV files by ``neo4j-admin database import full`` (``arguments``: the
        --nodes/--relationships/format options). The caller has checked that the database is empty: on
        failure it is left empty again, and the server runs in either case."""
        marker = self.home / _BULK_IMPORT_MARKER
        marker.write_text("a bulk import is replacing the empty database\n")
        started = time.monotonic()
        self.stop()
        log(f"server stopped in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        # 2 GB off heap rather than 1: the importer links relationships in fewer passes (a million demo records:
        # linking 4-6 s instead of 7-9 s, same CPU; measured under load 9-19).
        command = [
            self._java(), "-Xmx1g", *_JAVA_OPENS, "-cp", f"{self.home / 'lib'}/*", "org.neo4j.cli.AdminTool",
            "database", "import", "full", "--overwrite-destination=true", "--skip-bad-relationships=false",
            f"--threads={max(2, os.cpu_count() or 2)}", "--max-off-heap-memory=2g",
            f"--report-file={report}", *arguments, self.settings.neo4j_database,
        ]
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}
        try:
            self._run(command, what="neo4j-admin database import full", env=env)
        except DatabaseError:
            self.discard_database()
            marker.unlink(missing_ok=True)
            self.start(timeout=timeout, log=log)
            raise
        marker.unlink(missing_ok=True)
        log(f"neo4j-admin import took {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        self.start(timeout=timeout, log=log)
        log(f"server started in {time.monotonic() - started:.1f} s")

    def discard_database(self) -> None:
        """Remove the default database's store and transaction logs (server stopped); Neo4j creates it empty
        on start. Faster than deleting a million records through Cypher."""
        for folder in ("databases", "transactions"):
            shutil.rmtree(self.home / "data" / folder / self.settings.neo4j_database, ignore_errors=True)

    def log_tail(self, lines: int = 15) -> str:
        path = self.home / "logs" / "neo4j.log"
        if not path.exists():
            path = self.console_log
        if not path.exists():
            return "(no log yet)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # ---------------------------------------------------------------- helpers
    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if not process_alive(pid) or not _is_our_server(pid, self.home):
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def _java(self) -> str:
        candidates = []
        if self.settings.java_home:
            candidates.append(self.settings.java_home / "bin" / "java")
        for jvm in ("java-17-openjdk-amd64", "java-21-openjdk-amd64", "java-17-openjdk-arm64", "java-21-openjdk-arm64"):
            candidates.append(Path("/usr/lib/jvm") / jvm / "bin" / "java")
        for candidate in candidates:
            if candidate.exists():
                return str(candidate)
        found = shutil.which("java")
        if found is None:
            raise DatabaseError("Java 17 or 21 is needed to run Neo4j 5.26", hint="apt-get install openjdk-17-jre-headless")
        return found

    def _run(self, command: list[str], what: str, env: dict[str, str] | None = None) -> None:
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=self.home)
        if result.returncode != 0:
            # The tools' output can quote data values (the importer names offending address keys), so it is kept
            # in a file only the server's owner can read, never echoed into messages or logs.
            report = self.home / "logs" / "last-admin-failure.txt"
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(result.stdout + result.stderr)
            report.chmod(0o600)
            raise DatabaseError(f"{what} failed (exit {result.returncode}); its output is in {report}")


def unsign_jar(jar: Path) -> bool:
    """Remove a jar's signature (its ``META-INF/*.SF`` and key files, and the manifest sections that only list
    digests of its entries); True if it was signed. Every other entry is kept byte for byte.

    Why: eclipse-collections (two signed jars, 12 MB, used by Neo4j in every JVM it starts) makes the JVM check
    the signature when the jar is first read and hash every class it then loads from it: ~1.3 CPU s of each
    start of the importer, the server and neo4j-admin (a profile of the importer on a few records: a quarter
    of its samples). A signature on the class path grants nothing; the jars were fetched by Maven from Central."""
    with zipfile.ZipFile(jar) as source:
        entries = source.infolist()
        signature = [e for e in entries if _is_signature_file(e.filename)]
        if not signature:
            return False
        fd, temporary = tempfile.mkstemp(prefix=f".{jar.name}.", dir=jar.parent)
        os.close(fd)
        try:
            with zipfile.ZipFile(temporary, "w") as target:
                for entry in entries:
                    if _is_signature_file(entry.filename):
                        continue
                    data = source.read(entry)
                    if entry.filename.upper() == "META-INF/MANIFEST.MF":
                        data = _manifest_without_digests(data)
                    target.writestr(entry, data)
            os.replace(temporary, jar)  # a JVM that has the old file open keeps reading it
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return True


def _is_signature_file(name: str) -> bool:
    folder, _, base = name.upper().rpartition("/")
    return folder == "META-INF" and (base.endswith(_SIGNATURE_FILE_SUFFIXES) or base.startswith("SIG-"))


def _manifest_without_digests(manifest: bytes) -> bytes:
    """The manifest without its per-entry sections that hold nothing but digests (a signed jar's; 0.7 MB in
    eclipse-collections, parsed at every start); the main section and any other section kept as written."""
    newline = b"\r\n" if b"\r\n" in manifest else b"\n"
    kept = []
    for index, section in enumerate(manifest.split(newline + newline)):
        lines = section.replace(newline + b" ", b"").split(newline)  # a line starting with a space continues one
        names = [line.split(b":", 1)[0].strip().lower() for line in lines if line.strip()]
        if index and names and names[0] == b"name" and all(n.endswith(b"-digest") for n in names[1:]):
            continue
        kept.append(section)
    text = (newline + newline).join(kept)
    return text if text.endswith(newline) else text + newline  # the last attribute counts only when its line ends


def new_password() -> str:
    """A random password for the local server. Hex, not urlsafe base64: a password starting with "-"
    is read as an option by neo4j-admin, which then refuses to start."""
    return secrets.token_hex(24)


def _is_our_server(pid: int, home: Path) -> bool:
    """Guard against a stale pid file whose pid now belongs to another process."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return True  # no /proc: trust the pid file
    return "CommunityEntryPoint" in cmdline and str(home) in cmdline


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0
