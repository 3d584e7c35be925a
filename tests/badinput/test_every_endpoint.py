"""Every form and every writing API endpoint, fed hostile input: never a 500, nothing partially saved.

The endpoints are the writing cases of the URL × role tables (``tests/isolation/cases_*.py``), posted by the first
role the table lets through, with the table's valid payload where one field at a time is replaced by a NUL
character, an oversize value or (JSON) a list or an object; then whole bodies that are not valid UTF-8, not JSON,
JSON that is not an object, or 1 MB long; then a query string of invalid percent-escapes. A refused request is a
400 ``{"field": ["message"]}`` (API) or the form shown again with its errors, and changes no row. One refusal per
form is read in Japanese.
"""

import json
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.models import PartnerCompany
from tests.badinput.conftest import (
    BAD_UTF8,
    JAPANESE,
    NUL,
    OVERSIZE,
    SQL_INJECTION,
    XSS,
    api_errors,
    form_errors,
    messages_of,
    row_counts,
    success_role,
)
from tests.deals.conftest import register
from tests.isolation.cases import OK
from tests.isolation.cases_deals_api import activity as champion_activity
from tests.isolation.test_url_matrix import CASES

# Logging out and switching language take no user text worth sweeping.
SKIP = {"account_logout", "set_language"}


def writing_cases():
    cases = {}
    for case in CASES:
        key = case.covers or case.name
        if case.method != "get" and case.data and key not in SKIP and key not in cases and success_role(case):
            cases[key] = case
    return list(cases.values())


WRITING = writing_cases()
# Buttons and uploads: nothing typed to refuse field by field (uploads are read in Japanese in test_csv.py).
NO_TYPED_TEXT = {"content_remind", "partner_checklist", "review_bulk", "deal_import", "partner_import"}


class Endpoint:
    def __init__(self, case, world, client):
        self.case, self.world, self.client = case, world, client
        self.path = case.path(world) if case.path else reverse(case.name, kwargs=case.kwargs(world))

    def payload(self) -> dict:
        return self.case.data(self.world)

    def send(self, data=None, *, raw: bytes | None = None, query: str = "", language: str = "en"):
        method = getattr(self.client, self.case.method)
        headers = {"accept-language": language}
        path = self.path + query
        if raw is not None:
            content_type = "application/json" if self.case.json else "application/x-www-form-urlencoded"
            return method(path, raw, content_type=content_type, headers=headers)
        if self.case.json:
            return method(path, json.dumps(data), content_type="application/json", headers=headers)
        return method(path, data, headers=headers)

    def refusal(self, response) -> list[str] | None:
        """The messages of a refusal, or None when the request went through."""
        if self.case.json:
            if response.status_code < 400:
                return None
            if response.status_code == 400:
                return messages_of(api_errors(response))
            return []
        errors = form_errors(response)
        if response.status_code < 400 and not errors:
            return None
        return messages_of(errors)


def text_fields(payload: dict) -> list[str]:
    return [name for name, value in payload.items() if not isinstance(value, SimpleUploadedFile)]


def mutations(case, payload: dict):
    """(label, data) pairs: one field at a time for NUL (the value that reaches the database when the rest of
    the form is valid) and, in JSON, a list and an object; an oversize value one field at a time in the API and
    in every field at once on pages (each page render is costly; max_length is a form rule, not a save path)."""
    fields = text_fields(payload)
    per_field = [NUL, OVERSIZE, ["a"], {"a": 1}] if case.json else [NUL]
    for field in fields:
        for bad in per_field:
            yield f"{field}={bad!r:.20}", {**payload, field: bad}
    if not case.json:
        yield "every field oversize", {**payload, **dict.fromkeys(fields, OVERSIZE)}


