"""The deal page shows the rep and the channel manager the score, the risks with what to do next, and the trend."""

from django.urls import reverse

from tests.deals.conftest import register
from tests.meddic.test_stored_scores import edit


def page(client_for, user, deal) -> str:
    url = reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    return client_for(user).get(url).content.decode()


def test_the_rep_sees_the_score_and_the_next_actions(world, client_for):
    deal = register(
        world, world.partner_rep, phase="proposal", meddic={"metrics": {"level": 3, "evidence": "reported"}}
    )
    html = page(client_for, world.partner_rep, deal)
    assert '<dd class="score-q">17</dd>' in html and '<dd class="score-v">7</dd>' in html
    assert 'data-flag="champion_missing"' in html
    assert "find someone with influence who will sell for us internally" in html
    assert 'data-flag="metrics_undefined"' not in html


def test_the_trend_appears_once_the_score_has_changed(world, client_for):
    deal = register(world, world.partner_rep, phase="evaluation")
    assert "<polyline" not in page(client_for, world.partner_rep, deal)
    edit(world, world.partner_rep, deal, meddic={"metrics": {"level": 2, "evidence": "evidenced"}})
    html = page(client_for, world.partner_rep, deal)
    assert html.count("<polyline") == 2
    assert "over the last 2 changes" in html


def test_fixing_the_fact_clears_the_flag_on_the_page(world, client_for):
    deal = register(world, world.partner_rep, phase="evaluation")
    assert 'data-flag="metrics_undefined"' in page(client_for, world.partner_rep, deal)
    edit(world, world.partner_rep, deal, meddic={"metrics": {"level": 2}})
    assert 'data-flag="metrics_undefined"' not in page(client_for, world.partner_rep, deal)


def test_the_panel_reads_in_japanese(world, client_for):
    deal = register(world, world.partner_rep, phase="proposal")
    url = reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    html = client_for(world.partner_rep).get(url, headers={"accept-language": "ja"}).content.decode()
    assert "社内で推進してくれる人を見つけてください" in html


def test_an_early_deal_with_little_known_says_so_instead_of_no_risk(world, client_for):
    # In the first phase no flag applies yet, but five of six elements are unknown.
    deal = register(
        world, world.partner_rep, phase="information_gathering", meddic={"identify_pain": {"level": 2}}
    )
    html = page(client_for, world.partner_rep, deal)
    assert "5 of 6 elements are still unknown: no flag does not mean no risk." in html
    assert "No risk flags" not in html
    known = {
        code: {"level": 2, "evidence": "evidenced"} for code in ("metrics", "economic_buyer", "identify_pain")
    }
    known |= {code: {"level": 2} for code in ("decision_criteria", "decision_process")}
    edit(world, world.partner_rep, deal, meddic=known)
    assert "still unknown" not in page(client_for, world.partner_rep, deal)
