"""What the clinics tools give back: estimates, checklists and directory entries, as typed schemas.

Pure (pydantic). The same models are the API's declared responses (so /api/openapi.json describes
them) and what ``ketnav costs --json`` prints. Money leaves as strings with two decimals ("4491.16"),
never as floats, so a client never sees 0.30000000000000004.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from ketnav.clinics.checklist import Checklist, Status, evaluate
from ketnav.clinics.costs import Course, Estimate, LineKind
from ketnav.clinics.fields import MoneyOut, Percent
from ketnav.clinics.profile import Clinic, Quote
from ketnav.clinics.quotes import Quotes


class Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class QuoteOut(Out):
    amount: MoneyOut
    quoted_on: dt.date
    source: str

    @classmethod
    def of(cls, quote: Quote) -> QuoteOut:
        return cls(amount=quote.amount, quoted_on=quote.quoted_on, source=quote.source)


class LineOut(Out):
    kind: LineKind
    label: str
    amount: MoneyOut
    working: str
    quote: QuoteOut | None


class TotalsOut(Out):
    billed: MoneyOut
    insurance_pays: MoneyOut
    programme_pays: MoneyOut
    paid_to_clinic: MoneyOut
    interest: MoneyOut
    expected_reimbursement: MoneyOut
    total: MoneyOut
    per_session: MoneyOut


class FinancingOut(Out):
    term_months: int
    apr_percent: Percent
    monthly_payment: MoneyOut
    total_repaid: MoneyOut


class EstimateOut(Out):
    clinic: str
    currency: str
    course: Course
    lines: list[LineOut]
    totals: TotalsOut
    financing: FinancingOut | None
    assumptions: list[str]
    warnings: list[str]

    @classmethod
    def of(cls, e: Estimate) -> EstimateOut:
        plan = e.financing
        return cls(
            clinic=e.clinic.name,
            currency=e.clinic.currency,
            course=e.course,
            lines=[
                LineOut(
                    kind=line.kind,
                    label=line.label,
                    amount=line.amount,
                    working=line.working,
                    quote=QuoteOut.of(line.quote) if line.quote else None,
                )
                for line in e.lines
            ],
            totals=TotalsOut(
                billed=e.billed,
                insurance_pays=e.insurance_pays,
                programme_pays=e.programme_pays,
                paid_to_clinic=e.paid_to_clinic,
                interest=e.interest,
                expected_reimbursement=e.reimbursement,
                total=e.total,
                per_session=e.per_session,
            ),
            financing=FinancingOut(
                term_months=plan.term_months,
                apr_percent=plan.apr_percent,
                monthly_payment=plan.monthly_payment,
                total_repaid=plan.total_repaid,
            )
            if plan
            else None,
            assumptions=list(e.assumptions),
            warnings=list(e.warnings),
        )


class ChecklistItemOut(Out):
    id: str
    question: str
    status: Status
    basis: str
    why: str
    citations: list[str]


class ChecklistOut(Out):
    summary: str
    items: list[ChecklistItemOut]

    @classmethod
    def of(cls, checklist: Checklist) -> ChecklistOut:
        return cls(summary=checklist.summary, items=_items(checklist))


class ClinicChecklistOut(Out):
    clinic: str
    summary: str
    items: list[ChecklistItemOut]


def _items(checklist: Checklist) -> list[ChecklistItemOut]:
    return [
        ChecklistItemOut(
            id=r.item.id,
            question=r.item.question,
            status=r.status,
            basis=r.basis,
            why=r.item.why,
            citations=list(r.item.citations),
        )
        for r in checklist.results
    ]


class QuotesReport(Out):
    """Every clinic's estimate and checklist: the body of POST /api/costs/estimate and `costs --json`."""

    estimates: list[EstimateOut]
    checklists: list[ClinicChecklistOut]

    @classmethod
    def of(cls, quotes: Quotes) -> QuotesReport:
        return cls(
            estimates=[EstimateOut.of(e) for e in quotes.estimates()],
            checklists=[
                ClinicChecklistOut(clinic=c.name, summary=(k := evaluate(c)).summary, items=_items(k))
                for c in quotes.clinics
            ],
        )


class DirectoryEntryOut(Out):
    """A published clinic: its profile as stored (the import/export shape) and its checklist."""

    id: int
    published: bool
    updated_at: dt.datetime
    profile: Clinic
    checklist: ChecklistOut
