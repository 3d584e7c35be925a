"""Property-based fuzzing of the whole API from its own OpenAPI schema (``/api/v1/schema/``) with schemathesis.

Every operation gets generated requests, valid and invalid, sent in-process to the WSGI app with a token of
acme's vendor admin, and again of Alpha's partner rep. Each response must be no server error, have a status
code, content type and body the schema documents, and an operation that answers must refuse the same request
without or with invalid credentials (``ignored_auth``). ``tenant_isolation`` replays each request with rival's
vendor slug and rival's object ids, and as Alpha's rep with Beta's ids: the answer is 404 (or what an unknown
id gets), never another tenant's or company's data.

The suite runs a few examples per operation, derandomized (``FUZZ_MAX_EXAMPLES``, default 10); ``make fuzz``
runs many more.
"""

import os
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from deals import selectors
from partners.api_auth import ApiTokenAuthentication
from tests.api.fuzz_support import RESPONSE_CHECKS, InProcessApp, build_fuzz_data, tenant_check

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class Fuzzer:
    """The API's schema as served, with generated path parameters naming real objects, and the checks.

    Operations run as subtests of one test per role: ``schema.parametrize()`` would load the schema while
    tests are collected, before there is a test database (every request runs in a transaction), and
    ``schemathesis.pytest.from_fixture`` does not run on pytest 9.
    """

    def __init__(self, world, role: str):
        self.data = build_fuzz_data(world, role)
        self.schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", InProcessApp())
        self.schema.hook("flatmap_path_parameters")(
            lambda context, values: self.data.known_path_values(context, values)
        )
        self.checks = [*RESPONSE_CHECKS, tenant_check(self.data)]

    def operations(self) -> list:
        return [result.ok() for result in self.schema.get_all_operations()]

    def run(self, operation, *, shrink: bool = True) -> None:
        # Valid and invalid requests alike, as schemathesis's own runner draws them.
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)

        @settings(
            FUZZ_SETTINGS,
            phases=FUZZ_SETTINGS.phases if shrink else (Phase.explicit, Phase.generate),
            report_multiple_bugs=shrink,
        )
        @given(case=st.one_of([operation.as_strategy(generation_mode=mode) for mode in modes]))
        def call(case):
            case.call_and_validate(headers=self.data.headers, checks=self.checks)

        call()


@pytest.mark.parametrize("role", ["vendor_admin", "partner_rep"])
def test_every_operation_holds_its_schema_and_tenant(role, world, subtests):
    fuzzer = Fuzzer(world, role)
    operations = fuzzer.operations()
    assert len(operations) >= 39
    for operation in operations:
        with subtests.test(msg=operation.label):
            fuzzer.run(operation)


def failure_messages(group) -> str:
    return "\n".join(failure.message for failure in group.exceptions)


def test_the_fuzzer_catches_a_deal_of_another_partner_company(world, monkeypatch):
    # As if deals were filtered by vendor only: Alpha's rep would read Beta's deals.
    original = selectors.deals_visible
    monkeypatch.setattr(
        selectors, "deals_visible", lambda access: original(SimpleNamespace(is_partner_role=False))
    )
    fuzzer = Fuzzer(world, "partner_rep")
    with pytest.raises(FailureGroup) as found:
        fuzzer.run(fuzzer.schema["/api/v1/vendors/{vendor_slug}/deals/{deal_id}/"]["GET"], shrink=False)
    assert "partner_rep received beta's data" in failure_messages(found.value)


def test_the_fuzzer_catches_an_operation_that_ignores_credentials(world, monkeypatch):
    # As if token authentication let every request in as acme's admin, with or without a token.
    monkeypatch.setattr(
        ApiTokenAuthentication, "authenticate", lambda self, request: (world.vendor_admin, None)
    )
    fuzzer = Fuzzer(world, "vendor_admin")
    with pytest.raises(FailureGroup) as found:
        fuzzer.run(fuzzer.schema["/api/v1/me/"]["GET"], shrink=False)
    assert "Expected 401 or 403, got `200 OK`" in failure_messages(found.value)
