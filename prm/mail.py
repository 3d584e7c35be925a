"""Mail when no mail server is configured in production: dropped with a warning, never printed.

With ``DEBUG`` on, mail goes to the console so that a developer sees invitation and password-reset links. In
production those links are credentials: a log is no place for them. Without ``EMAIL_URL`` production drops each
message and logs who it was for and why it was not sent, without its body.
"""

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)


class DroppingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            logger.warning(
                "Mail not sent (set EMAIL_URL to send mail): %d recipient(s), subject %r",
                len(message.recipients()),
                message.subject,
            )
        return 0
