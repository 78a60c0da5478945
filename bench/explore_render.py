"""Explorer page benchmark: first render of a 2-hop network of about 200 nodes in headless Chromium.

    .venv/bin/python bench/explore_render.py [--addresses 9] [--residents 21] [--runs 7] [--stop-db]

Target (issue 6): first render in under 1 s on this machine. Uses its own Neo4j (``/tmp/mg-bench-web``,
bolt port 7712; ``MASHGRAPH_BENCH_WEB_DATA_DIR`` / ``MASHGRAPH_BENCH_WEB_BOLT_PORT``), emptied and loaded
with a made-up network: one adult whose records give ``--addresses`` addresses (a man moving between
hostels and partners' homes), each shared by ``--residents`` other people (under the API's hub cap of
25 records per shared node, so every address is expanded). Two hops around him are him, his household,
the addresses and everyone living at them: about 200 nodes with the defaults.

The API runs as its own process (`mashgraph serve`); the page is opened by a deep link in a fresh
browser context each run (nothing cached), as an analyst would. The page marks the moment it sends the
network request, the moment the answer arrives and the moment the laid-out graph has been painted
(two animation frames after the layout stops); 'first render' is the first to the last, the figure
the target is about. Also reported: the API's share, the layout-and-paint share, and the time from
navigation start (which adds loading the page and its 0.6 MB script). The first run is reported apart
(a cold server). Nothing personal is printed: the data is made up.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.auth import issue_dev_token  # noqa: E402
from api.config import ApiSettings  # noqa: E402
from bench.harness import write_result  # noqa: E402
from graph_model.config import Settings  # noqa: E402
from graph_model.db import Database, connect  # noqa: E402
from graph_model.ingest import ingest_file  # noqa: E402
from graph_model.localdb import LocalNeo4j  # noqa: E402
from resolvers.pipeline import ResolveOptions, resolve_all  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT  # noqa: E402

DATA_DIR = Path(os.environ.get("MASHGRAPH_BENCH_WEB_DATA_DIR", "/tmp/mg-bench-web"))
BOLT_PORT = int(os.environ.get("MASHGRAPH_BENCH_WEB_BOLT_PORT", "7712"))
SECRET = "benchmark-only-development-key-not-for-production-web-0123456789"
GIVEN = ["Amir", "Bella", "Carys", "Dylan", "Ebony", "Farah", "Gethin", "Hana", "Idris", "Jade", "Kofi", "Lena", "Mason",
         "Nia", "Oren", "Priya", "Quinn", "Rhys", "Sana", "Tomasz", "Uma", "Viktor", "Wren", "Yusuf", "Zara"]
FAMILY = ["Adebayo", "Brennan", "Czarnecki", "Dervish", "Eriksen", "Fitzgerald", "Gallagher", "Haddad", "Iqbal", "Jovanovic",
          "Kowalczyk", "Lindqvist", "Mahmoud", "Nakamura", "Okonkwo", "Petrakis", "Quiroga", "Rasmussen", "Szabo", "Thorne"]
NETWORK = "query N($id: ID!) { network(personId: $id, hops: 2) { nodes { id } edges { kind } truncated } }"


def records(addresses: int, residents: int, seed: int = 6) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    names = rng.sample([(g, f) for g in GIVEN for f in FAMILY], addresses * residents)
    places = [{"line1": f"{n + 1} {street} Road", "town": "Leeds", "postcode": f"LS{n % 9 + 1} {n % 9 + 1}AB",
               "from": f"20{10 + n:02d}-01-01", **({"to": f"20{11 + n:02d}-01-01"} if n < addresses - 1 else {})}
              for n, street in enumerate(rng.sample(["Oak", "Ash", "Elm", "Birch", "Cedar", "Hazel", "Rowan", "Alder",
                                                     "Holly", "Maple", "Willow", "Larch"], addresses))]
    rows: list[dict[str, Any]] = [
        {"source": "housing", "source_id": "T-HUB", "given_name": "Mark", "family_name": "Ellison", "dob": "1979-04-11",
         "sex": "M", "addresses": places},
        {"source": "police", "source_id": "N-HUB", "given_name": "Mark", "family_name": "Ellison", "dob": "1979-04-11",
         "sex": "M", "addresses": places[-2:]},
    ]
    for i, (given, family) in enumerate(names):
        place = dict(places[i // residents])
        place.pop("to", None)
        rows.append({"source": rng.choice(["health", "education", "social_care", "housing"]), "source_id": f"R{i}",
                     "given_name": given, "family_name": family,
                     "dob": f"{rng.randint(1950, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                     "sex": rng.choice("MF"), "addresses": [place]})
    return rows


def prepare(settings: Settings, addresses: int, residents: int, work: Path) -> str:
    import orjson

    LocalNeo4j(settings).start()
    driver = connect(settings)
    try:
        db = Database(driver)
        db.ensure_schema()
        db.run("admin/delete_all_batch", {"batch_size": 10000})
        path = work / "records.jsonl"
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records(addresses, residents)))
        ingest_file(db, path)
        resolve_all(db, ResolveOptions(model_path=work / "model.json"))
        rows, _, _ = driver.execute_query(
            "MATCH (:Record {uid: 'housing:T-HUB'})-[:RESOLVES_TO]->(p:Person) RETURN p.id AS id")
        return str(rows[0]["id"])
    finally:
        driver.close()


def existing_hub(settings: Settings) -> str | None:
    LocalNeo4j(settings).start()
    driver = connect(settings)
    try:
        rows, _, _ = driver.execute_query(
            "MATCH (:Record {uid: 'housing:T-HUB'})-[:RESOLVES_TO]->(p:Person) RETURN p.id AS id")
        return str(rows[0]["id"]) if rows else None
    finally:
        driver.close()


def serve(settings: Settings, work: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    from tests.api.helpers import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MASHGRAPH_"))}
    env.update({"MASHGRAPH_ENV": "development", "MASHGRAPH_JWT_SECRET": SECRET, "MASHGRAPH_DATA_DIR": str(DATA_DIR),
                "MASHGRAPH_BOLT_PORT": str(BOLT_PORT), "MASHGRAPH_LINKAGE_MODEL": str(work / "model.json"),
                # Wide timeouts, so a busy shared machine yields a slow figure rather than no figure.
                "MASHGRAPH_REQUEST_TIMEOUT": "60", "MASHGRAPH_QUERY_TIMEOUT": "50"})
    command = [sys.executable, "-m", "api.cli.main", "serve", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return process, url, env
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("mashgraph serve did not start")
        time.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--addresses", type=int, default=9)
    parser.add_argument("--residents", type=int, default=21)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stop-db", action="store_true", help="stop the benchmark's Neo4j afterwards")
    parser.add_argument("--screenshot", help="save a screenshot of the rendered network to this PNG file")
    parser.add_argument("--reuse", action="store_true", help="keep the network already loaded, if there is one")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    settings = Settings(data_dir=DATA_DIR, bolt_port=BOLT_PORT, neo4j_heap="2g", neo4j_pagecache="512m")
    work = DATA_DIR.parent / f"{DATA_DIR.name}-work"
    work.mkdir(parents=True, exist_ok=True)
    hub = existing_hub(settings) if options.reuse else None
    hub = hub or prepare(settings, options.addresses, options.residents, work)
    process, url, env = serve(settings, work)
    try:
        api = ApiSettings.from_mapping(env, database=settings)
        token = issue_dev_token(api, user="bench", agency="mash", role="analyst", ttl=3600)
        expected = httpx.post(f"{url}/graphql", json={"query": NETWORK, "variables": {"id": hub}}, timeout=60,
                              headers={"Authorization": f"Bearer {token}", "X-Purpose": "mash_enquiry"}).json()
        network = expected["data"]["network"]
        link = f"{url}/explore#person={quote(hub)}&token={quote(token)}&purpose=mash_enquiry"
        runs: list[dict[str, float]] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            for _ in range(options.runs):
                context = browser.new_context(viewport=VIEWPORT)
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                page.goto(link)
                page.wait_for_selector("#graph[data-state=ready], #graph[data-state=error]", timeout=120_000)
                if page.get_attribute("#graph", "data-state") == "error":
                    raise SystemExit(f"the page reported: {page.inner_text('#status')}")
                drawn = int(page.get_attribute("#graph", "data-node-count") or 0)
                assert drawn == len(network["nodes"]), (drawn, len(network["nodes"]))
                marks = page.evaluate("() => Object.fromEntries(performance.getEntriesByType('mark')"
                                      ".map(m => [m.name, m.startTime]))")
                # The renderer's main-thread busy time for the whole visit (Chrome's own counters): the work
                # done, which a loaded machine stretches less than it stretches wall-clock time.
                metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                runs.append({"first_render_ms": marks["mg-network-rendered"] - marks["mg-network-start"],
                             "main_thread_busy_ms": metrics["TaskDuration"] * 1000,
                             "script_ms": metrics["ScriptDuration"] * 1000,
                             "api_ms": marks["mg-network-data"] - marks["mg-network-start"],
                             "layout_and_paint_ms": marks["mg-network-rendered"] - marks["mg-network-data"],
                             "layout_ms": marks["mg-layout-done"] - marks["mg-network-added"],
                             "from_navigation_ms": marks["mg-network-rendered"]})
                if options.screenshot:
                    page.screenshot(path=options.screenshot)
                context.close()
            browser.close()
    finally:
        process.terminate()
        process.wait(30)
        if options.stop_db:
            LocalNeo4j(settings).stop()
    warm = runs[1:] or runs

    def summary(key: str) -> dict[str, float]:
        values = [r[key] for r in warm]
        return {"median": round(statistics.median(values), 1), "min": round(min(values), 1), "max": round(max(values), 1)}

    result = {"nodes": len(network["nodes"]), "edges": len(network["edges"]), "truncated": network["truncated"],
              "runs": len(runs), "cold_first_run": {k: round(v, 1) for k, v in runs[0].items()},
              "warm": {key: summary(key) for key in runs[0]}, "target_first_render_ms": 1000,
              "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
              "chromium": str(CHROMIUM)}
    path = write_result("explore-render", result)
    print(f"2-hop network: {result['nodes']} nodes, {result['edges']} edges (truncated: {result['truncated']})")
    print(f"first render (request sent -> graph painted), warm median {result['warm']['first_render_ms']['median']} ms "
          f"[min {result['warm']['first_render_ms']['min']}, max {result['warm']['first_render_ms']['max']}]; "
          f"API {result['warm']['api_ms']['median']} ms, layout+paint {result['warm']['layout_and_paint_ms']['median']} ms "
          f"(layout {result['warm']['layout_ms']['median']} ms); "
          f"from navigation {result['warm']['from_navigation_ms']['median']} ms; cold first run "
          f"{result['cold_first_run']['first_render_ms']} ms; renderer main thread busy "
          f"{result['warm']['main_thread_busy_ms']['median']} ms for the whole visit; load average {result['load_average']}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
