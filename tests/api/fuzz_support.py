"""Support of tests/api/test_fuzz.py: the app in-process, the data it runs against, and the tenant check.

``build_fuzz_data`` adds to the ``world`` deals, info requests, content, a KPI run and an invitation in both vendors, so
generated path parameters can name real objects (``known_path_values``). ``tenant_isolation`` is a
schemathesis check that replays a request with another tenant's slug or objects, and with another partner
company's objects, and fails on anything but the answer an unknown object gets.
"""

import contextlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django_scopes import scopes_disabled
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from knowledge.jobs import recompute_request
from meddic import reviews
from meddic.models import ElementCode
from partners import services
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import World, access_of, invitation_token
from tests.deals.conftest import register
from tests.enablement.conftest import QUIZ, publish

UNKNOWN_ID = 2_000_000_000
UNKNOWN_TASK = "00000000-0000-4000-8000-000000000000"
# Texts only rival's objects carry: none of them may reach a user of acme.
RIVAL_MARKERS = ("RIVAL-ONLY", "Rival Systems", "Gamma Partners", "admin@rival.example", "rep@gamma.example")
# Texts only Beta's objects carry: none of them may reach a user of Alpha.
BETA_MARKERS = ("BETA-ONLY", "rep@beta.example")


class InProcessApp(WSGIHandler):
    """The project's WSGI app, called in-process inside the test's transaction.

    As with Django's test client, a request neither opens nor closes the database connection: closing it
    would end the test's transaction.
    """

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@dataclass
class FuzzData:
    tokens: dict[str, str]
    # Path parameter values of acme's objects, as acme's vendor admin and Alpha's rep may use them.
    known: dict[str, list]
    # The same parameters naming rival's objects, and Beta's.
    rival: dict[str, object]
    beta: dict[str, object]
    role: str = "vendor_admin"

    def known_path_values(self, context, path_parameters: dict) -> st.SearchStrategy:
        """A ``flatmap_path_parameters`` hook: each one of acme's real values, or what schemathesis generated."""
        if not isinstance(path_parameters, dict):
            return st.just(path_parameters)
        return st.fixed_dictionaries(
            {
                name: st.sampled_from([*self.known.get(name, []), value])
                for name, value in path_parameters.items()
            }
        )

    def headers_for(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Token {self.tokens[role]}", "Accept-Language": "en"}

    @property
    def headers(self) -> dict[str, str]:
        return self.headers_for(self.role)


def _info_request(world: World, deal, vendor, user, question: str):
    with vendor_scope(vendor):
        return reviews.info_request_send(
            access=access_of(user, vendor),
            deal=deal,
            element=ElementCode.CHAMPION,
            question=question,
            due_date=vendor_today(vendor) + timedelta(days=7),
        )


def build_fuzz_data(world: World, role: str) -> FuzzData:
    alpha_deal = register(world, world.partner_rep, submit=True, title="Alpha 基幹刷新")
    alpha_draft = register(world, world.partner_rep, title="Alpha draft")
    beta_deal = register(
        world, world.beta_rep, submit=True, title="BETA-ONLY deal", customer_name="BETA-ONLY 商事"
    )
    rival_deal = register(
        world,
        world.rival_rep,
        world.rival,
        submit=True,
        title="RIVAL-ONLY deal",
        customer_name="RIVAL-ONLY 商事",
    )
    alpha_request = _info_request(world, alpha_deal, world.acme, world.vendor_admin, "Who signs?")
    beta_request = _info_request(world, beta_deal, world.acme, world.vendor_admin, "BETA-ONLY question")
    rival_request = _info_request(world, rival_deal, world.rival, world.rival_admin, "RIVAL-ONLY question")
    with vendor_scope(world.acme):
        acme_run = recompute_request(access=access_of(world.vendor_admin, world.acme))
    with vendor_scope(world.rival):
        rival_run = recompute_request(access=access_of(world.rival_admin, world.rival))
    alpha_content = publish(world, title="Gold handbook", tiers=["gold"], questions=QUIZ)
    beta_content = publish(world, title="BETA-ONLY handbook", tiers=[], partners=[world.beta])
    rival_content = publish(world, vendor=world.rival, title="RIVAL-ONLY handbook", tiers=["platinum"])
    with scopes_disabled():
        tokens = {
            name: services.api_token_issue(user=user)
            for name, user in (("vendor_admin", world.vendor_admin), ("partner_rep", world.partner_rep))
        }
    return FuzzData(
        tokens=tokens,
        known={
            "vendor_slug": ["acme"],
            "deal_id": [alpha_deal.pk, beta_deal.pk, alpha_draft.pk],
            "partner_id": [world.alpha.pk, world.beta.pk],
            "request_id": [alpha_request.pk, beta_request.pk],
            "task_id": [acme_run.task_id],
            "content_id": [alpha_content.pk, beta_content.pk],
            "code": list(ElementCode.values),
            "token": [invitation_token(world)],
        },
        rival={
            "deal_id": rival_deal.pk,
            "partner_id": world.gamma.pk,
            "request_id": rival_request.pk,
            "task_id": rival_run.task_id,
            "content_id": rival_content.pk,
        },
        beta={
            "deal_id": beta_deal.pk,
            "partner_id": world.beta.pk,
            "request_id": beta_request.pk,
            "content_id": beta_content.pk,
        },
        role=role,
    )


def _unknown(values: dict) -> dict:
    return {name: UNKNOWN_TASK if name == "task_id" else UNKNOWN_ID for name in values}


def _leaked(response, markers: tuple[str, ...]) -> list[str]:
    text = response.content.decode("utf-8", errors="replace")
    # JSON escapes non-ASCII text; compare what a client reads.
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return [marker for marker in markers if marker in text]


def tenant_check(data: FuzzData):
    """A schemathesis check for ``data.role``: another vendor's slug is 404; another vendor's or partner
    company's object answers as an unknown one does (404, or the 403/400 that comes before any lookup)."""

    def send(case, role: str, path_parameters: dict):
        probe = case.derive()
        probe.path_parameters = {**case.path_parameters, **path_parameters}
        return probe.call(headers=data.headers_for(role))

    def as_unknown(case, role: str, swap: dict, owner: str) -> None:
        response = send(case, role, swap)
        leaked = _leaked(response, RIVAL_MARKERS if owner == "rival" else BETA_MARKERS)
        assert not leaked, f"{role} received {owner}'s data {leaked} with {swap}"
        assert not 200 <= response.status_code < 300, (
            f"{role} got {response.status_code} for {owner}'s {swap}"
        )
        if response.status_code != 404:
            unknown = send(case, role, _unknown(swap))
            assert response.status_code == unknown.status_code, (
                f"{role}: {owner}'s {swap} answers {response.status_code}, an unknown object {unknown.status_code}"
            )

    def tenant_isolation(ctx, response, case) -> None:
        leaked = _leaked(response, RIVAL_MARKERS + (BETA_MARKERS if data.role == "partner_rep" else ()))
        assert not leaked, f"{data.role} received another tenant's or company's data: {leaked}"
        params = case.path_parameters or {}
        if params.get("vendor_slug") == "acme":
            other = send(case, data.role, {"vendor_slug": "rival"})
            assert other.status_code == 404, f"{data.role} got {other.status_code} under rival's slug"
            assert not _leaked(other, RIVAL_MARKERS), f"{data.role} received rival's data under rival's slug"
        if params.get("vendor_slug", "acme") == "acme":
            swap = {name: value for name, value in data.rival.items() if name in params}
            if swap:
                as_unknown(case, data.role, swap, "rival")
            swap = {name: value for name, value in data.beta.items() if name in params}
            if swap:
                as_unknown(case, "partner_rep", swap, "beta")

    return tenant_isolation


RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]
