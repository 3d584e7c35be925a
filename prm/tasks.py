"""Platform tasks: sending the tasks kept while the broker was away (``prm.outbox``) and waiting mail
(``prm.mailer``)."""

from celery.signals import worker_ready

from prm import mailer
from prm.celery import app
from prm.outbox import outbox_flush as _outbox_flush


@app.task(ignore_result=True)  # beat sends it often; nobody reads the count
def outbox_flush() -> int:
    return _outbox_flush()


@worker_ready.connect
def _flush_when_ready(**_kwargs) -> None:
    # A worker that starts (or starts again after an outage) sends what waited; beat repeats it regularly.
    outbox_flush.delay()


@app.task(ignore_result=True)
def mail_send(*, mail_id: int) -> bool:
    return mailer.mail_send(mail_id)


@app.task(ignore_result=True)  # beat: every minute, the mail whose next attempt is due
def mail_flush() -> int:
    return mailer.mail_flush()


@app.task(ignore_result=True)
def mail_prune() -> int:
    return mailer.mail_prune()