@pytest.mark.parametrize("case", WRITING, ids=lambda c: c.id)
def test_bad_field_values_are_refused_or_kept_whole(case, world, client_for):
    endpoint = Endpoint(case, world, client_for(world.user(success_role(case))))
    asked_in_japanese = False
    for label, _data in mutations(case, endpoint.payload()):
        # The payload is built again for each request: a version or a token may have moved on.
        data = dict(mutations(case, endpoint.payload()))[label]
        language = "ja" if not asked_in_japanese else "en"
        before = row_counts()
        response = endpoint.send(data, language=language)
        where = f"{case.id} {label}: {response.status_code}"
        assert response.status_code < 500, where
        messages = endpoint.refusal(response)
        if messages is None:
            continue
        assert row_counts() == before, f"{where} refused but saved rows"
        if case.json and response.status_code == 400:
            keys = {key.split(".")[0] for key in api_errors(response)}
            assert keys <= {*data, "non_field_errors", "detail"}, f"{where} errors not keyed by field: {keys}"
        if language == "ja" and messages:
            asked_in_japanese = True
            assert all(JAPANESE.search(m) for m in messages), f"{where} not in Japanese: {messages}"
    if case.name not in NO_TYPED_TEXT:
        assert asked_in_japanese, f"{case.id}: no refusal was read in Japanese"


@pytest.mark.parametrize("case", WRITING, ids=lambda c: c.id)
def test_broken_bodies_and_query_strings_never_fail(case, world, client_for):
    endpoint = Endpoint(case, world, client_for(world.user(success_role(case))))
    payload = endpoint.payload()
    fields = text_fields(payload) or ["x"]
    if case.json:
        bodies = [b'{"%s": "%s"}' % (fields[0].encode(), bad) for bad in BAD_UTF8]
        bodies += [b"not json", b"[]", b'"text"', b"1", b"{", b'{"a": NaN}']
    else:
        bodies = [b"&".join(f.encode() + b"=" + bad for f in fields) for bad in BAD_UTF8]
        bodies += [b"%ff%fe=%c0%af"]
    unreadable = set() if case.json else set(bodies)
    bodies.append(
        json.dumps({fields[0]: "x" * 1_000_000}).encode() if case.json else b"x=" + b"x" * 1_000_000
    )
    if case.json:  # past DATA_UPLOAD_MAX_MEMORY_SIZE: still the API's JSON 400, not Django's HTML page
        bodies.append(json.dumps({fields[0]: "x" * 3_000_000}).encode())
    for body in bodies:
        before = row_counts()
        response = endpoint.send(raw=body)
        where = f"{case.id} body {body[:30]!r}: {response.status_code}"
        assert response.status_code < 500, where
        if body in unreadable:  # a form whose text is not UTF-8 is refused whole (prm.form_encoding)
            assert response.status_code == 400, where
            assert row_counts() == before, f"{where} refused but saved rows"
        if case.json:
            assert response.status_code >= 400, where
            if response.status_code == 400:
                assert api_errors(response), where
        if endpoint.refusal(response) is not None:
            assert row_counts() == before, f"{where} refused but saved rows"
    response = endpoint.send(payload, query="?q=%ff%fe&page=%c0%af&next=%00")
    assert response.status_code < 500, f"{case.id} with a broken query string: {response.status_code}"


FILTER_NAMES = (
    "q", "phase", "partner", "flag", "registration_status", "review", "state", "tier", "status", "scope", "sort",
    "order", "page", "period", "granularity", "group_by", "element", "owner", "from", "to", "next", "show",
)  # fmt: skip


def reading_cases():
    cases = {}
    for case in CASES:
        key = case.covers or case.name
        if case.method == "get" and key not in cases and success_role(case) and key != "account_logout":
            cases[key] = case
    return list(cases.values())


