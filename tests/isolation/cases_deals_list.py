"""The deal list, its CSV export, and the deal CSV import (partner admins only; another tenant gets 404)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.isolation.cases import LOGIN, OK, Case, expect
from tests.isolation.deal_world import alpha_deal, alpha_draft, beta_deal


def with_deals(world):
    """Deals of both partners and a draft exist, so the list and the export have rows to leak."""
    alpha_deal(world), alpha_draft(world), beta_deal(world)
    return {"scope": "all"}


def small_csv(world):
    content = (
        "customer_name,title,amount,close_date,phase,proposal_reason\r\n"
        "株式会社テスト,刷新,1000000,2030-01-31,proposal,理由\r\n"
    )
    return {"file": SimpleUploadedFile("deals.csv", content.encode(), content_type="text/csv")}


CASES = [
    Case("deal_list", expect(LOGIN, 200, 200, 200, 200, 404, 200), data=with_deals),
    Case("deal_export", expect(LOGIN, 200, 200, 200, 200, 404, 200), data=with_deals),
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
