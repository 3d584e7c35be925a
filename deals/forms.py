"""Forms of the deal pages: the Partner-MEDDIC template and the champion log.

Forms only parse what was typed; the template's rules are enforced by ``deals.services`` and their
``ValidationError``s are shown next to the field they name (``apply_service_errors``).
"""

import json
import re
import unicodedata
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deals import services
from deals.history import display_value
from deals.models import (
    ActivityActor,
    ActivityOutcome,
    ActivityTarget,
    ActivityType,
    CustomerSize,
    Deal,
    Industry,
    LossType,
    Phase,
)
from deals.validation import REASON_MAX_LINES, clean_proposal_reason, normalize_corporate_number
from meddic.help import ELEMENT_QUESTIONS, EVIDENCE_HELP, LEVEL_HELP
from meddic.models import (
    COMMON_FIELDS,
    ELEMENT_FIELDS,
    MULTI_FIELDS,
    ElementCode,
    Evidence,
    Level,
    MeddicElement,
)
from meddic.permissions import can_verify_elements
from meddic.services import VENDOR_ASSERTIONS, vendor_assertion_refused
from prm.form_fields import BoundedDateField
from prm.forms import apply_service_errors
from prm.tenancy import Access


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ChampionActivityForm(forms.Form):
    """One line of the champion log in the fixed format (DESIGN §4)."""

    date = BoundedDateField(label=_("Date"), widget=DateInput())
    actor = forms.ChoiceField(label=_("Who acted"), choices=ActivityActor.choices)
    activity_type = forms.ChoiceField(label=_("Activity"), choices=[("", "—"), *ActivityType.choices])
    target = forms.ChoiceField(label=_("Towards"), choices=[("", "—"), *ActivityTarget.choices])
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ActivityOutcome.choices, widget=forms.RadioSelect)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)

    def __init__(self, *args, prefix="activity", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)


# --- The deal template -------------------------------------------------------------------------------------


class YenInput(forms.TextInput):
    """Shows a stored amount with thousands separators (12,000,000)."""

    input_type = "text"

    def format_value(self, value):
        if isinstance(value, int):
            return f"{value:,}"
        return super().format_value(value)


class YenField(forms.IntegerField):
    """Whole yen; separators, ¥/円 and full-width digits are accepted as typed."""

    widget = YenInput

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s,，¥￥円]", "", unicodedata.normalize("NFKC", value))
        return super().to_python(value)


