"""Two workflow steps on one deal at the same moment (a double click, two reviewers): exactly one applies, the
other is refused with the state the deal is now in, and the history holds one step (DESIGN §4)."""

import pytest
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals import workflow
from deals.models import RegistrationEvent, RegistrationStatus
from tests.api.test_deal_workflow import REASON, step_url
from tests.api.test_deals import fresh
from tests.deals.conftest import register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STATUS_LABEL = {
    "submitted": "Submitted",
    "approved": "Approved",
    "rejected": "Rejected",
    "returned": "Returned",
}


@pytest.mark.parametrize(
    ("submitted", "steps"),
    [
        # The rep and their partner admin submit the same draft.
        (False, [("partner_rep", "submit"), ("partner_admin", "submit")]),
        # Two reviewers approve the same registration.
        (True, [("channel_manager", "approve"), ("vendor_admin", "approve")]),
        # One reviewer approves while the other returns it for facts.
        (True, [("channel_manager", "approve"), ("vendor_admin", "return")]),
        # One rejects while the other returns it.
        (True, [("channel_manager", "reject"), ("vendor_admin", "return")]),
    ],
    ids=["submit-submit", "approve-approve", "approve-return", "reject-return"],
)
def test_two_steps_at_once_exactly_one_applies(world, race, api_for, submitted, steps):
    deal = register(world, world.partner_rep, submit=submitted)
    start = fresh(deal).registration_status
    with scopes_disabled():
        events_before = RegistrationEvent.objects.filter(deal_id=deal.pk).count()
    # Both steps are inside ``deal_transition`` past the state check at the same time unless the row lock keeps
    # the second one waiting until the first has committed.
    race.meet_in(workflow, "_move")

    def take(role, step):
        client = api_for(world.user(role))
        body = REASON if workflow.TRANSITIONS[step].needs_reason else {}
        return lambda: client.post(step_url(deal, step), body, format="json")

    responses = race.run(*(take(role, step) for role, step in steps))

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [200, 400]
    applied = next(step for (_role, step), r in zip(steps, responses, strict=True) if r.status_code == 200)
    target = workflow.TRANSITIONS[applied].target
    assert fresh(deal).registration_status == target
    refusal = next(r for r in responses if r.status_code == 400).json()
    assert refusal == {
        "non_field_errors": [
            f"This deal is {RegistrationStatus(target).label}; it cannot be changed this way now."
        ]
    }
    with scopes_disabled():
        events = list(
            RegistrationEvent.objects.filter(deal_id=deal.pk)
            .order_by("pk")
            .values_list("from_status", "to_status")
        )
        steps_audited = AuditEntry.objects.filter(
            deal_id=deal.pk, action__in=[f"deal.{step}" for _role, step in steps]
        ).count()
    assert len(events) == events_before + 1
    assert events[-1] == (start, target)
    assert steps_audited == 1
    assert race.took_turns, "the second step did not wait for the first"
