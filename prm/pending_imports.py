"""CSV uploads waiting for a decision, for every import (partners, deals): kept in the database, checked once.

An upload becomes a :class:`~prm.models.PendingImport` under a random key that only its uploader can open. A
file of up to ``IMPORT_INLINE_ROWS`` lines is checked at once; a longer one by a task, whose progress the page
shows. Either way the preview is stored when it is computed and shown from there on every later visit, and a
long import runs as a task too. Uploads expire after :data:`TTL`; a user keeps at most :data:`MAX_PER_USER` of
each kind.

The preview is stored pickled: it is an object of the import's own module (rows, their values and problems,
the users they name), written and read only here, never from anything a user sent.
"""

import pickle
import secrets
import zlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from prm.models import PendingImport, PendingImportState
from prm.outbox import enqueue_on_commit
from prm.tenancy import Access, membership_for

TTL = timedelta(hours=24)
MAX_PER_USER = 2
# Progress is written at most this often while a task checks or imports rows.
PROGRESS_STEP = 5


def line_count(data: bytes) -> int:
    """Lines in the file (a cheap upper bound of its rows: the header and quoted line breaks count too)."""
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def is_large(pending: PendingImport) -> bool:
    return pending.rows > settings.IMPORT_INLINE_ROWS + 1  # the header is a line too


@transaction.atomic
def pending_create(*, access: Access, kind: str, filename: str, data: bytes) -> PendingImport:
    """Keep an upload of ``access.user``; their oldest of the same kind, and every expired one, make room."""
    now = timezone.now()
    PendingImport.objects.filter(expires_at__lte=now).delete()
    mine = PendingImport.objects.filter(created_by=access.user, kind=kind).order_by("-created_at", "-pk")
    old = list(mine.values_list("pk", flat=True)[MAX_PER_USER - 1 :])
    if old:
        PendingImport.objects.filter(pk__in=old).delete()
    return PendingImport.objects.create(
        vendor=access.vendor,
        key=secrets.token_urlsafe(16)[:22],
        kind=kind,
        created_by=access.user,
        filename=filename[:255],
        rows=line_count(data),
        data=zlib.compress(data),
        expires_at=now + TTL,
    )


def pending_get(*, access: Access, kind: str, key: str) -> PendingImport | None:
    """The caller's own upload of this kind under ``key`` (None when unknown, someone else's or expired)."""
    if not key:
        return None
    return PendingImport.objects.filter(
        key=key, kind=kind, created_by=access.user, expires_at__gt=timezone.now()
    ).first()


def pending_data(pending: PendingImport) -> bytes:
    return zlib.decompress(bytes(pending.data))


def pending_preview(pending: PendingImport):
    """The stored preview (None before it was computed)."""
    if pending.preview is None:
        return None
    return pickle.loads(bytes(pending.preview))  # noqa: S301 - written by preview_store only


def preview_store(pending: PendingImport, preview, *, state: str = PendingImportState.READY) -> None:
    pending.preview = pickle.dumps(preview)
    pending.state, pending.progress = state, 100
    PendingImport.objects.filter(pk=pending.pk).update(preview=pending.preview, state=state, progress=100)


def pending_discard(pending: PendingImport) -> None:
    PendingImport.objects.filter(pk=pending.pk).delete()


def progress_reporter(pending_id: int) -> Callable[[int, int], None]:
    """``report(done, total)`` for a task: writes the percentage, at most every :data:`PROGRESS_STEP` percent."""
    last = [-PROGRESS_STEP]

    def report(done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))
        if percent - last[0] >= PROGRESS_STEP:
            last[0] = percent
            PendingImport.objects.filter(pk=pending_id).update(progress=percent)

    return report


def start(pending: PendingImport, task, state: str) -> None:
    """Hand a large upload to ``task`` (after the commit), shown as ``state`` with its progress meanwhile."""
    PendingImport.objects.filter(pk=pending.pk).update(state=state, progress=0)
    pending.state, pending.progress = state, 0
    enqueue_on_commit(task, {"vendor_id": pending.vendor_id, "pending_id": pending.pk})


def task_access(pending: PendingImport) -> Access | None:
    """The uploader's access to the vendor, as it is now (None when they lost it since the upload)."""
    membership = membership_for(pending.created_by, pending.vendor)
    return Access(vendor=pending.vendor, membership=membership) if membership else None


def task_finish(pending: PendingImport, *, state: str, created: int | None = None) -> None:
    PendingImport.objects.filter(pk=pending.pk).update(state=state, progress=100, created=created)
