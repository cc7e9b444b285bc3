"""Settlements: netted per pair; one member's rows are exactly the network's rows it is part of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bouteilles.services.deposits import PARIS, settlements


def test_a_members_settlements_are_the_network_rows_it_is_part_of(
        session, make_user, make_container, scan):
    a, b, c = (make_user("restaurant") for _ in range(3))
    coordinator = make_user("coordinator")
    last_month = datetime.now(UTC) - timedelta(days=40)

    def lend_and_return(lender, refunder, *, at=None, lost=False):
        code = make_container(holder=lender.org)
        scan(lender, code, "lend", occurred_at=at)
        if lost:  # found on the return: the refund closes the reinstated deposit
            scan(coordinator, code, "lose")
        scan(refunder, code, "return", occurred_at=at and at + timedelta(hours=1))

    lend_and_return(a, b)
    lend_and_return(b, a)
    lend_and_return(a, a)  # returned where it was lent: nothing owed
    lend_and_return(c, b)
    lend_and_return(a, c, lost=True)
    lend_and_return(a, b, at=last_month)

    month = datetime.now(PARIS).strftime("%Y-%m")
    network, network_month = settlements(session), settlements(session, month=month)
    for member in (a, b, c):
        mine = [row for row in network if member.org.code in (row["from"], row["to"])]
        assert settlements(session, org_id=member.org_id) == mine
        mine = [row for row in network_month if member.org.code in (row["from"], row["to"])]
        assert settlements(session, org_id=member.org_id, month=month) == mine

    def rows(*owed):
        return sorted(({"from": x.org.code, "to": y.org.code, "amount_cents": cents}
                       for x, y, cents in owed), key=lambda row: (row["from"], row["to"]))

    # Netted per pair: a owes b 1000 and b owes a 500, so a pays b the 500 difference;
    # this month the two 500 cancel out and the pair is left out.
    assert settlements(session, org_id=a.org_id) == rows((a, b, 500), (a, c, 500))
    assert settlements(session, org_id=a.org_id, month=month) == rows((a, c, 500))
