"""Stored insight analyses: each report and set of filters is computed once and kept until the data it reads
changes, so pages, the API and the CSV answer from a stored result instead of rebuilding every closed deal's
history per request.

- **Version.** A result holds the version of the data it read: the count and newest change of the vendor's
  closed deals and the newest change of its partners (a tier move regroups deals). One aggregate query tells
  whether a stored result is current.
- **Reading.** A current result is used as it is. A missing or outdated one is computed in the request and kept
  while the vendor has at most ``INSIGHTS_INLINE_DEALS`` closed deals (an analysis of that many takes a fraction
  of a second). Above that, a task computes it (at most one waiting per result): meanwhile an outdated result is
  shown marked as being updated, and a missing one is "being computed" (the page says so and reloads; the API
  answers 202) unless the caller waits for it (a download).
- **Nightly.** After the KPI job, every result read in the last ``KEEP_DAYS`` days is brought up to date and
  the others are dropped; the unfiltered reports are always computed, so the first visit of the day is fast.

The findings (sentences in the reader's language) are phrased on reading from the stored analysis.
"""

import hashlib
import json
import logging
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from deals.models import CLOSED_PHASES, Deal, RegistrationStatus
from knowledge.insights.filters import InsightFilters
from knowledge.models import InsightResult
from partners.models import PartnerCompany, Vendor
from prm.clock import vendor_today
from prm.outbox import enqueue

logger = logging.getLogger(__name__)

KEEP_DAYS = 30
REFRESH_PENDING_SECONDS = 15 * 60


@dataclass
class Stored:
    """A stored analysis: the value, when it was computed, and whether newer data is being analysed."""

    value: object
    computed_at: object
    updating: bool = False


def insight_version(vendor: Vendor, extra: tuple = ()) -> tuple[str, int]:
    """What the vendor's analyses depend on, as one string (two aggregate queries, and ``extra``: what one
    analysis reads besides), and how many closed deals the vendor has."""
    deals = (
        Deal.objects.filter(vendor=vendor, phase__in=CLOSED_PHASES)
        .exclude(registration_status=RegistrationStatus.DRAFT)
        .aggregate(
            n=Count("*"), changed=Max("updated_at")
        )  # from the index alone (deals_vendor_phase_changes)
    )
    partners = PartnerCompany.objects.filter(vendor=vendor).aggregate(changed=Max("updated_at"))
    version = repr((deals["n"], deals["changed"], partners["changed"], *extra))
    return hashlib.sha256(version.encode()).hexdigest()[:32], deals["n"]


def filter_key(filters: InsightFilters) -> str:
    return hashlib.sha256(_filters_json(filters).encode()).hexdigest()


def _filters_json(filters: InsightFilters) -> str:
    return json.dumps(filters.as_dict(), default=str, sort_keys=True)


def stored_analysis(
    vendor: Vendor,
    report: str,
    filters: InsightFilters,
    compute: Callable[[], object],
    extra: tuple = (),
    wait: bool = True,
) -> Stored:
    """The stored ``report`` of ``vendor`` for ``filters`` (see the module); ``compute()`` builds it afresh,
    ``extra`` is what it depends on besides the closed deals and partners. Without ``wait``, a missing analysis
    of a large vendor comes back as ``Stored(None, None, updating=True)`` while a task computes it. Runs inside
    the vendor's scope."""
    version, closed = insight_version(vendor, extra)
    key = filter_key(filters)
    row = (
        InsightResult.objects.filter(vendor=vendor, report=report, filter_key=key)
        .only("version", "payload", "computed_at", "used_on")
        .first()
    )
    today = vendor_today(vendor)
    inline = closed <= settings.INSIGHTS_INLINE_DEALS
    if row is None and not (inline or wait):
        _refresh_later(vendor, report, filters)
        return Stored(None, None, updating=True)
    if row is None or (row.version != version and inline):
        value = compute()
        computed_at = _store(vendor, report, filters, version, value, today)
        return Stored(value, computed_at)
    if row.used_on != today:
        InsightResult.objects.filter(pk=row.pk).update(used_on=today)
    value = pickle.loads(bytes(row.payload))  # noqa: S301  (written by ``_store`` only)
    if row.version == version:
        return Stored(value, row.computed_at)
    _refresh_later(vendor, report, filters)
    return Stored(value, row.computed_at, updating=True)


