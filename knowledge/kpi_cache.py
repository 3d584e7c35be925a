"""Cached KPI answers: rows are read often and change only when snapshots are recomputed.

An answer is cached under the vendor's newest ``computed_at`` (one indexed lookup), so any recompute, full or
partial, in any process, makes the next read build a fresh answer. Without a working cache the answer is simply
built every time.
"""

import hashlib
import logging

from django.core.cache import cache

from knowledge.models import KpiSnapshot
from partners.models import Vendor

logger = logging.getLogger(__name__)

TTL_SECONDS = 10 * 60


def kpi_version(vendor: Vendor) -> str:
    newest = (
        KpiSnapshot.objects.filter(vendor=vendor)
        .order_by("-computed_at")
        .values_list("computed_at", flat=True)[:1]
    )
    return newest[0].isoformat() if newest else "none"


def kpi_cached(vendor: Vendor, parts: tuple, build):
    """``build()``'s answer for ``parts`` (which must name everything the answer depends on), cached."""
    digest = hashlib.sha256(repr((vendor.pk, kpi_version(vendor), *parts)).encode()).hexdigest()[:32]
    key = f"knowledge:kpi-answer:{vendor.pk}:{digest}"
    try:
        answer = cache.get(key)
    except Exception:  # the cache is away: answer without it
        logger.warning("KPI answer cache unavailable", exc_info=True)
        return build()
    if answer is None:
        answer = build()
        try:
            cache.set(key, answer, TTL_SECONDS)
        except Exception:
            logger.warning("KPI answer cache unavailable", exc_info=True)
    return answer
