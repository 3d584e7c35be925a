"""Closed deals with a hand-written history for the insight tests.

``closed_deal`` writes what the services would have recorded, backdated: the phase changes (creation,
proposal, close) and the element changes in the audit trail (``element.update``, ``"<element>.<field>":
[before, after]``), with the elements' stored values being the last ones typed. Answers can be typed before
the proposal (``answers``), between proposal and close (``before_close``) or after the close (``later``).
"""

from datetime import UTC, date, datetime, timedelta
from itertools import count

from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals.models import Deal, PhaseChange, RegistrationStatus
from meddic.models import ElementCode, MeddicElement

_numbers = count(1)
CREATED = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
PROPOSAL = CREATED + timedelta(days=10)  # 2026-01-15 10:00 in Tokyo
CLOSED = CREATED + timedelta(days=40)  # 2026-02-14 10:00 in Tokyo
CLOSE_DATE = date(2026, 2, 14)


def _record(vendor, deal, element, at, before: dict, after: dict, actor=None) -> None:
    changes = {
        f"{element.code}.{name}": [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }
    if changes:
        AuditEntry.objects.create(
            vendor=vendor,
            at=at,
            actor=actor,
            action="element.update",
            subject_type="meddicelement",
            subject_id=element.pk,
            deal_id=deal.pk,
            changes=changes,
        )


def closed_deal(
    world,
    *,
    won: bool,
    answers: dict | None = None,
    before_close: dict | None = None,
    later: dict | None = None,
    partner: str = "alpha",
    vendor=None,
    amount: int = 5_000_000,
    close_date: date = CLOSE_DATE,
    industry: str = "manufacturing",
    path: tuple[str, ...] = ("evaluation", "proposal"),
    created: datetime = CREATED,
    proposal: datetime = PROPOSAL,
    closed: datetime = CLOSED,
) -> Deal:
    """A won or lost deal of ``partner`` (alpha, beta or gamma) that went through ``path`` then closed.

    ``path[0]`` is the phase at creation; the first phase of proposal or later is entered at ``proposal``
    (a path without one never reached proposal). Answers are ``{element: {field: value}}``.
    """
    owner = {"alpha": world.partner_rep, "beta": world.beta_rep, "gamma": world.rival_rep}[partner]
    company = {"alpha": world.alpha, "beta": world.beta, "gamma": world.gamma}[partner]
    vendor = vendor or company.vendor
    number = next(_numbers)
    with scopes_disabled():
        deal = Deal.objects.create(
            vendor=vendor,
            partner=company,
            owner=owner,
            customer_name=f"分析顧客{number}",
            customer_key=f"分析顧客{number}",
            customer_industry=industry,
            title="分析用案件",
            amount=amount,
            close_date=close_date,
            phase="won" if won else "lost",
            loss_type="" if won else "competitor",
            proposal_reason="理由",
            registration_status=RegistrationStatus.APPROVED,
            registered_at=created,
            closed_at=closed,
        )
        moments = [created] + [proposal + timedelta(hours=index) for index in range(len(path) - 1)]
        previous = ""
        for phase, at in [*zip(path, moments, strict=True), ("won" if won else "lost", closed)]:
            PhaseChange.objects.create(
                vendor=vendor, deal=deal, from_phase=previous, to_phase=phase, changed_at=at
            )
            previous = phase
        typed = [
            (proposal - timedelta(hours=1), answers or {}),
            (proposal + (closed - proposal) / 2, before_close or {}),
            (closed + timedelta(days=1), later or {}),
        ]
        for code in ElementCode.values:
            element = MeddicElement.objects.create(vendor=vendor, deal=deal, code=code)
            state = element.as_dict()
            for at, step in typed:
                if code in step:
                    after = {**state, **step[code]}
                    _record(vendor, deal, element, at, state, after)
                    state = after
            for name, value in state.items():
                setattr(element, name, value)
            element.save()
    return deal


def champion(status: str) -> dict:
    return {"champion": {"status": status}}


def deals_with_champions(world, groups: dict[str, tuple[int, int]], **extra) -> list[Deal]:
    """``{status: (won, lost)}`` closed deals with that champion status at proposal."""
    made = []
    for status, (won, lost) in groups.items():
        made += [closed_deal(world, won=True, answers=champion(status), **extra) for _ in range(won)]
        made += [closed_deal(world, won=False, answers=champion(status), **extra) for _ in range(lost)]
    return made
