"""The collection run: places waiting, what the collector holds, delivery."""

from datetime import timedelta

import pytest

from bouteilles.models import Container, utcnow
from bouteilles.services.errors import ValidationError
from bouteilles.services.pages import collector


@pytest.fixture
def returned_box(actors, make_container, scan):
    def make(holder_user, when=None):
        code = make_container(holder=holder_user.org)
        scan(holder_user, code, "lend", occurred_at=when)
        scan(holder_user, code, "return", occurred_at=when)
        return code

    return make


def test_places_with_returned_stock_by_type(session, actors, make_user, make_crate,
                                            returned_box):
    resto = actors["restaurant"]
    other = make_user("restaurant")
    for _ in range(3):
        returned_box(resto)
    returned_box(other)
    make_crate(quantity=120, holder=actors["collection_point"].org)
    page = collector.waiting_places(session)
    assert page.total == 3
    first = page.items[0]
    assert first.org.id == actors["collection_point"].org_id and first.total == 120
    by_org = {p.org.id: p for p in page.items}
    assert by_org[resto.org_id].total == 3
    assert [count for _name, count in by_org[resto.org_id].by_type] == [3]


def test_collect_then_held_with_age_then_deliver(session, actors, scan, returned_box,
                                                 make_crate):
    resto, van = actors["restaurant"], actors["collector"]
    site = actors["washing_site"]
    codes = [returned_box(resto, utcnow() - timedelta(days=3)) for _ in range(2)]
    crate = make_crate(quantity=50, holder=actors["collection_point"].org)
    two_days_ago = utcnow() - timedelta(days=2)
    scan(van, codes[0], "collect", occurred_at=two_days_ago)
    scan(van, codes[1], "collect")
    scan(van, crate, "collect")
    assert collector.waiting_places(session).total == 0
    held = collector.held(session, van.org_id)
    assert held.total == 3
    assert held.items[0].code == codes[0]  # oldest first
    assert held.items[0].since <= two_days_ago + timedelta(seconds=1)
    counts = dict(collector.held_counts(session, van.org_id))
    assert sum(counts.values()) == 52
    assert collector.deliver_all(session, actor=van, to=site.org.code) == 3
    assert collector.held(session, van.org_id).total == 0
    box = session.query(Container).filter_by(code=codes[0]).one()
    assert box.holder_id == site.org_id and box.state == "collected"
    with pytest.raises(ValidationError, match="Rien à livrer"):
        collector.deliver_all(session, actor=van, to=site.org.code)


def test_deliver_all_only_to_a_washing_site(session, actors, scan, returned_box):
    van = actors["collector"]
    scan(van, returned_box(actors["restaurant"]), "collect")
    with pytest.raises(ValidationError, match="site de lavage"):
        collector.deliver_all(session, actor=van, to=actors["restaurant"].org.code)


def test_held_paginates(session, actors, scan, returned_box):
    van = actors["collector"]
    for _ in range(23):
        scan(van, returned_box(actors["restaurant"]), "collect")
    assert len(collector.held(session, van.org_id, page=2).items) == 3
    assert collector.held(session, van.org_id).pages == 2
