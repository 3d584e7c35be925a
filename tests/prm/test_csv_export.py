"""CSV exports stream: the same bytes as writing the file at once, rows read in the view's tenant scope and
language after the view has returned, and each choice label looked up once per export."""

import csv
import io

from django.utils import translation
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from deals.models import Deal
from partners.models import PartnerCompany
from prm.csv_export import choice_label, csv_response, in_blocks, safe_cell
from prm.tenancy import vendor_scope
from tests.conftest import raw_body
from tests.deals.conftest import register


def buffered(header, rows) -> bytes:
    """The file as it was written before streaming: everything at once into one buffer."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def test_the_stream_is_byte_for_byte_the_buffered_file():
    header = ["顧客名", "Amount", "Note"]
    rows = [["株式会社サンプル", 1200000, '=HYPERLINK("x")'], ['A, "quoted"\nnext line', None, "-1"], []]
    response = csv_response("x.csv", header, iter(rows))
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert raw_body(response) == buffered(header, rows)


def test_a_long_file_leaves_in_blocks_not_line_by_line():
    rows = [[f"顧客{number}", number * 1000, "提案"] for number in range(5000)]
    response = csv_response("big.csv", ["Name", "Amount", "Phase"], iter(rows))
    chunks = list(response.streaming_content)
    assert b"".join(chunks) == buffered(["Name", "Amount", "Phase"], rows)
    assert 1 < len(chunks) < 20  # a few 64k blocks, not 5,001 lines


def test_blocks_keep_every_line_whole_and_in_order():
    lines = [f"{number},x\r\n" for number in range(10)]
    assert list(in_blocks(lines, size=10)) == ["".join(lines[i : i + 2]) for i in range(0, 10, 2)]
    assert list(in_blocks([], size=10)) == []


def test_rows_are_read_in_the_views_scope_after_it_returned(world):
    with vendor_scope(world.acme):
        names = (partner.name for partner in PartnerCompany.objects.order_by("name"))
        response = csv_response("p.csv", ["Name"], ([name] for name in names))
    # The view has returned and its scope has ended: reading the body enters it again.
    lines = raw_body(response).decode("utf-8-sig").splitlines()
    assert lines == ["Name", "Alpha Systems", "Beta Integration"]


def test_rows_are_written_in_the_views_language():
    with translation.override("ja"):
        response = csv_response("l.csv", [gettext_lazy("Amount")], iter([[gettext_lazy("Deal")]]))
    with translation.override("en"):
        assert raw_body(response).decode("utf-8-sig").splitlines() == ["金額", "案件"]


def test_choice_labels_match_django_and_follow_the_language(world):
    deal = register(world, world.partner_rep, phase="proposal", customer_size="300_999")
    with scopes_disabled():
        deal = Deal.objects.get(pk=deal.pk)
    for language in ("en", "ja"):
        with translation.override(language):
            assert choice_label(deal, "phase") == deal.get_phase_display()
            assert choice_label(deal, "customer_size") == deal.get_customer_size_display()
            assert choice_label(deal, "loss_type") == deal.get_loss_type_display() == ""
