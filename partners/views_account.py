"""Pages outside any vendor: the start page (vendor picker) and invitation acceptance."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from partners import services
from partners.forms import AcceptInvitationForm
from prm.forms import apply_service_errors
from prm.tenancy import memberships_of


def home(request):
    """Straight into the only vendor; a picker when there are several; an explanation when there is none."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = memberships_of(request.user)
    if len(memberships) == 1:
        return redirect("dashboard", memberships[0].vendor.slug)
    return render(request, "partners/home.html", {"memberships": memberships})


class InvitationAcceptView(View):
    template_name = "partners/invitation_accept.html"

    def dispatch(self, request, token):
        self.invitation = services.invitation_by_token(token)
        return super().dispatch(request, token)

    def render_page(self, form, status=200):
        invitation = self.invitation
        existing = (
            invitation is not None and services.User.objects.filter(email__iexact=invitation.email).exists()
        )
        context = {"invitation": invitation, "form": form, "existing_account": existing}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, token):
        if self.invitation is None or not self.invitation.is_open:
            return self.render_page(None, status=404 if self.invitation is None else 410)
        return self.render_page(AcceptInvitationForm())

    def post(self, request, token):
        if self.invitation is None or not self.invitation.is_open:
            return self.render_page(None, status=404 if self.invitation is None else 410)
        user = request.user if request.user.is_authenticated else None
        is_existing = services.User.objects.filter(email__iexact=self.invitation.email).exists()
        form = AcceptInvitationForm(request.POST)
        if not is_existing and not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data if not is_existing else {}
        try:
            membership = services.invitation_accept(
                token=token, name=data.get("name", ""), password=data.get("password"), user=user
            )
        except ValidationError as error:
            form = AcceptInvitationForm(request.POST)
            form.is_valid()
            apply_service_errors(form, error)
            return self.render_page(form, status=400)
        if user is None:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(vendor)s.") % {"vendor": membership.vendor.name})
        return redirect("dashboard", membership.vendor.slug)
