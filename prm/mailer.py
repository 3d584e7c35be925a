"""Mail that never fails or slows the action that caused it.

:func:`mail_queue` writes the message in the caller's transaction; after commit a task sends it. A mail server
that is away (or refuses) leaves the row waiting with the error, and it is tried again with growing pauses
(:data:`RETRY_MINUTES`) by :func:`mail_flush`, which beat runs every minute — so the mail goes out when the
server is back, and the user's action answered long before.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_scopes import scopes_disabled

from prm.models import OutgoingMail
from prm.outbox import enqueue
from prm.validators import one_line

logger = logging.getLogger(__name__)

# Pauses before each next attempt; after the last one the mail stays unsent with its error (about a day).
RETRY_MINUTES = (1, 5, 15, 60, 180, 360, 720)
FLUSH_BATCH = 200


def mail_queue(
    *, to: str, subject: str, body: str, html: str = "", headers: dict | None = None, sensitive: bool = False
) -> OutgoingMail:
    """Send a mail once the current transaction commits (at once outside one). A ``sensitive`` mail (it carries
    a secret link) keeps its text only until it is sent."""
    with scopes_disabled():  # a platform table, written as the connecting role
        mail = OutgoingMail.objects.create(
            to=to,
            subject=one_line(subject)[:255],
            body=body,
            html=html,
            headers=headers or {},
            sensitive=sensitive,
        )
    transaction.on_commit(lambda: _send_later(mail.pk), robust=True)
    return mail


def _send_later(mail_id: int) -> None:
    enqueue(import_string("prm.tasks.mail_send"), {"mail_id": mail_id})


def mail_send(mail_id: int) -> bool:
    """Try to send one waiting mail now; True when it went. A failure is kept on the row for the next try."""
    with scopes_disabled(), transaction.atomic():
        mail = (
            OutgoingMail.objects.select_for_update(skip_locked=True).filter(pk=mail_id, sent_at=None).first()
        )
        if mail is None:
            return False  # sent already, or another worker is sending it
        message = EmailMultiAlternatives(mail.subject, mail.body, None, [mail.to], headers=mail.headers)
        if mail.html:
            message.attach_alternative(mail.html, "text/html")
        try:
            message.send()
        except Exception as error:
            mail.attempts += 1
            mail.last_error = f"{type(error).__name__}: {error}"[:2000]
            pause = RETRY_MINUTES[min(mail.attempts - 1, len(RETRY_MINUTES) - 1)]
            mail.next_attempt_at = timezone.now() + timedelta(minutes=pause)
            mail.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("Mail %s to %s not sent (attempt %s): %s", mail.pk, mail.to, mail.attempts, error)
            return False
        mail.attempts += 1
        mail.sent_at = timezone.now()
        if mail.sensitive:
            mail.body, mail.html = "", ""
        mail.save(update_fields=["attempts", "sent_at", "body", "html"])
        return True


def mail_flush(limit: int = FLUSH_BATCH) -> int:
    """Try every waiting mail that is due (oldest first) and has attempts left; returns how many went."""
    with scopes_disabled():
        due = list(
            OutgoingMail.objects.filter(
                sent_at=None, next_attempt_at__lte=timezone.now(), attempts__lte=len(RETRY_MINUTES)
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
    return sum(mail_send(pk) for pk in due)


def mail_prune(days: int | None = None) -> int:
    """Forget mail sent more than ``MAIL_KEEP_DAYS`` ago."""
    days = settings.MAIL_KEEP_DAYS if days is None else days
    with scopes_disabled():
        deleted, _ = OutgoingMail.objects.filter(sent_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
