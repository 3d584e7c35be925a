"""A form post whose text is not valid UTF-8 is refused whole, with a translated message (prm.form_encoding)."""

from urllib.parse import urlencode

import pytest
from django_scopes import scopes_disabled

from deals.models import Deal
from tests.deals.test_form_pages import form_data

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def deal_form(**overrides) -> bytes:
    return urlencode(form_data(**overrides)).encode()


def deal_count() -> int:
    with scopes_disabled():
        return Deal.objects.count()


@pytest.mark.parametrize("bad", [b"%FF%FE", b"\xff\xfe", b"%C0%AF", b"%ED%A0%80"])
def test_deal_form_with_unreadable_text_is_refused_in_japanese_and_saves_nothing(world, client, bad):
    client.force_login(world.partner_rep)
    body = deal_form() + b"&title=" + bad
    response = client.post("/v/acme/deals/new/", body, content_type=FORM, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    assert "読み取れない文字" in response.content.decode()
    assert deal_count() == 0


def test_api_form_body_with_unreadable_text_is_a_json_400(world, client):
    client.force_login(world.partner_rep)
    body = deal_form() + b"&title=%FF"
    response = client.post("/api/v1/vendors/acme/deals/", body, content_type=FORM)
    assert response.status_code == 400
    assert "detail" in response.json()
    assert deal_count() == 0


def test_japanese_and_emoji_in_a_form_pass_through(world, client):
    client.force_login(world.partner_rep)
    body = deal_form(title="全角ＡＢＣ１２３ ｻﾝﾌﾟﾙ 🎉")
    response = client.post("/v/acme/deals/new/", body, content_type=FORM)
    assert response.status_code == 302
    with scopes_disabled():
        assert Deal.objects.get().title == "全角ＡＢＣ１２３ ｻﾝﾌﾟﾙ 🎉"
