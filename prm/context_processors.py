from django.utils.functional import SimpleLazyObject

from prm.tenancy import memberships_of


def tenancy(request):
    """Current access (role-aware navigation) and the user's memberships (vendor switcher), queried lazily."""
    user = getattr(request, "user", None)
    return {
        "access": getattr(request, "access", None),
        "my_memberships": SimpleLazyObject(lambda: memberships_of(user) if user is not None else []),
    }
