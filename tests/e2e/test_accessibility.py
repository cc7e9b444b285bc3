"""Every page of every role at phone width, as axe-core, a finger and a reader see it.

One browser context per role logs in through the form and opens every page
reachable from its menu (breadth first, one page per route), then the menu
unfolded; logged out: the login page, a box's public page, the page to type a
code, the return points' page. On each page axe-core (vendored under
tests/e2e/vendor, injected here, never fetched) runs, the links and buttons used
at work are measured, and the visible text is kept. The tests then ask: no serious or critical axe
violation; links of menus, lists and tables, and buttons, 44 px tall at least;
no stored code (an anomaly such as `skipped_lend`, a state such as `in_use`, a
container type such as `bocal-500`) where a person reads.

Test-output/axe.json lists every violation, whatever its impact, by page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from bouteilles.vocabulary import VOCABULARY

from .conftest import DEMO_PASSWORD, OUTPUT, PHONE, demo_email, log_in

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
EVENT_ORGANISER = "fete-des-vins-e2e"
LOGGED_OUT = "logged_out"
# The demo organisation whose user plays each role (the demo has no event organiser:
# the module adds one).
ROLES = {
    "restaurant": "resto-le-comptoir",
    "collector": "jura-collecte",
    "washing_site": "lavage-lons",
    "winegrower": "domaine-des-marnes",
    "collection_point": "cave-du-centre",
    "coordinator": "coop-jura",
    "event_organiser": EVENT_ORGANISER,
}
# Links that are not pages to read: files, the API, the language switch, public pages.
NOT_PAGES = re.compile(r"^/(api|exports|static|lang|logout|q)(/|$)"
                       r"|\.(pdf|png|svg|csv|json|jsonld)$")
TOLERATED_AXE: dict[str, set[str]] = {}  # endpoint → axe rules let pass (none now)
TOLERATED_TYPE_CODES = {
    "admin.type_edit",  # the type's own page names its code, labelled, for the API and CLI
}
# What a finger taps at work: the menus' links and button, buttons, and the links
# of lists and tables. (A link inside a sentence follows the text.)
TARGETS = ("header a, header summary, header button, main button, main .button,"
           " main input[type=submit], main td a, main th a, main li a, main nav a")
MEASURE = """selector => [...document.querySelectorAll(selector)].flatMap(el => {
  const box = el.getBoundingClientRect();
  if (!box.width || !box.height || box.height >= 44) return [];
  return [`${el.tagName.toLowerCase()} "${(el.innerText || el.value || '').trim().slice(0, 40)}"`
          + ` ${Math.round(box.height)} px`];
})"""


@dataclass
class Visit:
    url: str
    endpoint: str | None
    violations: list[dict]
    text: str
    small_targets: list[str] = field(default_factory=list)
    menu_open: bool = False

    @property
    def path(self) -> str:
        return urlsplit(self.url).path + (" (menu open)" if self.menu_open else "")

    def blocking(self) -> list[dict]:
        tolerated = TOLERATED_AXE.get(self.endpoint, set())
        return [v for v in self.violations
                if v["impact"] in BLOCKING and v["id"] not in tolerated]


@dataclass
class Crawl:
    visits: list[Visit] = field(default_factory=list)

    def report(self) -> list[dict]:
        return [{"url": visit.path,
                 "violations": [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
                                for v in visit.violations]} for visit in self.visits]


def describe(violation: dict) -> str:
    nodes = violation["nodes"]
    lines = [f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
             f"({len(nodes)} element{'s' if len(nodes) > 1 else ''}) {violation['helpUrl']}"]
    for node in nodes[:4]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {' '.join(map(str, node['target']))} — {summary[:240]}")
    return "\n".join(lines)


def run_axe(page) -> list[dict]:
    """The page's axe violations, as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]


def endpoint_of(app, url: str) -> str | None:
    """The route a link of the app opens (None: not a page to visit)."""
    path = urlsplit(url).path
    if NOT_PAGES.search(path):
        return None
    try:
        return app.url_map.bind("localhost").match(path, method="GET")[0]
    except HTTPException:
        return None


def visit(page, app, url: str, *, menu_open: bool = False) -> Visit:
    if not menu_open:
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
    return Visit(page.url, endpoint_of(app, page.url), run_axe(page),
                 page.evaluate("document.body.innerText"), page.evaluate(MEASURE, TARGETS),
                 menu_open=menu_open)


def links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(a => a.getAttribute('href'))")
    return [href for href in hrefs if href and href.startswith("/") and not href.startswith("//")]


def new_context(browser, live_server):
    # axe is injected as an inline script, which the app's Content-Security-Policy refuses.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True,
                                  has_touch=True, locale="fr-FR", timezone_id="Europe/Paris",
                                  permissions=["camera"], bypass_csp=True)
    context.set_default_timeout(15_000)
    context.route(re.compile(r"^https://tile\.openstreetmap\.org/"), lambda route: route.abort())
    return context


