from django import forms

from meddic.models import ElementCode
from meddic.services import WEIGHT_MAX


class WeightsForm(forms.Form):
    """One number per MEDDIC element, 0–10, in the order of DESIGN §4."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in ElementCode.choices:
            self.fields[code] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=WEIGHT_MAX,
                widget=forms.NumberInput(attrs={"min": 0, "max": WEIGHT_MAX, "step": 1}),
            )
