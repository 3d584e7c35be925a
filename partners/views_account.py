"""Pages outside any vendor: the start page (vendor picker), the language switch and invitation acceptance."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from partners import services
from partners.forms import AcceptInvitationForm
from prm.forms import apply_service_errors
from prm.tenancy import memberships_of


@require_POST
def set_language(request):
    """Django's language switch, which also keeps the choice on the account: mail follows it (DESIGN §10)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return response


def home(request):
    """Straight into the only vendor; a picker when there are several; an explanation when there is none."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = memberships_of(request.user)
    if len(memberships) == 1:
        return redirect("dashboard", memberships[0].vendor.slug)
    return render(request, "partners/home.html", {"memberships": memberships})


class InvitationAcceptView(View):
    """An invitation's page. What it shows depends only on what the visitor proves, never on whether the invited
    address has an account: the inviter holds this page's link too (see :func:`services.invitation_accept`).

    - logged in as the invited address: one button accepts;
    - holding the mailed link (``?proof=``): a new person sets a name and password, someone with an account is
      asked to log in as it;
    - otherwise: open the mailed link (it can be sent again) or log in.
    """

    template_name = "partners/invitation_accept.html"

    def dispatch(self, request, token):
        self.token = token
        self.invitation = services.invitation_by_token(token)
        user = request.user
        self.is_invitee = (
            self.invitation is not None
            and user.is_authenticated
            and user.email.lower() == self.invitation.email.lower()
        )
        proof = request.POST.get("proof") if request.method == "POST" else request.GET.get("proof")
        self.proof = proof if services.invitation_proof_valid(token, proof) else ""
        return super().dispatch(request, token)

    def render_page(self, form, status=200):
        invitation = self.invitation
        existing = bool(self.proof and services.User.objects.filter(email__iexact=invitation.email).exists())
        context = {
            "invitation": invitation,
            "form": form,
            "is_invitee": self.is_invitee,
            "proof": self.proof,
            "existing_account": existing,
            "login_next": self.request.get_full_path(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, token):
        if self.invitation is None or not self.invitation.is_open:
            return self.render_page(None, status=404 if self.invitation is None else 410)
        return self.render_page(AcceptInvitationForm())

    def post(self, request, token):
        if self.invitation is None or not self.invitation.is_open:
            return self.render_page(None, status=404 if self.invitation is None else 410)
        if "resend" in request.POST:
            return self.resend()
        user = request.user if request.user.is_authenticated else None
        form = AcceptInvitationForm(request.POST)
        needs_password = not self.is_invitee
        if needs_password and not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data if needs_password else {}
        try:
            membership = services.invitation_accept(
                token=token,
                name=data.get("name", ""),
                password=data.get("password"),
                user=user,
                proof=self.proof,
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

    def resend(self):
        if services.invitation_mail_resend(token=self.token):
            messages.success(
                self.request,
                _("The invitation was sent to %(email)s again.") % {"email": self.invitation.email},
            )
        else:
            messages.warning(self.request, _("The invitation mail was sent a moment ago. Check your inbox."))
        return redirect("invitation_accept", self.token)
