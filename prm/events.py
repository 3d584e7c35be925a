"""Events (DESIGN §10): what changed that a person cares about, recorded once by the service that changed it.

:func:`event_record` writes the event in the caller's transaction and, once that commits, hands it to the
fan-out task (``notifications.tasks.event_fan_out``), which feeds every channel: the bell, mail, webhooks and
chat. Nothing is sent inside the request, and an event of a rolled-back change never goes anywhere.
"""

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from prm.event_codes import EVENT_CODES
from prm.models import Event
from prm.outbox import enqueue


def event_record(
    *, vendor, code: str, actor=None, deal=None, subject=None, params: dict | None = None
) -> Event:
    """Record that ``code`` happened in ``vendor`` (to ``deal`` and/or ``subject``); fanned out after commit.

    ``params`` carries what the sentence needs that may change later (the customer's name as it was, the
    element, a reason); the channels render it in each reader's language.
    """
    if code not in EVENT_CODES:
        raise ValueError(f"Unknown event {code!r}")
    params = dict(params or {})
    if deal is not None:
        params.setdefault("customer", deal.customer_name)
    event = Event.objects.create(
        vendor=vendor,
        code=code,
        actor=actor if actor is not None and actor.pk else None,
        deal_id=deal.pk if deal is not None else None,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        params=params,
    )
    transaction.on_commit(lambda: _fan_out(event), robust=True)
    return event


def _fan_out(event: Event) -> None:
    task = import_string(settings.EVENT_FAN_OUT_TASK)
    enqueue(task, {"vendor_id": event.vendor_id, "event_id": str(event.pk)})
