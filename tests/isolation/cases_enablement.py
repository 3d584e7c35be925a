"""Enablement content (DESIGN §6), every role.

Vendor staff own the content pages, funnels, recipients and reminders: partner roles get 403 there. Partner users
see content only through their own delivery: content for another partner, a draft, or another vendor's content
is 404, and so are its file and its read/quiz/understood actions. Another vendor's admin gets 404 everywhere
under acme's URL.

- ``gold_quiz``: text with a quiz for the gold tier (Alpha: ``partner_rep``, ``partner_admin``)
- ``gold_file``: a PDF for the gold tier, no quiz
- ``beta_text``: text for the named partner Beta (``other_partner_rep``)
- ``draft``: unpublished, for the gold tier
- ``rival_text``: the other vendor's content, asked for under acme's URL (404 for everyone)
"""

from django.core.files.base import ContentFile
from django_scopes import scopes_disabled

from enablement.models import Content
from tests.enablement.conftest import QUIZ, publish
from tests.isolation.cases import LOGIN, OK, Case, acme, expect

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
FILE_NAME = "enablement/isolation/handbook.pdf"


def _once(world, key, build) -> int:
    cache = world.__dict__.setdefault("_contents", {})
    if key not in cache:
        cache[key] = build().pk
    return cache[key]


def gold_quiz(world) -> int:
    return _once(
        world, "gold_quiz", lambda: publish(world, title="Gold quiz", tiers=["gold"], questions=QUIZ)
    )


def _file(world):
    storage = Content._meta.get_field("file").storage
    if not storage.exists(FILE_NAME):
        storage.save(FILE_NAME, ContentFile(PDF))
    return publish(
        world,
        title="Handbook",
        tiers=["gold"],
        kind="file",
        body="",
        file=FILE_NAME,
        file_name="handbook.pdf",
        file_type="pdf",
        file_size=len(PDF),
    )


def gold_file(world) -> int:
    return _once(world, "gold_file", lambda: _file(world))


def beta_text(world) -> int:
    return _once(
        world, "beta_text", lambda: publish(world, title="For Beta", tiers=[], partners=[world.beta])
    )


def draft(world) -> int:
    return _once(world, "draft", lambda: publish(world, title="Draft", tiers=["gold"], publish=False))


def rival_text(world) -> int:
    return _once(
        world, "rival", lambda: publish(world, vendor=world.rival, title="Rival", tiers=["platinum"])
    )


def gamma(world) -> int:
    with scopes_disabled():
        return world.gamma.pk


def rival(**extra):
    build = acme(**extra)

    def kwargs(world):
        return {**build(world), "vendor_slug": "rival"}

    return kwargs


STAFF = expect(LOGIN, 403, 403, 200, 200, 404, 403)
STAFF_POST = expect(LOGIN, 403, 403, 302, 302, 404, 403)
STAFF_NOT_FOUND = expect(LOGIN, 403, 403, 404, 404, 404, 403)
NOBODY = expect(LOGIN, 404, 404, 404, 404, 404, 404)
RIVAL_ONLY = expect(LOGIN, 404, 404, 404, 404, OK, 404)
ALPHA_ACTS = expect(LOGIN, 200, 200, 403, 403, 404, 404)

CASES = [
    # Vendor staff pages.
    Case("content_list", expect(LOGIN, 302, 302, 200, 200, 404, 302)),  # partners land on their inbox
    Case("content_export", STAFF),
    Case("content_create", STAFF),
    Case("content_create", STAFF, method="post", data=lambda w: {"title": ""}, label="invalid"),
    Case("content_partner_funnels", STAFF),
    Case("content_partner_funnels_export", STAFF),
    Case("content_partner_funnel", STAFF, kwargs=acme(partner_id="alpha")),
    Case("content_partner_funnel", STAFF_NOT_FOUND, kwargs=acme(partner_id=gamma), label="other_tenant"),
    Case("content_partner_funnel_export", STAFF, kwargs=acme(partner_id="alpha")),
    Case(
        "content_partner_funnel_export", STAFF_NOT_FOUND, kwargs=acme(partner_id=gamma), label="other_tenant"
    ),
]
for name in ("content_update", "content_detail", "content_partners_export", "content_recipients"):
    CASES += [
        Case(name, STAFF, kwargs=acme(content_id=gold_quiz)),
        Case(name, STAFF_NOT_FOUND, kwargs=acme(content_id=rival_text), label="other_tenant"),
        Case(name, RIVAL_ONLY, kwargs=rival(content_id=rival_text), label="rival"),
    ]
