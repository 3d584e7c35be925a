"""Partner CSV import: the template download, and an upload (vendor admins only; another tenant gets 404)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.isolation.cases import LOGIN, OK, Case, expect


def small_csv(world):
    content = b"name,tier\r\nImport Test Co,gold\r\n"
    return {"file": SimpleUploadedFile("partners.csv", content, content_type="text/csv")}


CASES = [
    Case("partner_import_template", expect(LOGIN, 403, 403, 403, 200, 404, 403)),
    # The upload answers with a redirect to its preview; nothing is imported before the confirmation.
    Case("partner_import", expect(LOGIN, 403, 403, 403, OK, 404, 403), method="post", data=small_csv),
]
