"""A body over its limit is refused with 413 before it is read: a big multipart POST to the login page writes
nothing to disk, an upload page allows its own limit, and the API answers in JSON."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import override_settings
from django.urls import reverse

from prm.body_limit import MULTIPART_ROOM, body_limit_for


@pytest.fixture
def no_upload_is_read(monkeypatch):
    """Fails the test if any upload handler starts receiving a file."""

    def refuse(*args, **kwargs):
        raise AssertionError("an upload was read")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", refuse)
    monkeypatch.setattr("django.core.files.uploadhandler.MemoryFileUploadHandler.new_file", refuse)


def big_file(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("big.bin", b"x" * size, content_type="application/octet-stream")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100_000)
def test_a_big_multipart_post_to_the_login_page_is_refused_unread(db, client, no_upload_is_read):
    response = client.post(reverse("account_login"), {"login": "a@b.example", "file": big_file(200_000)})
    assert response.status_code == 413
    assert response.content.decode() == "The request is too large."


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100_000)
def test_the_message_is_translated(db, client, no_upload_is_read):
    response = client.post(
        reverse("account_login"), {"file": big_file(200_000)}, headers={"accept-language": "ja"}
    )
    assert response.status_code == 413
    assert response.content.decode() == "リクエストが大きすぎます。"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100_000)
def test_the_api_answers_413_in_json(world, client_for):
    response = client_for(world.partner_rep).post(
        reverse("api_deal_list", args=["acme"]),
        '{"title": "%s"}' % ("x" * 200_000),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is too large."}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100_000, PARTNER_IMPORT_MAX_BYTES=300_000)
def test_an_upload_page_takes_its_own_limit_and_no_more(world, client_for):
    url = reverse("partner_import", args=["acme"])
    assert body_limit_for(url) == 300_000 + MULTIPART_ROOM
    client = client_for(world.vendor_admin)
    within = client.post(url, {"file": SimpleUploadedFile("p.csv", b"name\nDelta\n" + b"#" * 200_000)})
    assert within.status_code != 413
    over = client.post(url, {"file": big_file(400_000)})
    assert over.status_code == 413


def test_pages_without_uploads_keep_djangos_limit(settings):
    assert body_limit_for(reverse("account_login")) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert body_limit_for("/no/such/page/") == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
