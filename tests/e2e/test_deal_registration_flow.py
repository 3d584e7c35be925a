"""Deal registration in the browser: a rep fills the Partner-MEDDIC template, the channel manager approves it,
a second partner registering the same customer runs into the conflict, and the channel manager resolves it."""

import re
from datetime import timedelta

import pytest
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from prm.clock import vendor_today
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

CUSTOMER = "株式会社北都精機"
# The same customer as another partner types it: full-width brackets around 株 (normalised to 株式会社).
CUSTOMER_AGAIN = "（株）北都精機"
CORPORATE_NUMBER = "7000012050002"
TITLE = "生産管理システム刷新"
REASON_LINES = [
    "現行の生産管理システムが2026年3月で保守終了",
    "月次決算に10営業日かかり経営会議に数字が間に合わない",
    "同業他社での導入実績と当社の製造業向けテンプレート",
]
EXTRA_LINE = "情報システム部長が来期予算で検討すると明言"

# The labels the partner reps read: the Japanese UI (locale/ja/LC_MESSAGES/django.po).
UI = {
    "dashboard": "ダッシュボード",
    "new_deal": "新規案件",
    "customer_name": "顧客名",
    "corporate_number": "法人番号",
    "industry": "業種",
    "manufacturing": "製造",
    "size": "従業員規模",
    "size_300": "300〜999名",
    "title": "案件名",
    "amount": "金額",
    "close_date": "受注(予定)日",
    "phase": "フェーズ",
    "evaluation": "比較検討",
    "proposal": "提案・見積提出",
    "proposal_reason": "提案理由",
    "line_4": "4行目",
    "too_many_lines": "保存できるのは3行までです。4行目以降を削るか、前の行にまとめてください。",
    "four_lines_error": "提案理由が4行あります。3行以内にしてください。",
    "save_draft": "下書き保存",
    "save_submit": "保存して登録申請",
    "saved_draft": "案件を下書き保存しました。準備ができたら登録申請してください。",
    # MEDDIC
    "metrics": "指標(Metrics)",
    "economic_buyer": "決裁者(Economic Buyer)",
    "decision_criteria": "判断基準",
    "decision_process": "決裁プロセス",
    "identify_pain": "課題(Pain)",
    "champion": "チャンピオン",
    "level": "把握度",
    "evidence": "裏付け",
    "levels": {1: "仮説", 2: "確認済", 3: "合意・文書化"},
    "reported": "パートナー申告",
    "evidenced": "証跡あり",
    "verified": "ベンダー確認済",
    "note": "メモ",
    "their_title": "役職",
    "executive": "本部長・役員",
    "access": "接点",
    "via_partner": "パートナー経由",
    "criteria": "重視される基準",
    "price": "価格",
    "security": "セキュリティ",
    "position": "競合との比較",
    "even": "互角",
    "competitors": "競合",
    "final_approver": "最終承認者",
    "co_reviewers": "合議部門",
    "it": "情報システム",
    "finance": "経理・財務",
    "budget": "予算",
    "in_budget": "予算内",
    "ringi_state": "稟議の状況",
    "nemawashi": "根回し中",
    "severity": "深刻度",
    "urgency": "緊急度",
    "this_quarter": "今四半期",
    "champion_status": "状況",
    "champion_reported": "申告のみ",
    "power_influence": "権限・影響力がある",
    "sells_internally": "社内で推してくれる",
    "yes": "はい",
    # The deal page and the champion log
    "champion_log": "チャンピオン活動ログ",
    "date": "日付",
    "activity": "活動",
    "set_meeting": "会議設定",
    "drafted_ringi": "稟議起案",
    "towards": "対象",
    "buyer_target": "決裁者",
    "co_reviewers_target": "合議部門",
    "advanced": "前進",
    "stalled": "停滞",
    "next_step": "次のアクション",
    "add_to_log": "ログに追加",
    "two_entries": "2件",
    "submit": "登録申請",
    "submitted": "登録申請しました。チャネルマネージャーが審査します。",
    "protected_until": "{date}まで保護",
    "conflict_notice": "ほかのパートナーが同じ顧客を登録しています",
    "rejected": "登録が却下されました",
}


def control(scope, role, label):
    """The control with this role and label; a required mark may follow the label ("日付*")."""
    return scope.get_by_role(role, name=re.compile(rf"^{re.escape(label)}\*?$"))


def field_box(widget):
    """The block around one form control: its label, the control, help and errors."""
    return widget.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' form-field ')][1]")


