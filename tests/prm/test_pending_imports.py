"""Uploads wait in the database, their preview is computed once, and a large file is checked and imported by a
task whose progress the page follows (``prm.pending_imports``, ``prm.import_flow``)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from deals.models import Deal
from deals.views_import import DealImportView
from partners.models import Membership
from prm import pending_imports
from prm.models import PendingImport
from prm.tenancy import vendor_scope
from tests.deals.test_csv_import import csv_text, line

URL = reverse("deal_import", args=["acme"])


def upload(client, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(URL, {"file": SimpleUploadedFile("deals.csv", text.encode(), content_type="text/csv")})


def pending() -> PendingImport:
    with scopes_disabled():
        return PendingImport.objects.get()


def deals(world) -> int:
    with scopes_disabled():
        return Deal.objects.filter(vendor=world.acme).count()


def four_rows() -> str:
    return csv_text(*(line(customer=f"株式会社テスト{n}") for n in range(4)))


def test_the_preview_is_computed_once_and_read_from_the_database(world, client_for, monkeypatch):
    calls = []
    real = DealImportView.preview_function

    def counted(**kwargs):
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(DealImportView, "preview_function", staticmethod(counted))
    client = client_for(world.partner_admin)
    preview_url = upload(client, csv_text(line(), line(customer="大阪物産"))).headers["Location"]
    for _ in range(3):
        page = client.get(preview_url)
        assert page.status_code == 200 and "大阪物産" in page.content.decode()
    assert len(calls) == 1


def test_a_large_file_is_checked_by_a_task_and_the_page_follows_it(
    world, client_for, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_ROWS = 2
    client = client_for(world.partner_admin)
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        preview_url = upload(client, four_rows()).headers["Location"]
    page = client.get(preview_url)
    html = page.content.decode()
    assert "Checking the file…" in html and 'http-equiv="refresh"' in html
    assert pending().state == "checking"
    for callback in waiting:  # the task runs (eager here; on a worker in production)
        callback()
    assert (pending().state, pending().progress) == ("ready", 100)
    page = client.get(preview_url)
    assert "Import 4 deals" in page.content.decode() and 'http-equiv="refresh"' not in page.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as waiting:
        confirm = client.post(URL, {"upload_id": pending().key})
    assert confirm.headers["Location"] == preview_url
    assert "Importing…" in client.get(preview_url).content.decode()
    assert deals(world) == 0
    for callback in waiting:
        callback()
    done = client.get(preview_url, follow=True)
    assert "4 deals imported as drafts." in " ".join(str(m) for m in done.context["messages"])
    assert deals(world) == 4
    with scopes_disabled():
        assert not PendingImport.objects.exists()


def test_a_large_file_refused_at_import_shows_its_problems(
    world, client_for, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_ROWS = 2
    client = client_for(world.partner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        preview_url = upload(client, four_rows()).headers["Location"]
    # Checked fine; by the time the import runs a row no longer passes (here its stored amount is changed).
    with scopes_disabled():
        PendingImport.objects.filter(key=pending().key).update(
            data=pending_imports.zlib.compress(csv_text(line(amount="abc"), *[line()] * 3).encode())
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"upload_id": pending().key})
    assert pending().state == "rejected"
    page = client.get(preview_url)
    assert "Nothing was imported." in " ".join(str(m) for m in page.context["messages"])
    assert deals(world) == 0


def test_an_uploader_who_lost_access_fails_the_task(
    world, client_for, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_ROWS = 2
    client = client_for(world.partner_admin)
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        upload(client, four_rows())
    with scopes_disabled():
        Membership.objects.filter(user=world.partner_admin, vendor=world.acme).update(is_active=False)
    for callback in waiting:
        callback()
    assert pending().state == "failed"


def test_progress_is_written_in_steps(world, client_for):
    upload(client_for(world.partner_admin), csv_text(line()))
    report = pending_imports.progress_reporter(pending().pk)
    seen = []
    with vendor_scope(world.acme):  # as in the task
        for done in range(1, 101):
            report(done, 100)
            seen.append(pending().progress)
    assert seen[0] == 1 and seen == sorted(seen) and max(seen) < 100  # 100 only once the result is stored
    assert len(set(seen)) <= 100 // pending_imports.PROGRESS_STEP + 1


def test_an_expired_upload_is_gone(world, client_for):
    client = client_for(world.partner_admin)
    preview_url = upload(client, csv_text(line())).headers["Location"]
    with scopes_disabled():
        PendingImport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(preview_url, follow=True)
    assert "no longer available" in response.content.decode()
    upload(client, csv_text(line()))  # the next upload clears expired ones
    with scopes_disabled():
        assert PendingImport.objects.count() == 1


@pytest.mark.parametrize(("rows", "large"), [(200, False), (201, True)])
def test_a_file_is_large_past_the_inline_rows(rows, large, settings):
    settings.IMPORT_INLINE_ROWS = 200
    data = csv_text(*[line()] * rows).encode()
    assert pending_imports.is_large(PendingImport(rows=pending_imports.line_count(data))) is large


def test_a_long_preview_is_shown_a_page_at_a_time(world, client_for, monkeypatch):
    from prm import import_flow

    monkeypatch.setattr(import_flow, "PREVIEW_PAGE_SIZE", 2)
    client = client_for(world.partner_admin)
    preview_url = upload(client, csv_text(*(line(customer=f"顧客{n:02d}") for n in range(5)))).headers[
        "Location"
    ]
    first = client.get(preview_url).content.decode()
    assert "顧客00" in first and "顧客01" in first and "顧客02" not in first
    assert "1–2 of 5" in first and "page=2" in first
    last = client.get(preview_url + "&page=3").content.decode()
    assert "顧客04" in last and "顧客03" not in last
    assert "Import 5 deals" in last  # the button imports the whole file, not the page
