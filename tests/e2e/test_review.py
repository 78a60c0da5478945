"""The stewards' review screen in headless Chromium: one item at a time, decisions through the steward API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from playwright.sync_api import Page

from graph_model.db import Database
from tests.api.seed import load, resolve
from tests.e2e.conftest import Served, screenshot
from tests.e2e.pages import sign_in
from tests.resolvers.test_pipeline import family_records

STEWARD = {"agency": "mash", "role": "steward", "purpose": "data_stewardship"}
QUEUE = """query Q { reviewQueue(first: 100) { totalCount edges { node { id kind
  link { a { source sourceId } b { source sourceId } weight explanation { weight } } } } } }"""
DECISIONS = """query D { stewardDecisions(first: 50) { edges { node { kind reason user records { source sourceId } } } } }"""


@pytest.fixture()
def khan_family(served: Served, driver: Driver, tmp_path: Path) -> Database:
    """The Khan family as five agencies hold it, resolved for real (again for each test: decisions change it)."""
    db = Database(driver)
    db.run("admin/delete_all_batch", {"batch_size": 10000})
    load(db, tmp_path, family_records())
    resolve(db, tmp_path)
    return db


def queue(served: Served) -> dict[str, Any]:
    return served.graphql(QUEUE, {}, **STEWARD)["reviewQueue"]  # type: ignore[no-any-return]


def pair(item: dict[str, Any]) -> set[str]:
    link = item["link"]
    return {f"{link['a']['source']}:{link['a']['sourceId']}", f"{link['b']['source']}:{link['b']['sourceId']}"}


def shown_item(page: Page) -> str:
    page.wait_for_selector("#item[data-state=ready]")
    return page.get_attribute("#item", "data-item-id") or ""


def test_a_steward_confirms_a_link_and_the_queue_advances(page: Page, served: Served, khan_family: Database) -> None:
    before = queue(served)
    first = before["edges"][0]["node"]
    assert first["kind"] == "UNCERTAIN_LINK" and before["totalCount"] >= 2
    sign_in(page, served, "/review", **STEWARD)
    assert shown_item(page) == first["id"]
    # Both records side by side, what differs highlighted, and the waterfall: a bar for the prior, each
    # comparison and the total.
    table = page.locator("table.side-by-side")
    for record in pair(first):
        assert record in table.inner_text()
    assert page.locator("table.side-by-side tr.differs").count() >= 1
    bars = page.locator(".waterfall svg rect")
    assert bars.count() == len(first["link"]["explanation"]) + 2
    assert page.locator(".others h3").count() >= 1
    screenshot(page, "review-item")
    page.get_by_label("Reason for your decision").fill("Same NHS number on the GP record; school confirms the name")
    page.get_by_role("button", name="Confirm: same person").click()
    page.wait_for_selector(f'#item[data-state=ready]:not([data-item-id="{first["id"]}"])')
    assert "Confirmed (decision sd_" in page.locator("#status").inner_text()
    after = queue(served)
    assert pair(first) not in [pair(e["node"]) for e in after["edges"] if e["node"]["link"]]
    assert after["totalCount"] < before["totalCount"]
    assert shown_item(page) == after["edges"][0]["node"]["id"]
    decisions = served.graphql(DECISIONS, {}, **STEWARD)["stewardDecisions"]["edges"]
    confirmed = [d["node"] for d in decisions if d["node"]["kind"] == "CONFIRM_LINK"]
    assert len(confirmed) == 1 and confirmed[0]["user"] == "e2e"
    assert {f"{r['source']}:{r['sourceId']}" for r in confirmed[0]["records"]} == pair(first)
    screenshot(page, "review-after-confirm")


def test_the_review_screen_works_from_the_keyboard(page: Page, served: Served, khan_family: Database) -> None:
    items = [e["node"] for e in queue(served)["edges"]]
    sign_in(page, served, "/review", **STEWARD)
    assert shown_item(page) == items[0]["id"]
    page.locator("#review").focus()
    page.keyboard.press("s")  # skip
    assert shown_item(page) == items[1]["id"]
    page.keyboard.press("r")  # reject, but no reason yet: the reason box takes the focus
    page.locator("#reason:focus").wait_for()
    assert "Type the reason" in page.locator("#status").inner_text()
    page.keyboard.type("Different people: dates of birth checked with both agencies")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#item[data-state=ready]:not([data-item-id="{items[1]["id"]}"])')
    decisions = served.graphql(DECISIONS, {}, **STEWARD)["stewardDecisions"]["edges"]
    rejected = [d["node"] for d in decisions if d["node"]["kind"] == "REJECT_LINK"]
    assert len(rejected) == 1 and rejected[0]["reason"] == "Different people: dates of birth checked with both agencies"
    assert {f"{r['source']}:{r['sourceId']}" for r in rejected[0]["records"]} == pair(items[1])
    # The skipped item is not shown again in this session.
    assert page.get_attribute("#item", "data-item-id") != items[0]["id"]
