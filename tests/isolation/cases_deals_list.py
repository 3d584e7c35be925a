"""The deal list, its CSV export, and the deal CSV import (partner admins only; another tenant gets 404)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.isolation.cases import LOGIN, OK, Case, expect


def small_csv(world):
    content = (
        "customer_name,title,amount,close_date,phase,proposal_reason\r\n"
        "株式会社テスト,刷新,1000000,2030-01-31,proposal,理由\r\n"
    )
    return {"file": SimpleUploadedFile("deals.csv", content.encode(), content_type="text/csv")}


CASES = [
    Case("deal_import", expect(LOGIN, 403, 200, 403, 403, 404, 403)),
    # The upload answers with a redirect to its preview; nothing is imported before the confirmation.
    Case(
        "deal_import",
        expect(LOGIN, 403, OK, 403, 403, 404, 403),
        method="post",
        data=small_csv,
        label="upload",
    ),
    # A confirmation for an upload the session does not hold: back to the upload step, nothing imported.
    Case(
        "deal_import",
        expect(LOGIN, 403, OK, 403, 403, 404, 403),
        method="post",
        data=lambda world: {"upload_id": "unknown"},
        label="confirm",
    ),
    Case("deal_import_template", expect(LOGIN, 403, 200, 403, 403, 404, 403)),
]
