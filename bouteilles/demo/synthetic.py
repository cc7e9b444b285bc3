"""A synthetic network at scale: hundreds of members, millions of events, bulk-loaded.

`flask --app bouteilles demo --scale N` calls `generate(engine, events=N)`.

The generator plays the life cycle of every tracked thing itself (it does not go
through `movements.record_scan`, one ORM round trip per event would take hours for
10^7 events) but hands `movements.bulk` exactly the rows the moves would have written, so every
invariant of `services.oversight.replay_check` holds on the result:

- each thing's events, in id order, form one chain starting with `commission`,
  each event starting from the state and holder the previous one left, and the
  current-state row (state, holder, cycles, batch, deposit, lent_at…) is the end
  of that chain (a thing's whole year is simulated before its rows are written);
- a lend of a box with a deposit writes a `taken` ledger entry, its return a
  `refunded` one (by the member it came back to: settlements between members),
  a loss or a box found in the washing chain without a return a `forfeited` one;
- washing batches are per (site, type, day); their inputs are the `wash` events,
  about 3 % of inputs are rejected (scanned `reject` before the close, counted
  rejects for crates), and each closed batch stores its impact computed by
  `impact.compute_batch_impact` with the factor set in force at its close.

- the 12 territories are `Territory` rows, every member is in its territory with
  coordinates a few km around the territory's city (the national coordinator has
  neither), and every row carries the `territory_id` its writer fills
  (models/territory.py): an event or a ledger entry the territory of the member that
  recorded it, a container, crate or label its commissioning site's, a batch its
  site's; 1 % of returned boxes come back in the neighbouring territory and live
  there from then on (their owner and home territory stay).

Transitions follow `lifecycle.decide` (checked for every generated event when
`check_transitions` is on, as in the tests). Rows are streamed: one thing at a
time is simulated, rows go to a bounded queue and a writer thread inserts them
in chunks (SQLite: executemany; PostgreSQL: COPY), so memory stays flat
whatever N.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.orm import Session

from ..models import (
    Base,
    Batch,
    BatchReject,
    Container,
    ContainerType,
    Crate,
    DepositEntry,
    Event,
    Organisation,
    Territory,
    User,
)
from ..services import lifecycle
from ..services.impact.figures import compute_batch_impact
from ..services.items.codes import ALPHABET, check_symbol
from ..services.movements import TABLE_ORDER, BulkLoadError, BulkWriter

DOMAIN = "synthetic.bouteilles.fr"
PREFIX = "syn-"
DAY = 86_400
HOUR = 3_600

# (code, department: the territory's name, city, (latitude, longitude) of the city):
# members sit a few km around their territory's city.
TERRITORIES = [
    ("jura", "Jura", "Lons-le-Saunier", (46.6744, 5.5547)),
    ("doubs", "Doubs", "Besançon", (47.2378, 6.0241)),
    ("savoie", "Savoie", "Chambéry", (45.5646, 5.9178)),
    ("hsavoie", "Haute-Savoie", "Annecy", (45.8992, 6.1294)),
    ("alsace", "Bas-Rhin", "Strasbourg", (48.5734, 7.7521)),
    ("bourgogne", "Côte-d'Or", "Beaune", (47.0260, 4.8400)),
    ("gironde", "Gironde", "Bordeaux", (44.8378, -0.5792)),
    ("loire", "Loire-Atlantique", "Nantes", (47.2184, -1.5536)),
    ("bretagne", "Ille-et-Vilaine", "Rennes", (48.1173, -1.6778)),
    ("herault", "Hérault", "Montpellier", (43.6108, 3.8767)),
    ("rhone", "Rhône", "Lyon", (45.7640, 4.8357)),
    ("paris", "Paris", "Paris", (48.8566, 2.3522)),
]
JITTER_DEG = 0.04         # members within ~4 km of their city (latitude; longitude scaled)
# Members per territory, by kind.
PER_TERRITORY = {"washing_site": 1, "collector": 2, "restaurant": 16, "collection_point": 4,
                 "winegrower": 6, "event_organiser": 1}
KIND_LABEL = {"washing_site": "Site de lavage", "collector": "Collecte",
              "restaurant": "Restaurant", "collection_point": "Point de collecte",
              "winegrower": "Domaine", "event_organiser": "Événements"}
# Labelled containers: (type code, share). Boxes cycle every few weeks; bottles
# are filled, sold, and come back months later (or not within the year).
CONTAINER_MIX = [("bocal-500", 0.03), ("bocal-750", 0.01), ("bouteille-75", 0.64),
                 ("clavelin-62", 0.32)]
REJECT_RATE = 0.03
LOSS_RATE = 0.01          # a lent box declared lost
SKIPPED_RETURN_RATE = 0.02  # a lent box collected without its return scan
AWAY_RATE = 0.01          # a lent box returned in the neighbouring territory (it stays there)
CRATE_SHARE = 0.03        # share of events carried by counted crates
REASONS = (("broken", 0.45), ("chipped", 0.4), ("residue", 0.1), ("wrong_model", 0.05))
TRANSPORT_KM = 35

class SyntheticError(RuntimeError):
    pass


def code_of(n: int) -> str:
    """A valid code, unique per n: 'Z' then n in base 32 (random codes rarely start so)."""
    body = "Z" + "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(6, -1, -1))
    return body + check_symbol(body)


_HOURS: dict[int, str] = {}
_IN_HOUR = [f"{m:02d}:{sec:02d}.000000" for m in range(60) for sec in range(60)]


def ts(seconds: int) -> str:
    """SQL text of a UTC timestamp given in epoch seconds (the stored form of UTCDateTime)."""
    hour, rest = divmod(seconds, HOUR)
    prefix = _HOURS.get(hour)
    if prefix is None:
        prefix = _HOURS[hour] = datetime.fromtimestamp(hour * HOUR, UTC).strftime("%Y-%m-%d %H:")
    return prefix + _IN_HOUR[rest]


@dataclass
class Org:
    id: int
    code: str
    kind: str
    territory: int            # index in TERRITORIES (the coordinator: 0, unused)
    user_id: int
    territory_id: int | None  # the Territory row (the national coordinator: none)


@dataclass
class BatchStats:
    id: int
    code: str
    type_id: int
    site: Org
    day: int
    inputs: int = 0
    labelled_clean: int = 0
    counted_clean: int = 0
    rejected: Counter = field(default_factory=Counter)
    output_crate_id: int | None = None


@dataclass
class Summary:
    events: int = 0
    containers: int = 0
    crates: int = 0
    deposit_entries: int = 0
    batches: int = 0
    organisations: int = 0
    seconds: float = 0.0
    actions: Counter = field(default_factory=Counter)

    @property
    def rows_per_second(self) -> float:
        rows = self.events + self.containers + self.crates + self.deposit_entries
        return rows / self.seconds if self.seconds else 0.0


# Secondary (non-unique) indexes of the big tables: dropped during the load and
# rebuilt after it in one sort each, much faster than millions of random B-tree
# inserts. Unique indexes and constraints stay in place during the load.
DEFERRED_INDEX_TABLES = ("events", "deposit_entries", "containers", "labels", "crates")


def secondary_indexes(engine: Engine) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the non-unique indexes of the big tables."""
    tables = ", ".join(f"'{t}'" for t in DEFERRED_INDEX_TABLES)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(text(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                f"WHERE t.relname IN ({tables}) AND NOT x.indisunique AND NOT x.indisprimary"))
        else:
            rows = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                f"AND tbl_name IN ({tables}) AND sql IS NOT NULL "
                "AND sql NOT LIKE 'CREATE UNIQUE%'"))
        return [(name, ddl) for name, ddl in rows]


