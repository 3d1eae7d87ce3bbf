"""Clinics, checklists and estimates as JSON-ready dicts; the clinic dict is also the export format,
so exporting and importing again gives the same clinics."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ketnav.clinics.checklist import Checklist, evaluate
from ketnav.clinics.costs import Estimate
from ketnav.clinics.profile import Clinic, Quote
from ketnav.clinics.quotes import Quotes


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _quote(q: Quote) -> dict[str, Any]:
    return {"amount": _money(q.amount), "quoted_on": q.quoted_on.isoformat(), "source": q.source}


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def clinic_dict(c: Clinic) -> dict[str, Any]:
    ins = c.insurance
    insurance = None
    if ins:
        insurance = _drop_empty(
            {
                "in_network": ins.in_network,
                "covered_routes": list(ins.covered_routes),
                "deductible_remaining": _money(ins.deductible_remaining),
                "coinsurance_percent": str(ins.coinsurance_percent) if ins.coinsurance_percent is not None else None,
                "copay_per_session": _money(ins.copay_per_session) if ins.copay_per_session is not None else None,
                "superbills": ins.superbills,
                "oon_reimbursement_percent": str(ins.oon_reimbursement_percent)
                if ins.oon_reimbursement_percent is not None
                else None,
                "manufacturer_savings": {
                    "min_pay_per_session": _money(ins.manufacturer_savings.min_pay_per_session),
                    "annual_cap": _money(ins.manufacturer_savings.annual_cap),
                }
                if ins.manufacturer_savings
                else None,
            }
        )
    prices = _drop_empty(
        {
            "session": {r: _quote(q) for r, q in c.session_prices.items()},
            "booster": {r: _quote(q) for r, q in c.booster_prices.items()},
            "drug_portion": {r: _money(v) for r, v in c.drug_portion.items()},
            "consultation": _quote(c.consultation) if c.consultation else None,
            "follow_up": _quote(c.follow_up) if c.follow_up else None,
            "packages": [
                {
                    "route": p.route,
                    "sessions": p.sessions,
                    "price": _money(p.price.amount),
                    "includes": p.includes,
                    "quoted_on": p.price.quoted_on.isoformat(),
                    "source": p.price.source,
                }
                for p in c.packages
            ],
            "fees": [
                {
                    "name": f.name,
                    "amount": _money(f.price.amount),
                    "per": f.per,
                    "quoted_on": f.price.quoted_on.isoformat(),
                    "source": f.price.source,
                }
                for f in c.fees
            ],
        }
    )
    quality = _drop_empty(dict(c.quality.__dict__))
    reviews = _drop_empty(
        {
            "rating": str(c.reviews.rating) if c.reviews.rating is not None else None,
            "count": c.reviews.count,
            "source": c.reviews.source,
        }
    )
    return _drop_empty(
        {
            "name": c.name,
            "location": c.location,
            "routes": list(c.routes),
            "currency": c.currency,
            "prices": prices,
            "insurance": insurance,
            "financing": {"term_months": c.financing.term_months, "apr_percent": str(c.financing.apr_percent)}
            if c.financing
            else None,
            "quality": quality,
            "reviews": reviews,
        }
    )


def checklist_dict(checklist: Checklist) -> dict[str, Any]:
    return {
        "summary": checklist.summary,
        "items": [
            {
                "id": r.item.id,
                "question": r.item.question,
                "status": r.status,
                "basis": r.basis,
                "why": r.item.why,
                "citations": list(r.item.citations),
            }
            for r in checklist.results
        ],
    }


def estimate_dict(e: Estimate) -> dict[str, Any]:
    return {
        "clinic": e.clinic.name,
        "currency": e.clinic.currency,
        "course": dict(e.course.__dict__),
        "lines": [
            {
                "kind": line.kind,
                "label": line.label,
                "amount": _money(line.amount),
                "working": line.working,
                "quote": _quote(line.quote) if line.quote else None,
            }
            for line in e.lines
        ],
        "totals": {
            "billed": _money(e.billed),
            "insurance_pays": _money(e.insurance_pays),
            "programme_pays": _money(e.programme_pays),
            "paid_to_clinic": _money(e.paid_to_clinic),
            "interest": _money(e.interest),
            "expected_reimbursement": _money(e.reimbursement),
            "total": _money(e.total),
            "per_session": _money(e.per_session),
        },
        "financing": {
            "term_months": e.financing.term_months,
            "apr_percent": str(e.financing.apr_percent),
            "monthly_payment": _money(e.financing.monthly_payment),
            "total_repaid": _money(e.financing.total_repaid),
        }
        if e.financing
        else None,
        "assumptions": list(e.assumptions),
        "warnings": list(e.warnings),
    }


def quotes_report(quotes: Quotes) -> dict[str, Any]:
    """Every clinic's estimate and checklist: the body of POST /api/costs/estimate and `costs --json`."""
    return {
        "estimates": [estimate_dict(e) for e in quotes.estimates()],
        "checklists": [{"clinic": c.name, **checklist_dict(evaluate(c))} for c in quotes.clinics],
    }
