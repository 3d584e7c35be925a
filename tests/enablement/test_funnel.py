"""The funnel of one recipient: delivered → opened → read → understood, forward only, each step idempotent."""

import pytest
from django_scopes import scopes_disabled

from enablement import services
from enablement.models import Delivery
from prm.tenancy import vendor_scope
from tests.enablement.conftest import QUIZ, delivery_of, publish, url


@pytest.fixture
def content(world):
    return publish(world, tiers=["gold"])


@pytest.fixture
def quiz_content(world):
    return publish(world, title="Quiz content", tiers=["gold"], questions=QUIZ)


def answers_for(content, picks: list[int]) -> dict:
    with scopes_disabled():
        questions = list(content.questions.order_by("position"))
    return {f"q{question.pk}": str(pick) for question, pick in zip(questions, picks, strict=True)}


def test_a_delivery_starts_as_delivered(world, content):
    delivery = delivery_of(content, world.partner_rep)
    assert delivery.stage == "delivered"
    assert delivery.opened_at is None and delivery.read_at is None and delivery.understood_at is None


def test_the_first_view_opens_and_later_views_keep_that_time(world, client_for, content):
    client = client_for(world.partner_rep)
    assert client.get(url("content_view", content_id=content.pk)).status_code == 200
    opened = delivery_of(content, world.partner_rep).opened_at
    assert opened is not None
    client.get(url("content_view", content_id=content.pk))
    delivery = delivery_of(content, world.partner_rep)
    assert delivery.opened_at == opened and delivery.stage == "opened"


def test_the_read_post_marks_read_once(world, client_for, content):
    client = client_for(world.partner_rep)
    client.get(url("content_view", content_id=content.pk))
    first = client.post(url("content_read", content_id=content.pk))
    assert first.status_code == 200 and first.json() == {"stage": "read", "changed": True}
    read_at = delivery_of(content, world.partner_rep).read_at
    second = client.post(url("content_read", content_id=content.pk))
    assert second.json() == {"stage": "read", "changed": False}
    assert delivery_of(content, world.partner_rep).read_at == read_at


def test_reading_without_a_recorded_view_opens_too(world, client_for, content):
    client_for(world.partner_rep).post(url("content_read", content_id=content.pk))
    delivery = delivery_of(content, world.partner_rep)
    assert delivery.opened_at is not None and delivery.read_at == delivery.opened_at


def test_read_is_only_recorded_for_the_reader(world, client_for, content):
    client_for(world.partner_rep).post(url("content_read", content_id=content.pk))
    assert delivery_of(content, world.partner_admin).read_at is None


def test_i_understood_completes_the_funnel_and_nothing_moves_back(world, client_for, content):
    client = client_for(world.partner_rep)
    client.get(url("content_view", content_id=content.pk))
    client.post(url("content_read", content_id=content.pk))
    response = client.post(url("content_understood", content_id=content.pk))
    assert response.status_code == 302
    done = delivery_of(content, world.partner_rep)
    assert done.stage == "understood"
    # Later views and reads change nothing.
    client.get(url("content_view", content_id=content.pk))
    client.post(url("content_read", content_id=content.pk))
    client.post(url("content_understood", content_id=content.pk))
    again = delivery_of(content, world.partner_rep)
    assert (again.opened_at, again.read_at, again.understood_at) == (
        done.opened_at,
        done.read_at,
        done.understood_at,
    )


def test_understanding_fills_the_stages_before_it(world, content):
    with vendor_scope(world.acme):
        delivery = Delivery.objects.get(content=content, recipient=world.partner_rep)
        assert services.understood_confirm(delivery=delivery) is True
        delivery.refresh_from_db()
    assert delivery.opened_at and delivery.read_at and delivery.understood_at
    assert delivery.opened_at <= delivery.read_at <= delivery.understood_at


def test_i_understood_is_refused_when_there_is_a_quiz(world, client_for, quiz_content):
    client = client_for(world.partner_rep)
    response = client.post(url("content_understood", content_id=quiz_content.pk), follow=True)
    assert "Pass the quiz to confirm" in response.content.decode()
    assert delivery_of(quiz_content, world.partner_rep).understood_at is None


