"""The Django admin is for platform staff (superusers) only: every role of every vendor is sent to the admin
login page, whatever the URL. Cases are generated from the admin's own URL patterns so a newly registered
model is covered automatically; ``test_platform_admin.py`` proves superusers do get in, across vendors."""

import re

from django.urls import URLPattern, URLResolver

from tests.isolation.cases import ADMIN_LOGIN, LOGIN, Case, expect

DENIED = expect(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN)
SAMPLE = {"object_id": "1", "content_type_id": "1", "id": "1", "app_label": "partners", "url": "anything/"}


def _sample_path(prefix: str, pattern) -> str:
    route = str(pattern.pattern).lstrip("^").rstrip("$")
    for key, value in SAMPLE.items():
        route = route.replace(f"<path:{key}>", value).replace(f"<{key}>", value)
        route = re.sub(rf"\(\?P<{key}>[^)]*\)", value, route)
    return f"/{prefix}{route}"


def _admin_cases() -> list[Case]:
    from django.contrib import admin

    cases: list[Case] = []
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            for inner in pattern.url_patterns:
                cases.append(_case(f"admin/{pattern.pattern}", inner))
        else:
            cases.append(_case("admin/", pattern))
    return cases


def _case(prefix: str, pattern: URLPattern) -> Case:
    path = _sample_path(prefix, pattern)
    name = f"admin:{pattern.name}" if pattern.name else ""
    covers = "" if pattern.name else f"admin:<{prefix}{pattern.pattern}>"
    if pattern.name == "login":
        # The product's own login for everyone; signed in without being platform staff: refused.
        return Case(name, expect(LOGIN, 403, 403, 403, 403, 403, 403), path=lambda w, p=path: p)
    if pattern.name == "logout":
        return Case(name, expect(302, 302, 302, 302, 302, 302, 302), path=lambda w, p=path: p)
    return Case(name, DENIED, covers=covers, path=lambda w, p=path: p)


CASES = _admin_cases()
