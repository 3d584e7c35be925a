from allauth.account.adapter import DefaultAccountAdapter

from partners.auth_events import auth_event_record
from partners.models import AuthEventKind
from prm.mailer import mail_queue


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials):
        """Failed logins count per account *and client address*: someone failing on purpose from elsewhere
        cannot lock the owner out (the per-address limit still stops one address trying many accounts)."""
        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}:{self.get_client_ip(request)}"
        )

    def is_open_for_signup(self, request):
        # People join a vendor by invitation only; platform staff create vendors.
        return False

    def send_password_reset_mail(self, user, email, context):
        auth_event_record(
            AuthEventKind.PASSWORD_RESET_REQUESTED, user=user, email=email, request=context.get("request")
        )
        super().send_password_reset_mail(user, email, context)

    def send_mail(self, template_prefix, email, context):
        # A reset asked for an address without an account is recorded too (the requester gets a neutral email).
        request = context.get("request")
        match = getattr(request, "resolver_match", None)
        if (
            template_prefix == "account/email/unknown_account"
            and match
            and match.url_name == "account_reset_password"
        ):
            auth_event_record(
                AuthEventKind.PASSWORD_RESET_REQUESTED,
                email=email,
                request=request,
                account=False,
            )
        message = self.render_mail(template_prefix, email, context)
        html = next((content for content, kind in message.alternatives if kind == "text/html"), "")
        # Sent after the request's transaction, with retries: a mail server that is away never fails the page.
        mail_queue(to=email, subject=message.subject, body=message.body, html=html, sensitive=True)
