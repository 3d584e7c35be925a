"""Query-parameter filters shared by the API's list endpoints."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field

from prm.api import ID_MAX


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class TrueFalseFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false``; anything else is a 400 naming the parameter (not silently ignored)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", (("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))))
        super().__init__(coerce=lambda value: value == "true", **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """An object's id, a whole number from 1 to ``ID_MAX``; anything else is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)