class RadioSelectSome(forms.RadioSelect):
    """Radios where some options are shown but cannot be chosen (``disabled_values``)."""

    def __init__(self, *args, disabled_values=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled_values = set(disabled_values)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


# Element answers chosen among a few short options are radios; longer lists are drop-downs.
SELECT_FIELDS = {"title_level", "final_approver_level", "ringi_state"}
# Labels that read better on the form than the column's name; the others use the model's verbose name.
SEVERITY_CHOICES = [
    ("", pgettext_lazy("severity", "Not rated")),
    (1, _("1 · minor")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 · critical")),
]


def element_field_name(code: str, name: str) -> str:
    return f"{code}__{name}"


def answer_key(code: str, name: str) -> str:
    """How services name an element answer in errors (and how the merge page names it)."""
    return f"meddic.{code}.{name}"


def element_answer_names() -> list[tuple[str, str]]:
    return [(code, name) for code in ElementCode.values for name in (*COMMON_FIELDS, *ELEMENT_FIELDS[code])]


def answers_of(deal: Deal | None, elements: dict | None) -> dict:
    """The current answers of a deal keyed like :meth:`DealForm.answers` (JSON-safe)."""
    answers = {}
    if deal is not None:
        answers.update(services.deal_values(deal))
    for code, element in (elements or {}).items():
        for name, value in element.as_dict().items():
            answers[answer_key(code, name)] = value
    return {key: comparable(key, value) for key, value in answers.items()}


def comparable(key: str, value):
    """A value as the services would store it, so that typed and stored answers compare equal."""
    if isinstance(value, date):
        return value.isoformat()
    if key == "proposal_reason":
        return clean_proposal_reason(value or "")
    if key == "customer_corporate_number":
        return normalize_corporate_number(value or "")
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, tuple):
        return list(value)
    return value


def form_data_of(key: str, value) -> list[str]:
    """An answer as the form posts it (the merge page takes "theirs" this way)."""
    if value is None:
        return [""]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def form_field_of(key: str) -> str:
    if key.startswith("meddic."):
        _prefix, code, name = key.split(".")
        return element_field_name(code, name)
    return key


class ElementFieldsMixin:
    """Form fields of MEDDIC element answers, named ``<element>__<field>``, styled, errors described.

    The form sets ``access`` and ``elements`` (current elements by code) before building fields.
    """

    def _element_field(self, code: str, name: str) -> forms.Field:
        model_field = MeddicElement._meta.get_field(name)
        label = capfirst(model_field.verbose_name)
        if name == "level":
            return forms.TypedChoiceField(
                label=_("Level"), coerce=int, choices=Level.choices, widget=forms.RadioSelect, initial=0
            )
        if name == "evidence":
            current = self.elements.get(code)
            locked = () if can_verify_elements(self.access) else (Evidence.VERIFIED,)
            if current is not None and current.evidence == Evidence.VERIFIED:
                locked = ()
            return forms.ChoiceField(
                label=_("Evidence"),
                choices=Evidence.choices,
                widget=RadioSelectSome(disabled_values=locked),
                initial=Evidence.UNKNOWN,
            )
        if name == "note":
            return forms.CharField(
                label=pgettext_lazy("meddic element", "Note"),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("What you heard, from whom, and what is still open."),
            )
        if name in MULTI_FIELDS:
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=MULTI_FIELDS[name].choices,
                widget=forms.CheckboxSelectMultiple,
            )
        if name == "severity":
            return forms.TypedChoiceField(
                label=label,
                coerce=int,
                empty_value=None,
                required=False,
                choices=SEVERITY_CHOICES,
                widget=forms.RadioSelect,
            )
        if name == "competitors":
            return forms.CharField(
                label=label,
                required=False,
                max_length=200,
                help_text=_("Competing products or vendors, separated by commas."),
            )
        if name in SELECT_FIELDS:
            widget = forms.Select()
        else:
            # A vendor assertion (the vendor met the economic buyer, verified the champion) is shown to partner
            # users but cannot be chosen by them.
            assertion = VENDOR_ASSERTIONS.get((code, name))
            current = getattr(self.elements.get(code), name, None)
            refused = assertion is not None and vendor_assertion_refused(
                self.access, code, name, assertion, current
            )
            widget = RadioSelectSome(disabled_values=(assertion,) if refused else ())
        return forms.ChoiceField(
            label=label, choices=model_field.choices, widget=widget, initial=model_field.default
        )

    @staticmethod
    def _style(field: forms.Field) -> None:
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            return
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")

    def add_error(self, field, error):
        """Errors also mark their control: a red border and, for screen readers, the message described."""
        super().add_error(field, error)
        for name in self.errors:
            form_field = self.fields.get(name)
            if form_field is None or isinstance(form_field.widget, forms.HiddenInput):
                continue
            attrs = form_field.widget.attrs
            if "is-invalid" not in attrs.get("class", "").split():
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            described = [f"id_{self.add_prefix(name)}_errors"]
            if form_field.help_text:
                described.append(f"id_{self.add_prefix(name)}_helptext")
            attrs["aria-describedby"] = " ".join(described)


