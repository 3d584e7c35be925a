"""Review state with its history, and info requests: who may send and answer, what answering changes, who hears."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals.models import Deal
from deals.services import StaleVersion
from meddic import reviews
from meddic.models import DealReview, DealScore, InfoRequest, MeddicElement
from notifications.models import Notification
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register


def ask(world, deal, user=None, element="metrics", question="成功基準は合意済みですか？", days=7):
    with vendor_scope(world.acme):
        return reviews.info_request_send(
            access=access_of(user or world.channel_manager, world.acme),
            deal=deal,
            element=element,
            question=question,
            due_date=vendor_today(world.acme) + timedelta(days=days),
        )


def answer(world, request, user=None, text="PoCの成功基準を3つ合意しました", element=None, version=None):
    with vendor_scope(world.acme):
        deal = Deal.objects.get(pk=request.deal_id)
        return reviews.info_request_answer(
            access=access_of(user or world.partner_rep, world.acme),
            request=InfoRequest.objects.get(pk=request.pk),
            answer=text,
            version=deal.version if version is None else version,
            element=element,
        )


def set_state(world, deals, state, note="", user=None):
    with vendor_scope(world.acme):
        return reviews.reviews_set(
            access=access_of(user or world.channel_manager, world.acme), deals=deals, state=state, note=note
        )


def notified(user, kind):
    with scopes_disabled():
        return Notification.objects.filter(recipient=user, kind=kind).count()


@pytest.fixture
def deal(world):
    return register(
        world, world.partner_rep, submit=True, meddic={"metrics": {"level": 1, "evidence": "reported"}}
    )


def test_review_state_changes_are_kept_with_their_note(world, deal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert set_state(world, [deal], "needs_info", "予算の裏付けが必要") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert set_state(world, [deal], "qualified") == 1
    with scopes_disabled():
        assert DealReview.objects.get(deal=deal).state == "qualified"
        entries = list(AuditEntry.objects.filter(deal_id=deal.pk, action="deal.review").order_by("pk"))
    assert [e.changes["state"] for e in entries] == [
        ["unreviewed", "needs_info"],
        ["needs_info", "qualified"],
    ]
    assert entries[0].reason == "予算の裏付けが必要"
    # The rep and the partner admin hear about each change.
    assert notified(world.partner_rep, "review.changed") == 2
    assert notified(world.partner_admin, "review.changed") == 2


def test_setting_the_same_state_again_changes_nothing(world, deal):
    set_state(world, [deal], "qualified")
    assert set_state(world, [deal], "qualified") == 0


def test_bulk_review_counts_changed_deals(world, deal):
    other = register(world, world.partner_admin, submit=True, customer_name="株式会社別件")
    set_state(world, [deal], "disqualified")
    assert set_state(world, [deal, other], "disqualified") == 1


@pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
def test_only_the_vendor_reviews_and_asks(world, deal, role):
    with pytest.raises(PermissionDenied):
        set_state(world, [deal], "qualified", user=world.user(role))
    with pytest.raises(PermissionDenied):
        ask(world, deal, user=world.user(role))


def test_an_unknown_state_is_refused(world, deal):
    with pytest.raises(ValidationError) as error:
        set_state(world, [deal], "maybe")
    assert "state" in error.value.message_dict


def test_asking_notifies_the_partner_and_moves_an_unreviewed_deal_to_needs_info(
    world, deal, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(world, deal)
    assert request.is_open and request.requested_by == world.channel_manager
    with scopes_disabled():
        assert DealReview.objects.get(deal=deal).state == "needs_info"
    assert notified(world.partner_rep, "info_request.sent") == 1
    assert notified(world.partner_admin, "info_request.sent") == 1
    assert notified(world.channel_manager, "info_request.sent") == 0
    sent = [m for m in mail.outbox if "成功基準" in m.body]
    # One message per person (nobody sees the others' addresses), each in its reader's language.
    assert sorted(address for m in sent for address in m.to) == ["padmin@alpha.example", "rep@alpha.example"]


def test_asking_does_not_undo_a_decided_review(world, deal):
    set_state(world, [deal], "qualified")
    ask(world, deal)
    with scopes_disabled():
        assert DealReview.objects.get(deal=deal).state == "qualified"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"question": " "}, "question"),
        ({"question": "あ" * 501}, "question"),
        ({"days": -1}, "due_date"),
        ({"days": 400}, "due_date"),
        ({"element": "budget"}, "element"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_saved(world, deal, changes, field):
    with pytest.raises(ValidationError) as error:
        ask(world, deal, **changes)
    assert field in error.value.message_dict
    with scopes_disabled():
        assert not InfoRequest.objects.exists()


def test_answering_updates_the_element_rescores_and_tells_the_asker(
    world, deal, django_capture_on_commit_callbacks
):
    request = ask(world, deal)
    with scopes_disabled():
        before = DealScore.objects.get(deal=deal)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = answer(world, request, element={"level": 3, "evidence": "evidenced", "note": "合意書あり"})
    assert (done.status, done.answered_by) == ("answered", world.partner_rep)
    with scopes_disabled():
        element = MeddicElement.objects.get(deal=deal, code="metrics")
        after = DealScore.objects.get(deal=deal)
    assert (element.level, element.evidence, element.note) == (3, "evidenced", "合意書あり")
    assert after.quality > before.quality and after.visibility > before.visibility
    assert notified(world.channel_manager, "info_request.answered") == 1
    assert any("PoCの成功基準" in m.body and "cm@acme.example" in m.to for m in mail.outbox)


def test_answering_without_changes_still_confirms_the_element_now(world, deal):
    request = ask(world, deal)
    with scopes_disabled():
        MeddicElement.objects.filter(deal=deal, code="metrics").update(last_confirmed_at=None)
    answer(world, request)
    with scopes_disabled():
        assert MeddicElement.objects.get(deal=deal, code="metrics").last_confirmed_at is not None


@pytest.mark.parametrize("role", ["channel_manager", "vendor_admin", "other_partner_rep"])
def test_only_the_owning_partner_answers(world, deal, role):
    request = ask(world, deal)
    with pytest.raises(PermissionDenied):
        answer(world, request, user=world.user(role))


def test_the_partner_admin_may_answer_for_their_rep(world, deal):
    request = ask(world, deal)
    assert answer(world, request, user=world.partner_admin).status == "answered"


def test_a_stale_answer_is_refused_and_saves_nothing(world, deal):
    request = ask(world, deal)
    with pytest.raises(StaleVersion):
        answer(world, request, version=deal.version - 1, element={"level": 3})
    with scopes_disabled():
        assert InfoRequest.objects.get(pk=request.pk).is_open
        assert MeddicElement.objects.get(deal=deal, code="metrics").level == 1


def test_an_empty_answer_is_refused(world, deal):
    request = ask(world, deal)
    with pytest.raises(ValidationError) as error:
        answer(world, request, text="  ")
    assert "answer" in error.value.message_dict


def test_a_request_is_answered_once(world, deal):
    request = ask(world, deal)
    answer(world, request)
    with pytest.raises(ValidationError):
        answer(world, request)


def test_withdrawing_closes_the_request_and_tells_the_partner(
    world, deal, django_capture_on_commit_callbacks
):
    request = ask(world, deal)
    with vendor_scope(world.acme), django_capture_on_commit_callbacks(execute=True):
        reviews.info_request_withdraw(access=access_of(world.channel_manager, world.acme), request=request)
    with scopes_disabled():
        assert InfoRequest.objects.get(pk=request.pk).status == "cancelled"
    assert notified(world.partner_rep, "info_request.withdrawn") == 1
    with pytest.raises(ValidationError):
        answer(world, request)


def test_verifying_an_element_tells_the_partner(world, deal, django_capture_on_commit_callbacks):
    from meddic import services

    with vendor_scope(world.acme), django_capture_on_commit_callbacks(execute=True):
        services.element_verify(
            access=access_of(world.channel_manager, world.acme),
            deal=deal,
            code="metrics",
            method="joint_visit",
            note="",
        )
    assert notified(world.partner_rep, "element.verified") == 1
