"""A seeded corpus of SYNTHETIC quotes documents (JSON and CSV) and a compact digest of what
``ketnav costs --json`` prints for them.

Why: the clinics boundary was rewritten (hand-written parser -> pydantic schemas) under the rule that no
cost total may change. ``totals_golden.txt`` holds the digest printed by the code on main before the
rewrite (commit 6064576); ``test_totals_match_main`` recomputes it. Regenerate the golden file only for
a deliberate change to the calculation, and say so in the commit:

    python -m tests.clinics.totals_corpus > tests/clinics/totals_golden.txt

Every clinic, price and plan here is invented.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

SEED = 20261127
DOCUMENTS = 160
ROUTES = ("iv", "im", "esketamine", "oral")
DATES = ("2026-01-15", "2026-03-02", "2025-11-30")


def _money(rng: random.Random, low: int, high: int) -> Any:
    value = rng.randint(low * 100, high * 100) / 100
    style = rng.random()
    if style < 0.4:
        return round(value)
    if style < 0.7:
        return f"{value:.2f}"
    if style < 0.85:
        return f"{value:.3f}"  # rounds half-up to cents
    return f"${value:,.2f}"


def _percent(rng: random.Random) -> Any:
    return rng.choice([0, 10, 12.5, 20, "19.99", 30, 50, "7.5%"])


def _prices(rng: random.Random, route: str) -> dict[str, Any]:
    single = rng.randint(150, 1200)
    prices: dict[str, Any] = {"session": {route: single}}
    if rng.random() < 0.5:
        prices["booster"] = {route: rng.randint(100, single + 100)}
    if rng.random() < 0.6:
        prices["consultation"] = _money(rng, 0, 600)
    if rng.random() < 0.5:
        prices["follow_up"] = _money(rng, 0, 300)
    if rng.random() < 0.5:
        sessions = rng.randint(2, 8)
        price = rng.randint(int(single * sessions * 0.6), int(single * sessions * 1.1))
        prices["packages"] = [{"route": route, "sessions": sessions, "price": price, "includes": "synthetic"}]
    if rng.random() < 0.5:
        fees = [{"name": "Synthetic fee", "amount": _money(rng, 5, 200), "per": rng.choice(["session", "course"])}]
        if rng.random() < 0.3:
            fees.append({"name": "Second synthetic fee", "amount": rng.randint(1, 90), "per": "course"})
        prices["fees"] = fees
    if route == "esketamine" and rng.random() < 0.7:
        prices["drug_portion"] = {route: rng.randint(0, single)}
    return prices


def _insurance(rng: random.Random, route: str) -> dict[str, Any] | None:
    if rng.random() < 0.3:
        return None
    ins: dict[str, Any] = {"in_network": rng.choice([True, False, None])}
    if rng.random() < 0.7:
        ins["covered_routes"] = [route] if rng.random() < 0.8 else ["iv" if route != "iv" else "im"]
    if rng.random() < 0.7:
        ins["deductible_remaining"] = _money(rng, 0, 3000)
    if rng.random() < 0.6:
        ins["coinsurance_percent"] = _percent(rng)
    if rng.random() < 0.4:
        ins["copay_per_session"] = _money(rng, 0, 150)
    if rng.random() < 0.5:
        ins["superbills"] = rng.choice([True, False])
        ins["oon_reimbursement_percent"] = _percent(rng)
    if route == "esketamine" and rng.random() < 0.6:
        ins["manufacturer_savings"] = {"min_pay_per_session": rng.randint(0, 20), "annual_cap": rng.randint(0, 9000)}
    return ins


def _clinic(rng: random.Random, n: int) -> dict[str, Any]:
    route = rng.choice(ROUTES)
    clinic: dict[str, Any] = {
        "name": f"Synthetic Clinic {n} (example)",
        "location": rng.choice(["", "Springfield", "Shelbyville"]),
        "routes": [route],
        "currency": rng.choice(["USD", "USD", "GBP", "EUR", "CAD"]),
        "quoted_on": rng.choice(DATES),
        "source": "synthetic corpus",
        "prices": _prices(rng, route),
        "quality": {"prescriber_licence": rng.choice(["MD", "DO", "NP", ""]), "observation_minutes": 60},
    }
    insurance = _insurance(rng, route)
    if insurance:
        clinic["insurance"] = insurance
    if rng.random() < 0.5:
        clinic["financing"] = {"term_months": rng.choice([1, 6, 12, 24, 60]), "apr_percent": _percent(rng)}
    course: dict[str, Any] = {}
    for key, (low, high) in {"induction_sessions": (1, 16), "boosters": (0, 12), "follow_ups": (0, 4)}.items():
        if rng.random() < 0.5:
            course[key] = rng.randint(low, high)
    for key in ("consultation", "use_packages", "finance"):
        if rng.random() < 0.2:
            course[key] = rng.random() < 0.5
    if course:
        clinic["course"] = course
    return clinic


def documents(seed: int = SEED, count: int = DOCUMENTS) -> list[tuple[str, str]]:
    """(file name, text) pairs: JSON documents of 1-3 clinics, and every fourth also as a minimal CSV."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    n = 0
    for i in range(count):
        clinics = []
        for _ in range(rng.randint(1, 3)):
            n += 1
            clinics.append(_clinic(rng, n))
        doc: dict[str, Any] = {"clinics": clinics}
        if rng.random() < 0.5:
            doc["course"] = {"months": rng.randint(1, 12)}
        out.append((f"doc{i:03d}.json", json.dumps(doc)))
        if i % 4 == 0:
            out.append((f"doc{i:03d}.csv", _csv(clinics)))
    return out


