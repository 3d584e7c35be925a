"""Forms of the vendor's review on the deal page: review state, asking the partner, and the partner's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from deals.forms import DateInput, ElementFieldsMixin, apply_service_errors, comparable, element_field_name
from meddic import reviews
from meddic.help import ELEMENT_QUESTIONS, EVIDENCE_HELP, LEVEL_HELP
from meddic.models import COMMON_FIELDS, ELEMENT_FIELDS, ReviewState, VerificationMethod
from meddic.permissions import can_verify_elements
from prm.form_fields import BoundedDateField


class ReviewForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Review state"),
        choices=ReviewState.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("Note to the partner"),
        max_length=reviews.NOTE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="review", **kwargs)


class AskForm(forms.Form):
    """An info request about one element (the element is in the URL)."""

    question = forms.CharField(
        label=_("What do you need to know?"),
        max_length=reviews.QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
    due_date = BoundedDateField(
        label=_("Due date"), widget=DateInput(attrs={"class": "form-control form-control-sm"})
    )

    def __init__(self, *args, code: str, vendor, **kwargs):
        kwargs.setdefault("initial", {"due_date": reviews.default_due_date(vendor)})
        super().__init__(*args, prefix=f"ask-{code}", **kwargs)


class AnswerForm(ElementFieldsMixin, forms.Form):
    """The partner answers an info request in place: the element's answers, prefilled, and a reply."""

    answer = forms.CharField(
        label=_("Your answer"),
        max_length=reviews.ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you found out; the vendor reads this with the element."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    marked_required = ("answer",)

    def __init__(self, *args, access, deal, element, request, **kwargs):
        self.access, self.elements, self.code = access, {element.code: element}, element.code
        self.names = (*COMMON_FIELDS, *ELEMENT_FIELDS[element.code])
        initial = {element_field_name(self.code, name): value for name, value in element.as_dict().items()}
        initial["version"] = deal.version
        super().__init__(*args, prefix=f"answer-{request.pk}", initial=initial, **kwargs)
        for name in self.names:
            self.fields[element_field_name(self.code, name)] = self._element_field(self.code, name)
        for field in self.fields.values():
            self._style(field)

    def clean(self):
        cleaned = super().clean()
        name = element_field_name(self.code, "evidence")
        if cleaned.get(name) in self.fields[name].widget.disabled_values:
            self.add_error(name, _("Only the vendor can mark an element as verified."))
        return cleaned

    def element_changes(self) -> dict:
        """The element's answers as the services take them."""
        return {
            name: comparable(name, self.cleaned_data.get(element_field_name(self.code, name)))
            for name in self.names
        }

    def apply_service_errors(self, error) -> None:
        names = {f"meddic.{self.code}.{name}": element_field_name(self.code, name) for name in self.names}
        apply_service_errors(self, error, names)

    def section(self) -> dict:
        level = self[element_field_name(self.code, "level")]
        evidence = self[element_field_name(self.code, "evidence")]
        return {
            "code": self.code,
            "question": ELEMENT_QUESTIONS[self.code],
            "level": level,
            "levels": [(radio, LEVEL_HELP[self.code][int(radio.data["value"])]) for radio in level],
            "evidence": evidence,
            "evidences": [(radio, EVIDENCE_HELP[radio.data["value"]]) for radio in evidence],
            "fields": [self[element_field_name(self.code, name)] for name in ELEMENT_FIELDS[self.code]],
            "note": self[element_field_name(self.code, "note")],
        }


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Verified through"),
        choices=[("", "—"), *VerificationMethod.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("How it was verified"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


def verify_forms(access, element_codes, bound: tuple[str, VerifyForm] | None = None) -> dict:
    """One verification form per element for vendor staff (none for partners); ``bound`` keeps a refused one."""
    if not can_verify_elements(access):
        return {}
    forms_by_code = {code: VerifyForm(prefix=f"verify-{code}") for code in element_codes}
    if bound is not None:
        forms_by_code[bound[0]] = bound[1]
    return forms_by_code
