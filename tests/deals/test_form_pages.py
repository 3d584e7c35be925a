"""The deal form in the browser: register and edit through the template, errors next to their fields with
nothing lost, the verified-evidence lock, who may edit, and the merge page for a stale version."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from deals import services
from deals.models import Deal, RegistrationStatus
from deals.validation import corporate_number_check_digit
from meddic.models import ElementCode, MeddicElement
from prm.tenancy import vendor_scope
from tests.conftest import access_of

pytestmark = pytest.mark.django_db

CREATE = reverse("deal_create", args=["acme"])


def edit_url(deal):
    return reverse("deal_update", args=["acme", deal.pk])


def valid_corporate_number() -> str:
    base = "000012050002"
    return f"{corporate_number_check_digit(base)}{base}"


def form_data(**overrides) -> dict:
    """Everything the create page posts, as a browser would send it (all six elements at their defaults)."""
    data = {
        "customer_name": "株式会社みらい製作所",
        "customer_corporate_number": "",
        "customer_industry": "manufacturing",
        "customer_size": "300_999",
        "title": "生産管理システム刷新",
        "amount": "12,000,000",
        "close_date": (date.today() + timedelta(days=90)).isoformat(),
        "phase": "proposal",
        "loss_type": "",
        "proposal_reason": "現行システムの保守が来年3月で終了\n工場長が在庫の見える化を強く要望",
        "action": "save",
    }
    for code in ElementCode.values:
        data[f"{code}__level"] = "0"
        data[f"{code}__evidence"] = "unknown"
        data[f"{code}__note"] = ""
    data.update(
        {
            "economic_buyer__title_level": "unknown",
            "economic_buyer__access": "none",
            "decision_criteria__position": "unknown",
            "decision_criteria__competitors": "",
            "decision_process__final_approver_level": "unknown",
            "decision_process__budget_status": "unknown",
            "decision_process__ringi_state": "unknown",
            "identify_pain__severity": "",
            "identify_pain__urgency": "unknown",
            "champion__status": "unknown",
            "champion__power_influence": "unknown",
            "champion__sells_internally": "unknown",
            "champion__vested_interest": "unknown",
        }
    )
    data.update(overrides)
    return data


def edit_data(client, deal, **overrides) -> dict:
    """What the edit page would post back unchanged (its own inputs), with ``overrides`` typed in."""
    html = client.get(edit_url(deal)).content.decode()
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) in ("csrfmiddlewaretoken",) or name.group(1).startswith("activity-"):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("radio", "checkbox") and " checked" not in tag:
            continue
        data.setdefault(name.group(1), []).append(unescape(value.group(1)) if value else "")
    for select in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        if select[0].startswith("activity-"):
            continue
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select[1])
        data[select[0]] = [chosen.group(1) if chosen else ""]
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        if not name.startswith("activity-"):
            data[name] = [unescape(value).removeprefix("\n")]
    data["action"] = ["save"]
    for key, value in overrides.items():
        data[key] = value if isinstance(value, list) else [value]
    return data


def deals_of(world):
    with scopes_disabled():
        return list(Deal.objects.filter(vendor=world.acme))


def element(deal, code):
    with scopes_disabled():
        return MeddicElement.objects.get(deal=deal, code=code)


def field_errors(html: str) -> str:
    return unescape(" ".join(re.findall(r'class="invalid-feedback d-block">(.*?)</div>', html)))


# --- Create -------------------------------------------------------------------------------------------------


def test_create_page_renders_every_section_with_element_help(world, client_for):
    response = client_for(world.partner_rep).get(CREATE)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    for heading in ("Customer", "Deal", "Proposal reason", "MEDDIC"):
        assert heading in html
    for code in ElementCode.values:
        assert f'id="element-{code}"' in html
    assert (
        "The customer confirmed the success measure (e.g. cut month-end closing from 10 to 5 days)." in html
    )
    assert "data-line-counter" in html
    assert "js/deal_form.js" in html
    assert "<script>" not in html and "style=" not in html
    # Loss type waits hidden until the phase is lost.
    assert re.search(r'data-show-for-phase="lost" hidden', html)


def test_partner_rep_registers_a_deal_in_japanese(world, client_for):
    data = form_data(
        metrics__level="2",
        metrics__evidence="reported",
        metrics__note="月次決算を10日から5日に短縮",
        decision_criteria__criteria=["price", "security"],
        decision_criteria__competitors="競合A社、競合B社",
        identify_pain__severity="4",
        identify_pain__urgency="this_half",
        champion__status="reported",
        customer_corporate_number=valid_corporate_number(),
    )
    response = client_for(world.partner_rep).post(CREATE, data)
    [deal] = deals_of(world)
    assert response.status_code == 302
    assert response["Location"] == reverse("deal_detail", args=["acme", deal.pk])
    assert deal.customer_name == "株式会社みらい製作所"
    assert deal.amount == 12_000_000
    assert deal.owner == world.partner_rep
    assert deal.registration_status == RegistrationStatus.DRAFT
    assert deal.proposal_reason == "現行システムの保守が来年3月で終了\n工場長が在庫の見える化を強く要望"
    metrics = element(deal, "metrics")
    assert (metrics.level, metrics.evidence, metrics.note) == (2, "reported", "月次決算を10日から5日に短縮")
    criteria = element(deal, "decision_criteria")
    assert criteria.criteria == ["price", "security"]
    assert criteria.competitors == "競合A社、競合B社"
    pain = element(deal, "identify_pain")
    assert (pain.severity, pain.urgency) == (4, "this_half")
    assert element(deal, "champion").status == "reported"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("draft" in m for m in messages)


def test_save_and_submit_registers_the_deal_in_the_same_request(world, client_for):
    response = client_for(world.partner_admin).post(CREATE, form_data(action="submit"))
    assert response.status_code == 302
    [deal] = deals_of(world)
    assert deal.registration_status == RegistrationStatus.SUBMITTED
    assert deal.registered_at is not None


def test_vendor_staff_cannot_register(world, client_for):
    assert client_for(world.channel_manager).get(CREATE).status_code == 403
    assert client_for(world.vendor_admin).post(CREATE, form_data()).status_code == 403
    assert deals_of(world) == []


def test_create_page_renders_in_japanese(world, client_for):
    client = client_for(world.partner_rep)
    with translation.override("ja"):
        response = client.get(CREATE, headers={"accept-language": "ja"})
    assert response.status_code == 200
    assert 'lang="ja"' in response.content.decode()


# --- Validation: errors next to their field, nothing typed lost --------------------------------------------


def test_fourth_reason_line_is_refused_and_the_text_stays_as_typed(world, client_for):
    typed = "保守切れが迫っている\n在庫の見える化\n現場の入力負荷を下げたい\n四行目は書きすぎ"
    response = client_for(world.partner_rep).post(CREATE, form_data(proposal_reason=typed))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The proposal reason has 4 lines; keep it to 3 lines." in field_errors(html)
    assert f">\n{typed}</textarea>" in unescape(html)
    # Everything else typed is still there.
    assert 'value="株式会社みらい製作所"' in html
    assert 'value="12,000,000"' in html
    assert deals_of(world) == []


def test_line_of_61_japanese_characters_is_refused_and_60_accepted(world, client_for):
    client = client_for(world.partner_rep)
    too_long = "あ" * 61
    response = client.post(CREATE, form_data(proposal_reason=f"一行目\n{too_long}"))
    assert response.status_code == 200
    errors = field_errors(response.content.decode())
    assert "Line 2 is 61 characters long, 1 character over the limit of 60." in errors
    assert too_long in unescape(response.content.decode())
    assert deals_of(world) == []

    response = client.post(CREATE, form_data(proposal_reason=f"一行目\n{'あ' * 60}"))
    assert response.status_code == 302
    [deal] = deals_of(world)
    assert deal.reason_lines == ["一行目", "あ" * 60]


def test_won_with_a_future_close_date_is_refused(world, client_for):
    future = (date.today() + timedelta(days=10)).isoformat()
    response = client_for(world.partner_rep).post(CREATE, form_data(phase="won", close_date=future))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A won or lost deal's close date cannot be in the future." in field_errors(html)
    assert f'value="{future}"' in html
    assert deals_of(world) == []


def test_lost_without_a_loss_type_is_refused_and_loss_type_is_shown(world, client_for):
    past = (date.today() - timedelta(days=3)).isoformat()
    response = client_for(world.partner_rep).post(CREATE, form_data(phase="lost", close_date=past))
    html = response.content.decode()
    assert "Choose why the deal was lost" in field_errors(html)
    assert not re.search(r'data-show-for-phase="lost" hidden', html)
    assert deals_of(world) == []
    response = client_for(world.partner_rep).post(
        CREATE, form_data(phase="lost", close_date=past, loss_type="ringi_rejected")
    )
    assert response.status_code == 302
    assert deals_of(world)[0].loss_type == "ringi_rejected"


def test_bad_corporate_number_check_digit_is_refused(world, client_for):
    good = valid_corporate_number()
    bad = f"{(int(good[0]) + 1) % 10}{good[1:]}"
    response = client_for(world.partner_rep).post(CREATE, form_data(customer_corporate_number=bad))
    html = response.content.decode()
    assert "check digit does not match" in field_errors(html)
    assert f'value="{bad}"' in html
    assert deals_of(world) == []


def test_partner_cannot_set_verified_evidence(world, client_for):
    client = client_for(world.partner_rep)
    html = client.get(CREATE).content.decode()
    assert re.search(r'<input[^>]*name="champion__evidence"[^>]*value="verified"[^>]*disabled', html)
    response = client.post(CREATE, form_data(champion__evidence="verified"))
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert "Only the vendor can mark an element as verified." in field_errors(response.content.decode())
    assert deals_of(world) == []


def test_verified_evidence_set_by_the_vendor_can_be_kept(world, client_for, register_deal):
    deal = register_deal(submit=True)
    with vendor_scope(world.acme):
        deal = services.deal_update(
            access=access_of(world.channel_manager, world.acme),
            deal=deal,
            version=deal.version,
            meddic={"champion": {"evidence": "verified"}},
        )
    client = client_for(world.partner_rep)
    html = client.get(edit_url(deal)).content.decode()
    assert not re.search(r'<input[^>]*name="champion__evidence"[^>]*value="verified"[^>]*disabled', html)
    response = client.post(edit_url(deal), edit_data(client, deal, title="生産管理の刷新(第2期)"))
    assert response.status_code == 302
    assert element(deal, "champion").evidence == "verified"


# --- Edit ---------------------------------------------------------------------------------------------------


def test_owner_edits_a_deal_and_the_version_moves_on(world, client_for, register_deal):
    deal = register_deal()
    client = client_for(world.partner_rep)
    response = client.post(
        edit_url(deal),
        edit_data(client, deal, title="生産管理と原価管理の刷新", economic_buyer__access="via_partner"),
    )
    assert response.status_code == 302
    with scopes_disabled():
        deal.refresh_from_db()
    assert deal.title == "生産管理と原価管理の刷新"
    assert deal.version == 2
    assert element(deal, "economic_buyer").access == "via_partner"


def test_edit_page_shows_the_champion_log(world, client_for, register_deal):
    deal = register_deal()
    html = client_for(world.partner_rep).get(edit_url(deal)).content.decode()
    assert 'id="champion-log"' in html
    assert reverse("champion_activities", args=["acme", deal.pk]) in html


def test_rep_cannot_edit_another_reps_deal_but_partner_admin_can(world, client_for, register_deal):
    with scopes_disabled():
        from partners.models import Membership, Role

        colleague = type(world.partner_rep).objects.create_user(email="rep2@alpha.example", password="x" * 12)
        Membership.objects.create(
            user=colleague, vendor=world.acme, role=Role.PARTNER_REP, partner=world.alpha
        )
    deal = register_deal(user=colleague)
    rep = client_for(world.partner_rep)
    assert rep.get(edit_url(deal)).status_code == 403
    assert rep.post(edit_url(deal), {"title": "x", "version": deal.version}).status_code == 403

    admin = client_for(world.partner_admin)
    response = admin.post(edit_url(deal), edit_data(admin, deal, title="管理者が修正"))
    assert response.status_code == 302
    with scopes_disabled():
        deal.refresh_from_db()
    assert deal.title == "管理者が修正"


def test_other_partners_and_tenants_get_404(world, client_for, register_deal):
    deal = register_deal()
    assert client_for(world.beta_rep).get(edit_url(deal)).status_code == 404
    assert client_for(world.channel_manager).get(edit_url(deal)).status_code == 404  # a draft
    assert client_for(world.rival_admin).get(edit_url(deal)).status_code == 404


# --- Stale version: the merge page --------------------------------------------------------------------------


def change_behind_the_back(world, deal, **fields):
    """Someone else (the partner admin) saves the deal first."""
    with vendor_scope(world.acme):
        current = Deal.objects.get(pk=deal.pk)
        meddic = fields.pop("meddic", None)
        return services.deal_update(
            access=access_of(world.partner_admin, world.acme),
            deal=current,
            version=current.version,
            fields=fields,
            meddic=meddic,
        )


def test_stale_save_shows_both_values_and_saves_nothing(world, client_for, register_deal):
    deal = register_deal()
    client = client_for(world.partner_rep)
    mine = edit_data(
        client,
        deal,
        title="私のタイトル",
        amount="15,000,000",
        champion__status="reported",
        metrics__note="KPIは在庫回転日数",
    )
    change_behind_the_back(
        world,
        deal,
        title="管理者のタイトル",
        customer_size="1000_4999",
        meddic={"champion": {"status": "none"}},
    )
    response = client.post(edit_url(deal), mine)
    assert response.status_code == 409
    html = unescape(response.content.decode())
    assert "Someone changed this deal while you were editing" in html
    assert "私のタイトル" in html and "管理者のタイトル" in html
    assert "Pat Admin" in html  # who changed it
    assert 'name="choice__title"' in html
    assert 'name="choice__champion__status"' in html
    assert 'name="choice__customer_size"' in html
    # Every answer that differs is listed, also those only you changed; the rest is carried along.
    assert 'name="choice__metrics__note"' in html
    assert "Only you changed this answer." in html
    assert 'name="choice__customer_name"' not in html
    assert re.search(r'<input type="hidden" name="metrics__note" value="KPIは在庫回転日数"', html)
    with scopes_disabled():
        deal.refresh_from_db()
    assert deal.title == "管理者のタイトル"
    assert deal.version == 2
    assert element(deal, "metrics").note == ""


def test_merge_defaults_keep_your_changes_and_take_theirs_elsewhere(world, client_for, register_deal):
    deal = register_deal()
    client = client_for(world.partner_rep)
    mine = edit_data(client, deal, title="私のタイトル")
    change_behind_the_back(world, deal, title="管理者のタイトル", customer_size="1000_4999")
    html = client.post(edit_url(deal), mine).content.decode()
    assert re.search(r'name="choice__title"[^>]*value="mine" checked', html)
    # You never touched the company size: keeping "yours" would silently undo their change.
    assert re.search(r'name="choice__customer_size"[^>]*value="theirs" checked', html)


def test_choosing_per_field_saves_the_merged_result(world, client_for, register_deal):
    deal = register_deal()
    client = client_for(world.partner_rep)
    mine = edit_data(
        client,
        deal,
        title="私のタイトル",
        amount="15,000,000",
        champion__status="reported",
        metrics__note="KPI",
    )
    change_behind_the_back(
        world, deal, title="管理者のタイトル", amount=20_000_000, meddic={"champion": {"status": "none"}}
    )
    page = client.post(edit_url(deal), mine).content.decode()
    # Post the merge page back as the browser would: its hidden inputs plus one choice per answer.
    merge = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        merge.setdefault(name, []).append(unescape(value))
    merge.pop("csrfmiddlewaretoken", None)
    merge.update(
        {
            "choice__title": ["mine"],
            "choice__amount": ["theirs"],
            "choice__champion__status": ["mine"],
            "action": ["save"],
        }
    )
    assert merge["version"] == ["2"]
    response = client.post(edit_url(deal), merge)
    assert response.status_code == 302, field_errors(response.content.decode())
    with scopes_disabled():
        deal.refresh_from_db()
    assert deal.title == "私のタイトル"
    assert deal.amount == 20_000_000
    assert deal.version == 3
    assert element(deal, "champion").status == "reported"
    assert element(deal, "metrics").note == "KPI"
