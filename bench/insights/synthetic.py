"""A synthetic household with the noisy bank texts real exports have.

Twelve months of a German household's card and account statements: merchants written
the way banks write them ('POS 4411 LIDL DIENSTL. SAGT DANKE', 'SEPA-LASTSCHRIFT
NETFLIX.COM 123'), with branch numbers, cities, card numbers, dates, times and random
references injected; three accounts whose banks write texts differently; shops that
sell several kinds of things (a drugstore, Amazon, PayPal, the railway) whose category
depends on the amount or on the memo; merchants that first appear late in the year;
and a household that is not perfectly consistent (2% of labels are another
category, at random). Seeded: the same seed gives the same household.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from homeledger.insights.categorise import Row

START = dt.date(2025, 1, 1)
MONTHS = 12
CITIES = ("BERLIN", "HAMBURG", "MUENCHEN", "KOELN", "POTSDAM", "LEIPZIG")
CHECKING, CARD, ONLINE = "checking", "visa-card", "online-bank"

Chooser = Callable[[random.Random, int], str]
"""(rng, amount in cents) -> category."""


@dataclass(frozen=True)
class Merchant:
    brand: str
    """The merchant's identity (for reporting only; the model never sees it)."""
    texts: tuple[str, ...]
    """How banks write it; {n} a branch number, {city} a city, {ref} a reference."""
    category: str | Chooser
    low: float
    high: float
    per_month: float
    accounts: tuple[str, ...] = (CHECKING, CARD)
    day: int | None = None
    """Fixed day of month (recurring payments); otherwise random days."""
    first_month: int = 0
    income: bool = False
    memo_merchants: tuple[tuple[str, str], ...] = ()
    """For payment services: (merchant in the memo, its category)."""


def _by_amount(threshold: float, above: str, below: str) -> Chooser:
    def choose(rng: random.Random, cents: int) -> str:
        return above if cents >= threshold * 100 else below

    return choose


def _weighted(*options: tuple[str, float]) -> Chooser:
    names = [o[0] for o in options]
    weights = [o[1] for o in options]

    def choose(rng: random.Random, cents: int) -> str:
        return rng.choices(names, weights)[0]

    return choose


def _amazon(rng: random.Random, cents: int) -> str:
    if cents >= 8000:
        return rng.choices(["Electronics", "Household"], [0.8, 0.2])[0]
    if cents <= 2000:
        return rng.choices(["Books", "Household"], [0.7, 0.3])[0]
    return rng.choices(["Household", "Books", "Electronics"], [0.6, 0.2, 0.2])[0]


