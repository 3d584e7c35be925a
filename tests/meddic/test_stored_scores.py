"""Scores are stored and kept as history whenever a deal, its elements, its champion log or its conflicts
change; the nightly job moves time-based flags; the API carries them as DESIGN §7 says."""

from datetime import date, timedelta

from django.urls import reverse
from django_scopes import scopes_disabled

from deals import services
from meddic.models import DealScore, ElementWeight, ScoreHistory
from meddic.tasks import rescore, rescore_all, rescore_nightly
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register
from tests.deals.test_workflow import act


def stored(deal) -> DealScore:
    with scopes_disabled():
        return DealScore.objects.get(deal=deal)


def history(deal) -> list[tuple[int, int]]:
    with scopes_disabled():
        return list(ScoreHistory.objects.filter(deal=deal).values_list("quality", "visibility"))


def edit(world, user, deal, **kwargs):
    with vendor_scope(world.acme):
        current = services.deal_update(
            access=access_of(user, world.acme), deal=deal, version=stored_version(deal), **kwargs
        )
    return current


def stored_version(deal):
    from deals.models import Deal

    with scopes_disabled():
        return Deal.objects.get(pk=deal.pk).version


def test_a_new_deal_is_scored_at_once(world):
    deal = register(
        world, world.partner_rep, phase="proposal", meddic={"metrics": {"level": 3, "evidence": "reported"}}
    )
    score = stored(deal)
    # Q = 3/18 → 17; V = 0.4·1.0/6 → 7
    assert (score.quality, score.visibility, score.forecast_category) == (17, 7, "pipeline")
    assert "economic_buyer_no_access" in score.flags and "metrics_undefined" not in score.flags
    assert history(deal) == [(17, 7)]


def test_element_changes_rescore_and_extend_the_history(world):
    deal = register(world, world.partner_rep, phase="evaluation")
    assert "metrics_undefined" in stored(deal).flags
    edit(world, world.partner_rep, deal, meddic={"metrics": {"level": 2, "evidence": "evidenced"}})
    score = stored(deal)
    assert "metrics_undefined" not in score.flags
    assert history(deal) == [(0, 0), (11, 12)]


def test_an_unchanged_score_is_not_written_again(world):
    deal = register(world, world.partner_rep)
    edit(world, world.partner_rep, deal, fields={"title": "名称だけ変更"})
    assert len(history(deal)) == 1


def test_vendor_weights_change_the_score(world):
    with scopes_disabled():
        ElementWeight.objects.create(vendor=world.acme, code="metrics", weight=4)
    deal = register(world, world.partner_rep, meddic={"metrics": {"level": 3}})
    # Q = 100·4·3 / (3·9) = 44.4 → 44
    assert stored(deal).quality == 44


def test_champion_activity_clears_champion_inactive(world):
    deal = register(world, world.partner_rep, meddic={"champion": {"status": "reported", "level": 1}})
    assert "champion_inactive" in stored(deal).flags
    with vendor_scope(world.acme):
        services.champion_activity_add(
            access=access_of(world.partner_rep, world.acme),
            deal=deal,
            date=vendor_today(world.acme),
            actor="champion",
            activity_type="internal_briefing",
            target="users",
            outcome="advanced",
        )
    assert "champion_inactive" not in stored(deal).flags


def test_conflicts_flag_both_deals_and_resolution_clears_them(world):
    from deals.models import RegistrationConflict
    from deals.workflow import conflict_resolve

    alpha = register(world, world.partner_rep, submit=True)
    beta = register(world, world.beta_rep, submit=True, customer_name="(株)サンプル商事")
    assert "registration_conflict" in stored(alpha).flags and "registration_conflict" in stored(beta).flags
    with vendor_scope(world.acme):
        conflict_resolve(
            access=access_of(world.channel_manager, world.acme),
            conflict=RegistrationConflict.objects.get(),
            keep=None,
            note="別法人",
        )
    assert "registration_conflict" not in stored(alpha).flags
    assert "registration_conflict" not in stored(beta).flags


def test_the_nightly_job_moves_time_based_flags(world):
    deal = register(world, world.partner_rep, close_date=date.today() + timedelta(days=5))
    assert "close_date_passed" not in stored(deal).flags
    from deals.models import Deal

    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(close_date=vendor_today(world.acme) - timedelta(days=1))
    assert rescore_nightly.delay(vendor_id=world.acme.pk).get() == 1
    assert "close_date_passed" in stored(deal).flags
    assert rescore_nightly.delay(vendor_id=world.acme.pk).get() == 0
    assert rescore_all.delay().get() == 2


def test_the_full_rescore_scores_every_deal(world):
    deal = register(world, world.partner_rep, close_date=date.today() + timedelta(days=5))
    from deals.models import Deal

    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(close_date=vendor_today(world.acme) - timedelta(days=9))
    assert rescore.delay(vendor_id=world.acme.pk).get() == 1
    assert "close_date_passed" in stored(deal).flags
    assert rescore.delay(vendor_id=world.acme.pk).get() == 0


def test_closing_a_deal_clears_its_flags_and_sets_its_category(world):
    deal = register(world, world.partner_rep, phase="proposal")
    assert stored(deal).flags
    act(world, world.partner_rep, deal, "submit")
    edit(world, world.partner_rep, deal, fields={"phase": "won", "close_date": vendor_today(world.acme)})
    score = stored(deal)
    assert (score.flags, score.forecast_category) == ([], "closed")


def test_the_api_carries_the_score_with_translated_messages(world, client_for):
    deal = register(world, world.partner_rep, phase="proposal")
    url = reverse("api_deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    body = client_for(world.partner_rep).get(url).json()
    assert set(body["score"]) == {"quality", "visibility", "forecast_category", "flags"}
    flag = next(f for f in body["score"]["flags"] if f["code"] == "champion_missing")
    assert flag["element"] == "champion"
    assert "champion" in flag["message"]
    ja = client_for(world.partner_rep).get(url, headers={"accept-language": "ja"}).json()
    ja_flag = next(f for f in ja["score"]["flags"] if f["code"] == "champion_missing")
    assert ja_flag["message"] != flag["message"]
