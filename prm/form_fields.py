"""Form fields shared by the apps' filter and entry forms."""

from django import forms

from prm.validators import validate_date_in_range


class BoundedDateField(forms.DateField):
    """A date in the years this product computes with (``prm.validators.FIRST_YEAR`` … ``LAST_YEAR``)."""

    default_validators = [validate_date_in_range]
