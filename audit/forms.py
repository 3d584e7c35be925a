"""The audit page's filters: period, actor, action, kind of subject and free text (a deal number, a request id,
an email address or any word of the changes)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import display
from partners.models import Membership
from prm.form_fields import BoundedDateField


class AuditFilterForm(forms.Form):
    date_from = BoundedDateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedDateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.TypedChoiceField(label=gettext_lazy("Who"), coerce=int, required=False, empty_value=None)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    subject_type = forms.ChoiceField(label=gettext_lazy("Subject"), required=False)
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        self.access = access
        members = (
            Membership.objects.filter(vendor=access.vendor)
            .order_by("user__email")
            .values_list("user_id", "user__email")
        )
        self.fields["actor"].choices = [("", _("Anyone")), *members]
        self.fields["action"].choices = [("", _("All actions")), *display.action_choices()]
        self.fields["subject_type"].choices = [("", _("All subjects")), *display.subject_choices()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    @property
    def is_filtered(self) -> bool:
        return bool(self.errors) or any(value not in (None, "") for value in self.cleaned_data.values())

    def filter(self, qs: QuerySet) -> QuerySet:
        """``qs`` narrowed by every valid filter (an invalid one is left out and shown on the form)."""
        self.is_valid()
        cleaned = self.cleaned_data
        tz = ZoneInfo(self.access.vendor.time_zone)
        if cleaned.get("date_from"):
            qs = qs.filter(at__gte=datetime.combine(cleaned["date_from"], time.min, tzinfo=tz))
        if cleaned.get("date_to"):
            qs = qs.filter(
                at__lt=datetime.combine(cleaned["date_to"] + timedelta(days=1), time.min, tzinfo=tz)
            )
        if cleaned.get("actor"):
            qs = qs.filter(actor_id=cleaned["actor"])
        if cleaned.get("action"):
            qs = qs.filter(action=cleaned["action"])
        if cleaned.get("subject_type"):
            qs = qs.filter(subject_type=cleaned["subject_type"])
        text = (cleaned.get("q") or "").strip().lstrip("#")
        if text:
            if text.isdigit():
                qs = qs.filter(Q(deal_id=int(text)) | Q(subject_id=int(text)))
            else:
                qs = qs.filter(
                    Q(actor_email__icontains=text)
                    | Q(request_id=text)
                    | Q(reason__icontains=text)
                    | Q(changes__icontains=text)
                )
        return qs
