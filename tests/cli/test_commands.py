"""The command line of API.md."""

from bouteilles.db.database import get_session
from bouteilles.demo.network import DEMO_PASSWORD, ORGS
from bouteilles.models import ContainerType, FactorSet, Organisation


def test_db_upgrade_is_idempotent_and_seeds_reference_data(runner, app):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = get_session()
        codes = {t.code for t in session.query(ContainerType)}
        assert {"bouteille-75", "clavelin-62", "bocal-500", "bocal-750"} <= codes
        assert session.query(FactorSet).filter_by(code="fr-2026-1").one().values()["ef_glass"]


def test_demo_twice(runner, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "resto-le-comptoir@demo.bouteilles.fr" in first.output and DEMO_PASSWORD in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already" in second.output
    with app.app_context():
        assert get_session().query(Organisation).count() == len(ORGS)


def test_orgs_users_token(runner, client):
    assert runner.invoke(args=["orgs", "create", "resto-test", "--name", "Test",
                               "--kind", "restaurant"]).exit_code == 0
    duplicate = runner.invoke(args=["orgs", "create", "resto-test", "--name", "Test",
                                    "--kind", "restaurant"])
    assert duplicate.exit_code != 0 and "existe déjà" in duplicate.output
    created = runner.invoke(args=["users", "create", "Chef@Test.fr", "--org", "resto-test",
                                  "--password", "glacier-ocre-lanterne"])
    assert created.exit_code == 0, created.output
    token = runner.invoke(args=["users", "token", "chef@test.fr"]).output.strip()
    assert token.startswith("btl_")
    response = client.get("/api/v1/stock", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    bad = runner.invoke(args=["users", "create", "x@y.fr", "--org", "nope",
                              "--password", "12345678"])
    assert bad.exit_code != 0 and "nope" in bad.output
