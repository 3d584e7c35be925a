"""Fanning events out to every channel, in the worker (``prm.events`` sends them here after commit)."""

from prm.celery import VendorTask, app
from prm.models import Event


@app.task(base=VendorTask, ignore_result=True, autoretry_for=(Exception,), max_retries=5, retry_backoff=True)
def event_fan_out(*, vendor_id: int, event_id: str) -> int:
    from django.db import transaction

    from notifications.fanout import fan_out

    with transaction.atomic():
        event = Event.objects.filter(pk=event_id).first()
        return fan_out(event) if event is not None else 0
