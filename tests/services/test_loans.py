"""Event tableware loans: lend counted quantities, check back, bill, close."""

import pytest
from sqlalchemy.exc import IntegrityError

from bouteilles.models import ContainerType, LoanLine
from bouteilles.reports.loan_pdf import loan_statement_pdf
from bouteilles.services import loans
from bouteilles.services.errors import Forbidden, NotFound, ValidationError


@pytest.fixture
def cup(session):
    ctype = ContainerType(code="gobelet-25", name="Gobelet 25 cl", family="box", mass_g=40,
                          volume_ml=250, deposit_cents=100)
    session.add(ctype)
    session.flush()
    return ctype


@pytest.fixture
def organiser(make_org):
    return make_org("event_organiser", address="Salle des fêtes, Lons")


def lend(session, actor, organiser, **quantities):
    return loans.create_loan(session, actor=actor, borrower_code=organiser.code,
                             event_name="Fête du Comté", quantities=quantities)


def test_lend_then_check_back_and_bill(session, actors, organiser, cup):
    loan = lend(session, actors["restaurant"], organiser, **{"gobelet-25": 200, "bocal-500": 30,
                                                              "bocal-750": ""})
    assert sorted((line.type.code, line.lent) for line in loan.lines) == [
        ("bocal-500", 30), ("gobelet-25", 200)]
    loans.record_check(session, loan, actor=actors["restaurant"], counts={
        "gobelet-25": {"returned": "190", "broken": "4", "missing": "6"},
        "bocal-500": {"returned": 28, "broken": 0, "missing": 1}})
    assert loan.status == "open"
    # 10 cups at 1 € + 1 box at 5 €.
    assert loan.billed_cents == 10 * 100 + 500
    with pytest.raises(ValidationError, match=r"Tout n'est pas compté : .*500 ml \(1\)"):
        loans.close_loan(session, loan, actor=actors["restaurant"])
    loans.close_loan(session, loan, actor=actors["restaurant"], counts={
        "bocal-500": {"returned": 29, "broken": 0, "missing": 1}})
    assert loan.status == "closed" and loan.closed_at is not None
    assert all(line.closed for line in loan.lines)
    with pytest.raises(ValidationError, match="clôturé"):
        loans.record_check(session, loan, actor=actors["restaurant"], counts={})


def test_bill_uses_the_deposit_at_lending_time(session, actors, organiser, cup):
    loan = lend(session, actors["restaurant"], organiser, **{"gobelet-25": 10})
    cup.deposit_cents = 300
    loans.close_loan(session, loan, actor=actors["restaurant"], counts={
        "gobelet-25": {"returned": 8, "missing": 2}})
    assert loan.billed_cents == 200


def test_counts_cannot_exceed_what_was_lent(session, actors, organiser, cup):
    loan = lend(session, actors["restaurant"], organiser, **{"gobelet-25": 10})
    with pytest.raises(ValidationError, match="11 comptés pour 10 prêtés"):
        loans.record_check(session, loan, actor=actors["restaurant"], counts={
            "gobelet-25": {"returned": 10, "broken": 1}})
    with pytest.raises(ValidationError, match="entier"):
        loans.record_check(session, loan, actor=actors["restaurant"], counts={
            "gobelet-25": {"returned": "dix"}})
    with pytest.raises(ValidationError, match="entre 0"):
        loans.record_check(session, loan, actor=actors["restaurant"], counts={
            "gobelet-25": {"returned": "-1"}})


def test_the_database_refuses_an_unbalanced_line(session, actors, organiser, cup):
    loan = lend(session, actors["restaurant"], organiser, **{"gobelet-25": 10})
    line = session.get(LoanLine, (loan.id, cup.id))
    line.returned = 11
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_the_database_refuses_closing_an_unbalanced_line(session, actors, organiser, cup):
    loan = lend(session, actors["restaurant"], organiser, **{"gobelet-25": 10})
    line = session.get(LoanLine, (loan.id, cup.id))
    line.returned, line.closed = 9, True
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_lend_refusals(session, actors, organiser, make_org, cup):
    with pytest.raises(ValidationError, match="au moins une quantité"):
        lend(session, actors["restaurant"], organiser, **{"gobelet-25": "0"})
    with pytest.raises(ValidationError, match="organisateur"):
        lend(session, actors["restaurant"], make_org("restaurant"), **{"gobelet-25": 1})
    with pytest.raises(ValidationError, match="Type inconnu"):
        lend(session, actors["restaurant"], organiser, **{"nope": 1})
    with pytest.raises(ValidationError, match="Nommez"):
        loans.create_loan(session, actor=actors["restaurant"], borrower_code=organiser.code,
                          event_name="  ", quantities={"gobelet-25": 1})
    with pytest.raises(Forbidden):
        lend(session, actors["washing_site"], organiser, **{"gobelet-25": 1})


def test_who_sees_and_who_writes(session, actors, organiser, make_user, cup):
    loan = lend(session, actors["restaurant"], organiser, **{"gobelet-25": 5})
    borrower = make_user(org=organiser)
    assert loans.get_loan(session, loan.id, actor=borrower) is loan
    assert loans.get_loan(session, loan.id, actor=actors["coordinator"], write=True) is loan
    with pytest.raises(Forbidden):
        loans.get_loan(session, loan.id, actor=borrower, write=True)
    with pytest.raises(Forbidden):
        loans.record_check(session, loan, actor=borrower, counts={})
    with pytest.raises(NotFound):
        loans.get_loan(session, loan.id, actor=make_user("restaurant"))
    with pytest.raises(NotFound):
        loans.get_loan(session, 99999, actor=actors["restaurant"])
    assert loans.list_loans(session, actor=borrower).total == 1
    assert loans.list_loans(session, actor=actors["coordinator"]).total == 1
    assert loans.list_loans(session, actor=make_user("restaurant")).total == 0


def test_list_paginates_open_first(session, actors, organiser, cup):
    made = [lend(session, actors["restaurant"], organiser, **{"gobelet-25": 1}) for _ in range(22)]
    loans.close_loan(session, made[-1], actor=actors["restaurant"], counts={
        "gobelet-25": {"returned": 1}})
    first = loans.list_loans(session, actor=actors["restaurant"], page=1)
    last = loans.list_loans(session, actor=actors["restaurant"], page=2)
    assert first.total == 22 and len(first.items) == 20 and first.pages == 2
    assert all(loan.status == "open" for loan in first.items)
    assert last.items[-1].status == "closed"


def test_statement_pdf(session, actors, organiser, cup):
    loan = lend(session, actors["restaurant"], organiser, **{"gobelet-25": 50})
    loans.record_check(session, loan, actor=actors["restaurant"], counts={
        "gobelet-25": {"returned": 45, "broken": 3, "missing": 2}})
    pdf = loan_statement_pdf(loan)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
