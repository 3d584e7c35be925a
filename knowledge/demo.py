"""Demo support log for ``manage.py seed_demo``: what the vendor did for its partners over the last year.

Support follows promising deals, as in real life: won deals more often had a joint visit, a proposal review or
a ringi template before their pre-approval groundwork, and every active partner had study sessions. Written
directly (no audit rows, dates in the past). A vendor that already has a support log is left alone. Call inside
the vendor's scope.
"""

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from deals.models import Deal, Phase, PhaseChange, RegistrationStatus
from knowledge.models import SupportActivity, SupportType
from partners.models import Membership, PartnerCompany, PartnerStatus, Role
from prm.clock import vendor_today

# Chance that a deal got deal-level support, by outcome, and the kinds that were given.
DEAL_SUPPORT_CHANCE = {Phase.WON: 0.7, Phase.LOST: 0.3}
DEAL_SUPPORT = [
    (SupportType.JOINT_VISIT, 5),
    (SupportType.PROPOSAL_REVIEW, 4),
    (SupportType.DEMO_ENVIRONMENT, 3),
    (SupportType.QUOTE_SUPPORT, 3),
    (SupportType.RINGI_TEMPLATE, 2),
    (SupportType.TECHNICAL_QA, 3),
    (SupportType.SPECIAL_PRICING, 1),
]
LEADER_BOOST = {SupportType.JOINT_VISIT: 6, SupportType.RINGI_TEMPLATE: 6, SupportType.PROPOSAL_REVIEW: 3}
NOTES = {
    SupportType.JOINT_VISIT: "決裁者同席の打ち合わせに同行",
    SupportType.PROPOSAL_REVIEW: "提案書の構成と費用対効果の見せ方を確認",
    SupportType.DEMO_ENVIRONMENT: "検証用のデモ環境を2週間貸与",
    SupportType.QUOTE_SUPPORT: "見積の構成と保守費の算定を支援",
    SupportType.RINGI_TEMPLATE: "稟議書のひな形と導入効果の試算表を提供",
    SupportType.TECHNICAL_QA: "セキュリティチェックシートの回答を支援",
    SupportType.SPECIAL_PRICING: "競合対抗の特別価格を承認",
    SupportType.STUDY_SESSION: "新機能の勉強会を実施",
}


def demo_support_seed(*, vendor, seed: int = 20260402) -> int:
    """The vendor's demo support log; returns how many activities were written."""
    if SupportActivity.objects.exists():
        return 0
    rng = random.Random(f"{seed}:{vendor.slug}:support")  # noqa: S311  (demo data, not secrets)
    today = vendor_today(vendor)
    staff = list(
        Membership.objects.filter(role__in=(Role.CHANNEL_MANAGER, Role.VENDOR_ADMIN), is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    groundwork = dict(
        PhaseChange.objects.filter(to_phase=Phase.PRE_APPROVAL)
        .order_by("deal_id", "-changed_at")
        .values_list("deal_id", "changed_at")
    )
    activities = []
    deals = Deal.objects.filter(phase__in=DEAL_SUPPORT_CHANCE).exclude(
        registration_status=RegistrationStatus.DRAFT
    )
    # The partners that win the most got the vendor in front of the customer and the ringi paperwork early.
    wins = Counter(deals.filter(phase=Phase.WON).values_list("partner_id", flat=True))
    leaders = {partner_id for partner_id, _n in wins.most_common(2)}
    for deal in deals.order_by("pk").only("pk", "partner_id", "phase", "registered_at", "close_date"):
        leader = deal.partner_id in leaders
        if rng.random() >= DEAL_SUPPORT_CHANCE[deal.phase] + (0.25 if leader else 0):
            continue
        weights = [w * LEADER_BOOST.get(k, 1) if leader else w for k, w in DEAL_SUPPORT]
        start = timezone.localtime(deal.registered_at).date() if deal.registered_at else deal.close_date
        end = timezone.localtime(groundwork[deal.pk]).date() if deal.pk in groundwork else deal.close_date
        span = max((end - start).days, 1)
        kinds = rng.choices([k for k, _w in DEAL_SUPPORT], weights=weights, k=rng.randint(1, 3))
        for kind in dict.fromkeys(kinds):
            day = min(start + timedelta(days=rng.randrange(span)), today)
            activities.append(_activity(vendor, rng, staff, deal.partner_id, kind, day, deal_id=deal.pk))
    partners = (
        PartnerCompany.objects.filter(status=PartnerStatus.ACTIVE).order_by("pk").values_list("pk", flat=True)
    )
    for partner_id in partners:
        for quarter in range(4):
            if rng.random() < 0.6:
                day = today - timedelta(days=90 * quarter + rng.randrange(80))
                activities.append(_activity(vendor, rng, staff, partner_id, SupportType.STUDY_SESSION, day))
    SupportActivity.objects.bulk_create(activities)
    return len(activities)


def _activity(vendor, rng, staff, partner_id, kind, day, deal_id=None) -> SupportActivity:
    return SupportActivity(
        vendor=vendor,
        partner_id=partner_id,
        deal_id=deal_id,
        support_type=kind,
        date=day,
        hours=Decimal(rng.choice(["1", "1.5", "2", "3", "4"])),
        note=NOTES[kind],
        logged_by_id=rng.choice(staff) if staff else None,
    )
