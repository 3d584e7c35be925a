"""The webhook form of the vendor admins' page, and the delivery log's filter."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from notifications.kinds import label
from prm.events import EVENT_CODES
from webhooks.models import Webhook, WebhookFormat


def event_label(code: str) -> str:
    """The event's name and its code, or the code alone for an event that has no name yet."""
    name = label(code)
    return f"{name} ({code})" if name != code else code


def event_choices() -> list[tuple[str, str]]:
    return [(code, event_label(code)) for code in EVENT_CODES]


class WebhookForm(forms.ModelForm):
    all_events = forms.BooleanField(
        label=_("Every event, including ones added later"), required=False, initial=True
    )
    event_codes = forms.MultipleChoiceField(
        label="",  # the form's "Events" fieldset names the list
        required=False,
        choices=event_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    format = forms.ChoiceField(label=_("Format"), choices=WebhookFormat.choices)
    language = forms.ChoiceField(label=_("Language of Slack and Teams messages"), choices=settings.LANGUAGES)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = Webhook
        fields = ["url", "description", "format", "language", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new webhook writes its messages in the language of the admin who adds it.
        self.fields["language"].initial = (
            get_language() if get_language() in dict(settings.LANGUAGES) else "ja"
        )
        if self.instance.pk:
            self.initial["all_events"] = "*" in self.instance.events
            self.initial["event_codes"] = [code for code in self.instance.events if code != "*"]
        self.fields["url"].help_text = _("Where each event is POSTed: an https:// address on the internet.")
        self.fields["url"].widget.attrs["placeholder"] = "https://"

    def clean(self):
        data = super().clean()
        if not data.get("all_events") and not data.get("event_codes"):
            self.add_error("event_codes", _("Choose at least one event, or every event."))
        data["events"] = ["*"] if data.get("all_events") else list(data.get("event_codes") or [])
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in ("url", "description", "format", "language", "is_active")}
        return {**fields, "events": data["events"]}


class DeliveryFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All deliveries")),
            ("delivered", _("Delivered")),
            ("waiting", _("Waiting for a retry")),
            ("failed", _("Given up")),
        ],
    )
