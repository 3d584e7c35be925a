"""What users of the big vendor get: page timings, the deal export and a web worker's memory, under gunicorn.

Two users of the big vendor (its vendor admin and a channel manager) sign in through the login form; every page
of ``pages()`` is requested once to warm up and then ``repeat`` times, and the median is its figure. The deal
CSV export of the whole vendor is downloaded once, streamed, and the peak resident memory of the worker that
served it is read from ``/proc`` (``VmHWM``); after all pages, the largest worker's resident memory
(``VmRSS``).
"""

import asyncio
import http.client
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.traffic import login

PASSWORD = "bench-pass-2026"  # noqa: S105  (users of a throwaway benchmark database)
DEEP_PAGE = 500


@dataclass
class PageTimings:
    ms: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def prepare_users(vendor_slug: str, emails: list[str]) -> None:
    """Give the benchmark's users a password and a verified address, so they sign in like anyone else through
    the login form; the vendor lets its admins sign in without a second factor (its own setting), which a script
    cannot type."""
    from allauth.account.models import EmailAddress
    from django_scopes import scopes_disabled

    from partners.models import User, Vendor

    with scopes_disabled():
        Vendor.objects.filter(slug=vendor_slug).update(require_mfa_for_admins=False)
        for user in User.objects.filter(email__in=emails):
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


def pages(vendor_slug: str) -> list[tuple[str, str]]:
    """(name, path) of every page measured, for one vendor: the lists at their first and a deep page, each sort,
    a search, one deal, the review queue and matrix, the KPI dashboard at each granularity, the three insight
    tabs and the audit trail."""
    from django.db.models import Max
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from deals.filters import SORTS
    from deals.models import Deal
    from deals.views_list import DealListView

    def url(name: str, **kwargs) -> str:
        return reverse(name, kwargs={"vendor_slug": vendor_slug, **kwargs})

    with scopes_disabled():
        visible = Deal.objects.filter(vendor__slug=vendor_slug).exclude(registration_status="draft")
        deal_id = visible.filter(phase="proposal").aggregate(last=Max("pk"))["last"]
        customer = Deal.objects.get(pk=deal_id).customer_name[:4]
        deep = min(DEEP_PAGE, max(1, visible.count() // DealListView.paginate_by))
    deals = url("deal_list")
    found = [
        ("dashboard", url("dashboard")),
        ("deals", deals),
        (f"deals_page_{deep}", f"{deals}?page={deep}"),
        *((f"deals_sort_{key}", f"{deals}?sort=-{key}") for key in SORTS),
        ("deals_search", f"{deals}?q={_quote(customer)}"),
        ("deal_detail", url("deal_detail", deal_id=deal_id)),
        ("review_queue", url("review_queue")),
        ("review_matrix", url("review_matrix")),
        ("kpis_quarter", f"{url('kpi_dashboard')}?granularity=quarter"),
        ("kpis_month", f"{url('kpi_dashboard')}?granularity=month"),
        ("kpis_fiscal_year", f"{url('kpi_dashboard')}?granularity=fiscal_year"),
        ("insights_loss_factors", url("insights_loss_factors")),
        ("insights_ringi_patterns", url("insights_ringi_patterns")),
        ("insights_playbook", url("insights_playbook")),
        ("audit", url("audit:list")),
    ]
    return found


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def sign_in(port: int, emails: list[str]) -> dict[str, str]:
    """email → session id, through the login form."""

    async def main():
        return await asyncio.gather(*(login(port, email, PASSWORD) for email in emails))

    return dict(zip(emails, asyncio.run(main()), strict=True))


def get(port: int, path: str, session: str, *, timeout: float = 120) -> tuple[int, int, float]:
    """(status, bytes, seconds) of one GET, the body read to its end."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session}", "Accept-Language": "ja"})
        response = connection.getresponse()
        size = 0
        while chunk := response.read(64 * 1024):
            size += len(chunk)
        return response.status, size, time.perf_counter() - started
    finally:
        connection.close()


def time_pages(
    port: int, sessions: dict[str, str], paths: list[tuple[str, str]], repeat: int, say: Callable[[str], None]
) -> PageTimings:
    """Median milliseconds of ``repeat`` warm requests per page and user (the slower user counts); a page one of
    the users may not open (the audit trail is the vendor admin's) is timed for the other."""
    timings = PageTimings()
    for name, path in paths:
        medians = []
        for email, session in sessions.items():
            status, _size, _seconds = get(port, path, session)  # warm-up
            if status == 403:
                continue
            samples = []
            for _ in range(repeat):
                status, _size, seconds = get(port, path, session)
                if status != 200:
                    timings.failures.append(f"{name} ({email}): {status}")
                    break
                samples.append(seconds)
            if samples:
                medians.append(statistics.median(samples) * 1000)
        if medians:
            timings.ms[name] = round(max(medians), 1)
            say(f"{name:<28} {timings.ms[name]:>8.1f} ms  {path}")
        else:
            timings.failures.append(f"{name}: no user may open it")
    return timings


def workers(master_pid: int) -> list[int]:
    """The gunicorn master's worker processes."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def memory_mb(pid: int, field_name: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (peak resident) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0
