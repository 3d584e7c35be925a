import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from partners.models import (
    PARTNER_ROLES,
    VENDOR_ROLES,
    PartnerCompany,
    PartnerStatus,
    Role,
    Tier,
    User,
    Vendor,
)
from partners.selectors import channel_manager_choices
from prm.validators import validate_single_line, validate_time_zone


class ChannelManagerField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} <{obj.email}>" if obj.name else obj.email


class PartnerForm(forms.ModelForm):
    channel_manager = ChannelManagerField(
        queryset=User.objects.none(), required=False, label=_("Channel manager")
    )

    class Meta:
        model = PartnerCompany
        fields = ["name", "tier", "status", "channel_manager", "contact_email"]

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.instance.channel_manager if self.instance.pk else None
        self.fields["channel_manager"].queryset = channel_manager_choices(access, keep=keep)
        self.fields["channel_manager"].empty_label = _("— No channel manager yet —")
        self.instance.vendor = access.vendor

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *PartnerStatus.choices]
    )
    channel_manager = forms.TypedChoiceField(
        label=_("Channel manager"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        managers = [(u.pk, u.name or u.email) for u in channel_manager_choices(access)]
        self.fields["channel_manager"].choices = [("", _("All channel managers")), *managers]


def _role_choices(roles):
    return [(value, label) for value, label in Role.choices if value in roles]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(roles)


class PartnerInvitationForm(InvitationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, roles=PARTNER_ROLES, **kwargs)


class StaffInvitationForm(InvitationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, roles=VENDOR_ROLES, **kwargs)


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150, validators=[validate_single_line])
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=True), strip=False
    )
    password_confirm = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(render_value=True), strip=False
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("The two passwords differ."))
        return data


TIME_ZONE_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    """The world's time zones by name, each with its offset from UTC now; ``current`` is kept if it is another
    valid name (an old alias)."""
    now = timezone.now()
    names = sorted(name for name in zoneinfo.available_timezones() if name.startswith(TIME_ZONE_REGIONS))
    if current and current not in names:
        names.insert(0, current)
    choices = []
    for name in names:
        offset = now.astimezone(zoneinfo.ZoneInfo(name)).strftime("%z")
        choices.append((name, f"{name} (UTC{offset[:3]}:{offset[3:]})"))
    return choices


class VendorSettingsForm(forms.ModelForm):
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("Fiscal year starts in"), coerce=int, choices=list(MONTHS.items())
    )

    class Meta:
        model = Vendor
        fields = ["name", "require_mfa_for_admins", "protection_days", "time_zone", "fiscal_year_start_month"]
        labels = {"name": _("Company name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.time_zone if self.instance.pk else ""
        self.fields["time_zone"].widget = forms.Select(choices=lambda: time_zone_choices(current))

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        validate_time_zone(value)
        return value
