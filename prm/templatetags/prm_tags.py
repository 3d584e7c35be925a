from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (keeps filters while paging)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def yen(amount):
    """¥1,234,567 — amounts are whole yen."""
    if amount in (None, ""):
        return "—"
    return f"¥{intcomma(int(amount))}"


@register.filter
def person(user):
    """A user's name, else their email; a dash for nobody."""
    if user is None:
        return "—"
    return user.name or user.email


@register.filter
def percent(value, digits=0):
    """0.275 → 28% (a rate or share between 0 and 1); a dash when unknown."""
    if value in (None, ""):
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"
