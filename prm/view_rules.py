"""Which roles may open each vendor view, read from the view itself before it runs.

Every view under a vendor (``/v/<vendor_slug>/…`` and ``/api/v1/vendors/<vendor_slug>/…``) declares ``roles``
(and an API viewset may narrow them per action in ``action_roles``). :class:`prm.tenancy.TenantScopeMiddleware`
reads the declaration before calling the view and refuses to run a view without one, so a forgotten check is
an error at the first request — never a page that answered first. Object-level rules (may this person change
this deal?) are named functions in each app's ``permissions`` module, used by pages, API and services alike.
"""

from django.core.exceptions import ImproperlyConfigured

from partners.models import Role


def view_class(view_func):
    """The class behind a URL's callback (Django's ``as_view`` or DRF's), or None for a plain function."""
    return getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)


def declared_roles(view_func) -> dict[str, tuple[str, ...]]:
    """``{action or method: roles}`` the view declares; raises ImproperlyConfigured when it declares none.

    A page or API view has one entry, ``"*"``; a viewset one per action it routes to.
    """
    cls = view_class(view_func)
    roles = getattr(cls, "roles", None) if cls is not None else None
    name = getattr(cls, "__qualname__", getattr(view_func, "__name__", repr(view_func)))
    if not roles:
        raise ImproperlyConfigured(f"{name} serves a vendor URL but declares no roles.")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(f"{name} declares unknown roles {sorted(unknown)}.")
    declared = {"*": tuple(roles)}
    actions = getattr(view_func, "actions", None) or {}
    per_action = getattr(cls, "action_roles", {}) or {}
    for action in actions.values():
        declared[action] = tuple(per_action.get(action, roles))
    return declared
