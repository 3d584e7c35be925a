"""Registration conflicts for channel managers: list, export, the two deals side by side, resolving."""

import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import Deal, RegistrationConflict, RegistrationEvent
from deals.selectors import open_conflict_exists
from tests.conftest import body
from tests.deals.conftest import register


def url(name, **kwargs):
    return reverse(name, kwargs={"vendor_slug": "acme", **kwargs})


def fresh(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def pair(world):
    """Alpha registered the customer first; Beta's later registration of the same customer conflicts."""
    alpha = register(
        world, world.partner_rep, submit=True, customer_name="株式会社サンプル商事", amount=12_000_000
    )
    beta = register(
        world, world.beta_rep, submit=True, customer_name="サンプル商事（株）", title="PoC", amount=3_500_000
    )
    with scopes_disabled():
        conflict = RegistrationConflict.objects.get(deal=beta, other=alpha)
    return alpha, beta, conflict


def resolve(client, conflict, **data):
    return client.post(url("conflict_detail", conflict_id=conflict.pk), data, follow=True)


class TestAccess:
    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin", "other_partner_rep"])
    def test_partner_users_cannot_see_conflict_pages(self, world, client_for, pair, role):
        client = client_for(world.user(role))
        for path in (
            url("conflict_list"),
            url("conflict_export"),
            url("conflict_detail", conflict_id=pair[2].pk),
        ):
            assert client.get(path).status_code == 403, path
        assert resolve(client, pair[2], keep="a", note="x").status_code == 403


class TestList:
    def test_open_conflicts_come_first(self, world, client_for, pair):
        conflict = pair[2]
        resolve(client_for(world.channel_manager), conflict, keep="both", note="別の会社でした")
        register(world, world.partner_rep, submit=True, customer_name="東西物流株式会社")
        later = register(world, world.beta_rep, submit=True, customer_name="東西物流（株）")
        response = client_for(world.channel_manager).get(url("conflict_list"))
        listed = list(response.context["conflicts"])
        assert [c.is_open for c in listed] == [True, False]
        assert listed[0].deal_id == later.pk
        assert "1 open conflict waits for a decision" in response.content.decode()

    def test_filters_by_status_partner_and_customer(self, world, client_for, pair):
        client = client_for(world.vendor_admin)
        resolve(client, pair[2], keep="both", note="別の会社でした")
        register(world, world.partner_rep, submit=True, customer_name="東西物流株式会社")
        register(world, world.beta_rep, submit=True, customer_name="東西物流（株）")

        def customers(**params):
            response = client.get(url("conflict_list"), params)
            return [c.other.customer_name for c in response.context["conflicts"]]

        assert customers(status="resolved") == ["株式会社サンプル商事"]
        assert customers(status="open") == ["東西物流株式会社"]
        assert customers(q="サンプル") == ["株式会社サンプル商事"]
        assert len(customers(partner=world.beta.pk)) == 2
        assert len(customers()) == 2

    def test_export_uses_the_same_filters(self, world, client_for, pair):
        client = client_for(world.channel_manager)
        response = client.get(url("conflict_export"), {"status": "open"})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(body(response))))
        assert rows[0][:3] == ["Detected", "Status", "Match"]
        assert len(rows) == 2
        assert rows[1][3:5] == ["株式会社サンプル商事", "Alpha Systems"]
        assert rows[1][7:9] == ["サンプル商事（株）", "Beta Integration"]
        empty = client.get(url("conflict_export"), {"status": "resolved"})
        assert len(list(csv.reader(io.StringIO(body(empty))))) == 1


