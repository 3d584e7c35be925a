"""Query-parameter filters shared by the API's list endpoints."""

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class TrueFalseFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false``; anything else is a 400 naming the parameter (not silently ignored)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", (("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))))
        super().__init__(coerce=lambda value: value == "true", **kwargs)