MERCHANTS: tuple[Merchant, ...] = (
    Merchant(
        "lidl", ("LIDL DIENSTL", "LIDL SAGT DANKE", "LIDL FIL. {n} {city}"), "Groceries", 12, 85, 5
    ),
    Merchant(
        "rewe",
        ("REWE MARKT GMBH", "REWE {city} {n}", "REWE SAGT DANKE. {n}"),
        "Groceries",
        8,
        110,
        5,
    ),
    Merchant("aldi", ("ALDI SUED", "ALDI NORD {n}", "ALDI GMBH + CO KG"), "Groceries", 10, 70, 3),
    Merchant("edeka", ("EDEKA CENTER {city}", "EDEKA MARKT {n}"), "Groceries", 6, 60, 2),
    Merchant("netto", ("NETTO MARKEN-DISCOUNT", "NETTO FIL. {n}"), "Groceries", 5, 45, 1.5),
    Merchant("bakery", ("BAECKEREI KAMPS {n}", "KAMPS BACKSTUBE"), "Coffee", 2, 9, 4),
    Merchant("starbucks", ("STARBUCKS {city}", "STARBUCKS COFFEE {n}"), "Coffee", 3, 8, 3),
    Merchant("fellows", ("COFFEE FELLOWS {city}",), "Coffee", 3, 7, 2),
    Merchant("pizzeria", ("PIZZERIA NAPOLI", "PIZZERIA NAPOLI {city}"), "Restaurants", 18, 60, 1.5),
    Merchant("roma", ("RISTORANTE ROMA",), "Restaurants", 30, 90, 1),
    Merchant("sushi", ("SUSHI BAR KEN", "SUSHI BAR KEN {n}"), "Restaurants", 25, 70, 1),
    Merchant("burger", ("BURGER WERK {city}",), "Restaurants", 12, 35, 1.5),
    Merchant("thai", ("THAI ORCHID RESTAURANT",), "Restaurants", 20, 55, 0.8),
    Merchant("mario", ("TRATTORIA DA MARIO",), "Restaurants", 25, 80, 1.5, first_month=9),
    Merchant("kazu", ("SUSHI KAZU {city}",), "Restaurants", 20, 60, 1, first_month=10),
    Merchant(
        "lieferando",
        ("LIEFERANDO.DE", "TAKEAWAY.COM LIEFERANDO"),
        "Restaurants",
        15,
        45,
        2,
        accounts=(CARD, ONLINE),
    ),
    Merchant("aral", ("ARAL STATION {n}", "ARAL TANKSTELLE {city}"), "Fuel", 35, 85, 1.5),
    Merchant("shell", ("SHELL {n} {city}", "SHELL DEUTSCHLAND"), "Fuel", 35, 80, 1),
    Merchant("esso", ("ESSO STATION {n}",), "Fuel", 40, 80, 1.5, first_month=9),
    Merchant("bvg", ("BVG TICKET", "BVG FAHRSCHEIN {n}"), "Public transport", 3, 9, 2),
    Merchant(
        "db",
        ("DB VERTRIEB GMBH", "DB FERNVERKEHR {ref}"),
        _by_amount(40, "Travel", "Public transport"),
        5,
        140,
        1.5,
    ),
    Merchant("rent", ("HAUSVERWALTUNG MEYER",), "Rent", 1150, 1150, 1, (CHECKING,), day=1),
    Merchant("stadtwerke", ("STADTWERKE {city}",), "Utilities", 85, 140, 1, (CHECKING,), day=3),
    Merchant(
        "vattenfall", ("VATTENFALL EUROPE SALES",), "Utilities", 62, 62, 1, (CHECKING,), day=15
    ),
    Merchant(
        "telekom", ("TELEKOM DEUTSCHLAND GMBH",), "Internet", 39.95, 39.95, 1, (CHECKING,), day=3
    ),
    Merchant("vodafone", ("VODAFONE GMBH",), "Phone", 24.99, 24.99, 1, (CARD,), day=5),
    Merchant(
        "netflix",
        ("NETFLIX.COM", "NETFLIX INTERNATIONAL B.V."),
        "Streaming",
        13.99,
        13.99,
        1,
        (CARD,),
        day=3,
    ),
    Merchant(
        "spotify", ("SPOTIFY AB", "SPOTIFY P{ref}"), "Streaming", 10.99, 10.99, 1, (CARD,), day=12
    ),
    Merchant("disney", ("DISNEY PLUS",), "Streaming", 8.99, 8.99, 1, (CARD,), day=20),
    Merchant(
        "allianz", ("ALLIANZ VERSICHERUNGS-AG",), "Insurance", 48.20, 48.20, 1, (CHECKING,), day=1
    ),
    Merchant("huk", ("HUK-COBURG",), "Insurance", 310, 310, 1 / 12, (CHECKING,)),
    Merchant("fitx", ("FITX DEUTSCHLAND GMBH",), "Sport", 24.90, 24.90, 1, (CHECKING,), day=1),
    Merchant("decathlon", ("DECATHLON {city}",), "Sport", 15, 120, 0.4),
    Merchant("apotheke", ("APOTHEKE AM MARKT", "ROSEN-APOTHEKE {city}"), "Health", 4, 45, 1),
    Merchant("doctor", ("DR MED SCHMIDT PRAXIS",), "Health", 10, 120, 0.3, (CHECKING,)),
    Merchant(
        "dm",
        ("DM DROGERIE MARKT", "DM-DROGERIE {n} {city}"),
        _weighted(("Household", 0.65), ("Health", 0.35)),
        4,
        45,
        2.5,
    ),
    Merchant(
        "rossmann",
        ("ROSSMANN {n}", "DIRK ROSSMANN GMBH"),
        _weighted(("Household", 0.6), ("Health", 0.4)),
        3,
        35,
        1.5,
    ),
    Merchant("ikea", ("IKEA DEUTSCHLAND", "IKEA {city}"), "Household", 20, 250, 0.4),
    Merchant("obi", ("OBI BAUMARKT {city}", "OBI GMBH"), "Household", 10, 150, 0.5),
    Merchant("hm", ("H&M {n}", "H + M HENNES MAURITZ"), "Clothes", 15, 90, 0.7),
    Merchant(
        "zalando", ("ZALANDO SE", "ZALANDO PAYMENTS {ref}"), "Clothes", 25, 150, 0.6, (CARD, ONLINE)
    ),
    Merchant(
        "mediamarkt", ("MEDIAMARKT {city}", "MEDIA MARKT E-BUSINESS"), "Electronics", 20, 600, 0.3
    ),
    Merchant(
        "amazon",
        ("AMAZON EU S.A R.L.", "AMZN MKTP DE {ref}", "AMAZON.DE {ref}"),
        _amazon,
        6,
        250,
        3,
        (CARD, ONLINE),
    ),
    Merchant(
        "paypal",
        ("PAYPAL EUROPE S.A.R.L. ET CIE S.C.A", "PAYPAL (EUROPE)"),
        "Shopping",
        5,
        80,
        3,
        (ONLINE, CHECKING),
        memo_merchants=(
            ("STEAM GAMES", "Games"),
            ("EBAY", "Shopping"),
            ("UBER BV", "Public transport"),
            ("ETSY", "Shopping"),
            ("NINTENDO", "Games"),
            ("AUDIBLE", "Books"),
        ),
    ),
    Merchant("thalia", ("THALIA BUCHHANDLUNG", "THALIA {city}"), "Books", 8, 40, 0.5),
    Merchant(
        "booking", ("BOOKING.COM", "BOOKING.COM HOTEL {ref}"), "Travel", 80, 420, 0.25, (CARD,)
    ),
    Merchant(
        "lufthansa", ("LUFTHANSA {ref}", "DEUTSCHE LUFTHANSA AG"), "Travel", 90, 450, 0.15, (CARD,)
    ),
    Merchant("salary", ("ACME GMBH",), "Salary", 3850, 3850, 1, (CHECKING,), day=28, income=True),
    Merchant("interest", ("TAGESGELD ZINSEN",), "Interest", 15, 35, 1 / 3, (ONLINE,), income=True),
)