class TestDetail:
    def test_shows_both_deals_side_by_side_with_the_match(self, world, client_for, pair):
        response = client_for(world.channel_manager).get(url("conflict_detail", conflict_id=pair[2].pk))
        html = response.content.decode()
        for text in (
            "Alpha Systems",
            "Beta Integration",
            "Riku Rep",
            "Ben Rep",
            "株式会社サンプル商事",
            "サンプル商事（株）",
            "¥12,000,000",
            "¥3,500,000",
            "Same customer name",
            "Keep A (Alpha Systems), reject B",
            "Different customers: keep both",
        ):
            assert text in html, text
        assert '<tr class="is-match">' in html
        assert [row.label for row in response.context["rows"] if row.match] == ["Customer name"]
        assert len(response.context["meddic"]) == 6

    def test_keeping_one_rejects_the_other_with_the_note_as_reason(self, world, client_for, pair):
        alpha, beta, conflict = pair
        response = resolve(
            client_for(world.channel_manager), conflict, keep="a", note="Alpha が先に登録し決裁者と面談済み"
        )
        conflict = fresh(conflict)
        assert conflict.kept_id == alpha.pk and conflict.resolved_by == world.channel_manager
        assert fresh(alpha).registration_status == "submitted"
        assert fresh(beta).registration_status == "rejected"
        with scopes_disabled():
            event = RegistrationEvent.objects.filter(deal=beta).latest("at", "pk")
        assert event.to_status == "rejected" and event.reason == "Alpha が先に登録し決裁者と面談済み"
        html = response.content.decode()
        assert "Kept the registration of Alpha Systems; the other was rejected" in html
        assert "Chika Manager" in html
        assert "Resolve the conflict</button>" not in html
        # The kept deal can now be approved.
        assert not fresh_has_conflict(alpha)

    def test_keep_both_leaves_both_deals_and_clears_the_flag(self, world, client_for, pair):
        alpha, beta, conflict = pair
        resolve(client_for(world.channel_manager), conflict, keep="both", note="別法人（大阪と東京）")
        assert fresh(alpha).registration_status == "submitted"
        assert fresh(beta).registration_status == "submitted"
        assert fresh(conflict).kept_id is None and fresh(conflict).resolved_at is not None
        assert not fresh_has_conflict(alpha) and not fresh_has_conflict(beta)
        html = client_for(world.partner_rep).get(url("deal_detail", deal_id=alpha.pk)).content.decode()
        assert "Registration conflict" not in html

    def test_a_note_is_required_and_the_choice_is_kept(self, world, client_for, pair):
        response = resolve(client_for(world.channel_manager), pair[2], keep="b", note="  ")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Write down why, for both partners to read." in html
        assert 'value="b" checked' in html
        assert fresh(pair[2]).resolved_at is None

    def test_a_decision_is_required(self, world, client_for, pair):
        response = resolve(client_for(world.channel_manager), pair[2], note="理由")
        assert "Choose which registration stands." in response.content.decode()
        assert "理由" in response.content.decode()


def fresh_has_conflict(deal) -> bool:
    with scopes_disabled():
        return Deal.objects.annotate(flag=open_conflict_exists()).get(pk=deal.pk).flag


class TestDealPageNotice:
    def test_vendor_staff_see_a_warning_with_a_link(self, world, client_for, pair):
        alpha, _beta, conflict = pair
        html = client_for(world.channel_manager).get(url("deal_detail", deal_id=alpha.pk)).content.decode()
        assert "Beta Integration has also registered サンプル商事（株）" in html
        assert url("conflict_detail", conflict_id=conflict.pk) in html

    @pytest.mark.parametrize("user", ["partner_rep", "partner_admin"])
    def test_partner_users_see_a_notice_without_the_other_partner(self, world, client_for, pair, user):
        alpha = pair[0]
        html = client_for(getattr(world, user)).get(url("deal_detail", deal_id=alpha.pk)).content.decode()
        assert "Another partner has registered the same customer" in html
        assert "Your channel manager will decide" in html
        assert "Beta Integration" not in html
        assert "サンプル商事（株）" not in html
        assert "/conflicts/" not in html

    def test_the_other_side_sees_the_same_notice(self, world, client_for, pair):
        beta = pair[1]
        html = client_for(world.beta_rep).get(url("deal_detail", deal_id=beta.pk)).content.decode()
        assert "Another partner has registered the same customer" in html
        assert "Alpha Systems" not in html


def test_list_and_export_queries_do_not_grow_with_conflicts(world, client_for, django_assert_max_num_queries):
    client = client_for(world.channel_manager)
    for n in range(4):
        register(world, world.partner_rep, submit=True, customer_name=f"顧客{n}株式会社")
        register(world, world.beta_rep, submit=True, customer_name=f"顧客{n}（株）")
    with scopes_disabled():
        first = RegistrationConflict.objects.order_by("pk").first()
    resolve(client, first, keep="a", note="先に登録")
    with django_assert_max_num_queries(12):
        assert client.get(url("conflict_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(url("conflict_export")).status_code == 200
