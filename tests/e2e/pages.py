"""What the tests do on the pages, as a person would: sign in, open, wait for the graph, read what it shows."""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import Locator, Page

from tests.e2e.conftest import Served

NETWORK = """query N($id: ID!, $hops: Int!) { network(personId: $id, hops: $hops) {
  nodes { id kind label agencies heldElsewhere { agency { code } contact } } edges { source target kind } } }"""


def deep_link(served: Served, person_id: str, *, agency: str, role: str, purpose: str) -> str:
    token = served.token(agency=agency, role=role)
    return f"{served.url}/explore#person={quote(person_id)}&token={quote(token)}&purpose={quote(purpose)}"


def sign_in(page: Page, served: Served, path: str, *, agency: str, role: str, purpose: str) -> None:
    page.goto(f"{served.url}{path}")
    page.get_by_label("Access token").fill(served.token(agency=agency, role=role))
    page.get_by_label("Purpose").select_option(purpose)
    page.get_by_role("button", name="Sign in").click()


def wait_ready(page: Page) -> int:
    """Wait until the graph has finished loading and laying out; the number of nodes drawn."""
    page.wait_for_selector("#graph[data-state=ready]")
    return int(page.get_attribute("#graph", "data-node-count") or "-1")


def node_button(page: Page, node_id: str) -> Locator:
    """A node's entry in the keyboard-accessible list of nodes in view."""
    if page.locator("#node-list-box[open]").count() == 0:
        page.locator("#node-list-box summary").click()
    return page.locator(f'#node-list button[data-node-id="{node_id}"]')


def drawn_ids(page: Page) -> list[str]:
    """The ids of the nodes in view, from the node list (sorted)."""
    return sorted(page.eval_on_selector_all("#node-list button[data-node-id]", "els => els.map(e => e.dataset.nodeId)"))
