"""Emails: one per recipient on publication, and reminders to those who have not opened the content only,
counted, at most once a day, in the language the recipient reads in."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from enablement.models import Delivery
from tests.enablement.conftest import delivery_of, publish, url


@pytest.fixture
def content(world):
    return publish(world, title="稟議の進め方", tiers=["gold", "silver"])


def test_publishing_emails_each_recipient_separately(
    world, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    data = {
        "title": "新しい価格表",
        "kind": "text",
        "body": "本文",
        "tiers": ["gold", "silver"],
        "read_seconds": "60",
        "pass_mark": "80",
        "action": "publish",
        "quiz-TOTAL_FORMS": "0",
        "quiz-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.vendor_admin).post(url("content_create"), data)
    assert sorted(tuple(mail.to) for mail in mailoutbox) == [
        ("padmin@alpha.example",),
        ("rep@alpha.example",),
        ("rep@beta.example",),
    ]
    assert all("新しい価格表" in mail.subject and "/v/acme/content/" in mail.body for mail in mailoutbox)


def remind(client, content, data, capture):
    with capture(execute=True):
        return client.post(url("content_remind", content_id=content.pk), data, follow=True)


def test_reminders_go_only_to_those_who_have_not_opened(
    world, client_for, content, mailoutbox, django_capture_on_commit_callbacks
):
    client_for(world.partner_rep).get(url("content_view", content_id=content.pk))
    response = remind(
        client_for(world.channel_manager), content, {"all": "1"}, django_capture_on_commit_callbacks
    )
    assert "Reminders are on their way to 2 people." in response.content.decode()
    assert sorted(mail.to[0] for mail in mailoutbox) == ["padmin@alpha.example", "rep@beta.example"]
    # Nobody has chosen a language on these pages yet: the emails go out in Japanese, the default.
    assert all(mail.subject == "リマインド: 「稟議の進め方」をご確認ください" for mail in mailoutbox)
    assert delivery_of(content, world.partner_rep).reminder_count == 0
    for user in (world.partner_admin, world.beta_rep):
        delivery = delivery_of(content, user)
        assert delivery.reminder_count == 1 and delivery.reminded_at is not None


def test_checked_recipients_only_and_never_an_opener(
    world, client_for, content, mailoutbox, django_capture_on_commit_callbacks
):
    client_for(world.partner_rep).get(url("content_view", content_id=content.pk))
    chosen = [delivery_of(content, world.partner_rep).pk, delivery_of(content, world.beta_rep).pk]
    remind(client_for(world.vendor_admin), content, {"delivery": chosen}, django_capture_on_commit_callbacks)
    assert [mail.to for mail in mailoutbox] == [["rep@beta.example"]]
    assert delivery_of(content, world.partner_rep).reminder_count == 0


def test_someone_reminded_today_is_not_reminded_again(
    world, client_for, content, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(world.vendor_admin)
    remind(client, content, {"all": "1"}, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    response = remind(client, content, {"all": "1"}, django_capture_on_commit_callbacks)
    assert "3 people were already reminded in the last 24 hours" in response.content.decode()
    assert mailoutbox == []
    with scopes_disabled():
        Delivery.objects.filter(content=content).update(reminded_at=timezone.now() - timedelta(hours=25))
    remind(client, content, {"all": "1"}, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3
    assert delivery_of(content, world.beta_rep).reminder_count == 2


def test_deactivated_members_are_not_reminded(
    world, client_for, content, mailoutbox, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        world.beta_rep.memberships.update(is_active=False)
    remind(client_for(world.vendor_admin), content, {"all": "1"}, django_capture_on_commit_callbacks)
    assert "rep@beta.example" not in [mail.to[0] for mail in mailoutbox]


def test_an_empty_selection_is_explained(world, client_for, content):
    response = client_for(world.vendor_admin).post(url("content_remind", content_id=content.pk), follow=True)
    assert "Check at least one person who has not opened the content." in response.content.decode()


def test_a_draft_cannot_be_reminded(world, client_for, mailoutbox):
    draft = publish(world, publish=False)
    response = client_for(world.vendor_admin).post(
        url("content_remind", content_id=draft.pk), {"all": "1"}, follow=True
    )
    assert "Publish the content before sending reminders." in response.content.decode()
    assert mailoutbox == []


def test_the_reminder_is_written_in_the_language_the_recipient_reads_in(
    world, client_for, content, mailoutbox, django_capture_on_commit_callbacks
):
    # The rep looked at their inbox in English, then someone else's view in Japanese does not change theirs.
    client_for(world.beta_rep).get(url("content_inbox"), headers={"accept-language": "en"})
    client_for(world.partner_admin).get(url("content_inbox"), headers={"accept-language": "ja"})
    assert delivery_of(content, world.beta_rep).language == "en"
    assert delivery_of(content, world.partner_admin).language == "ja"
    remind(client_for(world.vendor_admin), content, {"all": "1"}, django_capture_on_commit_callbacks)
    by_person = {mail.to[0]: mail for mail in mailoutbox}
    assert by_person["rep@beta.example"].subject.startswith("Reminder:")
    assert "reminds you of material you have not opened yet" in by_person["rep@beta.example"].body
