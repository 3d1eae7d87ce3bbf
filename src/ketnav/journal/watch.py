"""Saved trial searches as a watch-list: after each ``ketnav sync``, studies whose overall status
changed (e.g. "not yet recruiting" to "recruiting") are flagged for the people watching them, shown on
their journal page and, when mail is configured (KETNAV_EMAIL_URL), emailed.

A saved search keeps the search page's query (so the person can run it again) and the studies it
showed when saved, with their statuses; ``after_sync`` compares those statuses with the registry's.
It reads only the ``Study`` table, so it does not depend on how the search engine ranks.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ketnav.errors import InvalidInput
from ketnav.journal.models import WatchedSearch, WatchFlag, status_label

logger = logging.getLogger(__name__)
NCT_ID = re.compile(r"NCT[0-9]{8}")
MAX_STUDIES = 100


@dataclass(frozen=True)
class WatchReport:
    searches: int
    flagged: int
    emailed: int
    mail_failures: int


def save_search(owner: User, *, query: str, label: str, nct_ids: list[str]) -> WatchedSearch:
    from ketnav.trials.models import Study

    query = query.strip().lstrip("?")
    if len(query) > 2000 or "\x00" in query:
        raise InvalidInput("query: too long to save")
    wanted = list(dict.fromkeys(i.strip().upper() for i in nct_ids if i.strip()))
    bad = [i for i in wanted if not NCT_ID.fullmatch(i)]
    if bad:
        raise InvalidInput(f"nct: {bad[0]!r} is not an NCT number")
    statuses = dict(Study.objects.filter(nct_id__in=wanted[:MAX_STUDIES]).values_list("nct_id", "overall_status"))
    label = " ".join(label.split())[:200] or "Trial search"
    return WatchedSearch.objects.create(owner=owner, label=label, query=query, statuses=statuses)


def after_sync() -> WatchReport:
    """Flag status changes in every saved search; email the owners if mail is configured."""
    from ketnav.trials.models import Study

    flagged = 0
    new_flags: dict[int, list[WatchFlag]] = {}
    searches = list(WatchedSearch.objects.select_related("owner"))
    for watch in searches:
        current = {
            nct: (status, title)
            for nct, status, title in Study.objects.filter(nct_id__in=list(watch.statuses)).values_list(
                "nct_id", "overall_status", "brief_title"
            )
        }
        with transaction.atomic():
            for nct, old in watch.statuses.items():
                if nct in current and current[nct][0] != old:
                    flag = WatchFlag.objects.create(
                        watch=watch, nct_id=nct, title=current[nct][1], old_status=old, new_status=current[nct][0]
                    )
                    new_flags.setdefault(watch.owner_id, []).append(flag)
                    flagged += 1
            watch.statuses = {nct: current.get(nct, (old, ""))[0] for nct, old in watch.statuses.items()}
            watch.checked_at = timezone.now()
            watch.save(update_fields=["statuses", "checked_at"])
    emailed = failures = 0
    if settings.KETNAV_EMAIL_CONFIGURED:
        owners = {w.owner_id: w.owner for w in searches}
        for owner_id, flags in new_flags.items():
            try:
                _email(owners[owner_id], flags)
                WatchFlag.objects.filter(pk__in=[f.pk for f in flags]).update(emailed=True)
                emailed += 1
            except OSError as exc:  # SMTP errors are OSErrors; the flags stay on the journal page
                logger.warning("watch-list email to %s failed: %s", owners[owner_id].email, exc)
                failures += 1
    return WatchReport(searches=len(searches), flagged=flagged, emailed=emailed, mail_failures=failures)


def _email(owner: User, flags: list[WatchFlag]) -> None:
    lines = [
        f"- {f.nct_id} ({f.title[:100]}): now {status_label(f.new_status)}, was {status_label(f.old_status)}"
        for f in flags
    ]
    body = (
        "Studies in your saved trial searches changed status in the latest registry update:\n\n"
        + "\n".join(lines)
        + "\n\nSee them on your journal page. Ketamine Navigator"
    )
    send_mail("Trial updates from your saved searches", body, None, [owner.email])
