"""A small, realistic demo network with a few weeks of history (safe to load twice)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Container, ContainerType, Crate, Organisation, User, utcnow
from ..services.errors import InvalidTransition
from ..services.impact.issuer import set_issuer
from ..services.members.accounts import create_org, create_user
from ..services.movements import commission_containers, create_crate, record_scan
from ..services.pages.winegrower import create_request
from ..services.pickups import request_pickup
from ..services.producers import flag_producer
from ..services.stock_thresholds import set_thresholds
from ..services.territories import create_territory, scope_of
from ..services.washing.batches import add_inputs, close_batch, open_batch
from ..services.washing.pallets import new_pallet, release, top_up

DEMO_PASSWORD = "tilleul-et-marnes"
DEMO_DOMAIN = "demo.bouteilles.fr"
# Two territories: the Jura, and Doubs that has just joined; the national
# coordination (no territory) sees and compares both.
TERRITORIES = [("jura", "Jura"), ("doubs", "Doubs")]
# code, name, kind, address, opening hours, territory, (latitude, longitude)
ORGS = [
    ("coop-jura", "Coopérative Réemploi Jura", "coordinator",
     "12 rue des Salines, 39000 Lons-le-Saunier", "lun.-ven. 9h-17h", "jura",
     (46.6722, 5.5569)),
    ("resto-le-comptoir", "Le Comptoir", "restaurant",
     "4 place de la Liberté, 39000 Lons-le-Saunier", "mar.-sam. 11h30-14h, 18h30-22h", "jura",
     (46.6747, 5.5546)),
    ("resto-la-fruitiere", "La Fruitière", "restaurant",
     "18 rue du Commerce, 39000 Lons-le-Saunier", "lun.-sam. 11h30-14h30", "jura",
     (46.6738, 5.5533)),
    ("resto-le-bistrot", "Le Bistrot des Arcades", "restaurant",
     "27 rue du Commerce, 39000 Lons-le-Saunier", "mer.-dim. 12h-14h, 19h-22h", "jura",
     (46.6731, 5.5527)),
    ("lavage-lons", "Laverie du Jura (site de lavage)", "washing_site",
     "ZA En Bercaille, 39000 Lons-le-Saunier", "lun.-ven. 7h-15h", "jura",
     (46.6894, 5.5398)),
    ("domaine-des-marnes", "Domaine des Marnes", "winegrower",
     "Route de Voiteur, 39210 Château-Chalon", None, "jura", (46.7545, 5.6297)),
    ("domaine-la-combe", "Domaine de la Combe", "winegrower",
     "Chemin des Vignes, 39570 L'Étoile", None, "jura", (46.7196, 5.5392)),
    ("cave-du-centre", "Cave du Centre (point de collecte)", "collection_point",
     "9 rue Lecourbe, 39000 Lons-le-Saunier", "mar.-sam. 9h30-19h", "jura",
     (46.6756, 5.5563)),
    ("jura-collecte", "Jura Collecte", "collector", "39570 Perrigny", None, "jura",
     (46.6668, 5.5861)),
    ("reseau-national", "Réseau national du réemploi", "coordinator",
     "Réseau Consigne, 75011 Paris", None, None, None),
    ("coop-doubs", "Coopérative Réemploi Doubs", "coordinator",
     "5 rue de la République, 25000 Besançon", "lun.-ven. 9h-17h", "doubs", (47.2393, 6.0265)),
    ("resto-la-boucle", "Le Bouchon de la Boucle", "restaurant",
     "21 Grande Rue, 25000 Besançon", "mar.-sam. 12h-14h, 19h-22h", "doubs",
     (47.2371, 6.0244)),
]
RESTAURANTS = ["resto-le-comptoir", "resto-la-fruitiere", "resto-le-bistrot"]
WEEKS = 5


def demo_logins() -> list[tuple[str, str, str]]:
    """(email, password, organisation) of every demo user."""
    return [(f"{code}@{DEMO_DOMAIN}", DEMO_PASSWORD, name) for code, name, *_ in ORGS]


def load_demo(session: Session, *, seed: int = 39) -> bool:
    """Load the demo network; return False when it is already there."""
    if session.scalar(select(Organisation.id).where(Organisation.code == "coop-jura")):
        return False
    rng = random.Random(seed)
    users: dict[str, User] = {}
    territories = {code: create_territory(session, code=code, name=name)
                   for code, name in TERRITORIES}
    for code, name, kind, address, hours, territory, place in ORGS:
        latitude, longitude = place or (None, None)
        org = create_org(session, code=code, name=name, kind=kind, address=address,
                         opening_hours=hours, latitude=latitude, longitude=longitude,
                         territory_id=territories[territory].id if territory else None)
        users[code] = create_user(session, email=f"{code}@{DEMO_DOMAIN}", org=org,
                                  password=DEMO_PASSWORD, name=name,
                                  admin=kind == "coordinator")
    # The cooperative issues the reports (its SIRET and logo: an administrator's to set).
    set_issuer(session, name="Coopérative Réemploi Jura",
               address="12 rue des Salines\n39000 Lons-le-Saunier", siret=None,
               actor=users["coop-jura"])
    History(session, users, rng).play()
    return True


class History:
    """Plays a few weeks of plausible daily work through the real services."""

    def __init__(self, session: Session, users: dict[str, User], rng: random.Random) -> None:
        self.session, self.users, self.rng = session, users, rng
        today = utcnow().replace(hour=8, minute=0, second=0, microsecond=0)
        self.start = today - timedelta(weeks=WEEKS)

    def scan(self, org: str, code: str, action: str, at: datetime, **kw) -> bool:
        try:
            with self.session.begin_nested():
                # Recorded when it happened, as a phone with signal would have.
                record_scan(self.session, actor=self.users[org], code=code, action=action,
                            occurred_at=at, recorded_at=at, **kw)
            return True
        except InvalidTransition:
            return False

    def play(self) -> None:
        coop = self.users["coop-jura"]  # the cooperative owns the pool; members hold it
        t0 = self.start
        for resto in RESTAURANTS:
            for type_code, count in (("bocal-500", 24), ("bocal-750", 12)):
                commission_containers(self.session, actor=coop, type_code=type_code,
                                      count=count, holder_code=resto, at=t0)
        for day in range(WEEKS * 7 - 1):
            moment = t0 + timedelta(days=day, hours=3)
            self.restaurant_day(moment)
            if day % 7 == 3:
                self.collection_and_wash(moment + timedelta(hours=6))
            if day % 7 == 1:
                self.bottle_run(moment + timedelta(hours=5))
        self.doubs(t0)
        self.requests()
        self.bottle_loop(t0 + timedelta(days=WEEKS * 7 - 8))

    def bottle_loop(self, moment: datetime) -> None:
        """Labelled clavelins filled by two domaines come back through the cellar: the
        Domaine des Marnes' plastic labels do not wash off (flagged by the coordination).
        At the site, one pallet is released and another is filling."""
        site, coop = self.users["lavage-lons"], self.users["coop-jura"]
        sorted_ok = []
        for grower, count, failed in (("domaine-des-marnes", 24, 7), ("domaine-la-combe", 24, 1)):
            bottles = commission_containers(self.session, actor=coop, type_code="clavelin-62",
                                            count=count, holder_code=grower, at=moment)
            for n, bottle in enumerate(bottles):
                at = moment + timedelta(hours=1, minutes=n)
                self.scan(grower, bottle.code, "fill", at)
                self.scan("cave-du-centre", bottle.code, "return", at + timedelta(days=3))
                self.scan("jura-collecte", bottle.code, "collect", at + timedelta(days=4))
                self.scan("jura-collecte", bottle.code, "deliver", at + timedelta(days=4, hours=1),
                          to="lavage-lons")
                self.scan("lavage-lons", bottle.code, "sort", at + timedelta(days=5),
                          reason="label" if n < failed else None)
                if n >= failed:
                    sorted_ok.append(bottle.code)
        at = moment + timedelta(days=6)
        batch = open_batch(self.session, actor=site, type_code="clavelin-62", opened_at=at)
        washed = sum(self.scan("lavage-lons", code, "wash", at) for code in sorted_ok)
        close_batch(self.session, batch, actor=site, clean=washed, rejected={},
                    closed_at=at + timedelta(hours=2), transport=[], electricity_kwh=None)
        flag_producer(self.session, actor=coop, scope=scope_of(coop.org),
                      code="domaine-des-marnes",
                      note="Étiquettes adhésives plastiques : la colle reste après lavage.")
        clean = create_crate(self.session, actor=site, type_code="bouteille-75", quantity=2_100,
                             holder_code="lavage-lons", state="clean", at=moment)
        for quantity, released in ((1_200, True), (840, False)):
            pallet = new_pallet(self.session, actor=site, type_code="bouteille-75",
                                capacity=1_200)
            top_up(self.session, actor=site, pallet=pallet, source_code=clean.code,
                   quantity=quantity)
            if released:
                release(self.session, actor=site, pallet=pallet)

    def requests(self) -> None:
        """What members are waiting for today: a full bin at the cellar, an order of
        clean boxes, and a stock alert the restaurant set."""
        request_pickup(self.session, actor=self.users["cave-du-centre"],
                       note="Deux caisses pleines derrière le comptoir.")
        create_request(self.session, actor=self.users["resto-le-bistrot"],
                       site_code="lavage-lons", type_code="bocal-500", quantity=12,
                       note="Pour le marché de samedi.")
        comptoir = self.users["resto-le-comptoir"].org
        set_thresholds(self.session, comptoir, {
            type_id: 30 for type_id in self.session.scalars(
                select(ContainerType.id).where(ContainerType.code == "bocal-500"))})

    def doubs(self, t0: datetime) -> None:
        """Doubs's first weeks: one restaurant lends its boxes, and boxes cross the
        border both ways (returned in the other territory, still its owner's)."""
        commission_containers(self.session, actor=self.users["coop-doubs"],
                              type_code="bocal-500", count=12, holder_code="resto-la-boucle",
                              at=t0)
        for day in range(2, WEEKS * 7 - 1, 3):
            at = t0 + timedelta(days=day, hours=4)
            for code in self.boxes("resto-la-boucle", "clean")[:3]:
                self.scan("resto-la-boucle", code, "lend", at)
            for code in self.lent_by("resto-la-boucle", before=at - timedelta(days=1))[:2]:
                self.scan("resto-la-boucle", code, "return", at + timedelta(hours=1))
        end = t0 + timedelta(days=WEEKS * 7 - 1)
        for lender, back in (("resto-le-comptoir", "resto-la-boucle"),
                             ("resto-la-boucle", "resto-le-comptoir")):
            for code in self.lent_by(lender, before=end - timedelta(days=1))[:1]:
                self.scan(back, code, "return", end)

    def lent_by(self, org: str, *, before: datetime) -> list[str]:
        """Codes of the boxes with a customer that `org` lent before `before`."""
        return list(self.session.scalars(
            select(Container.code).where(Container.holder_id == self.users[org].org_id,
                                         Container.state == "in_use",
                                         Container.lent_at < before)
            .order_by(Container.id)))

    def boxes(self, holder: str, state: str) -> list[str]:
        org_id = self.users[holder].org_id
        return list(self.session.scalars(
            select(Container.code).where(Container.holder_id == org_id, Container.state == state)
            .order_by(Container.id)
        ))

    def restaurant_day(self, moment: datetime) -> None:
        for i, resto in enumerate(RESTAURANTS):
            at = moment + timedelta(minutes=20 * i)
            for code in self.rng.sample(self.boxes(resto, "clean"),
                                        k=min(4, len(self.boxes(resto, "clean")))):
                self.scan(resto, code, "lend", at)
                at += timedelta(minutes=7)
            out = self.session.scalars(select(Container.code).where(
                Container.state == "in_use",
                Container.lent_at < moment - timedelta(days=1)).order_by(Container.id)).all()
            for code in self.rng.sample(out, k=min(3, len(out))):
                # Most boxes come back where they were lent; some at another member.
                self.scan(self.rng.choice(RESTAURANTS), code, "return", at + timedelta(hours=2))

    def collection_and_wash(self, moment: datetime) -> None:
        for resto in RESTAURANTS:
            for code in self.boxes(resto, "returned"):
                self.scan("jura-collecte", code, "collect", moment)
        for code in self.boxes("jura-collecte", "collected"):
            self.scan("jura-collecte", code, "deliver", moment + timedelta(hours=1),
                      to="lavage-lons")
        site = self.users["lavage-lons"]
        at = moment + timedelta(hours=2)
        for type_code in ("bocal-500", "bocal-750"):
            waiting = [c for c in self.boxes("lavage-lons", "collected")
                       if self.session.scalar(select(Container).where(Container.code == c)
                                              ).type.code == type_code]
            if not waiting:
                continue
            batch = open_batch(self.session, actor=site, type_code=type_code, opened_at=at)
            for code in waiting:
                self.scan("lavage-lons", code, "sort", at)
            add_inputs(self.session, batch, actor=site, codes=waiting, occurred_at=at)
            broken = waiting[0] if self.rng.random() < 0.3 else None
            if broken:
                self.scan("lavage-lons", broken, "reject", at, reason="chipped")
            rejected = {"chipped": 1} if broken else {}
            close_batch(self.session, batch, actor=site, clean=len(waiting) - len(rejected),
                        rejected=rejected, closed_at=at + timedelta(hours=1))
            for i, code in enumerate(self.boxes("lavage-lons", "clean")):
                self.scan("jura-collecte", code, "deliver", at + timedelta(hours=3),
                          to=RESTAURANTS[i % len(RESTAURANTS)])

    def bottle_run(self, moment: datetime) -> None:
        site = self.users["lavage-lons"]
        quantity = self.rng.randrange(300, 600)
        crate = create_crate(self.session, actor=site, type_code="bouteille-75",
                             quantity=quantity, holder_code="cave-du-centre", state="returned",
                             at=moment)
        self.scan("jura-collecte", crate.code, "collect", moment + timedelta(hours=1))
        self.scan("jura-collecte", crate.code, "deliver", moment + timedelta(hours=2),
                  to="lavage-lons")
        at = moment + timedelta(hours=3)
        batch = open_batch(self.session, actor=site, type_code="bouteille-75", opened_at=at)
        self.scan("lavage-lons", crate.code, "sort", at)
        add_inputs(self.session, batch, actor=site, codes=[crate.code], occurred_at=at)
        broken = self.rng.randrange(5, 20)
        chipped = self.rng.randrange(3, 12)
        close_batch(self.session, batch, actor=site, clean=quantity - broken - chipped,
                    rejected={"broken": broken, "chipped": chipped},
                    closed_at=at + timedelta(hours=2), transport=[{"km": 40, "mode": "van"}],
                    electricity_kwh=None)
        out = self.session.get(Crate, batch.output_crate_id)
        grower = self.rng.choice(["domaine-des-marnes", "domaine-la-combe"])
        self.scan("lavage-lons", out.code, "deliver", at + timedelta(hours=4), to=grower)
        self.scan(grower, out.code, "fill", at + timedelta(days=1))