def element(page, name):
    """The form's card of one MEDDIC element (a region named after the element)."""
    return page.get_by_role("region", name=name, exact=True)


def radio_in(scope, group, option):
    """The radio ``option`` in the fieldset ``group``; an option's name starts with its label (help follows)."""
    fieldset = scope.get_by_role("group", name=group, exact=True)
    return fieldset.get_by_role("radio", name=re.compile(rf"^{re.escape(option)}(\s|$)"))


def fact(scope, term):
    """The value shown for ``term`` in a list of facts on the deal page (``<dt>term</dt><dd>value</dd>``)."""
    return (
        scope.get_by_role("term")
        .filter(has_text=re.compile(rf"^{re.escape(term)}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def pick_outcome(log, label):
    """Outcome radios look like a button group: the visible label is what one clicks."""
    log.locator("label").filter(has_text=re.compile(rf"^{re.escape(label)}$")).click()
    expect(log.get_by_role("radio", name=label)).to_be_checked()


def answer(page, code, *, level, evidence, note=""):
    card = element(page, UI[code])
    radio_in(card, UI["level"], f"{level} {UI['levels'][level]}").check()
    radio_in(card, UI["evidence"], UI[evidence]).check()
    if note:
        control(card, "textbox", UI["note"]).fill(note)
    return card


@pytest.fixture
def open_page(browser):
    """``open_page("ja-JP")``: a page in a browser context of its own (one person's session)."""
    contexts = []

    def open_(locale):
        context = browser.new_context(locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def test_rep_registers_in_japanese_the_manager_approves_and_resolves_a_second_partners_conflict(
    e2e_world, live_server, open_page, shot
):
    base = live_server.url
    today = vendor_today(e2e_world.acme)
    # The rep's browser speaks English; they switch the product to Japanese.
    rep = open_page("en-US")
    log_in(rep, base, e2e_world.partner_rep.email, PASSWORD)
    expect(rep).to_have_url(f"{base}/v/acme/")
    expect(rep.get_by_role("heading", name="Dashboard")).to_be_visible()
    rep.get_by_role("button", name="日本語").click()
    expect(rep.get_by_role("heading", name=UI["dashboard"])).to_be_visible()

    # --- The rep fills the whole template.
    rep.get_by_role("link", name=UI["new_deal"]).click()
    control(rep, "textbox", UI["customer_name"]).fill(CUSTOMER)
    control(rep, "textbox", UI["corporate_number"]).fill(CORPORATE_NUMBER)
    control(rep, "combobox", UI["industry"]).select_option(label=UI["manufacturing"])
    control(rep, "combobox", UI["size"]).select_option(label=UI["size_300"])
    control(rep, "textbox", UI["title"]).fill(TITLE)
    amount = control(rep, "textbox", UI["amount"])
    amount.fill("18500000")
    amount.blur()
    expect(amount).to_have_value("18,500,000")
    close_date = today + timedelta(days=75)
    control(rep, "textbox", UI["close_date"]).fill(close_date.isoformat())
    control(rep, "combobox", UI["phase"]).select_option(label=UI["evaluation"])

    answer(rep, "metrics", level=2, evidence="reported", note="月次決算を10営業日から5営業日に短縮")
    buyer = answer(rep, "economic_buyer", level=1, evidence="reported")
    control(buyer, "combobox", UI["their_title"]).select_option(label=UI["executive"])
    radio_in(buyer, UI["access"], UI["via_partner"]).check()
    criteria = answer(rep, "decision_criteria", level=2, evidence="evidenced")
    criteria.get_by_role("group", name=UI["criteria"], exact=True).get_by_role(
        "checkbox", name=UI["price"], exact=True
    ).check()
    criteria.get_by_role("group", name=UI["criteria"], exact=True).get_by_role(
        "checkbox", name=UI["security"], exact=True
    ).check()
    radio_in(criteria, UI["position"], UI["even"]).check()
    control(criteria, "textbox", UI["competitors"]).fill("A社生産管理, B社クラウドERP")
    process = answer(rep, "decision_process", level=1, evidence="reported")
    control(process, "combobox", UI["final_approver"]).select_option(label=UI["executive"])
    process.get_by_role("group", name=UI["co_reviewers"], exact=True).get_by_role(
        "checkbox", name=UI["it"], exact=True
    ).check()
    process.get_by_role("group", name=UI["co_reviewers"], exact=True).get_by_role(
        "checkbox", name=UI["finance"], exact=True
    ).check()
    radio_in(process, UI["budget"], UI["in_budget"]).check()
    control(process, "combobox", UI["ringi_state"]).select_option(label=UI["nemawashi"])
    pain = answer(
        rep, "identify_pain", level=3, evidence="evidenced", note="保守終了で障害時の復旧が保証されない"
    )
    radio_in(pain, UI["severity"], "4").check()
    radio_in(pain, UI["urgency"], UI["this_quarter"]).check()
    champion = answer(rep, "champion", level=2, evidence="reported", note="情報システム部 田中課長")
    radio_in(champion, UI["champion_status"], UI["champion_reported"]).check()
    radio_in(champion, UI["power_influence"], UI["yes"]).check()
    radio_in(champion, UI["sells_internally"], UI["yes"]).check()
    # A partner cannot claim the vendor verified an element.
    expect(radio_in(champion, UI["evidence"], UI["verified"])).to_be_disabled()

    # --- Four lines: the live counter warns, the server refuses, the text stays.
    reason = control(rep, "textbox", UI["proposal_reason"])
    four_lines = "\n".join([*REASON_LINES, EXTRA_LINE])
    reason.fill(four_lines)
    counter = rep.locator(f"#{reason.get_attribute('id')}_counter")
    expect(counter.get_by_role("alert")).to_have_text(UI["too_many_lines"])
    expect(counter.get_by_role("listitem").filter(has_text=UI["line_4"])).to_have_text(
        f"{UI['line_4']} 21/60"
    )
    shot(rep, "deal-form-four-lines")
    rep.get_by_role("button", name=UI["save_draft"]).click()
    expect(rep.get_by_text(UI["four_lines_error"]).first).to_be_visible()
    expect(reason).to_have_value(four_lines)
    expect(control(rep, "textbox", UI["customer_name"])).to_have_value(CUSTOMER)
    expect(
        radio_in(element(rep, UI["champion"]), UI["champion_status"], UI["champion_reported"])
    ).to_be_checked()
    shot(rep, "deal-form-four-lines-refused")

    # --- Three lines: saved as a draft, the deal page shows the answers.
    reason.fill("\n".join(REASON_LINES))
    expect(counter.get_by_role("alert")).to_have_count(0)
    rep.get_by_role("button", name=UI["save_draft"]).click()
    expect(rep.get_by_text(UI["saved_draft"])).to_be_visible()
    expect(rep.get_by_role("heading", name=CUSTOMER, level=1)).to_be_visible()
    expect(rep.get_by_text(TITLE).first).to_be_visible()
    expect(fact(rep, UI["amount"])).to_have_text("¥18,500,000")
    expect(rep.locator(".deal-reason li")).to_have_text(REASON_LINES)
    expect(fact(rep, UI["corporate_number"])).to_have_text(CORPORATE_NUMBER)
    expect(fact(rep, UI["industry"])).to_have_text(UI["manufacturing"])
    expect(fact(rep, UI["size"])).to_have_text(UI["size_300"])
    card = rep.get_by_role("article", name=UI["decision_process"])
    expect(card).to_contain_text(UI["nemawashi"])
    expect(card).to_contain_text(UI["in_budget"])
    card = rep.get_by_role("article", name=UI["champion"])
    expect(card).to_contain_text(f"2 · {UI['levels'][2]}")
    expect(card).to_contain_text("情報システム部 田中課長")
    shot(rep, "deal-page-draft")

    # --- Two champion activities added inline: the page does not reload, newest first.
    rep.evaluate("window.dealPageMarker = 'still here'")
    log = rep.get_by_role("region", name=UI["champion_log"])
    control(log, "textbox", UI["date"]).fill((today - timedelta(days=3)).isoformat())
    control(log, "combobox", UI["activity"]).select_option(label=UI["set_meeting"])
    control(log, "combobox", UI["towards"]).select_option(label=UI["buyer_target"])
    pick_outcome(log, UI["advanced"])
    control(log, "textbox", UI["next_step"]).fill("部長同席の打合せを来週設定")
    log.get_by_role("button", name=UI["add_to_log"]).click()
    rows = log.get_by_role("row")
    expect(rows).to_have_count(2)  # header + one entry
    control(log, "textbox", UI["date"]).fill(today.isoformat())
    control(log, "combobox", UI["activity"]).select_option(label=UI["drafted_ringi"])
    control(log, "combobox", UI["towards"]).select_option(label=UI["co_reviewers_target"])
    pick_outcome(log, UI["stalled"])
    control(log, "textbox", UI["next_step"]).fill("稟議書の修正を経理部と相談")
    log.get_by_role("button", name=UI["add_to_log"]).click()
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("稟議書の修正を経理部と相談")
    expect(rows.nth(2)).to_contain_text("部長同席の打合せを来週設定")
    expect(log).to_contain_text(UI["two_entries"])
    assert rep.evaluate("window.dealPageMarker") == "still here"
    shot(rep, "deal-page-champion-log")

    # --- The rep submits the registration.
    rep.get_by_role("button", name=UI["submit"]).click()
    expect(rep.get_by_text(UI["submitted"])).to_be_visible()

    # --- The channel manager approves it from the dashboard; the page shows the protection date.
    cm = open_page("en-US")
    log_in(cm, base, e2e_world.channel_manager.email, PASSWORD)
    expect(cm).to_have_url(f"{base}/v/acme/")
    expect(cm.get_by_text("Registrations awaiting approval")).to_be_visible()
    cm.get_by_role("link", name=CUSTOMER).click()
    expect(cm.get_by_role("heading", name=CUSTOMER, level=1)).to_be_visible()
    # The vendor's today as the page sees it now: the flow may have crossed midnight in Tokyo since it began.
    approved_on = vendor_today(e2e_world.acme)
    protected_until = date_format(approved_on + timedelta(days=e2e_world.acme.protection_days), "DATE_FORMAT")
    expect(cm.get_by_text(f"Approving protects this registration until {protected_until}.")).to_be_visible()
    cm.get_by_role("button", name="Approve").click()
    expect(
        cm.get_by_text(
            f"Registration approved. {CUSTOMER} is protected for Alpha Systems until {protected_until}."
        )
    ).to_be_visible()
    expect(cm.get_by_text(f"Protected until {protected_until}")).to_have_count(2)  # badge and panel
    shot(cm, "deal-page-approved")

    # --- A rep of another partner registers the same customer, spelled differently, and submits.
    # Their browser asks for Japanese (the product's default language, too).
    beta = open_page("ja-JP")
    log_in(beta, base, e2e_world.beta_rep.email, PASSWORD)
    expect(beta).to_have_url(f"{base}/v/acme/")
    beta.get_by_role("link", name=UI["new_deal"]).click()
    control(beta, "textbox", UI["customer_name"]).fill(CUSTOMER_AGAIN)
    control(beta, "textbox", UI["title"]).fill("生産計画クラウド導入")
    control(beta, "textbox", UI["amount"]).fill("9,800,000")
    control(beta, "textbox", UI["close_date"]).fill((today + timedelta(days=40)).isoformat())
    control(beta, "combobox", UI["phase"]).select_option(label=UI["proposal"])
    control(beta, "textbox", UI["proposal_reason"]).fill("工場長から生産計画の属人化について相談")
    beta.get_by_role("button", name=UI["save_submit"]).click()
    expect(beta.get_by_role("heading", name=CUSTOMER_AGAIN, level=1)).to_be_visible()
    expect(beta.get_by_text(UI["conflict_notice"])).to_be_visible()
    content = beta.content()
    assert "Alpha Systems" not in content and "Riku Rep" not in content
    shot(beta, "deal-page-conflict-partner")

    # --- The channel manager sees the conflict, compares the deals side by side and keeps the first one.
    cm.get_by_role("link", name="Registration conflicts").click()
    expect(cm.get_by_text("1 open conflict waits for a decision")).to_be_visible()
    row = cm.get_by_role("row").filter(has_text=CUSTOMER_AGAIN)
    expect(row).to_contain_text("Alpha Systems")
    expect(row).to_contain_text("Beta Integration")
    row.get_by_role("link", name=CUSTOMER).click()
    compare = cm.get_by_role("table", name="The two registrations side by side")

    def cells(label):
        return compare.get_by_role("row", name=re.compile(rf"^{label}\b")).get_by_role("cell")

    expect(cells("Customer name")).to_have_text([CUSTOMER, CUSTOMER_AGAIN])
    expect(compare.get_by_role("rowheader", name="Customer name (matched)")).to_be_visible()
    expect(cells("Partner")).to_have_text(["Alpha Systems", "Beta Integration"])
    expect(cells("Registration status")).to_have_text(["Approved", "Submitted"])
    shot(cm, "conflict-side-by-side")
    cm.get_by_role("radio", name="Keep A (Alpha Systems), reject B").check()
    note = "北都精機様は先に登録されたパートナーが提案中のため、そちらの登録を有効とします。"
    control(cm, "textbox", "Note for both partners").fill(note)
    cm.get_by_role("button", name="Resolve the conflict").click()
    expect(
        cm.get_by_text("Kept the registration of Alpha Systems; the other was rejected").first
    ).to_be_visible()
    shot(cm, "conflict-resolved")

    # --- The second deal is rejected with the note as its reason; the first keeps its protection.
    cm.get_by_role("link", name="生産計画クラウド導入").click()
    expect(cm.get_by_role("status").filter(has_text="Registration rejected")).to_contain_text(note)
    beta.reload()
    expect(beta.get_by_role("status").filter(has_text=UI["rejected"])).to_contain_text(note)
    expect(beta.get_by_text(UI["conflict_notice"])).to_have_count(0)
    shot(beta, "deal-page-rejected-partner")
    rep.reload()
    with translation.override("ja"):
        protected_until_ja = date_format(
            approved_on + timedelta(days=e2e_world.acme.protection_days), "DATE_FORMAT"
        )
    expect(rep.get_by_text(UI["protected_until"].format(date=protected_until_ja))).to_have_count(2)


def test_loss_type_follows_the_phase_and_a_closed_deal_cannot_close_in_the_future(
    e2e_world, live_server, open_page, shot
):
    base = live_server.url
    today = vendor_today(e2e_world.acme)
    page = open_page("en-US")
    log_in(page, base, e2e_world.partner_rep.email, PASSWORD)
    expect(page).to_have_url(f"{base}/v/acme/")
    page.get_by_role("link", name="New deal").click()
    phase = control(page, "combobox", "Phase")
    loss_type = control(page, "combobox", "Loss type")

    # The loss type is asked only for a lost deal.
    expect(loss_type).to_be_hidden()
    phase.select_option(label="Lost")
    expect(loss_type).to_be_visible()
    expect(loss_type.locator("option")).to_have_text(
        ["—", "Lost to a competitor", "No decision", "Budget frozen", "Ringi rejected", "Unknown"]
    )
    phase.select_option(label="Proposal & quote")
    expect(loss_type).to_be_hidden()

    # A won deal dated next week is refused next to the close date; everything typed stays.
    next_week = (today + timedelta(days=7)).isoformat()
    control(page, "textbox", "Customer name").fill("東邦ロジスティクス株式会社")
    control(page, "textbox", "Deal title").fill("倉庫管理システム更改")
    control(page, "textbox", "Amount").fill("6,200,000")
    close_date = control(page, "textbox", "Close date")
    close_date.fill(next_week)
    phase.select_option(label="Won")
    reason = control(page, "textbox", "Proposal reason")
    reason.fill("物流センター統合で在庫差異が拡大\n繁忙期前に稼働させたい")
    champion = element(page, "Champion")
    radio_in(champion, "Level", "3 Agreed & documented").check()
    page.get_by_role("button", name="Save as draft").click()
    error = "A won or lost deal's close date cannot be in the future."
    expect(field_box(close_date)).to_contain_text(error)
    expect(close_date).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert").filter(has_text="Please check 1 answer")).to_contain_text(error)
    expect(close_date).to_have_value(next_week)
    expect(phase).to_have_value("won")
    expect(control(page, "textbox", "Customer name")).to_have_value("東邦ロジスティクス株式会社")
    expect(control(page, "textbox", "Deal title")).to_have_value("倉庫管理システム更改")
    expect(control(page, "textbox", "Amount")).to_have_value("6,200,000")
    expect(reason).to_have_value("物流センター統合で在庫差異が拡大\n繁忙期前に稼働させたい")
    expect(radio_in(element(page, "Champion"), "Level", "3 Agreed & documented")).to_be_checked()
    shot(page, "deal-form-won-in-future")

    # Lost today without a reason for the loss: the loss type is shown and asked for.
    close_date.fill(today.isoformat())
    phase.select_option(label="Lost")
    page.get_by_role("button", name="Save as draft").click()
    expect(field_box(loss_type)).to_contain_text("Choose why the deal was lost")
    expect(loss_type).to_be_visible()
    expect(close_date).to_have_value(today.isoformat())
    loss_type.select_option(label="Budget frozen")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", name="東邦ロジスティクス株式会社", level=1)).to_be_visible()
    expect(fact(page, "Phase")).to_have_text(re.compile(r"Lost\s*Budget frozen"))
    expect(fact(page, "Closed on")).to_have_text(date_format(today, "DATE_FORMAT"))
    shot(page, "deal-page-lost")
