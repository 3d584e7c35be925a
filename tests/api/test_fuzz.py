"""Property-based fuzzing of the whole API from its own OpenAPI schema (``/api/v1/schema/``) with schemathesis.

Every operation gets generated requests, valid and invalid, sent in-process to the WSGI app with a token of
acme's vendor admin, and again of Alpha's partner rep. Each response must be no server error, have a status
code, content type and body the schema documents, and an operation that answers must refuse the same request
without or with invalid credentials (``ignored_auth``). ``tenant_isolation`` replays each request with rival's
vendor slug and rival's object ids, and as Alpha's rep with Beta's ids: the answer is 404 (or what an unknown
id gets), never another tenant's or company's data.

The suite runs a few examples per operation and mode, derandomized (``FUZZ_MAX_EXAMPLES``, default 10);
``make fuzz`` runs many more.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.api.fuzz_support import RESPONSE_CHECKS, InProcessApp, build_fuzz_data, tenant_check

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def fuzz(operation, headers, checks) -> None:
    # Valid and invalid requests alike, as schemathesis's own runner draws them.
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)

    @FUZZ_SETTINGS
    @given(case=st.one_of([operation.as_strategy(generation_mode=mode) for mode in modes]))
    def run(case):
        case.call_and_validate(headers=headers, checks=checks)

    run()


@pytest.mark.parametrize("role", ["vendor_admin", "partner_rep"])
def test_every_operation_holds_its_schema_and_tenant(role, world, subtests):
    data = build_fuzz_data(world, role)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", InProcessApp())
    schema.hook("flatmap_path_parameters")(lambda context, values: data.known_path_values(context, values))
    checks = [*RESPONSE_CHECKS, tenant_check(data)]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 39
    for operation in operations:
        with subtests.test(msg=operation.label):
            fuzz(operation, data.headers, checks)
