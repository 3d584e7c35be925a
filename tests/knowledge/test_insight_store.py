"""Stored insight analyses (knowledge.insights.store): computed once per set of filters, reused by page, API and
CSV, and computed again when the deals or partners they read change."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import Deal
from knowledge.insights import reports
from knowledge.insights.filters import InsightFilters
from knowledge.insights.reports import insights_nightly, loss_factors_for, ringi_patterns_for
from knowledge.models import InsightResult
from partners.models import PartnerCompany
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.knowledge.insights_world import deals_with_champions

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(monkeypatch):
    """The analyses actually run, by report name."""
    runs = []
    for name, analysis in list(reports.ANALYSES.items()):

        def counting(access, filters, deals=None, *, name=name, analysis=analysis):
            runs.append(name)
            return analysis(access, filters, deals)

        monkeypatch.setitem(reports.ANALYSES, name, counting)
    return runs


def champion_group(report, status):
    factor = next(f for f in report.factors if f.code == "champion_status")
    return next(g for g in factor.groups if g.value == status)


def read(world, filters=None, user=None):
    with vendor_scope(world.acme):
        return loss_factors_for(
            access_of(user or world.channel_manager, world.acme), filters or InsightFilters()
        )


def test_an_analysis_is_computed_once_and_shared_by_every_staff_member(world, computed):
    deals_with_champions(world, {"verified": (2, 1)})
    first = read(world)
    again = read(world, user=world.vendor_admin)
    assert computed == ["loss_factors"]
    assert champion_group(again, "verified").won == champion_group(first, "verified").won == 2
    assert again.computed_at == first.computed_at and not again.updating
    # Other filters are another analysis, computed once too.
    read(world, InsightFilters(tier="gold"))
    read(world, InsightFilters(tier="gold"))
    assert computed == ["loss_factors", "loss_factors"]


def test_a_closed_deal_more_makes_the_next_read_compute_again(world, computed):
    deals_with_champions(world, {"verified": (2, 1)})
    read(world)
    deals_with_champions(world, {"verified": (1, 0)})
    report = read(world)
    assert computed == ["loss_factors", "loss_factors"]
    assert champion_group(report, "verified").won == 3


def test_a_changed_closed_deal_or_partner_tier_makes_it_compute_again(world, computed):
    [deal, *_rest] = deals_with_champions(world, {"verified": (2, 1)})
    read(world, InsightFilters(tier="gold"))
    with scopes_disabled():
        deal = Deal.objects.get(pk=deal.pk)
        deal.phase = "lost"
        deal.loss_type = "competitor"
        deal.save()
    report = read(world, InsightFilters(tier="gold"))
    assert champion_group(report, "verified").won == 1
    with scopes_disabled():
        alpha = PartnerCompany.objects.get(pk=world.alpha.pk)
        alpha.tier = "silver"
        alpha.save()
    assert read(world, InsightFilters(tier="gold")).population.closed == 0
    assert computed == ["loss_factors"] * 3


def test_above_the_inline_limit_the_old_analysis_shows_while_a_task_updates_it(
    world, settings, django_capture_on_commit_callbacks
):
    settings.INSIGHTS_INLINE_DEALS = 2
    deals_with_champions(world, {"verified": (2, 1)})
    first = read(world)
    deals_with_champions(world, {"verified": (1, 0)})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stale = read(world)
        read(world)  # asking again while the task waits queues nothing more
    assert stale.updating and champion_group(stale, "verified").won == 2
    assert stale.computed_at == first.computed_at
    assert len(callbacks) == 1
    fresh = read(world)
    assert not fresh.updating and champion_group(fresh, "verified").won == 3


def test_the_nightly_job_updates_recent_analyses_and_drops_old_ones(world, computed):
    deals_with_champions(world, {"verified": (2, 1)})
    read(world, InsightFilters(tier="gold"))
    read(world, InsightFilters(size="small"))
    with scopes_disabled():
        InsightResult.objects.filter(filters__size="small").update(
            used_on=vendor_today(world.acme) - timedelta(days=31)
        )
    deals_with_champions(world, {"none": (0, 1)})
    computed.clear()
    with vendor_scope(world.acme):
        # Gold and unfiltered loss factors, unfiltered ringi patterns and playbook.
        assert insights_nightly(world.acme) == 4
        assert insights_nightly(world.acme) == 0  # all current
    assert sorted(computed) == ["loss_factors", "loss_factors", "playbook", "ringi_patterns"]
    with scopes_disabled():
        kept = sorted(
            (row.report, row.filters["tier"] or "", row.filters["size"] or "")
            for row in InsightResult.objects.filter(vendor=world.acme)
        )
    assert kept == [
        ("loss_factors", "", ""),
        ("loss_factors", "gold", ""),
        ("playbook", "", ""),
        ("ringi_patterns", "", ""),
    ]
    with vendor_scope(world.acme):
        ringi = ringi_patterns_for(access_of(world.channel_manager, world.acme), InsightFilters())
    assert ringi.population.closed == 4


def test_page_api_and_csv_read_one_stored_analysis(world, client, computed):
    deals_with_champions(world, {"verified": (2, 1)})
    client.force_login(world.channel_manager)
    page = client.get(reverse("insights_loss_factors", kwargs={"vendor_slug": "acme"}))
    export = client.get(reverse("insights_loss_factors_export", kwargs={"vendor_slug": "acme"}))
    assert page.status_code == export.status_code == 200
    assert computed == ["loss_factors"]
    with scopes_disabled():
        assert InsightResult.objects.filter(vendor=world.rival).count() == 0


def test_the_playbook_is_stored_and_follows_the_support_log(world, computed):
    from knowledge.insights.reports import playbook_for
    from knowledge.models import SupportActivity

    deals_with_champions(world, {"verified": (2, 1)})
    access = access_of(world.channel_manager, world.acme)
    with vendor_scope(world.acme):
        playbook_for(access)
        playbook_for(access, partner_ids=[world.alpha.pk])
    assert computed == ["playbook"]
    with scopes_disabled():
        SupportActivity.objects.create(
            vendor=world.acme,
            partner=world.alpha,
            support_type="study_session",
            date=vendor_today(world.acme),
            hours=2,
        )
    with vendor_scope(world.acme):
        book = playbook_for(access, partner_ids=[world.beta.pk])
    assert computed == ["playbook", "playbook"]
    assert {r.partner_id for r in book.recommendations} <= {world.beta.pk}


def test_a_large_vendors_first_analysis_is_computed_by_a_task_while_the_page_waits(
    world, client, settings, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    api_client = APIClient()
    api_client.force_login(world.channel_manager)
    settings.INSIGHTS_INLINE_DEALS = 2
    deals_with_champions(world, {"verified": (2, 1)})
    client.force_login(world.channel_manager)
    page_url = reverse("insights_loss_factors", kwargs={"vendor_slug": "acme"})
    api_url = "/api/v1/vendors/acme/insights/loss-factors/"
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        page = client.get(page_url, {"tier": "gold"})
        api = api_client.get(api_url, {"tier": "gold"})
    text = page.content.decode()
    assert page.status_code == 200 and 'http-equiv="refresh"' in text and "computing-title" in text
    assert "factor-card" not in text
    assert api.status_code == 202 and api["Retry-After"] == "30"
    assert len(waiting) == 1  # one task for both askers
    with django_capture_on_commit_callbacks(execute=True):
        for callback in waiting:
            callback()
    page = client.get(page_url, {"tier": "gold"})
    assert "factor-card" in page.content.decode() and 'http-equiv="refresh"' not in page.content.decode()
    assert api_client.get(api_url, {"tier": "gold"}).status_code == 200


def test_the_nightly_job_rebuilds_the_closed_deals_once_for_both_analyses(world, monkeypatch):
    rebuilt = []
    real = reports._closed_as_of

    def counting(access, filters):
        rebuilt.append(filters)
        return real(access, filters)

    monkeypatch.setattr(reports, "_closed_as_of", counting)
    deals_with_champions(world, {"verified": (2, 1)})
    with vendor_scope(world.acme):
        assert insights_nightly(world.acme) == 3  # loss factors, ringi patterns, playbook
        ringi = ringi_patterns_for(access_of(world.channel_manager, world.acme), InsightFilters())
    assert rebuilt == [InsightFilters()]
    assert ringi.population.closed == 3
