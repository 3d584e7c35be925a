"""Content emails leave the request: publication notices and reminders are sent by a worker."""

from enablement.emails import deliveries_email
from prm.celery import VendorTask, app


@app.task(base=VendorTask)
def content_emails_send(*, vendor_id: int, delivery_ids: list[int], purpose: str) -> int:
    """One email per delivery (``purpose``: ``published`` or ``reminder``). Not retried on failure: a second
    run could send someone the same email twice."""
    return deliveries_email(delivery_ids, purpose)
