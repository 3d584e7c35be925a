"""Enablement content through the API, every role: vendor staff write content, publish, remind and read funnels
(partner roles 403); partner users reach content only through their own delivery (another company's content, a
draft or another vendor's content is 404). Another vendor's admin gets 404 under acme's URL. The content is that of
``cases_enablement``."""

from tests.isolation.cases import Case, acme, expect
from tests.isolation.cases_enablement import beta_text, draft, gamma, gold_file, gold_quiz, rival, rival_text

STAFF = expect(401, 403, 403, 200, 200, 404, 403)
STAFF_CREATED = expect(401, 403, 403, 201, 201, 404, 403)
STAFF_NOT_FOUND = expect(401, 403, 403, 404, 404, 404, 403)
RIVAL_ONLY = expect(401, 404, 404, 404, 404, 200, 404)
ALPHA = expect(401, 200, 200, 403, 403, 404, 404)
BETA = expect(401, 404, 404, 403, 403, 404, 200)
NO_PARTNER = expect(401, 404, 404, 403, 403, 404, 404)

NEW_CONTENT = {"title": "New material", "body": "Text", "tiers": ["gold"]}

CASES = [
    Case("api_contents", STAFF, json=True),
    Case("api_contents", STAFF_CREATED, method="post", data=lambda w: NEW_CONTENT, json=True),
    Case("api_content_partner_funnels", STAFF, json=True),
    Case("api_content_partner_funnel", STAFF, kwargs=acme(partner_id="alpha"), json=True),
    Case(
        "api_content_partner_funnel",
        STAFF_NOT_FOUND,
        kwargs=acme(partner_id=gamma),
        json=True,
        label="other_tenant",
    ),
    Case(
        "api_content",
        STAFF,
        kwargs=acme(content_id=gold_quiz),
        method="patch",
        data=lambda w: {"title": "Changed"},
        json=True,
    ),
    Case(
        "api_content",
        STAFF_NOT_FOUND,
        kwargs=acme(content_id=rival_text),
        method="patch",
        data=lambda w: {"title": "Changed"},
        json=True,
        label="other_tenant",
    ),
    Case("api_content_publish", STAFF, kwargs=acme(content_id=draft), method="post", json=True),
    Case(
        "api_content_remind",
        STAFF,
        kwargs=acme(content_id=gold_quiz),
        method="post",
        data=lambda w: {"deliveries": [1]},
        json=True,
    ),
]
for name in ("api_content", "api_content_partners", "api_content_recipients"):
    CASES += [
        Case(name, STAFF, kwargs=acme(content_id=gold_quiz), json=True),
        Case(name, STAFF_NOT_FOUND, kwargs=acme(content_id=rival_text), json=True, label="other_tenant"),
        Case(name, RIVAL_ONLY, kwargs=rival(content_id=rival_text), json=True, label="rival"),
    ]
for name in ("api_content_publish", "api_content_remind"):
    CASES.append(
        Case(
            name,
            STAFF_NOT_FOUND,
            kwargs=acme(content_id=rival_text),
            method="post",
            data=lambda w: {},
            json=True,
            label="other_tenant",
        )
    )

CASES += [
    Case(
        "api_content_file",
        expect(401, 200, 200, 200, 200, 404, 404),
        kwargs=acme(content_id=gold_file),
        json=True,
    ),
    Case(
        "api_content_file",
        expect(401, 404, 404, 404, 404, 404, 404),
        kwargs=acme(content_id=rival_text),
        json=True,
        label="other_tenant",
    ),
    Case("api_content_inbox", expect(401, 200, 200, 403, 403, 404, 200), json=True),
    Case("api_content_inbox_item", ALPHA, kwargs=acme(content_id=gold_quiz), json=True),
]
for name in ("api_content_inbox_item", "api_content_inbox_open", "api_content_inbox_read"):
    method = "get" if name == "api_content_inbox_item" else "post"
    if method == "post":
        CASES.append(Case(name, ALPHA, kwargs=acme(content_id=gold_quiz), method=method, json=True))
    CASES += [
        Case(name, BETA, kwargs=acme(content_id=beta_text), method=method, json=True, label="beta"),
        Case(name, NO_PARTNER, kwargs=acme(content_id=draft), method=method, json=True, label="draft"),
        Case(
            name,
            NO_PARTNER,
            kwargs=acme(content_id=rival_text),
            method=method,
            json=True,
            label="other_tenant",
        ),
    ]
CASES += [
    Case("api_content_inbox_understood", ALPHA, kwargs=acme(content_id=gold_file), method="post", json=True),
    Case(
        "api_content_inbox_understood",
        expect(401, 400, 400, 403, 403, 404, 404),
        kwargs=acme(content_id=gold_quiz),
        method="post",
        json=True,
        label="has-quiz",
    ),
    Case(
        "api_content_inbox_understood",
        BETA,
        kwargs=acme(content_id=beta_text),
        method="post",
        json=True,
        label="beta",
    ),
    Case(
        "api_content_inbox_quiz",
        expect(401, 400, 400, 403, 403, 404, 404),
        kwargs=acme(content_id=gold_quiz),
        method="post",
        data=lambda w: {"answers": []},
        json=True,
    ),
    Case(
        "api_content_inbox_quiz",
        NO_PARTNER,
        kwargs=acme(content_id=rival_text),
        method="post",
        data=lambda w: {"answers": []},
        json=True,
        label="other_tenant",
    ),
]
