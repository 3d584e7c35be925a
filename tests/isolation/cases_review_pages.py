"""The review actions on the deal page (DESIGN §5), every role.

Vendor staff set the review state, ask the partner and withdraw questions; only the deal's own partner (its rep
or partner admin) answers. Another partner's or vendor's user gets 404; a draft is invisible to vendor staff.
"""

from datetime import timedelta

from django_scopes import scopes_disabled

from meddic import reviews
from meddic.forms_review import AnswerForm
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.isolation.cases import LOGIN, OK, Case, acme, expect
from tests.isolation.deal_world import _once, alpha_deal, alpha_draft, pk_of


def alpha_request(world):
    def build():
        deal = alpha_deal(world)
        with vendor_scope(world.acme):
            return reviews.info_request_send(
                access=access_of(world.channel_manager, world.acme),
                deal=deal,
                element="metrics",
                question="成功基準は？",
                due_date=vendor_today(world.acme) + timedelta(days=7),
            )

    return _once(world, "alpha_request", build)


def answer_data(world):
    """The answer form as the page shows it, with a reply typed in."""
    request = alpha_request(world)
    with scopes_disabled():
        deal = type(request.deal).objects.get(pk=request.deal_id)
        element = deal.elements.get(code=request.element)
        form = AnswerForm(
            access=access_of(world.partner_rep, world.acme), deal=deal, element=element, request=request
        )
        data = {}
        for name, field in form.fields.items():
            value = form.get_initial_for_field(field, name)
            if value is None:
                continue
            data[form.add_prefix(name)] = (
                [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
            )
    data[form.add_prefix("answer")] = "3つの成功基準で合意"
    return data


CASES = [
    Case(
        "deal_review",
        expect(LOGIN, 403, 403, OK, OK, 404, 403),
        kwargs=acme(deal_id=pk_of(alpha_deal)),
        method="post",
        data=lambda w: {"review-state": "qualified", "review-note": "確認済み"},
        label="alpha",
    ),
    Case(
        "deal_review",
        expect(LOGIN, 403, 403, 404, 404, 404, 403),
        kwargs=acme(deal_id=pk_of(alpha_draft)),
        method="post",
        data=lambda w: {"review-state": "qualified"},
        label="draft",
    ),
    Case(
        "info_request_send",
        expect(LOGIN, 403, 403, OK, OK, 404, 403),
        kwargs=acme(deal_id=pk_of(alpha_deal), code=lambda w: "metrics"),
        method="post",
        data=lambda w: {
            "ask-metrics-question": "PoCの成功基準は？",
            "ask-metrics-due_date": (vendor_today(w.acme) + timedelta(days=5)).isoformat(),
        },
        label="alpha",
    ),
    Case(
        "info_request_send",
        expect(LOGIN, 403, 403, 404, 404, 404, 403),
        kwargs=acme(deal_id=pk_of(alpha_draft), code=lambda w: "metrics"),
        method="post",
        data=lambda w: {"ask-metrics-question": "?", "ask-metrics-due_date": "2099-01-01"},
        label="draft",
    ),
    Case(
        "info_request_answer",
        expect(LOGIN, OK, OK, 403, 403, 404, 404),
        kwargs=acme(request_id=lambda w: alpha_request(w).pk),
        method="post",
        data=answer_data,
    ),
    Case(
        "info_request_withdraw",
        expect(LOGIN, 403, 403, OK, OK, 404, 403),
        kwargs=acme(request_id=lambda w: alpha_request(w).pk),
        method="post",
    ),
]
