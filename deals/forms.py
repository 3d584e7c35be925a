"""Forms of the deal pages: the Partner-MEDDIC template and the champion log.

Forms only parse what was typed; the template's rules are enforced by ``deals.services`` and their
``ValidationError``s are shown next to the field they name (``apply_service_errors``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from deals.models import ActivityActor, ActivityOutcome, ActivityTarget, ActivityType


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ChampionActivityForm(forms.Form):
    """One line of the champion log in the fixed format (DESIGN §4)."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    actor = forms.ChoiceField(label=_("Who acted"), choices=ActivityActor.choices)
    activity_type = forms.ChoiceField(label=_("Activity"), choices=[("", "—"), *ActivityType.choices])
    target = forms.ChoiceField(label=_("Towards"), choices=[("", "—"), *ActivityTarget.choices])
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ActivityOutcome.choices, widget=forms.RadioSelect)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)

    def __init__(self, *args, prefix="activity", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)


def apply_service_errors(form, error: ValidationError, field_names: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on ``form``, next to the field it names.

    ``field_names`` maps a service key (e.g. ``meddic.champion.status``) to the form's field name; keys
    without a field become errors of the whole form.
    """
    field_names = field_names or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = field_names.get(key, key)
        form.add_error(name if name in form.fields else None, errors)