def _fill(template: str, rng: random.Random) -> str:
    ref = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=rng.randint(6, 10)))
    if not any(ch.isdigit() for ch in ref):
        ref = ref[:-1] + str(rng.randint(0, 9))
    return template.format(n=rng.randint(10, 9999), city=rng.choice(CITIES), ref=ref)


def _texts(merchant: Merchant, account: str, day: dt.date, rng: random.Random) -> tuple[str, str]:
    """(payee, memo) as the account's bank writes them."""
    name = _fill(rng.choice(merchant.texts), rng)
    card = f"{rng.choice(['4871', '5232'])}XXXXXXXX{rng.randint(1000, 9999)}"
    stamp = f"{day:%d.%m.} {rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}"
    ref = rng.randint(100_000, 999_999_999)
    if merchant.memo_merchants:
        inner = _fill(rng.choice(merchant.memo_merchants)[0], rng)
        return name, f"PP.{rng.randint(1000, 9999)}.PP . {inner}, Ihr Einkauf bei {inner}"
    if account == CARD:
        return f"{name} {rng.randint(10, 99)}", f"VISA {card} {stamp} KURS 1,0000"
    if account == ONLINE:
        # This bank writes everything into one line and leaves the memo empty.
        style = rng.choice(
            [
                f"POS {rng.randint(1000, 9999)} {name} {stamp}",
                f"SEPA-LASTSCHRIFT {name} {ref}",
                f"KARTENZAHLUNG {name} {day:%d.%m.%Y}",
            ]
        )
        return style, ""
    if merchant.day is not None or merchant.income:
        kind = "GUTSCHRIFT" if merchant.income else "SEPA-LASTSCHRIFT"
        return name, f"{kind} EREF+{ref} MREF+M{rng.randint(1000, 99999)} {day:%m/%Y}"
    return name, f"KARTENZAHLUNG GIROCARD {stamp} {card}"


@dataclass(frozen=True)
class Labelled:
    row: Row
    category: str
    merchant: str


def _amount_cents(merchant: Merchant, rng: random.Random) -> int:
    if merchant.low == merchant.high:
        return round(merchant.low * 100)
    return rng.randint(round(merchant.low * 100), round(merchant.high * 100))


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; the means here are small.
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def generate(seed: int = 42, label_noise: float = 0.02) -> list[Labelled]:
    """Twelve months from `START`, oldest first."""
    rng = random.Random(seed)
    categories = sorted(
        {m.category for m in MERCHANTS if isinstance(m.category, str)}
        | {"Electronics", "Books", "Household", "Games", "Travel", "Public transport"}
    )
    produced: list[Labelled] = []
    for month in range(MONTHS):
        first = dt.date(
            START.year + (START.month - 1 + month) // 12, (START.month - 1 + month) % 12 + 1, 1
        )
        days = ((first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - first).days
        for merchant in MERCHANTS:
            if month < merchant.first_month:
                continue
            if merchant.day is not None:
                dates = [first.replace(day=min(merchant.day, days))]
            elif merchant.per_month < 1:
                dates = [first + dt.timedelta(days=rng.randrange(days))] * (
                    rng.random() < merchant.per_month
                )
            else:
                count = _poisson(rng, merchant.per_month)
                dates = [first + dt.timedelta(days=rng.randrange(days)) for _ in range(count)]
            for day in dates:
                cents = _amount_cents(merchant, rng)
                account = rng.choice(merchant.accounts)
                payee, memo = _texts(merchant, account, day, rng)
                if merchant.memo_merchants:
                    inner = next(c for n, c in merchant.memo_merchants if n in memo)
                    category = inner
                elif isinstance(merchant.category, str):
                    category = merchant.category
                else:
                    category = merchant.category(rng, cents)
                if rng.random() < label_noise and not merchant.income:
                    category = rng.choice([c for c in categories if c != category])
                row = Row(
                    payee=payee,
                    memo=memo,
                    amount_minor=cents if merchant.income else -cents,
                    currency="EUR",
                    account_id=account,
                    date=day,
                )
                produced.append(Labelled(row, category, merchant.brand))
    produced.sort(key=lambda item: item.row.date or START)
    return produced