def drop_indexes(engine: Engine, indexes: list[tuple[str, str]]) -> None:
    with engine.begin() as conn:
        for name, _ddl in indexes:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))


def create_indexes(engine: Engine, indexes: list[tuple[str, str]]) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        else:
            conn.exec_driver_sql("PRAGMA cache_size=-1000000")
        for name, ddl in indexes:
            conn.execute(text(ddl.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                              if name else ddl))


def nearest(territory: int) -> int:
    """The territory whose city is closest to this one's (where a box strays to)."""
    (lat, lon) = TERRITORIES[territory][3]
    scale = math.cos(math.radians(lat))

    def distance(other: int) -> float:
        (lat2, lon2) = TERRITORIES[other][3]
        return (lat2 - lat) ** 2 + ((lon2 - lon) * scale) ** 2

    return min((t for t in range(len(TERRITORIES)) if t != territory), key=distance)


class Network:
    """Reference rows (organisations, users, types, factors) and the id counters."""

    def __init__(self, session: Session, rng: random.Random) -> None:
        self.rng = rng
        self.types = {t.code: t for t in session.scalars(select(ContainerType))}
        missing = {code for code, _ in CONTAINER_MIX} - set(self.types)
        if missing:
            raise SyntheticError(f"container types missing: {sorted(missing)} (db upgrade?)")
        from ..services.washing.batches import factor_set_in_force
        self.factor_set_in_force = factor_set_in_force
        self.session = session
        self.next = {}
        for name, model in (("events", Event), ("containers", Container), ("crates", Crate),
                            ("deposit_entries", DepositEntry), ("batches", Batch)):
            self.next[name] = (session.scalar(select(func.max(model.id))) or 0) + 1
        self.code_n = 0
        self.orgs = self._create_orgs(session)
        by = {}
        for org in self.orgs:
            by.setdefault((org.territory, org.kind), []).append(org)
        self.by = by
        self.coordinator = next(o for o in self.orgs if o.kind == "coordinator")
        self.neighbour = [nearest(t) for t in range(len(TERRITORIES))]

    def _create_orgs(self, session: Session) -> list[Org]:
        from ..services.members.accounts import hash_password
        if session.scalar(select(Organisation.id).where(Organisation.code == PREFIX + "coop")):
            raise SyntheticError("a synthetic network is already loaded in this database")
        password = hash_password("tilleul-et-marnes")  # one hash for every synthetic user
        territory_ids = [self._territory(session, slug, dept).id
                         for slug, dept, _city, _place in TERRITORIES]
        # The national coordinator: no territory (it sees the whole network), no place.
        specs = [(PREFIX + "coop", "Coordination nationale du réemploi (synthétique)",
                  "coordinator", 0, "Paris", None)]
        for t, (slug, dept, city, _place) in enumerate(TERRITORIES):
            for kind, count in PER_TERRITORY.items():
                for i in range(1, count + 1):
                    code = f"{PREFIX}{slug}-{kind.replace('_', '-')}-{i:02d}"
                    specs.append((code, f"{KIND_LABEL[kind]} {city} {i} ({dept})", kind, t,
                                  city, territory_ids[t]))
        orgs = []
        for code, name, kind, territory, city, territory_id in specs:
            latitude, longitude = (self._place(territory) if territory_id is not None
                                   else (None, None))
            org = Organisation(code=code, name=name, kind=kind, address=f"{city}, France",
                               territory_id=territory_id, latitude=latitude,
                               longitude=longitude)
            session.add(org)
            session.flush()
            user = User(email=f"{code}@{DOMAIN}", org_id=org.id, name=name,
                        password_hash=password, is_admin=kind == "coordinator")
            session.add(user)
            session.flush()
            orgs.append(Org(org.id, code, kind, territory, user.id, territory_id))
        return orgs

    @staticmethod
    def _territory(session: Session, code: str, name: str) -> Territory:
        """The territory of that code: the one already there (the demo's Jura), else a new one."""
        territory = session.scalar(select(Territory).where(Territory.code == code))
        if territory is None:
            territory = Territory(code=code, name=name)
            session.add(territory)
            session.flush()
        return territory

    def _place(self, territory: int) -> tuple[float, float]:
        """A point a few km around the territory's city (deterministic: the network's rng)."""
        latitude, longitude = TERRITORIES[territory][3]
        scale = math.cos(math.radians(latitude))
        return (round(latitude + self.rng.uniform(-JITTER_DEG, JITTER_DEG), 5),
                round(longitude + self.rng.uniform(-JITTER_DEG, JITTER_DEG) / scale, 5))

    def new_id(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value

    def new_code(self) -> str:
        self.code_n += 1
        return code_of(self.code_n)

    def pick(self, territory: int, kind: str) -> Org:
        return self.rng.choice(self.by[(territory, kind)])


class Generator:
    """Simulates one year of the network, thing by thing, and streams the rows."""

    def __init__(self, network: Network, writer: BulkWriter, *, events: int, end: int,
                 chunk_rows: int, check_transitions: bool) -> None:
        self.net, self.writer, self.rng = network, writer, network.rng
        self.target = events
        self.end = end
        self.start = end - 365 * DAY
        self.chunk_rows = chunk_rows
        self._random = network.rng.random
        self.check = check_transitions
        self.chunk: dict[str, list[tuple]] = {t: [] for t in TABLE_ORDER}
        self.batches: dict[tuple[int, int, int], BatchStats] = {}
        self.summary = Summary(organisations=len(network.orgs))

    def between(self, low: int, high: int) -> int:
        """A whole number in [low, high) (randrange without its argument checks)."""
        return low + int(self._random() * (high - low))

    # ---- output ----
    def flush(self) -> None:
        if any(self.chunk.values()):
            self.writer.put(self.chunk)
            self.chunk = {t: [] for t in TABLE_ORDER}

    def maybe_flush(self) -> None:
        if len(self.chunk["events"]) >= self.chunk_rows:
            self.flush()

    # ---- batches ----
    def batch_for(self, site: Org, type_id: int, day: int) -> BatchStats:
        key = (site.id, type_id, day)
        stats = self.batches.get(key)
        if stats is None:
            stats = BatchStats(self.net.new_id("batches"), "L-" + self.net.new_code(), type_id,
                               site, day)
            self.batches[key] = stats
            opened = day * DAY + 7 * HOUR
            self.chunk["batches"].append((stats.id, stats.code, type_id, site.id, "open", 0, 0,
                                          0, 0, ts(opened), site.user_id, site.territory_id))
        return stats

    @staticmethod
    def batch_times(day: int) -> tuple[int, int, int]:
        """(sort, wash, close) moments of a washing day."""
        return day * DAY + 8 * HOUR, day * DAY + 11 * HOUR, day * DAY + 16 * HOUR

    def close_all_batches(self, session: Session) -> None:
        """Close every batch with its counts and impact (one UPDATE each, executemany)."""
        fsets: dict[int, tuple[int, dict]] = {}
        rows, rejects = [], []
        types_by_id = {t.id: t for t in self.net.types.values()}
        for stats in self.batches.values():
            ctype = types_by_id[stats.type_id]
            n_rej = sum(stats.rejected.values())
            clean = stats.labelled_clean + stats.counted_clean
            closed = datetime.fromtimestamp(self.batch_times(stats.day)[2], UTC)
            month = stats.day // 30
            if month not in fsets:
                fset = self.net.factor_set_in_force(session, closed)
                fsets[month] = (fset.id, fset.values())
            fset_id, factors = fsets[month]
            transport = [{"km": TRANSPORT_KM, "mode": "truck"}]  # per tonne-km of inputs
            impact = compute_batch_impact(
                family=ctype.family, mass_g=ctype.mass_g, n_in=stats.inputs, n_ok=clean,
                n_rej=n_rej, factors=factors, transport=transport)
            rows.append({
                "b_id": stats.id, "status": "closed", "inputs": stats.inputs, "clean": clean,
                "rejected": n_rej, "closed_at": closed, "closed_by_id": stats.site.user_id,
                "factor_set_id": fset_id, "transport": transport,
                "co2e_avoided_g": impact.co2e_avoided_g,
                "co2e_process_g": impact.co2e_process_g,
                "waste_avoided_g": impact.waste_avoided_g,
                "to_recycling_g": impact.to_recycling_g,
                "output_crate_id": stats.output_crate_id,
            })
            rejects.extend({"batch_id": stats.id, "reason": r, "count": n}
                           for r, n in sorted(stats.rejected.items()) if n > 0)
        table = Batch.__table__
        stmt = table.update().where(table.c.id == bindparam("b_id")).values(
            {c: bindparam(c) for c in ("status", "inputs", "clean", "rejected", "closed_at",
                                       "closed_by_id", "factor_set_id", "transport",
                                       "co2e_avoided_g", "co2e_process_g", "waste_avoided_g",
                                       "to_recycling_g", "output_crate_id")})
        for i in range(0, len(rows), 5000):
            session.execute(stmt, rows[i:i + 5000])
        for i in range(0, len(rejects), 5000):
            session.execute(BatchReject.__table__.insert(), rejects[i:i + 5000])
        self.summary.batches = len(rows)

    # ---- events ----
    def event(self, action: str, code: str, *, container_id=None, crate_id=None, type_id: int,
              org: Org, from_holder: int | None, holder: int, from_state: str | None,
              to_state: str, at: int, quantity: int = 1, delta: int = 0, reason=None,
              anomaly=None, batch_id=None) -> int:
        if self.check:
            rule = lifecycle.decide(action, from_state, reason=reason if action == "sort" else None)
            expected = to_state if action != "commission" else "clean"  # crates start returned
            if rule.outcome == "refused" or rule.to_state != expected or rule.anomaly != anomaly:
                raise SyntheticError(f"{action} from {from_state} is not {to_state}/{anomaly}")
            if action != "batch_close" and not lifecycle.may_act(org.kind, action):
                raise SyntheticError(f"{org.kind} may not {action}")
        event_id = self.net.new_id("events")
        self.chunk["events"].append((
            event_id, action, code, container_id, crate_id, type_id, org.id, org.user_id,
            from_holder, holder, from_state, to_state, quantity, delta, reason, anomaly,
            batch_id, ts(at), ts(at + 2), org.territory_id))
        self.summary.events += 1
        self.summary.actions[action] += 1
        return event_id

    def deposit(self, kind: str, org_id: int, box_id: int, event_id: int, amount: int,
                lend_entry_id: int | None, at: int, recorder: Org) -> int:
        """A ledger entry of `org_id`, written by the move `recorder` recorded (its territory)."""
        entry_id = self.net.new_id("deposit_entries")
        self.chunk["deposit_entries"].append((entry_id, kind, org_id, box_id, event_id, amount,
                                              lend_entry_id, ts(at), ts(at + 2),
                                              recorder.territory_id))
        self.summary.deposit_entries += 1
        return entry_id

    def reason(self) -> str:
        roll, total = self.rng.random(), 0.0
        for reason, share in REASONS:
            total += share
            if roll < total:
                return reason
        return REASONS[0][0]

    def container_type(self):
        roll, total = self.rng.random(), 0.0
        for code, share in CONTAINER_MIX:
            total += share
            if roll < total:
                return self.net.types[code]
        return self.net.types[CONTAINER_MIX[-1][0]]

    # ---- one labelled container's year ----
    def container(self) -> None:
        rng, net = self.rng, self.net
        ctype = self.container_type()
        box = ctype.family == "box"
        territory = rng.randrange(len(TERRITORIES))
        site = home = net.by[(territory, "washing_site")][0]  # commissions and owns it
        box_id = net.new_id("containers")
        code = net.new_code()
        tid = ctype.id
        deposit_cents = ctype.deposit_cents
        t = self.start + int(rng.random() ** 1.5 * 330 * DAY) + rng.randrange(8 * HOUR)
        created = t
        ev = self.event
        ev("commission", code, container_id=box_id, type_id=tid, org=site, from_holder=None,
           holder=site.id, from_state=None, to_state="clean", at=t)
        state, holder = "clean", site.id
        cycles, lent_at, lend_entry, held, reject_reason = 0, None, None, 0, None
        box_batch = None
        user_kind = "restaurant" if box else "winegrower"
        last = t
        while True:
            # Delivered clean to a restaurant (boxes) or a winegrower (bottles).
            t += self.between(2 * HOUR, 2 * DAY)
            dest = net.pick(territory, user_kind)
            if t >= self.end:
                break
            ev("deliver", code, container_id=box_id, type_id=tid,
               org=net.pick(territory, "collector"), from_holder=holder, holder=dest.id,
               from_state=state, to_state="clean", at=t)
            holder, last = dest.id, t
            # Lent to a customer (boxes, deposit taken) or filled (bottles).
            t += rng.randrange(HOUR, (6 if box else 20) * DAY)
            if t >= self.end:
                break
            action = "lend" if box else "fill"
            eid = ev(action, code, container_id=box_id, type_id=tid, org=dest,
                     from_holder=holder, holder=holder, from_state="clean", to_state="in_use",
                     at=t)
            state, lent_at, last = "in_use", t, t
            if box and deposit_cents:
                lend_entry = self.deposit("taken", dest.id, box_id, eid, deposit_cents, None, t,
                                          dest)
                held = deposit_cents
            taker = dest
            # Back from the customer: returned, lost, or straight into the collection.
            t += self.between(HOUR, 12 * DAY) if box else self.between(30 * DAY, 420 * DAY)
            if t >= self.end:
                break
            roll = rng.random()
            if box and roll < LOSS_RATE:
                eid = ev("lose", code, container_id=box_id, type_id=tid, org=net.coordinator,
                         from_holder=holder, holder=holder, from_state="in_use",
                         to_state="lost", at=t)
                state, lent_at, last = "lost", None, t
                if held:
                    lend_entry = self.deposit("forfeited", taker.id, box_id, eid, held,
                                              lend_entry, t, net.coordinator)
                    held = 0
                break
            collector = net.pick(territory, "collector")
            if box and roll < LOSS_RATE + SKIPPED_RETURN_RATE:
                eid = ev("collect", code, container_id=box_id, type_id=tid, org=collector,
                         from_holder=holder, holder=collector.id, from_state="in_use",
                         to_state="collected", at=t, anomaly="skipped_return")
                if held:
                    lend_entry = self.deposit("forfeited", taker.id, box_id, eid, held,
                                              lend_entry, t, collector)
                    held = 0
            else:
                if box and roll < 0.75:
                    back = taker  # most boxes come back where they were lent
                elif box and roll < 0.75 + AWAY_RATE:
                    # Returned in the neighbouring territory: its collection, washing
                    # site and restaurants take it on from there (its owner stays).
                    territory = net.neighbour[territory]
                    site = net.by[(territory, "washing_site")][0]
                    collector = net.pick(territory, "collector")
                    back = net.pick(territory, "restaurant")
                elif box:
                    back = net.pick(territory, "restaurant" if roll < 0.9 else "collection_point")
                else:
                    back = net.pick(territory, "collection_point" if roll < 0.7 else "restaurant")
                eid = ev("return", code, container_id=box_id, type_id=tid, org=back,
                         from_holder=holder, holder=back.id, from_state="in_use",
                         to_state="returned", at=t)
                if held:
                    lend_entry = self.deposit("refunded", back.id, box_id, eid, held,
                                              lend_entry, t, back)
                    held = 0
                state, holder, lent_at, last = "returned", back.id, None, t
                t += self.between(4 * HOUR, 6 * DAY)
                if t >= self.end:
                    break
                ev("collect", code, container_id=box_id, type_id=tid, org=collector,
                   from_holder=holder, holder=collector.id, from_state="returned",
                   to_state="collected", at=t)
            state, holder, lent_at, last = "collected", collector.id, None, t
            t += self.between(HOUR, DAY)
            if t >= self.end:
                break
            ev("deliver", code, container_id=box_id, type_id=tid, org=collector,
               from_holder=holder, holder=site.id, from_state="collected",
               to_state="collected", at=t)
            holder, last = site.id, t
            # Washing day: sort, wash into the day's batch, reject or come out clean.
            day = (t + 2 * HOUR) // DAY + 1 + rng.randrange(3)
            sort_at, wash_at, close_at = self.batch_times(day)
            if close_at >= self.end:
                break
            ev("sort", code, container_id=box_id, type_id=tid, org=site, from_holder=holder,
               holder=site.id, from_state="collected", to_state="sorted",
               at=sort_at + rng.randrange(2 * HOUR))
            batch = self.batch_for(site, tid, day)
            batch.inputs += 1
            ev("wash", code, container_id=box_id, type_id=tid, org=site, from_holder=site.id,
               holder=site.id, from_state="sorted", to_state="washing",
               at=wash_at + rng.randrange(2 * HOUR), batch_id=batch.id)
            if rng.random() < REJECT_RATE:
                reason = self.reason()
                ev("reject", code, container_id=box_id, type_id=tid, org=site,
                   from_holder=site.id, holder=site.id, from_state="washing",
                   to_state="rejected", at=wash_at + 3 * HOUR, reason=reason)
                batch.rejected[reason] += 1
                state, reject_reason, last = "rejected", reason, wash_at + 3 * HOUR
                box_batch = batch.id  # a rejected container keeps its batch
                break
            ev("batch_close", code, container_id=box_id, type_id=tid, org=site,
               from_holder=site.id, holder=site.id, from_state="washing", to_state="clean",
               at=close_at, batch_id=batch.id)
            batch.labelled_clean += 1
            cycles += 1
            state, t, last = "clean", close_at, close_at
        batch_id = box_batch if state == "rejected" else None
        self.chunk["containers"].append((
            box_id, code, state, reject_reason, ts(created), ts(last + 2), ts(last), tid, holder,
            home.id, cycles, batch_id, held, lend_entry, ts(lent_at) if lent_at else None,
            home.territory_id))
        self.chunk["labels"].append((code, tid, box_id, None, ts(created), home.territory_id))
        self.summary.containers += 1

    # ---- counted crates of bottles: one washing day of a site ----
    def crate_day(self, territory: int, day: int, per_day: int) -> None:
        rng, net = self.rng, self.net
        site = net.by[(territory, "washing_site")][0]
        ctype = self.net.types["bouteille-75" if rng.random() < 0.7 else "clavelin-62"]
        sort_at, wash_at, close_at = self.batch_times(day)
        if (site.id, ctype.id, day) in self.batches:
            return  # that day's batch already has its crates (one output crate per batch)
        batch = self.batch_for(site, ctype.id, day)
        for _ in range(rng.randint(1, 2 * per_day - 1)):
            point = net.pick(territory, "collection_point")
            collector = net.pick(territory, "collector")
            quantity = rng.randrange(150, 600)
            crate_id, code = net.new_id("crates"), net.new_code()
            t0 = day * DAY - 2 * DAY + rng.randrange(8 * HOUR)
            kw = {"crate_id": crate_id, "type_id": ctype.id, "quantity": quantity}
            self.event("commission", code, org=site, from_holder=None, holder=point.id,
                       from_state=None, to_state="returned", at=t0, **kw)
            self.event("collect", code, org=collector, from_holder=point.id,
                       holder=collector.id, from_state="returned", to_state="collected",
                       at=t0 + DAY, **kw)
            self.event("deliver", code, org=collector, from_holder=collector.id,
                       holder=site.id, from_state="collected", to_state="collected",
                       at=t0 + DAY + 2 * HOUR, **kw)
            self.event("sort", code, org=site, from_holder=site.id, holder=site.id,
                       from_state="collected", to_state="sorted", at=sort_at, **kw)
            self.event("wash", code, org=site, from_holder=site.id, holder=site.id,
                       from_state="sorted", to_state="washing", at=wash_at,
                       batch_id=batch.id, **kw)
            batch.inputs += quantity
            mean = quantity * REJECT_RATE
            lost = min(quantity, max(0, round(rng.gauss(mean, (mean * (1 - REJECT_RATE)) ** 0.5))))
            for _ in range(lost):
                batch.rejected[self.reason()] += 1
            batch.counted_clean += quantity - lost
            self.event("batch_close", code, crate_id=crate_id, type_id=ctype.id, org=site,
                       from_holder=site.id, holder=site.id, from_state="washing",
                       to_state="clean", at=close_at, quantity=0, delta=0, batch_id=batch.id)
            self.chunk["crates"].append((crate_id, code, "clean", None, ts(t0), ts(close_at + 2),
                                         ts(close_at), ctype.id, site.id, site.id, 0, None,
                                         site.territory_id))
            self.chunk["labels"].append((code, ctype.id, None, crate_id, ts(t0),
                                         site.territory_id))
            self.summary.crates += 1
        # The clean counted output: one new crate, delivered to a winegrower, filled.
        out_q = batch.counted_clean
        if out_q <= 0:
            return
        crate_id, code = net.new_id("crates"), net.new_code()
        batch.output_crate_id = crate_id
        grower = net.pick(territory, "winegrower")
        kw = {"crate_id": crate_id, "type_id": ctype.id, "quantity": out_q}
        self.event("commission", code, org=site, from_holder=None, holder=site.id,
                   from_state=None, to_state="clean", at=close_at, batch_id=batch.id, **kw)
        state, holder, last = "clean", site.id, close_at
        t = close_at + rng.randrange(DAY, 3 * DAY)
        if t < self.end:
            self.event("deliver", code, org=site, from_holder=site.id, holder=grower.id,
                       from_state="clean", to_state="clean", at=t, **kw)
            holder, last = grower.id, t
            t += rng.randrange(DAY, 10 * DAY)
            if t < self.end:
                self.event("fill", code, org=grower, from_holder=grower.id, holder=grower.id,
                           from_state="clean", to_state="in_use", at=t, **kw)
                state, last = "in_use", t
        self.chunk["crates"].append((crate_id, code, state, None, ts(close_at), ts(last + 2),
                                     ts(last), ctype.id, holder, site.id, out_q, None,
                                     site.territory_id))
        self.chunk["labels"].append((code, ctype.id, None, crate_id, ts(close_at),
                                     site.territory_id))
        self.summary.crates += 1

    def run(self, progress: Callable[[Summary], None] | None = None) -> None:
        rng = self.rng
        crate_budget = int(self.target * CRATE_SHARE)
        first_day, last_day = self.start // DAY + 1, (self.end - 17 * HOUR) // DAY
        days = [(t, d) for t in range(len(TERRITORIES)) for d in range(first_day, last_day)
                if (d + 3) % 7 < 5]  # weekdays (1970-01-01 was a Thursday)
        rng.shuffle(days)
        per_day = max(2, -(-crate_budget // (len(days) * 6)))
        for territory, day in days:
            if self.summary.events >= crate_budget:
                break
            self.crate_day(territory, day, per_day)
            self.maybe_flush()
        reported = 0
        while self.summary.events < self.target:
            self.container()
            self.maybe_flush()
            if progress and self.summary.events - reported >= 1_000_000:
                reported = self.summary.events
                progress(self.summary)
        self.flush()


def _finish_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in ("events", "containers", "crates", "deposit_entries", "batches"):
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    # VACUUM as well as ANALYZE: a table just loaded has no visibility map, so
    # an index-only scan still reads the heap until autovacuum passes (the stock
    # of the largest holder at 10^7 events: 12.8 ms before, 2.6 ms after).
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM (ANALYZE) {tables}"))


def generate(engine: Engine, *, events: int, seed: int = 2026, end: datetime | None = None,
             chunk_rows: int = 50_000, check_transitions: bool = False,
             defer_indexes_from: int = 200_000,
             progress: Callable[[Summary], None] | None = None) -> Summary:
    """Load a synthetic network with about `events` events; return what was written."""
    if events < 1:
        raise SyntheticError("the number of events must be positive")
    started = time.perf_counter()
    rng = random.Random(seed)
    end_dt = end or datetime.now(UTC) - timedelta(hours=1)
    with Session(engine, expire_on_commit=False) as session:
        network = Network(session, rng)
        session.commit()
        indexes = secondary_indexes(engine) if events >= defer_indexes_from else []
        drop_indexes(engine, indexes)
        try:
            writer = BulkWriter(engine)
            gen = Generator(network, writer, events=events, end=int(end_dt.timestamp()),
                            chunk_rows=chunk_rows, check_transitions=check_transitions)
            try:
                gen.run(progress)
            finally:
                writer.close()
        finally:
            create_indexes(engine, indexes)
        gen.close_all_batches(session)
        session.commit()
    if engine.dialect.name == "postgresql":
        _finish_postgres(engine)
    else:
        with engine.begin() as conn:  # committed: the app's connections begin explicitly
            conn.exec_driver_sql("ANALYZE")
    gen.summary.seconds = time.perf_counter() - started
    return gen.summary


def load_scale_cli(events: int) -> None:
    """`flask demo --scale N`: load, then print counts and throughput."""
    import click
    from flask import current_app

    def progress(summary: Summary) -> None:
        click.echo(f"  … {summary.events:,} events", err=True)

    try:
        summary = generate(current_app.extensions["db_engine"], events=events, progress=progress)
    except (SyntheticError, BulkLoadError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Synthetic network loaded: {summary.organisations} organisations, "
        f"{summary.events:,} events, {summary.containers:,} containers, "
        f"{summary.crates:,} crates, {summary.batches:,} batches, "
        f"{summary.deposit_entries:,} deposit entries in {summary.seconds:.1f} s "
        f"({summary.rows_per_second:,.0f} rows/s).")
    click.echo("Actions: " + ", ".join(f"{a} {n:,}" for a, n in summary.actions.most_common()))
    click.echo(f"Logins: <organisation code>@{DOMAIN}, password tilleul-et-marnes.")