class DealForm(ElementFieldsMixin, forms.Form):
    """The Partner-MEDDIC template (DESIGN §4): customer, deal, proposal reason and the six elements.

    ``deal`` and ``elements`` are the current state when editing. ``answers()`` gives the typed values keyed as
    the services name them (``customer_name``, ``meddic.champion.status``).
    """

    # Answers marked as required on the page (loss type is only shown, and required, for lost deals).
    marked_required = (*services.REQUIRED_ON_CREATE, "loss_type")

    customer_name = forms.CharField(label=_("Customer name"), max_length=200)
    customer_corporate_number = forms.CharField(
        label=_("Corporate number"),
        max_length=30,
        required=False,
        help_text=_("Optional. The 13-digit corporate number (法人番号); the check digit is verified."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    customer_industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", "—"), *Industry.choices]
    )
    customer_size = forms.ChoiceField(label=_("Company size"), choices=CustomerSize.choices)
    title = forms.CharField(label=_("Deal title"), max_length=200)
    amount = YenField(
        label=_("Amount"),
        min_value=0,
        max_value=10**14,
        widget=YenInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    close_date = BoundedDateField(
        label=_("Close date"),
        widget=DateInput(),
        help_text=_("Expected date while open; the actual date once won or lost."),
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    loss_type = forms.ChoiceField(
        label=_("Loss type"), required=False, choices=[("", "—"), *LossType.choices]
    )
    proposal_reason = forms.CharField(
        label=_("Proposal reason"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": REASON_MAX_LINES}),
        help_text=_("Up to 3 lines, 60 characters each: why this customer, why now, why us."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The answers as they were when the form was shown (JSON): tells the merge page what you changed.
    base = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    def __init__(
        self, *args, access: Access, deal: Deal | None = None, elements: dict | None = None, **kwargs
    ):
        self.access, self.deal, self.elements = access, deal, elements or {}
        current = answers_of(deal, self.elements)
        initial = {form_field_of(key): value for key, value in current.items()}
        if deal is not None:
            initial.update(version=deal.version, close_date=deal.close_date)
        else:
            initial.update(customer_size=CustomerSize.UNKNOWN, phase=Phase.INFORMATION_GATHERING)
        initial["base"] = json.dumps(current, ensure_ascii=False) if deal is not None else ""
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        if deal is not None:
            self.fields["version"].required = True
        for code, name in element_answer_names():
            self.fields[element_field_name(code, name)] = self._element_field(code, name)
        for field in self.fields.values():
            self._style(field)

    # -- cleaning

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("phase") != Phase.LOST and "loss_type" in cleaned:
            cleaned["loss_type"] = ""
        for code, answer in element_answer_names():
            name = element_field_name(code, answer)
            locked = getattr(self.fields[name].widget, "disabled_values", ())
            if cleaned.get(name) not in locked:
                continue
            if answer == "evidence":
                self.add_error(name, _("Only the vendor can mark an element as verified."))
            else:
                self.add_error(name, _("Only the vendor can record what the vendor itself has checked."))
        return cleaned

    def answers(self) -> dict:
        """The cleaned answers keyed like the services' errors, as the services would store them."""
        data = self.cleaned_data
        answers = {name: data.get(name) for name in services.DEAL_FIELDS}
        for code, name in element_answer_names():
            answers[answer_key(code, name)] = data.get(element_field_name(code, name))
        return {key: comparable(key, value) for key, value in answers.items()}

    def deal_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.DEAL_FIELDS}

    def meddic(self) -> dict:
        return {
            code: {name: self.cleaned_data.get(element_field_name(code, name)) for name in names}
            for code, names in ((c, (*COMMON_FIELDS, *ELEMENT_FIELDS[c])) for c in ElementCode.values)
        }

    def base_answers(self) -> dict | None:
        """The answers the user started from (None when unknown)."""
        try:
            base = json.loads(self.data.get("base") or "null")
        except ValueError:
            return None
        return base if isinstance(base, dict) else None

    def apply_service_errors(self, error: ValidationError) -> None:
        names = {
            answer_key(code, name): element_field_name(code, name) for code, name in element_answer_names()
        }
        apply_service_errors(self, error, names)

    # -- layout

    def element_sections(self) -> list[dict]:
        """The six element cards: level radios with their element-specific help, evidence radios, answers."""
        sections = []
        for code, label in ElementCode.choices:
            level = self[element_field_name(code, "level")]
            evidence = self[element_field_name(code, "evidence")]
            sections.append(
                {
                    "code": code,
                    "label": label,
                    "question": ELEMENT_QUESTIONS[code],
                    "level": level,
                    "levels": [(radio, LEVEL_HELP[code][int(radio.data["value"])]) for radio in level],
                    "evidence": evidence,
                    "evidences": [(radio, EVIDENCE_HELP[radio.data["value"]]) for radio in evidence],
                    "fields": [self[element_field_name(code, name)] for name in ELEMENT_FIELDS[code]],
                    "note": self[element_field_name(code, "note")],
                    "has_errors": any(
                        self[element_field_name(code, name)].errors
                        for name in (*COMMON_FIELDS, *ELEMENT_FIELDS[code])
                    ),
                }
            )
        return sections

    def display(self, key: str, value) -> str:
        """An answer as people read it (labels of choices, yen, dates) for the merge page, as the history
        shows it."""
        if key.startswith("meddic."):
            return display_value(MeddicElement, key.rsplit(".", 1)[1], value)
        return display_value(Deal, key, value)

    def label_of(self, key: str) -> str:
        if key.startswith("meddic."):
            _prefix, code, _name = key.split(".")
            return f"{ElementCode(code).label} · {self.fields[form_field_of(key)].label}"
        return str(self.fields[key].label)
