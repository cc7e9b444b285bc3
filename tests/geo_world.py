"""A small network with its places on the map, and the moves that make its loops.

A washing site at Lons-le-Saunier; a restaurant next to it (boxes: restaurant →
site → restaurant, a few km); a collection point in Paris and a winegrower in
Marseille (bottles: Paris → Lons → Marseille, past 300 and 600 km estimated);
a collection point without coordinates; a collector who carries the crates.
"""

from __future__ import annotations

from dataclasses import dataclass

from bouteilles.models import Organisation, User
from bouteilles.services.washing.batches import add_inputs, open_batch

LONS = (46.6747, 5.5547)
NEAR_LONS = (46.6800, 5.5600)
PARIS = (48.8566, 2.3522)
MARSEILLE = (43.2965, 5.3698)


@dataclass
class LoopWorld:
    site: Organisation
    restaurant: Organisation
    paris: Organisation
    marseille: Organisation
    unplaced: Organisation
    site_user: User
    collector: User
    restaurant_user: User
    crate_codes: list[str]


def at(point: tuple[float, float]) -> dict:
    return {"latitude": point[0], "longitude": point[1]}


def build_world(make_org, make_user, make_crate, make_container, scan, *,
                site_territory: int | None = None) -> LoopWorld:
    """The network above and its moves: 2 crates Paris → site (one washed in a batch),
    1 crate from the unplaced point → site, 1 clean crate site → Marseille; a box lent
    and returned at the restaurant, collected by the site, and one delivered to it.
    `site_territory`: the washing site's territory (the others have none)."""
    site = make_org("washing_site", **at(LONS), territory_id=site_territory)
    restaurant = make_org("restaurant", **at(NEAR_LONS))
    paris = make_org("collection_point", **at(PARIS))
    marseille = make_org("winegrower", **at(MARSEILLE))
    unplaced = make_org("collection_point")
    site_user = make_user("washing_site", org=site)
    collector = make_user("collector", org=make_org("collector"))
    restaurant_user = make_user("restaurant", org=restaurant)
    crates = [make_crate("bouteille-75", 100, "returned", holder=paris),
              make_crate("bouteille-75", 50, "returned", holder=paris),
              make_crate("bouteille-75", 30, "returned", holder=unplaced)]
    for code in crates:
        scan(collector, code, "collect")
        scan(collector, code, "deliver", to=site.code)
    clean = make_crate("bouteille-75", 80, "clean", holder=site)
    scan(site_user, clean, "deliver", to=marseille.code)
    box = make_container("bocal-500", holder=restaurant)
    scan(restaurant_user, box, "lend")
    scan(restaurant_user, box, "return")
    scan(site_user, box, "collect")
    out = make_container("bocal-500", holder=site)
    scan(site_user, out, "deliver", to=restaurant.code)
    return LoopWorld(site, restaurant, paris, marseille, unplaced, site_user, collector,
                     restaurant_user, crates)


def batch_of(session, world: LoopWorld, codes: list[str]):
    """A bottle batch at the site with these crates as its inputs."""
    batch = open_batch(session, actor=world.site_user, type_code="bouteille-75")
    add_inputs(session, batch, actor=world.site_user, codes=codes)
    session.commit()
    return batch
