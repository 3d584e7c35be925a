"""Platform tasks: sending the tasks kept while the broker was away (``prm.outbox``)."""

from celery.signals import worker_ready

from prm.celery import app
from prm.outbox import outbox_flush as _outbox_flush


@app.task(ignore_result=True)  # beat sends it often; nobody reads the count
def outbox_flush() -> int:
    return _outbox_flush()


@worker_ready.connect
def _flush_when_ready(**_kwargs) -> None:
    # A worker that starts (or starts again after an outage) sends what waited; beat repeats it regularly.
    outbox_flush.delay()
