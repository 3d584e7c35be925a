"""allauth's login forms with “remember this device” (see ``partners.remember``)."""

from allauth.account import forms as allauth_forms
from allauth.core import context
from django import forms
from django.utils.translation import gettext_lazy as _

from partners.remember import remember_choose, remember_keep

REMEMBER_LABEL = _("Remember this device (partner users, for %(days)s days)")
REMEMBER_HELP = _("Only on your own phone or computer. Vendor staff sign in again each day.")


def remember_field() -> forms.BooleanField:
    from django.conf import settings

    return forms.BooleanField(
        label=REMEMBER_LABEL % {"days": settings.SESSION_REMEMBER_DAYS},
        help_text=REMEMBER_HELP,
        required=False,
    )


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remember"] = remember_field()

    def login(self, request, redirect_url=None):
        remember_choose(request, self.cleaned_data.get("remember"))
        response = super().login(request, redirect_url)
        remember_keep(request)
        return response


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remember"] = remember_field()

    def clean(self):
        cleaned = super().clean()
        if context.request is not None:
            remember_choose(context.request, cleaned.get("remember"))
        return cleaned