def _csv(clinics: list[dict[str, Any]]) -> str:
    """The CSV columns a spreadsheet user would fill in (one package, one fee)."""
    buffer = io.StringIO()
    columns = ["name", "route", "currency", "session_price", "quoted_on", "source", "consultation_fee"]
    columns += ["package_sessions", "package_price", "fee_name", "fee_amount", "fee_per", "months", "boosters"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for c in clinics:
        route = c["routes"][0]
        prices = c["prices"]
        package = (prices.get("packages") or [{}])[0]
        fee = (prices.get("fees") or [{}])[0]
        writer.writerow(
            {
                "name": c["name"],
                "route": route,
                "currency": c["currency"],
                "session_price": prices["session"][route],
                "quoted_on": c["quoted_on"],
                "source": c["source"],
                "consultation_fee": prices.get("consultation", ""),
                "package_sessions": package.get("sessions", ""),
                "package_price": package.get("price", ""),
                "fee_name": fee.get("name", ""),
                "fee_amount": fee.get("amount", ""),
                "fee_per": fee.get("per", ""),
                "months": (c.get("course") or {}).get("boosters", 0) + 1,
                "boosters": (c.get("course") or {}).get("boosters", ""),
            }
        )
    return buffer.getvalue()


def digest(report: dict[str, Any]) -> list[str]:
    """One line per estimate: every total and every line's amount and working (not labels of routes)."""
    out = []
    for e in report["estimates"]:
        totals = " ".join(f"{k}={v}" for k, v in sorted(e["totals"].items()))
        monthly = e["financing"]["monthly_payment"] if e["financing"] else "-"
        lines = " | ".join(f"{line['kind']}:{line['amount']}:{line['working']}" for line in e["lines"])
        out.append(f"{e['clinic']} :: {totals} monthly={monthly} :: {lines}")
    return out


def run_corpus() -> list[str]:
    """Every document through ``ketnav costs --json`` in this process; the digest of each, in order."""
    from ketnav.cli import main

    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in documents():
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                code = main(["costs", "--quotes", str(path), "--json"])
            if code != 0:
                raise AssertionError(f"{name}: ketnav costs exited {code}")
            out += [f"{name} {line}" for line in digest(json.loads(buffer.getvalue()))]
    return out


if __name__ == "__main__":
    sys.stdout.write("\n".join(run_corpus()) + "\n")