def crawl_role(browser, live_server, org_code: str) -> Crawl:
    """Every page reachable from the menu, once per route; then the menu unfolded."""
    app = live_server.app
    context = new_context(browser, live_server)
    page = context.new_page()
    crawl = Crawl()
    try:
        log_in(page, org_code)
        seen: set[str] = set()
        queue: list[str] = []

        def follow(selector: str) -> None:
            for link in links(page, selector):
                endpoint = endpoint_of(app, link)
                if endpoint and endpoint not in seen:
                    seen.add(endpoint)
                    queue.append(link)

        follow("header a[href]")
        while queue:
            crawl.visits.append(visit(page, app, queue.pop(0)))
            follow("main a[href]")
        page.goto("/")
        page.locator("header details.menu > summary").click()
        crawl.visits.append(visit(page, app, "/", menu_open=True))
    finally:
        context.close()
    return crawl


def crawl_logged_out(browser, live_server) -> Crawl:
    """The login page, a box's public page (one out with a customer), the code form,
    the return points' page (its map's tiles refused)."""
    from bouteilles.db.database import get_session
    from bouteilles.models import Container

    with live_server.app.app_context():
        code = get_session().scalar(select(Container.code).where(Container.state == "in_use")
                                    .order_by(Container.cycles.desc(), Container.id))
    context = new_context(browser, live_server)
    page = context.new_page()
    try:
        return Crawl([visit(page, live_server.app, url)
                      for url in ("/login", f"/q/{code}", "/q", "/ou-rapporter")])
    finally:
        context.close()


@pytest.fixture(scope="module")
def event_organiser(live_server):
    """An event organiser for this module, taken out of the network again after it."""
    from bouteilles.db.database import get_session
    from bouteilles.models import Organisation
    from bouteilles.services.members.accounts import create_org, create_user

    with live_server.app.app_context():
        session = get_session()
        org = create_org(session, code=EVENT_ORGANISER, name="Fête des vins (e2e)",
                         kind="event_organiser", address="Place de la Liberté, Lons")
        create_user(session, email=demo_email(EVENT_ORGANISER), org=org, password=DEMO_PASSWORD)
        session.commit()
    yield EVENT_ORGANISER
    with live_server.app.app_context():
        session = get_session()
        session.scalar(select(Organisation).where(Organisation.code == EVENT_ORGANISER)) \
            .active = False
        session.commit()


@pytest.fixture(scope="module")
def crawls(browser, live_server, event_organiser):
    """crawls(role): that role's crawl, made once for the module's tests."""
    done: dict[str, Crawl] = {}

    def crawl(role: str) -> Crawl:
        if role not in done:
            done[role] = (crawl_logged_out(browser, live_server) if role == LOGGED_OUT
                          else crawl_role(browser, live_server, ROLES[role]))
        return done[role]

    yield crawl
    OUTPUT.mkdir(parents=True, exist_ok=True)
    report = {role: made.report() for role, made in done.items()}
    (OUTPUT / "axe.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))


def stored_codes(app) -> tuple[re.Pattern, set[str]]:
    """A pattern of the stored codes a person should never read (the vocabulary's
    codes with an underscore, the container types' codes), and the type codes."""
    from bouteilles.db.database import get_session
    from bouteilles.models import ContainerType

    with app.app_context():
        types = set(get_session().scalars(select(ContainerType.code)))
    words = {term.code for terms in VOCABULARY.values() for term in terms if "_" in term.code}
    alternatives = "|".join(sorted(map(re.escape, words | types), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])"), types


PAGES = [*ROLES, LOGGED_OUT]


@pytest.mark.parametrize("role", PAGES)
def test_no_serious_axe_violation(crawls, role):
    crawl = crawls(role)
    assert len(crawl.visits) >= 3
    failures = [f"{visit.path}\n{describe(violation)}"
                for visit in crawl.visits for violation in visit.blocking()]
    assert not failures, f"{role}: serious or critical axe violations\n" + "\n".join(failures)


@pytest.mark.parametrize("role", PAGES)
def test_links_and_buttons_used_at_work_are_44px_tall(crawls, role):
    small = [f"{visit.path}: {target}" for visit in crawls(role).visits
             for target in visit.small_targets]
    assert not small, f"{role}: targets under 44 px\n" + "\n".join(small)


@pytest.mark.parametrize("role", PAGES)
def test_no_stored_code_shown_as_text(crawls, live_server, role):
    pattern, type_codes = stored_codes(live_server.app)
    shown = sorted({(visit.path, match.group(1)) for visit in crawls(role).visits
                    for match in pattern.finditer(visit.text)
                    if not (match.group(1) in type_codes
                            and visit.endpoint in TOLERATED_TYPE_CODES)})
    assert not shown, f"{role}: stored codes shown as text: {shown}"