CASES += [
    Case("content_recipients_export", STAFF, kwargs=acme(content_id=gold_quiz)),
    Case(
        "content_recipients_export", STAFF_NOT_FOUND, kwargs=acme(content_id=rival_text), label="other_tenant"
    ),
    Case("content_detail", STAFF, kwargs=acme(content_id=draft), label="draft"),
    Case("content_publish", STAFF_POST, kwargs=acme(content_id=draft), method="post"),
    Case(
        "content_publish",
        STAFF_NOT_FOUND,
        kwargs=acme(content_id=rival_text),
        method="post",
        label="other_tenant",
    ),
    Case(
        "content_publish",
        expect(LOGIN, 403, 403, 405, 405, 404, 403),
        kwargs=acme(content_id=draft),
        label="get",
    ),
    Case(
        "content_remind",
        STAFF_POST,
        kwargs=acme(content_id=gold_quiz),
        method="post",
        data=lambda w: {"all": "1"},
    ),
    Case(
        "content_remind",
        STAFF_NOT_FOUND,
        kwargs=acme(content_id=rival_text),
        method="post",
        data=lambda w: {"all": "1"},
        label="other_tenant",
    ),
    # Partner users: their inbox and the content they received.
    Case("content_inbox", expect(LOGIN, 200, 200, 302, 302, 404, 200)),
    Case("content_inbox_export", expect(LOGIN, 200, 200, 403, 403, 404, 200)),
    Case("content_view", expect(LOGIN, 200, 200, 200, 200, 404, 404), kwargs=acme(content_id=gold_quiz)),
    Case(
        "content_view",
        expect(LOGIN, 404, 404, 200, 200, 404, 200),
        kwargs=acme(content_id=beta_text),
        label="beta",
    ),
    Case(
        "content_view",
        expect(LOGIN, 404, 404, 200, 200, 404, 404),
        kwargs=acme(content_id=draft),
        label="draft",
    ),
    Case("content_view", NOBODY, kwargs=acme(content_id=rival_text), label="other_tenant"),
    Case("content_view", RIVAL_ONLY, kwargs=rival(content_id=rival_text), label="rival"),
    Case("content_file", expect(LOGIN, 200, 200, 200, 200, 404, 404), kwargs=acme(content_id=gold_file)),
    Case("content_file", NOBODY, kwargs=acme(content_id=rival_text), label="other_tenant"),
    Case("content_read", ALPHA_ACTS, kwargs=acme(content_id=gold_quiz), method="post"),
    Case(
        "content_read",
        expect(LOGIN, 404, 404, 403, 403, 404, 200),
        kwargs=acme(content_id=beta_text),
        method="post",
        label="beta",
    ),
    Case(
        "content_read",
        expect(LOGIN, 404, 404, 403, 403, 404, 404),
        kwargs=acme(content_id=draft),
        method="post",
        label="draft",
    ),
    Case(
        "content_read",
        expect(LOGIN, 404, 404, 403, 403, 404, 404),
        kwargs=acme(content_id=rival_text),
        method="post",
        label="other_tenant",
    ),
    Case(
        "content_read",
        expect(LOGIN, 405, 405, 403, 403, 404, 405),
        kwargs=acme(content_id=gold_quiz),
        label="get",
    ),
    Case("content_quiz", ALPHA_ACTS, kwargs=acme(content_id=gold_quiz), method="post"),
    Case(
        "content_quiz",
        expect(LOGIN, 404, 404, 403, 403, 404, 404),
        kwargs=acme(content_id=rival_text),
        method="post",
        label="other_tenant",
    ),
    Case(
        "content_understood",
        expect(LOGIN, 302, 302, 403, 403, 404, 404),
        kwargs=acme(content_id=gold_file),
        method="post",
    ),
    Case(
        "content_understood",
        expect(LOGIN, 404, 404, 403, 403, 404, 302),
        kwargs=acme(content_id=beta_text),
        method="post",
        label="beta",
    ),
]
