"""Enablement fixtures: content published through the services, uploads kept in a temporary media folder."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from enablement import services
from enablement.models import Content, Delivery
from prm.tenancy import vendor_scope
from tests.conftest import access_of

QUIZ = [
    {"text": "How many MEDDIC elements are there?", "choices": ["Four", "Six", "Eight"], "correct": 1},
    {"text": "Who holds the budget?", "choices": ["The economic buyer", "The champion"], "correct": 0},
]
LONG_BODY = "\n\n".join(
    f"Paragraph {n}: " + "Partner selling depends on shared facts. " * 12 for n in range(30)
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def url(name: str, vendor: str = "acme", **kwargs) -> str:
    return reverse(name, kwargs={"vendor_slug": vendor, **kwargs})


def publish(
    world,
    *,
    vendor=None,
    title="MEDDIC basics",
    tiers=("gold",),
    partners=(),
    questions=(),
    publish=True,
    **fields,
) -> Content:
    """A text content by the vendor's admin (acme by default), published unless ``publish`` is False."""
    vendor = vendor or world.acme
    author = world.vendor_admin if vendor == world.acme else world.rival_admin
    fields.setdefault("kind", "text")
    fields.setdefault("body", "The six elements of MEDDIC.")
    with vendor_scope(vendor):
        content = Content(title=title, **fields)
        services.content_save(
            access=access_of(author, vendor),
            content=content,
            tiers=list(tiers),
            partners=list(partners),
            questions=[dict(q) for q in questions],
            publish=publish,
        )
    return content


def delivery_of(content, user) -> Delivery | None:
    with scopes_disabled():
        return Delivery.objects.filter(content=content, recipient=user).first()


def recipients(content) -> set:
    with scopes_disabled():
        return set(Delivery.objects.filter(content=content).values_list("recipient__email", flat=True))
