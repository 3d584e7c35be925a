"""Mail settings of one's account, and the unsubscribe link every notification mail carries."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from notifications import preferences
from partners.models import User


class MailPreferencesForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for group, (label, _codes) in preferences.offered_groups().items():
            self.fields[group] = forms.ChoiceField(
                required=False,
                label=label,
                choices=preferences.CHOICES,
                initial=(user.mail_preferences or {}).get(group, preferences.IMMEDIATE),
                widget=forms.Select(attrs={"class": "form-select"}),
            )


class MailPreferencesView(LoginRequiredMixin, View):
    template_name = "notifications/mail_preferences.html"

    def get(self, request):
        form = MailPreferencesForm(user=request.user)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = MailPreferencesForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        preferences.preferences_set(user=request.user, choices=form.cleaned_data)
        messages.success(request, _("Mail settings saved."))
        return redirect("mail_preferences")


@method_decorator(
    csrf_exempt, name="dispatch"
)  # one click from a mail client (RFC 8058): the token is the proof
class UnsubscribeView(View):
    """GET asks to confirm; POST stops mail about the token's group of events for the token's person."""

    template_name = "notifications/unsubscribe.html"

    def dispatch(self, request, token):
        found = preferences.unsubscribe_read(token)
        self.user = User.objects.filter(pk=found[0], is_active=True).first() if found else None
        self.group = found[1] if found else None
        if self.user is None:
            return render(request, self.template_name, {"invalid": True}, status=404)
        return super().dispatch(request, token)

    def context(self, done=False):
        return {"label": preferences.GROUPS[self.group][0], "done": done, "email": self.user.email}

    def get(self, request, token):
        return render(request, self.template_name, self.context())

    def post(self, request, token):
        preferences.preferences_set(user=self.user, choices={self.group: preferences.OFF})
        return render(request, self.template_name, self.context(done=True))
