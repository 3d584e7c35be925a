"""Demo review work for ``manage.py seed_demo``: review states, questions to partners and their answers.

Written directly (not through the services) so that times can lie in the past and no email is sent. The
reviews follow the scores: strong, well-known deals are qualified, weak and unknown ones disqualified or
asked about; some questions are answered, some open, a few overdue. A vendor that already has reviews is left
alone. Call inside the vendor's scope.
"""

import random
from datetime import timedelta

from django.utils import timezone

from audit.models import AuditEntry
from deals.models import OPEN_PHASES, Deal, RegistrationStatus
from meddic.models import DealReview, ElementCode, InfoRequest, InfoRequestStatus, ReviewState
from notifications.models import Notification
from partners.models import Membership, Role

QUESTIONS = {
    ElementCode.METRICS: "PoCの成功基準（測定できる指標）は顧客と合意できていますか？",
    ElementCode.ECONOMIC_BUYER: "決裁者（予算を承認する方）とは面談できていますか？役職と日程を教えてください。",
    ElementCode.DECISION_CRITERIA: "顧客の評価基準と、競合に対する当社の位置づけを教えてください。",
    ElementCode.DECISION_PROCESS: "稟議のルートと最終承認者、承認予定日を確認してください。",
    ElementCode.IDENTIFY_PAIN: "課題の緊急度（いつまでに解決が必要か）を確認してください。",
    ElementCode.CHAMPION: "推進者が社内で動いた直近の行動を記録してください。",
}
ANSWERS = {
    ElementCode.METRICS: "応答時間50%短縮と運用工数の月20時間削減で合意しました。",
    ElementCode.ECONOMIC_BUYER: "情報システム部長と来週面談予定です。",
    ElementCode.DECISION_CRITERIA: "評価表を入手しました。価格は互角、サポートで優位です。",
    ElementCode.DECISION_PROCESS: "部長決裁→経営会議の順で、来月の経営会議に諮る予定です。",
    ElementCode.IDENTIFY_PAIN: "保守切れが3月末のため、年度内の導入が必須です。",
    ElementCode.CHAMPION: "課長が社内説明会を開き、評価基準の共有をしてくれました。",
}


def demo_reviews_seed(*, vendor, seed: int = 20260401) -> int:
    """Review states and info requests for the vendor's registered open deals; returns how many deals."""
    if DealReview.objects.exists():
        return 0
    rng = random.Random(f"{seed}:{vendor.slug}:reviews")  # noqa: S311  (demo data, not secrets)
    now = timezone.now()
    deals = list(
        Deal.objects.filter(
            phase__in=OPEN_PHASES,
            registration_status__in=[RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED],
        )
        .select_related("score", "partner__channel_manager", "owner")
        .order_by("pk")
    )
    admins = list(Membership.objects.filter(role=Role.VENDOR_ADMIN).select_related("user"))
    reviews, entries, requests, notes = [], [], [], []
    for deal in deals:
        reviewer = deal.partner.channel_manager or (admins[0].user if admins else None)
        score = getattr(deal, "score", None)
        if reviewer is None or score is None or rng.random() < 0.35:
            continue  # left unreviewed
        at = now - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 8))
        if score.quality >= 60 and score.visibility >= 50:
            state, note = ReviewState.QUALIFIED, "決裁者・推進者とも確認済み。"
        elif score.quality < 25 and rng.random() < 0.4:
            state, note = ReviewState.DISQUALIFIED, "予算・決裁者とも不明のため、今期の見込みから外します。"
        else:
            state, note = ReviewState.NEEDS_INFO, ""
        reviews.append(
            DealReview(vendor=vendor, deal=deal, state=state, note=note, changed_by=reviewer, changed_at=at)
        )
        entries.append(
            AuditEntry(
                vendor=vendor,
                at=at,
                actor=reviewer,
                action="deal.review",
                subject_type="dealreview",
                subject_id=deal.pk,
                deal_id=deal.pk,
                changes={"state": [ReviewState.UNREVIEWED, state]},
                reason=note,
            )
        )
        if state != ReviewState.NEEDS_INFO:
            continue
        for code in rng.sample(ElementCode.values, rng.choice([1, 1, 2])):
            asked = at + timedelta(minutes=5)
            due = (asked + timedelta(days=rng.choice([3, 7, 7, 14]))).date()
            answered = rng.random() < 0.45
            request = InfoRequest(
                vendor=vendor,
                deal=deal,
                element=code,
                question=QUESTIONS[code],
                due_date=due,
                requested_by=reviewer,
                requested_at=asked,
            )
            if answered:
                request.status = InfoRequestStatus.ANSWERED
                request.answer = ANSWERS[code]
                request.answered_by = deal.owner
                request.answered_at = min(asked + timedelta(days=rng.randint(1, 5)), now)
            requests.append(request)
            recipient, actor, kind = (
                (reviewer, deal.owner, "info_request.answered")
                if answered
                else (deal.owner, reviewer, "info_request.sent")
            )
            notes.append(
                Notification(
                    vendor=vendor,
                    recipient=recipient,
                    kind=kind,
                    deal=deal,
                    actor=actor,
                    created_at=request.answered_at if answered else asked,
                    params={
                        "customer": deal.customer_name,
                        "element": code,
                        "due": due.isoformat(),
                        "detail": request.answer if answered else request.question,
                    },
                )
            )
    DealReview.objects.bulk_create(reviews)
    AuditEntry.objects.bulk_create(entries)
    InfoRequest.objects.bulk_create(requests)
    Notification.objects.bulk_create(notes)
    return len(reviews)
