"""Every URL × every role against the expected outcome tables in ``cases_*.py`` (DESIGN §2).

Another tenant's objects answer 404, a role without permission 403, anonymous users go to the login page.
A URL pattern that no table covers fails ``test_every_url_is_in_the_table``.
"""

import copy
import importlib
import pkgutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.template.backends.django import Template as DjangoTemplate
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import build_world
from tests.isolation import deal_world
from tests.isolation.cases import ADMIN_LOGIN, LOGIN, OK, ROLES, Case


def load_cases() -> list[Case]:
    cases: list[Case] = []
    package = Path(__file__).parent
    for module in pkgutil.iter_modules([str(package)]):
        if module.name.startswith("cases_"):
            cases += importlib.import_module(f"tests.isolation.{module.name}").CASES
    return cases


CASES = load_cases()


def url_keys() -> set[str]:
    """``namespace:name`` for named patterns, ``namespace:<regex>`` for unnamed ones."""
    keys: set[str] = set()

    def walk(patterns, namespace: str, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"<{prefix}{pattern.pattern}>"
                keys.add(f"{namespace}:{name}" if namespace else name)

    walk(get_resolver().url_patterns, "", "")
    return keys


def test_every_url_is_in_the_table():
    covered = {case.covers or case.name for case in CASES}
    missing = sorted(url_keys() - covered)
    assert not missing, f"URLs without an isolation expectation: {missing}"
    stale = sorted(covered - url_keys())
    assert not stale, f"Isolation cases for URLs that no longer exist: {stale}"


def _request(client, case: Case, world):
    path = case.path(world) if case.path else reverse(case.name, kwargs=case.kwargs(world))
    data = case.data(world) if case.data else {}
    method = getattr(client, case.method)
    if case.json:
        return method(path, data, content_type="application/json") if case.method != "get" else method(path)
    return method(path, data)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """One world for the whole matrix, in a transaction that is rolled back after it: each case runs in a
    savepoint inside it (pytest-django's ``db``), so it still starts from exactly this world."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        for deal in (
            deal_world.alpha_deal,
            deal_world.alpha_draft,
            deal_world.beta_deal,
            deal_world.rival_deal,
        ):
            deal(world)  # the deals most cases ask for, made once
        # One session per role, signed in once: the cases reuse the cookie instead of logging in again.
        sessions = {}
        for role in ROLES:
            user = world.user(role)
            if user is not None:
                browser = Client()
                browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
                sessions[role] = browser.cookies[settings.SESSION_COOKIE_NAME].value
        world.__dict__["_sessions"] = sessions
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(shared_world, db):
    """A fresh copy per case: what a case builds on demand is rolled back with the case's savepoint, and what it
    changes in memory (a deal's version) must not be seen by the next case either."""
    return copy.deepcopy(shared_world)


@pytest.fixture
def _no_templates(monkeypatch):
    """Only the status and the redirect matter here, so pages are not rendered (as pretix's permission tests do).
    Rendering every page is for the page tests and ``tests/badinput``."""
    monkeypatch.setattr(DjangoTemplate, "render", lambda self, context=None, request=None: "")


@pytest.mark.usefixtures("_no_templates")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_url_matrix(case: Case, role: str, world):
    client = Client(headers={"accept-language": "en"})
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world._sessions[role]
    response = _request(client, case, world)
    expected = case.expect[role]
    status, location = response.status_code, response.get("Location", "")
    where = f"{case.id} as {role}: got {status} {location}"
    if expected == LOGIN:
        if case.json:
            assert status in (401, 403), where
        else:
            assert status == 302 and location.startswith(reverse("account_login")), where
    elif expected == ADMIN_LOGIN:
        assert status == 302 and location.startswith(reverse("admin:login")), where
    elif expected == OK:
        assert status < 400, where
    else:
        assert status == expected, where