def _store(vendor, report, filters, version, value, today: date):
    now = timezone.now()
    fields = {
        "filters": json.loads(_filters_json(filters)),
        "version": version,
        "payload": pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL),
        "computed_at": now,
        "used_on": today,
    }
    # One upsert: two requests storing the same analysis at once leave one row.
    InsightResult.objects.bulk_create(
        [InsightResult(vendor=vendor, report=report, filter_key=filter_key(filters), **fields)],
        update_conflicts=True,
        unique_fields=("vendor", "report", "filter_key"),
        update_fields=tuple(fields),
    )
    return now


def _pending_key(vendor: Vendor, report: str, filters: InsightFilters) -> str:
    """The cache mark of a refresh queued and not started yet."""
    return f"knowledge:insight-pending:{vendor.pk}:{report}:{filter_key(filters)}"


def _refresh_later(vendor: Vendor, report: str, filters: InsightFilters) -> None:
    from knowledge.tasks import refresh_insight

    try:
        fresh = cache.add(_pending_key(vendor, report, filters), 1, timeout=REFRESH_PENDING_SECONDS)
    except Exception:  # the cache is away: refreshing twice is harmless
        fresh = True
    if fresh:
        payload = {"vendor_id": vendor.pk, "report": report, "filters": _filters_json(filters)}
        transaction.on_commit(lambda: enqueue(refresh_insight, payload), robust=True)


def analysis_refresh(
    vendor: Vendor, report: str, filters: InsightFilters, compute: Callable[[], object], extra: tuple = ()
) -> None:
    """Compute and store ``report`` for ``filters`` now (tasks). Runs inside the vendor's scope."""
    try:
        cache.delete(_pending_key(vendor, report, filters))
    except Exception:  # the cache is away: nothing marks the refresh as queued either
        logger.warning("insight cache unavailable", exc_info=True)
    version, _closed = insight_version(vendor, extra)
    _store(vendor, report, filters, version, compute(), vendor_today(vendor))


def stored_version(vendor: Vendor, report: str, filters: InsightFilters) -> str | None:
    return (
        InsightResult.objects.filter(vendor=vendor, report=report, filter_key=filter_key(filters))
        .values_list("version", flat=True)
        .first()
    )


def kept_filters(vendor: Vendor, report: str) -> list[InsightFilters]:
    """The filters of ``report`` to keep up to date: the unfiltered report and those read recently; older
    results are deleted."""
    today = vendor_today(vendor)
    InsightResult.objects.filter(
        vendor=vendor, report=report, used_on__lt=today - timedelta(days=KEEP_DAYS)
    ).delete()
    found = {filter_key(InsightFilters()): InsightFilters()}
    for stored in InsightResult.objects.filter(vendor=vendor, report=report).values_list(
        "filters", flat=True
    ):
        filters = filters_from_json(stored)
        found.setdefault(filter_key(filters), filters)
    return list(found.values())


def filters_from_json(data: dict | str) -> InsightFilters:
    """The filters ``_filters_json`` wrote (``to`` inclusive, as the API echoes them)."""
    if isinstance(data, str):
        data = json.loads(data)
    start = date.fromisoformat(data["from"]) if data.get("from") else None
    end = date.fromisoformat(data["to"]) + timedelta(days=1) if data.get("to") else None
    return InsightFilters(
        start=start,
        end=end,
        period=data.get("period") or "",
        tier=data.get("tier") or "",
        partner_id=data.get("partner"),
        size=data.get("size") or "",
    )
