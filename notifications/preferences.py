"""How each person wants mail about each group of events: at once, in the daily digest (08:00 vendor time), or
not at all (DESIGN §10). Kept on the account, set on the mail settings page or by a mail's unsubscribe link."""

from django.core import signing
from django.utils.translation import gettext_lazy as _

IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
CHOICES = [(IMMEDIATE, _("At once")), (DIGEST, _("Daily digest at 08:00")), (OFF, _("No mail"))]

# group → (label, event codes). Every event code of prm.event_codes is in one group.
GROUPS = {
    "registrations": (
        _("Deal registrations: submitted, decided, conflicts, protection"),
        (
            "deal.submitted",
            "deal.approved",
            "deal.rejected",
            "deal.returned",
            "deal.conflict_flagged",
            "deal.conflict_resolved",
            "deal.protection_expiring",
            "deal.protection_expired",
        ),
    ),
    "qualification": (
        _("Qualification: questions, answers, reviews, verification"),
        (
            "info_request.sent",
            "info_request.answered",
            "info_request.withdrawn",
            "review.changed",
            "element.verified",
            "element.verification_lost",
        ),
    ),
    "results": (_("Deals won and lost"), ("deal.won", "deal.lost")),
    "content": (_("New enablement content"), ("content.published",)),
    "leads": (_("Leads"), ("lead.assigned", "lead.accepted", "lead.declined", "lead.expired")),
    "mdf": (
        _("Marketing funds"),
        ("mdf.request_submitted", "mdf.request_decided", "mdf.claim_submitted", "mdf.claim_decided"),
    ),
    "tiers": (_("Partner tiers"), ("tier.change_proposed", "tier.changed")),
    "admin": (_("Administration: webhooks"), ("webhook.disabled",)),
}
GROUP_OF = {code: group for group, (_label, codes) in GROUPS.items() for code in codes}


def offered_groups() -> dict:
    """The groups of events the product sends today (an event with a notification text): the others are not
    offered on the mail settings page until their feature exists."""
    from notifications.kinds import KINDS

    return {group: entry for group, entry in GROUPS.items() if any(code in KINDS for code in entry[1])}


UNSUBSCRIBE_SALT = "prm.mail.unsubscribe"


def choice_for(user, code: str) -> str:
    """How ``user`` gets mail about event ``code`` (at once unless they chose otherwise)."""
    preferences = user.mail_preferences or {}
    return preferences.get(GROUP_OF.get(code, ""), IMMEDIATE)


def preferences_set(*, user, choices: dict[str, str]) -> None:
    valid = {choice for choice, _label in CHOICES}
    preferences = dict(user.mail_preferences or {})
    preferences.update(
        {group: choice for group, choice in choices.items() if group in GROUPS and choice in valid}
    )
    user.mail_preferences = preferences
    user.save(update_fields=["mail_preferences"])


def unsubscribe_token(user, group: str) -> str:
    return signing.dumps({"u": user.pk, "g": group}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(user id, group) of a valid unsubscribe token, else None."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("g") not in GROUPS or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["g"]
