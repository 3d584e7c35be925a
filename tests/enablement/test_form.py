"""The content form: clear, translated errors that keep what was typed (and a good upload), checked files,
safe text and links, and the quiz's 2–5 questions."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from enablement.models import Content
from tests.enablement.conftest import delivery_of, url

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office(kind: str) -> bytes:
    part = {"pptx": "ppt/presentation.xml", "docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def form_data(**overrides) -> dict:
    data = {
        "title": "新製品トレーニング",
        "summary": "新機能の要点",
        "kind": "text",
        "body": "第1章\n\n第2章",
        "url": "",
        "tiers": ["gold"],
        "read_seconds": "60",
        "pass_mark": "80",
        "action": "publish",
        "quiz-TOTAL_FORMS": "5",
        "quiz-INITIAL_FORMS": "0",
        "quiz-MIN_NUM_FORMS": "0",
        "quiz-MAX_NUM_FORMS": "5",
    }
    data.update(overrides)
    return data


def question(n: int, text: str, choices: list[str], correct: int | None) -> dict:
    data = {f"quiz-{n}-text": text}
    for index, choice in enumerate(choices, 1):
        data[f"quiz-{n}-choice_{index}"] = choice
    if correct is not None:
        data[f"quiz-{n}-correct"] = str(correct)
    return data


@pytest.fixture
def admin(world, client_for):
    return client_for(world.vendor_admin)


def only_content() -> Content:
    with scopes_disabled():
        return Content.objects.get()


def test_publishing_text_with_a_quiz(world, admin):
    data = form_data(
        **question(0, "要素はいくつ？", ["4", "6", "", "8"], 2),
        **question(1, "予算を持つのは？", ["決裁者", "推進者"], 1),
    )
    response = admin.post(url("content_create"), data)
    content = only_content()
    assert response.status_code == 302 and response["Location"] == url(
        "content_detail", content_id=content.pk
    )
    assert content.published_at is not None and content.created_by == world.vendor_admin
    with scopes_disabled():
        questions = list(content.questions.order_by("position"))
    assert [(q.text, q.choices, q.correct) for q in questions] == [
        ("要素はいくつ？", ["4", "6", "8"], 1),
        ("予算を持つのは？", ["決裁者", "推進者"], 0),
    ]
    assert delivery_of(content, world.partner_rep) is not None


def test_a_draft_is_saved_without_delivering(world, admin):
    admin.post(url("content_create"), form_data(action="draft"))
    content = only_content()
    assert content.published_at is None and delivery_of(content, world.partner_rep) is None


def test_missing_fields_are_explained_and_nothing_typed_is_lost(admin):
    response = admin.post(url("content_create"), form_data(title="", tiers=[], body="本文はそのまま"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "Choose at least one tier or partner" in html
    assert "本文はそのまま" in html and "新製品トレーニング" not in html
    with scopes_disabled():
        assert not Content.objects.exists()


def test_errors_are_in_the_readers_language(admin):
    response = admin.post(url("content_create"), form_data(title=""), headers={"accept-language": "ja"})
    html = response.content.decode()
    assert '<html lang="ja">' in html and "この項目は必須です。" in html


def test_a_quiz_of_one_question_is_refused(admin):
    response = admin.post(url("content_create"), form_data(**question(0, "一問だけ", ["はい", "いいえ"], 1)))
    html = response.content.decode()
    assert "A quiz needs at least 2 questions" in html and "一問だけ" in html
    with scopes_disabled():
        assert not Content.objects.exists()


def test_a_question_needs_two_choices_and_a_correct_one(admin):
    data = form_data(
        **question(0, "選択肢が一つ", ["はい"], 1),
        **question(1, "正解がない", ["A", "B"], None),
        **question(2, "", ["宙に浮いた選択肢", "B"], 1),
        **question(3, "空の正解", ["A", "B"], 3),
    )
    html = admin.post(url("content_create"), data).content.decode()
    assert "Give at least two choices." in html
    assert "Mark which choice is correct." in html
    assert "Write the question, or clear its choices." in html
    assert "The choice marked as correct is empty." in html
    assert "宙に浮いた選択肢" in html


def test_script_tags_are_refused_with_their_names(admin):
    body = "<h2>見出し</h2><script>alert(1)</script><iframe src=x></iframe>"
    html = admin.post(url("content_create"), form_data(body=body)).content.decode()
    assert "These HTML tags are not allowed: &lt;script&gt;, &lt;iframe&gt;" in html
    assert "&lt;h2&gt;見出し&lt;/h2&gt;" in html  # the typed text stays in the box


def test_the_text_is_shown_sanitised(world, admin, client_for):
    body = '<h2>見出し</h2><p onclick="x()">本文 <a href="javascript:alert(1)">link</a></p>'
    admin.post(url("content_create"), form_data(body=body))
    html = (
        client_for(world.partner_rep).get(url("content_view", content_id=only_content().pk)).content.decode()
    )
    assert "<h2>見出し</h2>" in html
    assert "onclick" not in html and "javascript:" not in html


def test_plain_text_becomes_paragraphs_and_is_escaped(world, admin, client_for):
    admin.post(url("content_create"), form_data(body="a < b & c\n\n次の段落"))
    html = (
        client_for(world.partner_rep).get(url("content_view", content_id=only_content().pk)).content.decode()
    )
    assert "<p>a &lt; b &amp; c</p>" in html and "<p>次の段落</p>" in html


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.com/file", "not a link"])
def test_links_must_be_web_addresses(admin, link):
    html = admin.post(url("content_create"), form_data(kind="link", url=link, body="")).content.decode()
    assert "Enter a full web address starting with http:// or https://." in html


def test_a_link_is_published(world, admin, client_for):
    admin.post(url("content_create"), form_data(kind="link", url="https://example.com/webinar", body="x"))
    content = only_content()
    assert content.url == "https://example.com/webinar" and content.body == ""
    html = client_for(world.partner_rep).get(url("content_view", content_id=content.pk)).content.decode()
    assert 'href="https://example.com/webinar" target="_blank" rel="noopener noreferrer"' in html


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "Files of type “.exe” are not accepted."),
        ("notes", b"%PDF-1.4", "Files of type “no extension” are not accepted."),
        ("renamed.pdf", PNG, "but its content is not a PDF file"),
        ("fake.docx", office("xlsx"), "but its content is not a Word (DOCX) file"),
        ("broken.pptx", b"PK\x03\x04 not really a zip", "but its content is not a PowerPoint (PPTX) file"),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_uploads_of_the_wrong_type_are_refused_and_the_other_fields_kept(admin, name, data, message):
    response = admin.post(
        url("content_create"),
        form_data(kind="file", body="", title="資料タイトル", upload=upload(name, data)),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'value="資料タイトル"' in html and "新機能の要点" in html
    with scopes_disabled():
        assert not Content.objects.exists()


def test_an_upload_over_the_limit_is_refused(admin, settings):
    settings.CONTENT_MAX_BYTES = 2048
    data = PDF + b"0" * 4096
    html = admin.post(
        url("content_create"), form_data(kind="file", upload=upload("big.pdf", data))
    ).content.decode()
    assert "The file is 4.1 KB; files may be at most 2.0 KB." in html.replace("\xa0", " ")


def test_a_file_kind_needs_a_file(admin):
    html = admin.post(url("content_create"), form_data(kind="file")).content.decode()
    assert "Choose the file to publish." in html


@pytest.mark.parametrize(
    ("name", "data", "file_type"),
    [
        ("guide.pdf", PDF, "pdf"),
        ("deck.pptx", office("pptx"), "pptx"),
        ("manual.docx", office("docx"), "docx"),
        ("sheet.xlsx", office("xlsx"), "xlsx"),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "jpeg"),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32, "mp4"),
    ],
)
def test_accepted_uploads_are_recognised(admin, name, data, file_type):
    response = admin.post(url("content_create"), form_data(kind="file", upload=upload(name, data)))
    assert response.status_code == 302
    content = only_content()
    assert (content.file_type, content.file_name, content.file_size) == (file_type, name, len(data))
    assert content.file.name.startswith(f"enablement/{content.vendor_id}/") and name not in content.file.name


def test_a_good_upload_is_kept_when_another_field_is_wrong(world, admin):
    first = admin.post(
        url("content_create"), form_data(kind="file", title="", upload=upload("guide.pdf", PDF))
    )
    html = first.content.decode()
    assert "Kept from your last try: <strong>guide.pdf</strong>" in html
    token = html.split('name="pending_file" value="')[1].split('"')[0]
    second = admin.post(url("content_create"), form_data(kind="file", title="ガイド", pending_file=token))
    assert second.status_code == 302
    content = only_content()
    with content.file.open("rb") as stored:
        assert content.file_name == "guide.pdf" and stored.read() == PDF


def test_a_kept_upload_cannot_be_claimed_from_another_session(world, admin, client):
    html = admin.post(url("content_create"), form_data(kind="file", title="", upload=upload("g.pdf", PDF)))
    token = html.content.decode().split('name="pending_file" value="')[1].split('"')[0]
    from django.test import Client

    other = Client(headers={"accept-language": "en"})
    other.force_login(world.channel_manager, backend="django.contrib.auth.backends.ModelBackend")
    response = other.post(url("content_create"), form_data(kind="file", pending_file=token))
    assert "Choose the file to publish." in response.content.decode()


def published_file(admin, name, data) -> Content:
    admin.post(url("content_create"), form_data(kind="file", upload=upload(name, data)))
    return only_content()


def test_files_download_as_attachments_with_nosniff_and_count_as_opening(world, admin, client_for):
    content = published_file(admin, "guide.pdf", PDF)
    response = client_for(world.partner_rep).get(url("content_file", content_id=content.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "guide.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == PDF
    assert delivery_of(content, world.partner_rep).opened_at is not None


def test_images_open_inline(world, admin, client_for):
    content = published_file(admin, "chart.png", PNG)
    response = client_for(world.partner_rep).get(url("content_file", content_id=content.pk))
    response.close()
    assert response["Content-Type"] == "image/png" and response["Content-Disposition"].startswith("inline;")


def test_replacing_the_file_keeps_the_new_one(world, admin):
    content = published_file(admin, "v1.pdf", PDF)
    old_name = content.file.name
    data = form_data(kind="file", title=content.title, upload=upload("v2.pdf", PDF + b"%v2"))
    assert admin.post(url("content_update", content_id=content.pk), data).status_code == 302
    content.refresh_from_db()
    assert content.file_name == "v2.pdf" and content.file.name != old_name


def test_editing_shows_the_saved_values_and_quiz(world, admin):
    admin.post(
        url("content_create"),
        form_data(
            **question(0, "要素はいくつ？", ["4", "6"], 2), **question(1, "予算？", ["決裁者", "推進者"], 1)
        ),
    )
    html = admin.get(url("content_update", content_id=only_content().pk)).content.decode()
    assert 'value="新製品トレーニング"' in html and 'value="要素はいくつ？"' in html
    assert 'name="quiz-0-correct" value="2" id="id_quiz-0-correct_1" checked' in html
    assert 'value="gold"' in html and "checked" in html


def test_large_files_are_streamed_with_the_same_headers(world, admin, client_for, monkeypatch):
    from enablement import files

    monkeypatch.setattr(files, "STREAM_FROM_BYTES", 16)
    content = published_file(admin, "guide.pdf", PDF)
    response = client_for(world.partner_rep).get(url("content_file", content_id=content.pk))
    assert response.streaming
    assert b"".join(response.streaming_content) == PDF
    response.close()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_quiz_editor_is_open_only_when_there_is_a_quiz(admin):
    assert '<details class="quiz-editor">' in admin.get(url("content_create")).content.decode()
    html = admin.post(url("content_create"), form_data(title="")).content.decode()
    assert '<details class="quiz-editor">' in html
    html = admin.post(
        url("content_create"), form_data(title="", **question(0, "一問", ["A", "B"], 1))
    ).content.decode()
    assert '<details class="quiz-editor" open>' in html
