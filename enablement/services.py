"""Writes for enablement content: saving and publishing, deliveries, the funnel stages, the quiz, reminders.

Rules enforced here:
- Only vendor staff write content. Publishing delivers it to every active user of the audience's partners
  (suspended partners excepted); saving published content delivers it to anyone newly in its audience.
- A partner user who joins later, or whose company joins the audience later, gets the content the next time
  they open their inbox or the content (:func:`deliveries_catch_up`).
- Stages move forward only and each implies the ones before it: reading opens, understanding reads and opens.
  Each step is one conditional UPDATE, so repeating it (a second "read" from the page script) changes nothing.
- Reminders go only to recipients who have not opened the content, at most once a day each, and are counted.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, changes_between, snapshot
from enablement.models import Content, ContentAudience, ContentKind, Delivery, QuizQuestion
from enablement.permissions import can_manage_content
from partners.models import PARTNER_ROLES, Membership, PartnerCompany, PartnerStatus
from prm.events import event_record
from prm.outbox import enqueue_on_commit
from prm.tenancy import Access

REMIND_AGAIN_AFTER = timedelta(hours=24)
REMINDER = "reminder"


@dataclass(frozen=True)
class QuizResult:
    correct: int
    total: int
    score: int
    passed: bool
    wrong: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class RemindResult:
    sent: int
    recent: int


def _staff_only(access: Access) -> None:
    if not can_manage_content(access):
        raise PermissionDenied


def _clear_other_kinds(content: Content) -> str | None:
    """Blank the fields another kind uses; returns the stored file name that is no longer used, if any."""
    dropped = None
    if content.kind != ContentKind.FILE and content.file:
        dropped = content.file.name
        content.file = ""
        content.file_name, content.file_type, content.file_size = "", "", None
    if content.kind != ContentKind.LINK:
        content.url = ""
    if content.kind != ContentKind.TEXT:
        content.body = ""
    return dropped


def _delete_file_on_commit(storage, name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# What the audit trail keeps of a content's own fields (audience and quiz are saved with it).
CONTENT_AUDITED = [
    "title",
    "summary",
    "kind",
    "file_name",
    "url",
    "read_seconds",
    "pass_mark",
    "published_at",
]


@transaction.atomic
def content_save(
    *,
    access: Access,
    content: Content,
    tiers: list[str],
    partners: list[PartnerCompany],
    questions: list[dict],
    publish: bool = False,
    replaced_file: str | None = None,
) -> int:
    """Save the content with its audience and quiz (``questions``: dicts of text, choices, correct).

    Publishes it when ``publish`` is set. Returns how many people it was delivered to by this save.
    ``replaced_file`` is the stored name of a file the new upload replaces; it is deleted once committed.
    """
    _staff_only(access)
    content.vendor = access.vendor
    if content.pk is None:
        content.created_by = access.user
    storage = content.file.storage
    _delete_file_on_commit(storage, _clear_other_kinds(content))
    if replaced_file and replaced_file != content.file.name:
        _delete_file_on_commit(storage, replaced_file)
    if publish and content.published_at is None:
        content.published_at = timezone.now()
    stored = Content.objects.filter(pk=content.pk).first() if content.pk else None
    before = snapshot(stored, CONTENT_AUDITED) if stored else {}
    content.save()
    changes = changes_between(before, snapshot(content, CONTENT_AUDITED))
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="content.update" if stored else "content.create",
        subject=content,
        changes=changes,
    )
    ContentAudience.objects.filter(content=content).delete()
    ContentAudience.objects.bulk_create(
        [ContentAudience(vendor=access.vendor, content=content, tier=tier) for tier in dict.fromkeys(tiers)]
        + [
            ContentAudience(vendor=access.vendor, content=content, partner=partner)
            for partner in dict.fromkeys(partners)
        ]
    )
    QuizQuestion.objects.filter(content=content).delete()
    QuizQuestion.objects.bulk_create(
        [
            QuizQuestion(
                vendor=access.vendor,
                content=content,
                position=position,
                text=question["text"],
                choices=list(question["choices"]),
                correct=question["correct"],
            )
            for position, question in enumerate(questions, 1)
        ]
    )
    if content.published_at is None:
        return 0
    return len(deliveries_create(content=content))


@transaction.atomic
def content_publish(*, access: Access, content: Content) -> int:
    """Publish a draft: deliver it to its audience. Returns how many people it reached."""
    _staff_only(access)
    if content.published_at is not None:
        return 0
    if not ContentAudience.objects.filter(content=content).exists():
        raise ValidationError(_("Choose at least one tier or partner before publishing."))
    content.published_at = timezone.now()
    content.save(update_fields=["published_at", "updated_at"])
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="content.publish",
        subject=content,
        changes=changes_between({}, {"published_at": content.published_at}),
    )
    return len(deliveries_create(content=content))


def audience_partners(content: Content):
    """The partner companies the content is for: its tiers' and its named partners, suspended ones excepted."""
    tiers = ContentAudience.objects.filter(content=content).exclude(tier="").values("tier")
    named = ContentAudience.objects.filter(content=content, partner__isnull=False).values("partner")
    return PartnerCompany.objects.filter(Q(tier__in=tiers) | Q(pk__in=named)).exclude(
        status=PartnerStatus.SUSPENDED
    )


