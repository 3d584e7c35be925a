"""Enablement content through the API: staff write content (audience, quiz, file) by the page's rules, publish,
remind and read the funnels; partner users work through their inbox as on the content page."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from enablement.models import Content, Delivery
from prm.models import Event
from tests.enablement.conftest import QUIZ, delivery_of, publish

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
API_QUIZ = [
    {"text": "How many MEDDIC elements are there?", "choices": ["Four", "Six"], "correct": 1},
    {"text": "Who holds the budget?", "choices": ["The economic buyer", "The champion"], "correct": 0},
]


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"vendor_slug": "acme", **kwargs})


def test_staff_publish_text_with_a_quiz_to_a_tier(world, api_as, django_capture_on_commit_callbacks):
    api = api_as(world.channel_manager)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            url("api_contents"),
            {
                "title": "MEDDIC 基礎",
                "summary": "六つの要素",
                "body": "The six elements.",
                "tiers": ["gold"],
                "quiz": API_QUIZ,
                "publish": True,
            },
            format="json",
        )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["delivered"] == 2  # Alpha's rep and admin; Beta is silver
    assert body["tiers"] == ["gold"] and body["published_at"]
    assert [q["correct"] for q in body["quiz"]] == [1, 0]
    assert body["funnel"] == {"delivered": 2, "opened": 0, "read": 0, "understood": 0, "not_opened": 2}
    with scopes_disabled():
        assert Event.objects.filter(code="content.published", subject_id=str(body["id"])).exists()
    assert delivery_of(Content(pk=body["id"]), world.partner_rep) is not None


def test_the_pages_rules_answer_400_with_the_api_names(world, api_as):
    api = api_as(world.vendor_admin)
    nothing = api.post(url("api_contents"), {"title": "", "body": ""}, format="json")
    assert nothing.status_code == 400
    assert set(nothing.json()) == {"title", "body", "tiers"}
    one_question = api.post(
        url("api_contents"),
        {"title": "T", "body": "x", "tiers": ["gold"], "quiz": API_QUIZ[:1]},
        format="json",
    )
    assert one_question.status_code == 400
    assert "at least 2 questions" in one_question.json()["quiz"][0]
    wrong_answer = [API_QUIZ[0], {**API_QUIZ[1], "correct": 3}]
    refused = api.post(
        url("api_contents"),
        {"title": "T", "body": "x", "tiers": ["gold"], "quiz": wrong_answer},
        format="json",
    )
    assert refused.json()["quiz"][1] == {"correct": ["The choice marked as correct is empty."]}
    script = api.post(
        url("api_contents"), {"title": "T", "body": "<script>x</script>", "tiers": ["gold"]}, format="json"
    )
    assert "<script>" in script.json()["body"][0]
    other_vendor = api.post(
        url("api_contents"), {"title": "T", "body": "x", "partners": [world.gamma.pk]}, format="json"
    )
    assert other_vendor.status_code == 400 and "partners" in other_vendor.json()
    with scopes_disabled():
        assert not Content.objects.exists()


def test_a_file_is_uploaded_in_a_multipart_body_and_downloads(world, api_as):
    api = api_as(world.vendor_admin)
    created = api.post(
        url("api_contents"),
        {
            "title": "製品ガイド",
            "kind": "file",
            "file": SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf"),
            "tiers": ["gold", "silver"],
            "quiz": json.dumps(API_QUIZ),
            "publish": "true",
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["file_name"] == "guide.pdf" and body["file_type"] == "pdf" and body["file_size"] == len(PDF)
    assert body["tiers"] == ["gold", "silver"] and len(body["quiz"]) == 2 and body["delivered"] == 3
    preview = api.get(body["file_url"])
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert b"".join(preview) == PDF
    content = Content(pk=body["id"])
    assert delivery_of(content, world.partner_rep).opened_at is None  # staff preview records nothing

    rep = api_as(world.partner_rep)
    download = rep.get(body["file_url"])
    assert download.status_code == 200 and b"".join(download) == PDF
    assert delivery_of(content, world.partner_rep).opened_at is not None


def test_a_renamed_file_is_refused(world, api_as):
    api = api_as(world.vendor_admin)
    refused = api.post(
        url("api_contents"),
        {
            "title": "T",
            "kind": "file",
            "file": SimpleUploadedFile("tool.pdf", b"MZ\x90\x00"),
            "tiers": ["gold"],
        },
        format="multipart",
    )
    assert refused.status_code == 400
    assert "its content is not a PDF file" in refused.json()["file"][0]


def test_a_change_keeps_what_it_does_not_send_and_reaches_new_audience(world, api_as):
    content = publish(world, title="Gold only", tiers=["gold"], questions=QUIZ)
    api = api_as(world.vendor_admin)
    changed = api.patch(
        url("api_content", content_id=content.pk), {"tiers": ["gold", "silver"]}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert body["title"] == "Gold only" and len(body["quiz"]) == 2 and body["delivered"] == 1
    assert delivery_of(content, world.beta_rep) is not None
    no_quiz = api.patch(url("api_content", content_id=content.pk), {"quiz": []}, format="json")
    assert no_quiz.json()["quiz"] == [] and no_quiz.json()["question_count"] == 0


def test_publish_a_draft_then_again(world, api_as):
    draft = publish(world, title="Draft", tiers=["gold"], publish=False)
    api = api_as(world.vendor_admin)
    first = api.post(url("api_content_publish", content_id=draft.pk))
    assert first.status_code == 200 and first.json()["delivered"] == 2
    again = api.post(url("api_content_publish", content_id=draft.pk))
    assert again.json() == {"delivered": 0, "published_at": first.json()["published_at"]}


def test_the_list_filters_like_the_page(world, api_as):
    publish(world, title="Published", tiers=["gold"])
    publish(world, title="Still a draft", tiers=["silver"], publish=False)
    api = api_as(world.channel_manager)
    drafts = api.get(url("api_contents"), {"state": "draft"}).json()
    assert [row["title"] for row in drafts["results"]] == ["Still a draft"]
    assert api.get(url("api_contents"), {"tier": "gold"}).json()["count"] == 1
    assert api.get(url("api_contents"), {"kind": "video"}).status_code == 400


def test_partner_users_cannot_manage_content(world, api_as):
    content = publish(world, tiers=["gold"])
    rep = api_as(world.partner_rep)
    assert rep.get(url("api_contents")).status_code == 403
    assert rep.post(url("api_content_publish", content_id=content.pk)).status_code == 403
    assert rep.get(url("api_content_recipients", content_id=content.pk)).status_code == 403


def test_recipients_funnels_and_reminders(world, api_as, mailoutbox, django_capture_on_commit_callbacks):
    content = publish(world, title="For everyone", tiers=["gold", "silver"])
    with scopes_disabled():
        Delivery.objects.filter(content=content, recipient=world.partner_rep).update(
            opened_at="2026-12-01T00:00Z"
        )
    api = api_as(world.channel_manager)
    not_opened = api.get(url("api_content_recipients", content_id=content.pk), {"stage": "not_opened"}).json()
    assert {row["email"] for row in not_opened["results"]} == {"padmin@alpha.example", "rep@beta.example"}
    beta = api.get(url("api_content_recipients", content_id=content.pk), {"partner": world.beta.pk}).json()
    assert [row["partner"]["name"] for row in beta["results"]] == ["Beta Integration"]

    with django_capture_on_commit_callbacks(execute=True):
        reminded = api.post(url("api_content_remind", content_id=content.pk), {}, format="json")
    assert reminded.json() == {"sent": 2, "recent": 0}
    again = api.post(url("api_content_remind", content_id=content.pk), {}, format="json")
    assert again.json() == {"sent": 0, "recent": 2}

    per_partner = api.get(url("api_content_partners", content_id=content.pk)).json()["results"]
    alpha = next(row for row in per_partner if row["partner"]["id"] == world.alpha.pk)
    assert alpha["funnel"]["delivered"] == 2 and alpha["funnel"]["opened"] == 1
    partners = api.get(url("api_content_partner_funnels"), {"sort": "not_opened"}).json()["results"]
    assert partners[0]["funnel"]["not_opened"] == 1
    detail = api.get(url("api_content_partner_funnel", partner_id=world.beta.pk)).json()["results"]
    assert [(row["title"], row["funnel"]["delivered"]) for row in detail] == [("For everyone", 1)]
    assert api.get(url("api_content_partner_funnel", partner_id=world.gamma.pk)).status_code == 404


def test_a_draft_cannot_be_reminded(world, api_as):
    draft = publish(world, tiers=["gold"], publish=False)
    refused = api_as(world.vendor_admin).post(
        url("api_content_remind", content_id=draft.pk), {}, format="json"
    )
    assert refused.status_code == 400 and "Publish the content" in refused.json()["non_field_errors"][0]


def test_the_inbox_and_its_steps(world, api_as):
    content = publish(world, title="With a quiz", tiers=["gold"], questions=QUIZ)
    beta_only = publish(world, title="For Beta", tiers=[], partners=[world.beta])
    rep = api_as(world.partner_rep)
    inbox = rep.get(url("api_content_inbox")).json()
    assert [row["content"]["title"] for row in inbox["results"]] == ["With a quiz"]
    assert inbox["results"][0]["stage"] == "delivered"
    item = rep.get(url("api_content_inbox_item", content_id=content.pk)).json()
    assert item["body"] == "The six elements of MEDDIC." and all("correct" not in q for q in item["quiz"])
    assert rep.get(url("api_content_inbox_item", content_id=beta_only.pk)).status_code == 404
    assert rep.post(url("api_content_inbox_open", content_id=beta_only.pk)).status_code == 404

    opened = rep.post(url("api_content_inbox_open", content_id=content.pk)).json()
    assert opened == {"stage": "opened", "changed": True}
    assert rep.post(url("api_content_inbox_open", content_id=content.pk)).json()["changed"] is False
    assert rep.post(url("api_content_inbox_read", content_id=content.pk)).json()["stage"] == "read"
    refused = rep.post(url("api_content_inbox_understood", content_id=content.pk))
    assert refused.status_code == 400 and "Pass the quiz" in refused.json()["non_field_errors"][0]

    first, second = item["quiz"]
    partial = rep.post(
        url("api_content_inbox_quiz", content_id=content.pk),
        {"answers": [{"question": first["id"], "choice": 1}]},
        format="json",
    )
    assert partial.status_code == 400 and "Answer every question" in partial.json()["answers"][0]
    failed = rep.post(
        url("api_content_inbox_quiz", content_id=content.pk),
        {"answers": [{"question": first["id"], "choice": 0}, {"question": second["id"], "choice": 0}]},
        format="json",
    ).json()
    assert failed == {
        "correct": 1,
        "total": 2,
        "score": 50,
        "passed": False,
        "wrong": [first["id"]],
        "stage": "read",
    }
    passed = rep.post(
        url("api_content_inbox_quiz", content_id=content.pk),
        {"answers": [{"question": first["id"], "choice": 1}, {"question": second["id"], "choice": 0}]},
        format="json",
    ).json()
    assert passed["passed"] is True and passed["stage"] == "understood"
    assert delivery_of(content, world.partner_rep).quiz_attempts == 2
    done = rep.get(url("api_content_inbox"), {"show": "done"}).json()
    assert [row["content"]["id"] for row in done["results"]] == [content.pk]


def test_understood_without_a_quiz(world, api_as):
    content = publish(world, tiers=["gold"])
    rep = api_as(world.partner_rep)
    confirmed = rep.post(url("api_content_inbox_understood", content_id=content.pk)).json()
    assert confirmed == {"stage": "understood", "changed": True}
    assert delivery_of(content, world.partner_rep).opened_at is not None


def test_vendor_staff_have_no_inbox(world, api_as):
    assert api_as(world.channel_manager).get(url("api_content_inbox")).status_code == 403
