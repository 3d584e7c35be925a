"""Shared pieces of the bad-input tests: hostile values, a guard that nothing was saved, and error readers.

The forms and endpoints themselves come from the URL × role tables of ``tests/isolation`` (every URL of the
project is listed there with how to build its kwargs and a valid payload), so a new form is swept here too.
"""

import json
import re

import pytest
from django.apps import apps
from django.forms import BaseForm, BaseFormSet
from django_scopes import scopes_disabled

from tests.isolation.cases import OK, ROLES, Case

# The tables whose rows a refused request must leave alone (DESIGN: nothing partially saved).
WATCHED_APPS = {"audit", "deals", "enablement", "knowledge", "meddic", "notifications", "partners"}
# Logs of sign-in attempts and sessions: a refused attempt is rightly recorded there.
NOT_WATCHED = {"partners.AuthEvent", "partners.UserSession"}

NUL = "a\x00b"
OVERSIZE = "長" * 5001  # past every max_length of the product, counted in characters
SQL_INJECTION = ("'; DROP TABLE deals_deal; --", "1 OR 1=1", "' OR '1'='1")
XSS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
FORMULAS = ('=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)")
# Invalid UTF-8: stray bytes, an overlong encoding of "/", a lone surrogate half.
BAD_UTF8 = (b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.app_label in WATCHED_APPS and model._meta.label not in NOT_WATCHED
        }


@pytest.fixture
def nothing_saved():
    """``with nothing_saved(): ...`` fails if any row of the product's tables was added or removed."""

    class Guard:
        def __enter__(self):
            self.before = row_counts()

        def __exit__(self, *exc):
            if exc[0] is None:
                after = row_counts()
                changed = {k: (v, after[k]) for k, v in self.before.items() if after[k] != v}
                assert not changed, f"rows changed by a refused request: {changed}"

    return Guard


def success_role(case: Case) -> str | None:
    """The first role for which the table expects the request to go through."""
    for role in ROLES:
        expected = case.expect[role]
        if expected == OK or (isinstance(expected, int) and expected < 400):
            return role
    return None


def form_errors(response) -> dict[str, list[str]]:
    """Errors of every bound form a page rendered, keyed by field name (``__all__`` for the form's own)."""
    errors: dict[str, list[str]] = {}
    seen = set()
    for context in response.context or []:
        values = context.flatten() if hasattr(context, "flatten") else context
        for value in values.values():
            forms = value.forms if isinstance(value, BaseFormSet) else [value]
            for form in forms:
                if isinstance(form, BaseForm) and form.is_bound and id(form) not in seen:
                    seen.add(id(form))
                    for name, messages in form.errors.items():
                        errors.setdefault(form.add_prefix(name) if name != "__all__" else name, []).extend(
                            messages
                        )
    return errors


def api_errors(response) -> dict:
    """The ``{"field": ["message"]}`` body of a refused API call (DESIGN §7)."""
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    return body


def messages_of(errors) -> list[str]:
    """Every message in an error body, however nested."""
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in messages_of(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in messages_of(value)]
    return [str(errors)]
