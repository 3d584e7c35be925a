"""The URL × role table format used by ``test_url_matrix.py``.

Each :class:`Case` names a URL (``namespace:name``), how to build its kwargs from the ``world`` fixture
(see ``tests/conftest.py``), the HTTP method, and the expected outcome for every role in :data:`ROLES`:

- an ``int`` status code, or
- ``LOGIN``: a redirect to the login page; ``ADMIN_LOGIN``: a redirect to the Django admin's login page;
  ``OK``: any status below 400 (redirects included).

Roles act on the ``acme`` vendor: ``partner_rep``/``partner_admin`` are users of partner Alpha,
``other_partner_rep`` is a rep of partner Beta (same vendor), ``other_vendor_admin`` is the admin of ``rival``.
Several cases may share a URL name (e.g. another tenant's object). Every named URL of the project must appear in
at least one case, or the suite fails.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "partner_rep",
    "partner_admin",
    "channel_manager",
    "vendor_admin",
    "other_vendor_admin",
    "other_partner_rep",
)
LOGIN = "login"
ADMIN_LOGIN = "admin_login"
OK = "ok"


@dataclass
class Case:
    name: str
    expect: dict[str, int | str]
    kwargs: Callable = field(default=lambda w: {"vendor_slug": "acme"})
    method: str = "get"
    data: Callable | None = None
    label: str = ""
    # Requests with ``format="json"`` body (API cases); pages post form data.
    json: bool = False
    # For unnamed URL patterns: the coverage key (see ``url_keys`` in the test) and a path builder.
    covers: str = ""
    path: Callable | None = None

    def __post_init__(self):
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.name}: no expectation for {sorted(missing)}")

    @property
    def id(self) -> str:
        return f"{self.covers or self.name}{'[' + self.label + ']' if self.label else ''}:{self.method}"


def expect(
    anonymous,
    partner_rep,
    partner_admin,
    channel_manager,
    vendor_admin,
    other_vendor_admin,
    other_partner_rep,
) -> dict:
    """Positional shorthand in the order of :data:`ROLES`."""
    return dict(
        zip(
            ROLES,
            (
                anonymous,
                partner_rep,
                partner_admin,
                channel_manager,
                vendor_admin,
                other_vendor_admin,
                other_partner_rep,
            ),
            strict=True,
        )
    )


def acme(**extra) -> Callable:
    """kwargs builder: the acme vendor plus ids taken from the world, e.g. ``acme(partner_id="alpha")``."""

    def build(world):
        kwargs = {"vendor_slug": "acme"}
        for key, attr in extra.items():
            kwargs[key] = attr(world) if callable(attr) else getattr(world, attr).pk
        return kwargs

    return build
