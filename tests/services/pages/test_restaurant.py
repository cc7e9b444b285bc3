"""What a restaurant sees: piles by type, overdue, the day's cash, settlements."""

from datetime import timedelta

from bouteilles.models import utcnow
from bouteilles.services.pages import restaurant


def test_counts_by_type_and_overdue(session, actors, make_container, scan):
    resto = actors["restaurant"]
    small = [make_container(holder=resto.org) for _ in range(4)]
    large = make_container("bocal-750", holder=resto.org)
    scan(resto, small[0], "lend", occurred_at=utcnow() - timedelta(days=15))
    scan(resto, small[1], "lend", occurred_at=utcnow() - timedelta(days=13))
    scan(resto, small[2], "lend")
    scan(resto, small[2], "return")
    scan(resto, large, "lend")
    counts = {c.type_code: c for c in restaurant.box_counts(session, resto.org_id,
                                                            overdue_days=14)}
    assert (counts["bocal-500"].clean, counts["bocal-500"].in_use, counts["bocal-500"].overdue,
            counts["bocal-500"].returned) == (1, 2, 1, 1)
    assert (counts["bocal-750"].in_use, counts["bocal-750"].overdue) == (1, 0)
    total = restaurant.totals(list(counts.values()))
    assert (total.clean, total.in_use, total.overdue, total.returned) == (1, 3, 1, 1)
    # Another restaurant's boxes are not counted.
    assert restaurant.box_counts(session, actors["washing_site"].org_id, overdue_days=14) == []


def test_lists_order_and_overdue_filter(session, actors, make_container, scan):
    resto = actors["restaurant"]
    old, recent = make_container(holder=resto.org), make_container(holder=resto.org)
    scan(resto, recent, "lend")
    scan(resto, old, "lend", occurred_at=utcnow() - timedelta(days=20))
    page = restaurant.list_boxes(session, resto.org_id, "in_use", overdue_days=14)
    assert [row[0] for row in page.items] == [old, recent]
    only = restaurant.list_boxes(session, resto.org_id, "in_use", overdue_days=14,
                                 only_overdue=True)
    assert [row[0] for row in only.items] == [old]


def test_day_cash_uses_paris_days(session, actors, make_container, scan):
    resto = actors["restaurant"]
    codes = [make_container(holder=resto.org) for _ in range(3)]
    # 23:30 UTC is already the next day in Paris (UTC+1 or UTC+2).
    late = (utcnow() - timedelta(days=3)).replace(hour=23, minute=30, second=0, microsecond=0)
    paris_day = late.date() + timedelta(days=1)
    assert late.astimezone(restaurant.PARIS).date() == paris_day
    scan(resto, codes[0], "lend", occurred_at=late)
    scan(resto, codes[1], "lend", occurred_at=late)
    scan(resto, codes[0], "return", occurred_at=late + timedelta(minutes=10))
    cash = restaurant.day_cash(session, resto.org_id, paris_day)
    assert (cash.taken_cents, cash.taken_count, cash.refunded_cents, cash.refunded_count,
            cash.net_cents) == (1000, 2, 500, 1, 500)
    assert restaurant.day_cash(session, resto.org_id, late.date()).taken_count == 0
    assert restaurant.day_cash(session, actors["washing_site"].org_id, paris_day).taken_count == 0