@pytest.mark.parametrize(
    "value",
    [XSS[0], SQL_INJECTION[0], "%ff%fe%c0%af%00", b"\xff\xfe\xc0\xaf".decode("latin-1")],
    ids=["html", "sql", "escaped-bytes", "raw-bytes"],
)
def test_every_page_reads_hostile_query_strings(world, client_for, value):
    """Filters, sorting and paging parameters with hostile values: never a 500, never reflected as HTML."""
    for case in reading_cases():
        client = client_for(world.user(success_role(case)))
        path = case.path(world) if case.path else reverse(case.name, kwargs=case.kwargs(world))
        if case.data:
            case.data(world)
        if value.startswith("%") or not value.isascii():
            # Sent as they are: percent-escapes of invalid UTF-8, or raw bytes (WSGI carries them as latin-1).
            query = "&".join(f"{name}={value}" for name in FILTER_NAMES)
            response = client.get(path, QUERY_STRING=query)
        else:
            response = client.get(path, dict.fromkeys(FILTER_NAMES, value))
        assert response.status_code < 500, f"{case.id}: {response.status_code}"
        if response.get("Content-Type", "").startswith("text/html"):
            assert XSS[0] not in response.content.decode(), f"{case.id} reflects the query string unescaped"


IN_A_MONTH = (date.today() + timedelta(days=30)).isoformat()


def seed_markup(world, client_for):
    """Markup in every kind of text people type: partner names, deals, the champion log, reasons, reviews."""
    script, img = XSS
    with scopes_disabled():
        PartnerCompany.objects.filter(pk=world.alpha.pk).update(name=script)
        PartnerCompany.objects.filter(pk=world.beta.pk).update(name=img)
    deal = register(
        world, world.partner_rep, submit=True, title=script, customer_name=img, proposal_reason=img
    )
    register(world, world.beta_rep, submit=True, title=img, customer_name=img)
    rejected = register(world, world.partner_rep, submit=True, title=img, customer_name="別の顧客")
    api = {"vendor_slug": "acme", "deal_id": deal.pk}
    rep = client_for(world.partner_rep)
    activity = {**champion_activity(world), "next_step": script}
    url = reverse("api_deal_champion_activities", kwargs=api)
    assert rep.post(url, activity, content_type="application/json").status_code == 201
    manager = client_for(world.channel_manager)
    steps = [
        ("api_deal_reject", {**api, "deal_id": rejected.pk}, {"reason": script}),
        ("api_deal_review", api, {"state": "needs_info", "note": script}),
        ("api_deal_info_requests", api, {"element": "metrics", "question": img, "due_date": IN_A_MONTH}),
    ]
    for name, kwargs, body in steps:
        response = manager.post(reverse(name, kwargs=kwargs), body, content_type="application/json")
        assert response.status_code < 300, (name, response.content)


@pytest.mark.parametrize("role", ["partner_rep", "vendor_admin"])
def test_typed_markup_is_shown_escaped_on_every_page(world, client_for, role):
    seed_markup(world, client_for)
    client = client_for(world.user(role))
    escaped = 0
    for case in reading_cases():
        if case.expect[role] not in (200, OK):
            continue
        path = case.path(world) if case.path else reverse(case.name, kwargs=case.kwargs(world))
        response = client.get(path, case.data(world) if case.data else {})
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        for markup in XSS:
            assert markup not in html, f"{case.id} as {role} shows {markup!r} unescaped"
        escaped += "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert escaped >= 5


def test_the_api_refuses_too_many_query_parameters_in_json(world, client_for):
    """Past DATA_UPLOAD_MAX_NUMBER_FIELDS the API still answers with its JSON 400, not an HTML page."""
    query = "&".join(f"f{index}=1" for index in range(1500))
    asked = 0
    for case in reading_cases():
        if not case.json:
            continue
        client = client_for(world.user(success_role(case)))
        path = case.path(world) if case.path else reverse(case.name, kwargs=case.kwargs(world))
        response = client.get(path, QUERY_STRING=query)
        assert response.status_code < 500, case.id
        if response.status_code == 400:
            asked += 1
            assert api_errors(response)["detail"], case.id
    assert asked
