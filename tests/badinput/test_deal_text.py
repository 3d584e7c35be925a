"""Hostile and international text in deals, through the API and the pages.

Oversize values name their field (in Japanese for a Japanese user) and keep what was typed; NUL characters are
field errors, not database failures; SQL and HTML stay text (stored verbatim, shown escaped); emoji, full-width
and half-width text are saved as typed, limits count characters, and name comparison uses NFKC.
"""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import Deal, RegistrationConflict
from tests.badinput.conftest import JAPANESE, NUL, SQL_INJECTION, XSS, api_errors, form_errors
from tests.deals.conftest import register
from tests.deals.test_form_pages import form_data
from tests.isolation.cases_deals_api import activity as champion_activity
from tests.isolation.cases_deals_api import new_deal

API_DEALS = reverse("api_deal_list", kwargs={"vendor_slug": "acme"})
CREATE = reverse("deal_create", kwargs={"vendor_slug": "acme"})
JA = {"accept-language": "ja"}


def api_deal(deal_id: int) -> str:
    return reverse("api_deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal_id})


def post_json(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", headers=headers or None)


def test_api_oversize_title_names_the_field_in_japanese(world, client_for, nothing_saved):
    client = client_for(world.partner_rep)
    with nothing_saved():
        response = post_json(client, API_DEALS, {**new_deal(world), "title": "題" * 201}, **JA)
    assert response.status_code == 400
    errors = api_errors(response)
    assert list(errors) == ["title"]
    assert JAPANESE.search(errors["title"][0])


def test_limits_count_characters_not_bytes(world, client_for):
    client = client_for(world.partner_rep)
    title = "🎉" * 200  # 800 bytes in UTF-8, 200 characters: at the limit
    reason = "ＡＢＣ１２３" * 10  # one line of 60 full-width characters
    response = post_json(client, API_DEALS, {**new_deal(world), "title": title, "proposal_reason": reason})
    assert response.status_code == 201, response.content
    assert response.json()["title"] == title
    with scopes_disabled():
        deal = Deal.objects.get(pk=response.json()["id"])
    assert (deal.title, deal.proposal_reason) == (title, reason)
    too_long = post_json(client, API_DEALS, {**new_deal(world), "proposal_reason": reason + "Ａ"})
    assert list(api_errors(too_long)) == ["proposal_reason"]


@pytest.mark.parametrize("field", ["note", "competitors"])
def test_nul_in_an_element_answer_is_a_field_error(world, client_for, nothing_saved, field):
    """PostgreSQL refuses NUL in text: the API must say so before saving (it answered 500 there)."""
    client = client_for(world.partner_rep)
    body = {**new_deal(world), "meddic": {"decision_criteria": {field: NUL}}}
    with nothing_saved():
        response = post_json(client, API_DEALS, body, **JA)
    assert response.status_code == 400
    errors = api_errors(response)
    assert list(errors) == [f"meddic.decision_criteria.{field}"]
    assert JAPANESE.search(errors[f"meddic.decision_criteria.{field}"][0])

    deal = register(world, world.partner_rep)
    with nothing_saved():
        patch = client.patch(
            api_deal(deal.pk),
            {"version": deal.version, "meddic": {"metrics": {"note": NUL}}},
            content_type="application/json",
        )
    assert list(api_errors(patch)) == ["meddic.metrics.note"]


def test_api_reject_reason_has_the_page_limit(world, client_for, nothing_saved):
    """The page's reason form stops at 2,000 characters; the API took any length."""
    deal = register(world, world.partner_rep, submit=True)
    client = client_for(world.channel_manager)
    url = reverse("api_deal_reject", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    with nothing_saved():
        response = post_json(client, url, {"reason": "理" * 2001}, **JA)
    assert response.status_code == 400
    assert list(api_errors(response)) == ["reason"]
    with scopes_disabled():
        assert Deal.objects.get(pk=deal.pk).registration_status == "submitted"
    assert post_json(client, url, {"reason": "理" * 2000}).status_code == 200


def test_deal_form_oversize_shows_the_error_at_the_field_and_keeps_typed_values(
    world, client_for, nothing_saved
):
    client = client_for(world.partner_rep)
    data = form_data(customer_name="顧" * 201, title="🎉 ＡＢＣ１２３ ｻﾝﾌﾟﾙ", proposal_reason="理由その一")
    with nothing_saved():
        response = client.post(CREATE, data, headers=JA)
    assert response.status_code == 200
    errors = form_errors(response)
    assert list(errors) == ["customer_name"]
    assert JAPANESE.search(errors["customer_name"][0])
    html = response.content.decode()
    # The message sits under its input, which points at it.
    assert 'aria-describedby="id_customer_name_errors" required aria-invalid="true"' in html
    assert (
        f'<div id="id_customer_name_errors"><div class="invalid-feedback d-block">{errors["customer_name"][0]}'
        in html
    )
    for typed in ("顧" * 201, "🎉 ＡＢＣ１２３ ｻﾝﾌﾟﾙ", "理由その一"):
        assert typed in html


def test_nul_on_the_deal_form_is_a_field_error(world, client_for, nothing_saved):
    client = client_for(world.partner_rep)
    with nothing_saved():
        response = client.post(CREATE, form_data(title=NUL, metrics__note=NUL), headers=JA)
    errors = form_errors(response)
    assert set(errors) == {"title", "metrics__note"}
    assert all(JAPANESE.search(m) for messages in errors.values() for m in messages)


def test_sql_text_is_stored_verbatim_and_filters_never_fail(world, client_for):
    client = client_for(world.partner_rep)
    created = [
        post_json(client, API_DEALS, {**new_deal(world), "customer_name": text, "title": text}).json()["id"]
        for text in SQL_INJECTION
    ]
    with scopes_disabled():
        assert [Deal.objects.get(pk=pk).title for pk in created] == list(SQL_INJECTION)
        total = Deal.objects.count()
    for text in SQL_INJECTION:
        page = client.get(reverse("deal_list", kwargs={"vendor_slug": "acme"}), {"q": text, "phase": text})
        assert page.status_code == 200
        for name in ("phase", "partner", "flag", "registration_status"):
            api = client.get(API_DEALS, {name: text})
            assert api.status_code in (200, 400), (name, api.status_code)
            if api.status_code == 200:
                assert api.json()["count"] == 0, (name, text)
    found = client.get(API_DEALS).json()
    assert found["count"] == total == 3
    assert {row["customer_name"] for row in found["results"]} == set(SQL_INJECTION)


def test_injected_html_is_shown_escaped_on_every_page(world, client_for):
    script, img = XSS
    deal = register(
        world, world.partner_rep, submit=True, title=script, customer_name=img, proposal_reason=script
    )
    rep = client_for(world.partner_rep)
    activity = reverse("api_deal_champion_activities", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    body = {**champion_activity(world), "next_step": img}
    assert post_json(rep, activity, body).status_code == 201
    manager = client_for(world.channel_manager)
    acme = {"vendor_slug": "acme"}
    pages = [
        reverse("deal_detail", kwargs={**acme, "deal_id": deal.pk}),
        reverse("deal_list", kwargs=acme),
        reverse("dashboard", kwargs=acme),
        reverse("review_queue", kwargs=acme),
        reverse("notification_list", kwargs=acme),
    ]
    shown = 0
    for url in pages:
        html = manager.get(url).content.decode()
        assert script not in html and img not in html, url
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert shown >= 3
    detail = manager.get(pages[0]).content.decode()
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in detail


def test_half_width_and_full_width_names_are_the_same_customer(world):
    """Names are saved as typed; the conflict check compares them after NFKC (ｻﾝﾌﾟﾙ is サンプル)."""
    first = register(world, world.partner_rep, submit=True, customer_name="株式会社サンプル ＡＢＣ")
    second = register(world, world.beta_rep, submit=True, customer_name="ｻﾝﾌﾟﾙ abc (株)")
    with scopes_disabled():
        assert Deal.objects.get(pk=second.pk).customer_name == "ｻﾝﾌﾟﾙ abc (株)"
        assert first.customer_key == Deal.objects.get(pk=second.pk).customer_key
        assert RegistrationConflict.objects.filter(vendor=world.acme).exists()


def test_combining_characters_round_trip(world, client_for):
    client = client_for(world.partner_rep)
    title = "Cafe\u0301 か\u3099ら 🇯🇵"
    response = post_json(client, API_DEALS, {**new_deal(world), "title": title})
    assert response.status_code == 201
    assert client.get(api_deal(response.json()["id"])).json()["title"] == title
