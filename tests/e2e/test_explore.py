"""The analysts' network explorer in headless Chromium against `mashgraph serve` and the real graph."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page

from tests.api.seed import Seeded
from tests.e2e.conftest import Served, screenshot
from tests.e2e.pages import NETWORK, deep_link, drawn_ids, node_button, sign_in, wait_ready

ANALYST = {"agency": "mash", "role": "analyst", "purpose": "mash_enquiry"}
SOCIAL_CARE_S47 = {"agency": "social_care", "role": "practitioner", "purpose": "s47_enquiry"}
POLICE_S47 = {"agency": "police", "role": "practitioner", "purpose": "s47_enquiry"}


def test_deep_link_renders_the_network_and_leaves_no_token_behind(page: Page, served: Served, family: Seeded) -> None:
    ava = family.person("health:H-AVA")
    expected = served.graphql(NETWORK, {"id": ava, "hops": 2}, **ANALYST)["network"]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    link = deep_link(served, ava, **ANALYST)
    page.goto(link)
    assert wait_ready(page) == len(expected["nodes"])
    assert int(page.get_attribute("#graph", "data-edge-count") or 0) > 0
    screenshot(page, "explore-deep-link")
    token = link.split("token=")[1].split("&")[0]
    # The fragment is read and removed: the address bar and history keep neither token nor person id.
    assert page.url == f"{served.url}/explore"
    assert not any(token in url or ava in url for url in requests)
    storage = page.evaluate("() => ({local: localStorage.length, session: Object.keys(sessionStorage)})")
    assert storage == {"local": 0, "session": ["mashgraph.session"]}
    assert "Network of Ava Khan" in page.locator("#status").inner_text()


SEARCH = """query S($family: String, $given: String) { searchPeople(familyName: $family, givenName: $given, first: 20) {
  edges { node { person { id } } } } }"""
PATH = """query P($a: ID!, $b: ID!, $hops: Int!) {
  path(from: $a, to: $b, maxHops: $hops) { nodes { id } edges { kind } } }"""


def test_search_select_and_render(page: Page, served: Served, family: Seeded) -> None:
    sign_in(page, served, "/explore", **ANALYST)
    page.get_by_label("Given name").fill("Zak")
    page.get_by_label("Family name").fill("Khan")
    page.get_by_role("button", name="Search").click()
    found = served.graphql(SEARCH, {"family": "Khan", "given": "Zak"}, **ANALYST)["searchPeople"]["edges"]
    results = page.locator("#results button.result")
    results.first.wait_for()
    assert results.count() == len(found)
    zak = family.person("health:H-ZAK")
    assert results.first.get_attribute("data-person-id") == found[0]["node"]["person"]["id"] == zak
    screenshot(page, "explore-search")
    results.first.click()
    expected = served.graphql(NETWORK, {"id": zak, "hops": 2}, **ANALYST)["network"]
    assert wait_ready(page) == len(expected["nodes"])
    # The person's golden record and its provenance, and their timeline.
    node_button(page, zak).click()
    panel = page.locator("#details")
    panel.get_by_text("Zakariya", exact=False).first.wait_for()
    assert "from " in panel.locator(".provenance").first.inner_text()
    panel.get_by_role("tab", name="Timeline").click()
    assert panel.get_by_role("tabpanel").filter(has_text="Born").count() == 1
    assert "2012-11-02" in panel.locator(".timeline-list").inner_text()


def open_one_hop(page: Page, served: Served, person_id: str) -> None:
    """Sign in as the analyst, choose one hop, search for Ava Khan and open her from the results."""
    sign_in(page, served, "/explore", **ANALYST)
    page.get_by_label("Hops", exact=True).select_option("1")
    page.get_by_label("Family name").fill("Khan")
    page.get_by_label("Given name").fill("Ava")
    page.get_by_role("button", name="Search").click()
    page.locator(f'#results button.result[data-person-id="{person_id}"]').click()


def test_expand_a_person_adds_their_neighbours(page: Page, served: Served, family: Seeded) -> None:
    ava, sara = family.person("health:H-AVA"), family.person("health:H-SARA")
    open_one_hop(page, served, ava)
    one_hop = served.graphql(NETWORK, {"id": ava, "hops": 1}, **ANALYST)["network"]
    assert wait_ready(page) == len(one_hop["nodes"])
    around_sara = served.graphql(NETWORK, {"id": sara, "hops": 1}, **ANALYST)["network"]
    expected = {n["id"] for n in one_hop["nodes"]} | {n["id"] for n in around_sara["nodes"]}
    assert len(expected) > len(one_hop["nodes"])  # the test means something
    node_button(page, sara).click()
    page.locator("#graph").focus()
    page.keyboard.press("e")
    page.locator(f'#graph[data-node-count="{len(expected)}"]').wait_for()
    assert wait_ready(page) == len(expected)
    drawn = set(drawn_ids(page))
    assert drawn == expected
    screenshot(page, "explore-expanded")
    # Hide one node, then show it again.
    node_button(page, sara).click()
    page.get_by_role("button", name="Hide selected").click()
    assert page.get_attribute("#graph", "data-node-count") == str(len(expected) - 1)
    page.get_by_role("button", name="Show hidden (").click()
    page.locator(f'#graph[data-node-count="{len(expected)}"]').wait_for()


def test_held_and_hidden_records_for_a_restricted_role(page: Page, served: Served, family: Seeded) -> None:
    """Social care in a s47 enquiry: police's held record of Ava shows only as 'held' with police's contact."""
    ava = family.person("health:H-AVA")
    expected = served.graphql(NETWORK, {"id": ava, "hops": 2}, **SOCIAL_CARE_S47)["network"]
    held = next(n for n in expected["nodes"] if n["id"] == ava)["heldElsewhere"]
    assert held == [{"agency": {"code": "police"}, "contact": "police desk"}]
    page.goto(deep_link(served, ava, **SOCIAL_CARE_S47))
    assert wait_ready(page) == len(expected["nodes"])
    item = node_button(page, ava)
    assert "held by Police — contact police desk" in item.inner_text()
    item.click()
    box = page.locator("#details .held-box")
    box.wait_for()
    assert "police desk" in box.inner_text()
    screenshot(page, "explore-held-for-social-care")
    content = page.content() + page.locator("body").inner_text()
    assert family.markers["held_name"] not in content  # the held record's content never reaches the page

    # Police, owning the record, see it and no 'held' notice.
    page.goto(deep_link(served, ava, **POLICE_S47))
    wait_ready(page)
    assert "held by" not in node_button(page, ava).inner_text()


def test_edge_evidence_path_save_reopen_and_png(page: Page, served: Served, family: Seeded, tmp_path: Path) -> None:
    ava, lily = family.person("health:H-AVA"), family.person("health:H-LILY")
    open_one_hop(page, served, ava)
    wait_ready(page)
    # A link's evidence, reached from the person's panel with the keyboard.
    node_button(page, ava).click()
    page.locator("#details .links-in-view button", has_text="attends").first.click()
    evidence = page.locator("#details")
    evidence.get_by_text("Source records").wait_for()
    assert "education:P-AVA" in evidence.inner_text() and "Meanwood" in evidence.inner_text()
    screenshot(page, "explore-edge-evidence")
    # Shortest path to Lily (not in view): start from the selected Ava, end from the search results.
    node_button(page, ava).click()
    page.locator("#graph").focus()
    page.keyboard.press("s")
    page.get_by_label("Family name").fill("Fenwick")
    page.get_by_label("Given name").fill("Lily")
    page.get_by_role("button", name="Search").click()
    page.locator(f'#results button.path-to[data-person-id="{lily}"]').click()
    page.get_by_role("button", name="Find shortest path").click()
    expected = served.graphql(PATH, {"a": ava, "b": lily, "hops": 4}, **ANALYST)["path"]
    page.locator(f'#graph[data-path-length="{len(expected["edges"])}"]').wait_for()
    wait_ready(page)
    assert page.locator("#node-list li.onpath").count() == len(expected["nodes"])
    screenshot(page, "explore-path")
    before = drawn_ids(page)
    # Save the view: ids and positions, no names.
    with page.expect_download() as saved:
        page.get_by_role("button", name="Save view (JSON)").click()
    view_file = tmp_path / "view.json"
    saved.value.save_as(view_file)
    view = json.loads(view_file.read_text())
    assert sorted(view["nodes"]) == before and "Khan" not in view_file.read_text()
    # Clear, reopen, and the same nodes come back (asked of the API again, under the policy).
    page.get_by_role("button", name="Clear").click()
    assert page.get_attribute("#graph", "data-node-count") == "0"
    page.locator("#open").set_input_files(str(view_file))
    page.locator(f'#graph[data-node-count="{len(before)}"]').wait_for()
    wait_ready(page)
    assert drawn_ids(page) == before
    with page.expect_download() as png:
        page.get_by_role("button", name="Export PNG").click()
    picture = tmp_path / "network.png"
    png.value.save_as(picture)
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 10_000


def test_keyboard_labels_and_fit_at_1366x768(page: Page, served: Served, family: Seeded) -> None:
    ava = family.person("health:H-AVA")
    page.goto(deep_link(served, ava, **ANALYST))
    wait_ready(page)
    graph = page.locator("#graph")
    graph.focus()
    page.keyboard.press("ArrowRight")
    status = page.locator("#status").inner_text()
    assert status.split(":")[0] in {"Person", "Household", "Address", "Phone", "Email", "School"}
    page.keyboard.press("Enter")
    page.locator("#details:focus").wait_for()
    # Every form control has a label; the page does not scroll sideways at 1366 x 768.
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => !e.labels.length && !e.getAttribute('aria-label')).map(e => e.id)""")
    assert unlabelled == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.evaluate("document.documentElement.scrollHeight") <= 768


def test_behind_a_sign_in_proxy_the_page_needs_no_token(page: Page, served: Served, family: Seeded) -> None:
    """Production puts an OIDC proxy in front that adds the bearer token; the page then sends none itself."""
    sent: list[str | None] = []
    token = served.token(agency="mash", role="analyst")

    def proxy(route):  # type: ignore[no-untyped-def]  # what oauth2-proxy does with --set-authorization-header
        sent.append(route.request.headers.get("authorization"))
        route.continue_(headers={**route.request.headers, "authorization": f"Bearer {token}"})

    page.goto(f"{served.url}/explore")
    page.get_by_role("button", name="Sign in").click()  # no token pasted
    page.get_by_label("Given name").fill("Ava")
    page.get_by_label("Family name").fill("Khan")
    page.get_by_role("button", name="Search").click()  # without the proxy: refused, and sign-in shown again
    page.locator("#signin-status[data-kind=error]").wait_for()
    assert "token was refused" in page.locator("#signin-status").inner_text()
    page.route("**/graphql", proxy)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Search").click()
    page.locator("#results button.result").first.wait_for()
    assert sent and all(header is None for header in sent)
    assert "signed in by your organisation" in page.locator("#whoami").inner_text()