def test_a_failed_quiz_is_counted_shows_the_score_and_keeps_the_answers(world, client_for, quiz_content):
    client = client_for(world.partner_rep)
    client.get(url("content_view", content_id=quiz_content.pk))
    data = answers_for(quiz_content, [1, 1])  # second answer wrong
    response = client.post(url("content_quiz", content_id=quiz_content.pk), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 of 2 correct (50%)" in html and "The pass mark is 80%" in html
    first_question = next(iter(data))
    assert f'name="{first_question}" id="{first_question}-1" value="1" checked' in html
    delivery = delivery_of(quiz_content, world.partner_rep)
    assert (delivery.quiz_attempts, delivery.last_score, delivery.understood_at) == (1, 50, None)


def test_a_retry_that_passes_marks_understood(world, client_for, quiz_content):
    client = client_for(world.partner_rep)
    client.post(url("content_quiz", content_id=quiz_content.pk), answers_for(quiz_content, [0, 1]))
    response = client.post(url("content_quiz", content_id=quiz_content.pk), answers_for(quiz_content, [1, 0]))
    assert response.status_code == 302
    delivery = delivery_of(quiz_content, world.partner_rep)
    assert delivery.stage == "understood"
    assert (delivery.quiz_attempts, delivery.last_score) == (2, 100)
    page = client.get(url("content_view", content_id=quiz_content.pk)).content.decode()
    assert "Quiz passed with 100%" in page and "Submit answers" not in page


def test_attempts_after_passing_are_not_counted(world, client_for, quiz_content):
    client = client_for(world.partner_rep)
    client.post(url("content_quiz", content_id=quiz_content.pk), answers_for(quiz_content, [1, 0]))
    client.post(url("content_quiz", content_id=quiz_content.pk), answers_for(quiz_content, [0, 1]))
    delivery = delivery_of(quiz_content, world.partner_rep)
    assert (delivery.quiz_attempts, delivery.last_score, delivery.stage) == (1, 100, "understood")


def test_an_incomplete_quiz_is_not_graded(world, client_for, quiz_content):
    client = client_for(world.partner_rep)
    only_first = dict(list(answers_for(quiz_content, [1, 0]).items())[:1])
    response = client.post(url("content_quiz", content_id=quiz_content.pk), only_first)
    assert "Answer every question" in response.content.decode()
    assert delivery_of(quiz_content, world.partner_rep).quiz_attempts == 0


def test_a_partner_outside_the_audience_cannot_reach_the_content_or_act_on_it(
    world, client_for, quiz_content
):
    client = client_for(world.beta_rep)
    for name in ("content_view", "content_file"):
        assert client.get(url(name, content_id=quiz_content.pk)).status_code == 404
    for name in ("content_read", "content_quiz", "content_understood"):
        assert client.post(url(name, content_id=quiz_content.pk)).status_code == 404
    assert delivery_of(quiz_content, world.beta_rep) is None
    assert quiz_content.title not in client.get(url("content_inbox")).content.decode()


def test_partner_users_never_see_the_vendors_funnel(world, client_for, content):
    client = client_for(world.partner_admin)
    for name, kwargs in [
        ("content_detail", {"content_id": content.pk}),
        ("content_recipients", {"content_id": content.pk}),
        ("content_partner_funnels", {}),
        ("content_partner_funnel", {"partner_id": world.alpha.pk}),
    ]:
        assert client.get(url(name, **kwargs)).status_code == 403, name


def test_another_vendors_content_is_not_found(world, client_for):
    rival = publish(world, vendor=world.rival, tiers=["platinum"])
    assert client_for(world.vendor_admin).get(url("content_detail", content_id=rival.pk)).status_code == 404
    assert client_for(world.partner_rep).get(url("content_view", content_id=rival.pk)).status_code == 404


def test_the_vendor_sees_the_funnel_move(world, client_for, quiz_content):
    rep = client_for(world.partner_rep)
    rep.get(url("content_view", content_id=quiz_content.pk))
    rep.post(url("content_read", content_id=quiz_content.pk))
    rep.post(url("content_quiz", content_id=quiz_content.pk), answers_for(quiz_content, [1, 0]))
    html = (
        client_for(world.vendor_admin).get(url("content_detail", content_id=quiz_content.pk)).content.decode()
    )
    counts = {stage: _count(html, stage) for stage in ("delivered", "opened", "read", "understood")}
    assert counts == {"delivered": 2, "opened": 1, "read": 1, "understood": 1}
    assert "1 person has not opened it" in html


def _count(html: str, stage: str) -> int:
    marker = f'data-stage-count="{stage}">'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index("<", start)])


def test_vendor_staff_preview_records_nothing(world, client_for, content):
    response = client_for(world.channel_manager).get(url("content_view", content_id=content.pk))
    html = response.content.decode()
    assert response.status_code == 200 and "Preview" in html and 'id="content-tracking"' not in html
    with scopes_disabled():
        assert not Delivery.objects.filter(content=content, opened_at__isnull=False).exists()