def deliveries_create(*, content: Content) -> list[int]:
    """Deliver a published content to each active user of its audience who does not have it yet; they hear of it
    through ``content.published``. Returns the new deliveries' ids."""
    members = Membership.objects.filter(
        partner__in=audience_partners(content),
        role__in=PARTNER_ROLES,
        is_active=True,
        user__is_active=True,
    ).exclude(user__content_deliveries__content=content)
    now = timezone.now()
    rows = [
        Delivery(
            vendor=content.vendor,
            content=content,
            recipient_id=user_id,
            partner_id=partner_id,
            delivered_at=now,
        )
        for user_id, partner_id in members.values_list("user_id", "partner_id").order_by("pk")
    ]
    created = Delivery.objects.bulk_create(rows)
    ids = [delivery.pk for delivery in created]
    if ids:
        # The bell and the mail of each new recipient come from the event (notifications.fanout).
        event_record(
            vendor=content.vendor,
            code="content.published",
            subject=content,
            params={"title": content.title, "content_id": content.pk, "deliveries": ids},
        )
    return ids


def deliveries_catch_up(access: Access) -> int:
    """Deliver to a partner user the published contents of their company's audience they do not have yet
    (they joined, or their company entered a tier, after publication). No email: they are looking already."""
    if not access.is_partner_role or access.partner.status == PartnerStatus.SUSPENDED:
        return 0
    partner = access.partner
    missing = list(
        Content.objects.filter(published_at__isnull=False)
        .filter(Q(audience__tier=partner.tier) | Q(audience__partner=partner))
        .exclude(deliveries__recipient=access.user)
        .values_list("pk", flat=True)
        .distinct()
    )
    if not missing:
        return 0
    Delivery.objects.bulk_create(
        [
            Delivery(vendor=access.vendor, content_id=pk, recipient=access.user, partner=partner)
            for pk in missing
        ]
    )
    return len(missing)


def language_note(access: Access, language: str) -> None:
    """Remember the language the recipient reads in, for the emails they get later."""
    Delivery.objects.filter(recipient=access.user).exclude(language=language).update(language=language)


def _advance(delivery: Delivery, *stages: str) -> bool:
    """Set each of ``stages`` (``opened_at``, ``read_at``, ``understood_at``) that is still empty to now.

    One UPDATE; a stage already reached keeps its time. Returns whether anything changed."""
    missing = [stage for stage in stages if getattr(delivery, stage) is None]
    if not missing:
        return False
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        **{stage: Coalesce(stage, Value(now)) for stage in missing}
    )
    delivery.refresh_from_db(fields=list(stages))
    return True


def delivery_open(*, delivery: Delivery) -> bool:
    return _advance(delivery, "opened_at")


def delivery_read(*, delivery: Delivery) -> bool:
    return _advance(delivery, "opened_at", "read_at")


def _understand(delivery: Delivery) -> bool:
    return _advance(delivery, "opened_at", "read_at", "understood_at")


def quiz_grade(questions: list[QuizQuestion], answers: dict[int, int], pass_mark: int) -> QuizResult:
    wrong = frozenset(question.pk for question in questions if answers.get(question.pk) != question.correct)
    total = len(questions)
    correct = total - len(wrong)
    score = round(100 * correct / total) if total else 0
    return QuizResult(correct=correct, total=total, score=score, passed=score >= pass_mark, wrong=wrong)


def quiz_submit(*, delivery: Delivery, answers: dict[int, int]) -> QuizResult:
    """Grade one attempt (``answers``: question id → choice index). Every attempt is counted until the quiz is
    passed; passing marks the content understood. Failing leaves the stage as it was: the recipient may retry."""
    content = delivery.content
    questions = list(content.questions.all())
    if not questions:
        raise ValidationError(_("This content has no quiz."))
    result = quiz_grade(questions, answers, content.pass_mark)
    if delivery.understood_at is not None:
        return result
    Delivery.objects.filter(pk=delivery.pk).update(
        quiz_attempts=F("quiz_attempts") + 1, last_score=result.score
    )
    delivery.refresh_from_db(fields=["quiz_attempts", "last_score"])
    if result.passed:
        _understand(delivery)
    return result


def understood_confirm(*, delivery: Delivery) -> bool:
    """ "I understood" for content without a quiz (with a quiz, only passing it counts)."""
    if delivery.content.questions.exists():
        raise ValidationError(_("Pass the quiz to confirm that you understood this content."))
    return _understand(delivery)


@transaction.atomic
def reminders_send(
    *, access: Access, content: Content, delivery_ids: list[int] | None = None
) -> RemindResult:
    """Email a reminder to the recipients (all, or those of ``delivery_ids``) who have not opened the content
    and are still active, except those reminded in the last 24 hours; count each reminder."""
    from enablement.tasks import content_emails_send

    _staff_only(access)
    if content.published_at is None:
        raise ValidationError(_("Publish the content before sending reminders."))
    unopened = Delivery.objects.filter(
        content=content,
        opened_at=None,
        recipient__is_active=True,
        recipient__memberships__vendor=access.vendor,
        recipient__memberships__is_active=True,
    )
    if delivery_ids is not None:
        unopened = unopened.filter(pk__in=delivery_ids)
    now = timezone.now()
    recent = unopened.filter(reminded_at__gt=now - REMIND_AGAIN_AFTER).count()
    due = list(unopened.exclude(reminded_at__gt=now - REMIND_AGAIN_AFTER).values_list("pk", flat=True))
    if due:
        Delivery.objects.filter(pk__in=due).update(reminded_at=now, reminder_count=F("reminder_count") + 1)
        enqueue_on_commit(
            content_emails_send, {"vendor_id": access.vendor.pk, "delivery_ids": due, "purpose": REMINDER}
        )
    return RemindResult(sent=len(due), recent=recent)
