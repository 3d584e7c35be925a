"""Accounts (django-allauth): login and its rate limit, MFA required for vendor admins, MFA login with TOTP and
recovery codes, password reset, mandatory email verification, closed sign-up, deactivation ending sessions, and
every account page rendering inside the product frame."""

import html
import re
import time

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from partners import services
from partners.models import Membership, Role, User
from prm.tenancy import Access, vendor_scope
from tests.conftest import PASSWORD

LOGIN_URL = reverse("account_login")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and used TOTP codes live in the cache; each test starts from nothing.
    cache.clear()
    yield
    cache.clear()


def dashboard(vendor) -> str:
    return reverse("dashboard", args=[vendor.slug])


def log_in(client, email: str, password: str = PASSWORD):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def reauthenticate(client, password: str = PASSWORD) -> None:
    """Sensitive pages (authenticator set-up, recovery codes) want a fresh password confirmation."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def totp_code(secret: str) -> str:
    """The authenticator app's current code. Codes are valid for their own 30-second step only (no tolerance), so
    never hand out one that expires before the request arrives."""
    if time.time() % 30 > 28:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def shows_error(response, code: str) -> bool:
    """Whether the page shows allauth's message for the error ``code``, in the page's language."""
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        message = html.escape(str(get_adapter().error_messages[code]))
    return message in response.content.decode()


def enrol_totp(user: User) -> tuple[str, list[str]]:
    """Give ``user`` an authenticator app and recovery codes; returns the secret and the codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    return secret, codes


def set_require_mfa(vendor, value: bool) -> None:
    vendor.require_mfa_for_admins = value
    vendor.save(update_fields=["require_mfa_for_admins"])


# --- login and its rate limit -------------------------------------------------------------------------------


def test_login_with_email_and_password(client, world):
    response = log_in(client, "Rep@Alpha.example")
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert is_logged_in(client)
    # The start page takes a user with one membership straight into the vendor.
    assert client.get("/")["Location"] == dashboard(world.acme)
    assert client.get(dashboard(world.acme)).status_code == 200


def test_wrong_password_shows_an_error(client, world):
    response = log_in(client, world.partner_rep.email, "not-the-password")
    assert response.status_code == 200
    assert not is_logged_in(client)
    assert 'class="alert alert-block alert-danger"' in response.content.decode()
    assert shows_error(response, "email_password_mismatch")


def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password(client, world):
    for _ in range(5):  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 failures per 5 minutes for one email
        response = log_in(client, world.partner_rep.email, "wrong-password-1")
        assert shows_error(response, "email_password_mismatch")

    response = log_in(client, world.partner_rep.email)
    assert response.status_code == 200
    assert not is_logged_in(client)
    assert shows_error(response, "too_many_login_attempts")

    # The limit is per email address: someone else on the same network still gets in.
    response = log_in(client, world.partner_admin.email)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_rate_limit_counts_failures_on_the_shared_cache(client, world):
    for _ in range(5):
        log_in(client, world.partner_rep.email, "wrong-password-1")
    cache.clear()  # the limit lives in the cache (Redis in production), nowhere else
    assert log_in(client, world.partner_rep.email).status_code == 302


# --- MFA required for vendor admins -------------------------------------------------------------------------


def test_vendor_admin_without_mfa_must_activate_totp_first(client, world):
    set_require_mfa(world.acme, True)
    assert log_in(client, world.vendor_admin.email).status_code == 302

    response = client.get(dashboard(world.acme))
    assert response.status_code == 302
    activate_url = response["Location"]
    assert activate_url == f"{reverse('mfa_activate_totp')}?next=%2Fv%2Facme%2F"

    # Setting up an authenticator is sensitive: allauth asks for the password again first, then comes back.
    response = client.get(activate_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == activate_url

    page = client.get(activate_url)
    assert page.status_code == 200
    content = page.content.decode()
    secret = client.session[SECRET_SESSION_KEY]
    assert f'value="{secret}"' in content  # the secret to copy by hand
    assert 'src="data:image/svg+xml;base64,' in content  # the QR code
    assert 'name="code"' in content
    assert 'class="alert alert-warning"' in content  # says why the admin was sent here

    wrong = client.post(activate_url, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "is-invalid" in wrong.content.decode()

    response = client.post(activate_url, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=world.vendor_admin, type=Authenticator.Type.TOTP).exists()
    assert client.get(response["Location"]).status_code == 200

    assert client.get(dashboard(world.acme)).status_code == 200


def test_vendor_admin_goes_straight_in_when_the_vendor_does_not_require_mfa(client, world):
    assert world.acme.require_mfa_for_admins is False
    log_in(client, world.vendor_admin.email)
    assert client.get(dashboard(world.acme)).status_code == 200


@pytest.mark.parametrize("role", ["channel_manager", "partner_admin", "partner_rep"])
def test_other_roles_are_never_forced_into_mfa(client, world, role):
    set_require_mfa(world.acme, True)
    log_in(client, world.user(role).email)
    assert client.get(dashboard(world.acme)).status_code == 200


def test_mfa_requirement_is_per_vendor(client, world):
    set_require_mfa(world.rival, True)
    log_in(client, world.vendor_admin.email)
    assert client.get(dashboard(world.acme)).status_code == 200


# --- login of an enrolled user ------------------------------------------------------------------------------


def test_enrolled_user_is_asked_for_the_authenticator_code(client, world):
    secret, _ = enrol_totp(world.vendor_admin)
    response = log_in(client, world.vendor_admin.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_logged_in(client)

    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()

    wrong = client.post(reverse("mfa_authenticate"), {"code": "12345"})
    assert wrong.status_code == 200
    assert not is_logged_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_enrolled_user_can_log_in_with_a_recovery_code_once(client, world):
    set_require_mfa(world.acme, True)
    _, codes = enrol_totp(world.vendor_admin)
    log_in(client, world.vendor_admin.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert is_logged_in(client)
    assert client.get(dashboard(world.acme)).status_code == 200

    client.post(reverse("account_logout"))
    cache.clear()
    log_in(client, world.vendor_admin.email)
    reused = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert reused.status_code == 200
    assert not is_logged_in(client)


# --- password reset -----------------------------------------------------------------------------------------


def test_password_reset_email_link_sets_a_new_password(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": world.partner_rep.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.partner_rep.email]
    assert message.subject.startswith("[Partner MEDDIC] ")
    assert "Partner MEDDIC" in message.body  # signed with the product, not the host name
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body).group(1)

    # allauth moves the key from the URL into the session, then shows the form.
    response = client.get(link)
    if response.status_code == 302:
        link = response["Location"]
        response = client.get(link)
    assert response.status_code == 200
    assert 'name="password1"' in response.content.decode()

    new_password = "a-brand-new-secret-2026"
    response = client.post(link, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    assert log_in(client, world.partner_rep.email).status_code == 200  # the old password is gone
    assert log_in(client, world.partner_rep.email, new_password).status_code == 302
    assert is_logged_in(client)


def test_password_reset_link_works_only_once(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": world.partner_rep.email})
    link = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    first = client.get(link)
    target = first["Location"] if first.status_code == 302 else link
    client.post(target, {"password1": "a-brand-new-secret-2026", "password2": "a-brand-new-secret-2026"})
    again = client.get(link, follow=True)
    assert again.context["token_fail"] is True


# --- email verification -------------------------------------------------------------------------------------


def test_unverified_email_cannot_log_in_until_verified(client, world, django_capture_on_commit_callbacks):
    user = User.objects.create_user(email="new@alpha.example", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = log_in(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    assert client.get(response["Location"]).status_code == 200
    assert len(mail.outbox) == 1
    key_url = re.search(r"(/accounts/confirm-email/[^/\s]+/)", mail.outbox[0].body).group(1)

    assert client.get(key_url).status_code == 200
    response = client.post(key_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    assert log_in(client, user.email).status_code == 302
    assert is_logged_in(client)


def test_invited_users_are_verified(client, world):
    with vendor_scope(world.acme):
        admin = Membership.objects.get(user=world.vendor_admin)
        access = Access(vendor=world.acme, membership=admin)
        _, token = services.invitation_create(
            access=access, email="newrep@alpha.example", role=Role.PARTNER_REP, partner=world.alpha
        )
    membership = services.invitation_accept(
        token=token,
        proof=services.invitation_mail_proof(token),
        name="New Rep",
        password="a-long-secret-2026",
    )
    assert EmailAddress.objects.get(user=membership.user).verified
    assert log_in(client, "newrep@alpha.example", "a-long-secret-2026").status_code == 302
    assert is_logged_in(client)


# --- closed sign-up -----------------------------------------------------------------------------------------


def test_sign_up_is_closed(client, world):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert 'name="password1"' not in response.content.decode()

    before = User.objects.count()
    email = "stranger@example.com"
    response = client.post(
        reverse("account_signup"),
        {"email": email, "password1": "a-long-secret-2026", "password2": "a-long-secret-2026"},
    )
    assert User.objects.count() == before
    assert not User.objects.filter(email=email).exists()
    assert not is_logged_in(client)


def test_login_page_does_not_offer_sign_up(client, db):
    content = client.get(LOGIN_URL).content.decode()
    assert reverse("account_signup") not in content
    assert reverse("account_reset_password") in content


# --- deactivation ends sessions -----------------------------------------------------------------------------


def test_deactivated_rep_is_logged_out_on_the_next_request(client, world):
    log_in(client, world.partner_rep.email)
    assert client.get(dashboard(world.acme)).status_code == 200

    with vendor_scope(world.acme):
        admin = Membership.objects.get(user=world.partner_admin)
        rep = Membership.objects.get(user=world.partner_rep)
        services.membership_deactivate(access=Access(vendor=world.acme, membership=admin), membership=rep)

    response = client.get(reverse("account_change_password"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not is_logged_in(client)


# --- every account page renders in the product frame --------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle=", re.IGNORECASE)


def assert_product_page(response, frame: str) -> str:
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "base.html" in names
    assert "allauth/layouts/base.html" in names
    content = response.content.decode()
    assert 'class="app-navbar' in content or "app-navbar" in content
    assert f'class="{frame}' in content, frame
    assert not INLINE_SCRIPT.search(content)
    assert not STYLE_ATTRIBUTE.search(content)
    assert f'href="{reverse("account_signup")}' not in content  # sign-up is closed: never offered
    return content


ENTRANCE = "auth-card"
MANAGE = "account-layout"


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("account_login", {}),
        ("account_signup", {}),
        ("account_reset_password", {}),
        ("account_reset_password_done", {}),
        ("account_reset_password_from_key", {"uidb36": "1", "key": "bad-key"}),
        ("account_reset_password_from_key_done", {}),
        ("account_email_verification_sent", {}),
        ("account_confirm_email", {"key": "unknown-key"}),
        ("account_inactive", {}),
    ],
)
def test_entrance_pages_render_as_a_card(client, db, name, kwargs):
    content = assert_product_page(client.get(reverse(name, kwargs=kwargs)), ENTRANCE)
    assert "<h1" in content


def test_login_page_uses_bootstrap_fields(client, db):
    content = assert_product_page(client.get(LOGIN_URL), ENTRANCE)
    assert re.search(r'<input type="email" name="login"[^>]*class="[^"]*form-control', content)
    assert re.search(r'<input type="password" name="password"[^>]*class="[^"]*form-control', content)
    assert re.search(r'<input type="checkbox" name="remember"[^>]*class="[^"]*form-check-input', content)
    assert '<label for="id_login"' in content or 'for="id_login"' in content
    assert 'class="btn btn-primary w-100"' in content


def test_login_page_speaks_japanese(db):
    response = Client(headers={"accept-language": "ja"}).get(LOGIN_URL)
    content = assert_product_page(response, ENTRANCE)
    assert '<html lang="ja">' in content
    assert "ログイン" in content and "パスワード" in content


def test_login_errors_mark_the_fields(client, db):
    response = client.post(LOGIN_URL, {"login": "not-an-email", "password": ""})
    content = assert_product_page(response, ENTRANCE)
    assert "is-invalid" in content
    assert "invalid-feedback" in content


def test_confirm_email_page_with_a_valid_key(client, db):
    user = User.objects.create_user(email="new@alpha.example", password=PASSWORD)
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    key = EmailConfirmationHMAC(address).key
    content = assert_product_page(client.get(reverse("account_confirm_email", args=[key])), ENTRANCE)
    assert 'class="btn btn-primary"' in content


def test_password_reset_from_key_form_renders(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": world.partner_rep.email})
    link = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    content = assert_product_page(client.get(link, follow=True), ENTRANCE)
    assert 'name="password1"' in content and "form-control" in content


@pytest.mark.parametrize(
    "name", ["account_change_password", "account_email", "mfa_index", "mfa_activate_totp"]
)
def test_manage_pages_render_in_the_account_frame(client, world, name):
    log_in(client, world.partner_rep.email)
    reauthenticate(client)
    content = assert_product_page(client.get(reverse(name)), MANAGE)
    assert 'class="account-nav"' in content


def test_totp_activation_page_shows_qr_secret_and_code_field(client, world):
    log_in(client, world.partner_rep.email)
    reauthenticate(client)
    content = assert_product_page(client.get(reverse("mfa_activate_totp")), MANAGE)
    assert re.search(r'<img class="totp-qr" src="data:image/svg\+xml;base64,[^"]+"', content)
    assert f'value="{client.session[SECRET_SESSION_KEY]}"' in content
    assert re.search(r'<input[^>]*name="code"', content)
    assert 'class="alert alert-warning"' not in content  # no "your vendor requires" notice without ?next=


def test_logout_page_renders(client, world):
    log_in(client, world.partner_rep.email)
    assert_product_page(client.get(reverse("account_logout")), ENTRANCE)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not is_logged_in(client)


def test_reauthenticate_page_renders(client, world):
    client.force_login(world.partner_rep, backend="django.contrib.auth.backends.ModelBackend")
    # Without a recent password login, sensitive pages ask for the password again first.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    content = assert_product_page(client.get(response["Location"]), ENTRANCE)
    assert 'name="password"' in content


def test_pages_of_an_enrolled_user_render(client, world):
    secret, _ = enrol_totp(world.partner_rep)
    log_in(client, world.partner_rep.email)
    content = assert_product_page(client.get(reverse("mfa_authenticate")), ENTRANCE)
    assert 'name="code"' in content
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert is_logged_in(client)
    reauthenticate(client)

    content = assert_product_page(client.get(reverse("mfa_index")), MANAGE)
    assert reverse("mfa_deactivate_totp") in content and reverse("mfa_view_recovery_codes") in content
    content = assert_product_page(client.get(reverse("mfa_view_recovery_codes")), MANAGE)
    assert "<textarea" in content and 'class="form-control' in content
    assert_product_page(client.get(reverse("mfa_generate_recovery_codes")), MANAGE)
    content = assert_product_page(client.get(reverse("mfa_deactivate_totp")), MANAGE)
    assert "btn btn-danger" in content

    # Sensitive MFA pages ask an enrolled user to confirm again when the confirmation is not recent.
    client.logout()
    client.force_login(world.partner_rep, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("mfa_generate_recovery_codes"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    content = assert_product_page(client.get(response["Location"]), ENTRANCE)
    assert reverse("mfa_reauthenticate") in content  # the authenticator code is offered as an alternative
    content = assert_product_page(client.get(reverse("mfa_reauthenticate")), ENTRANCE)
    assert 'name="code"' in content


def test_deactivating_totp_through_the_page(client, world):
    secret, _ = enrol_totp(world.partner_rep)
    log_in(client, world.partner_rep.email)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    reauthenticate(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.partner_rep, type=Authenticator.Type.TOTP).exists()


def test_email_page_lists_the_verified_address(client, world):
    log_in(client, world.partner_rep.email)
    content = assert_product_page(client.get(reverse("account_email")), MANAGE)
    assert world.partner_rep.email in content
    assert "form-check-input" in content
    assert "text-bg-success" in content


def test_change_password_through_the_page(client, world):
    log_in(client, world.partner_rep.email)
    new_password = "another-long-secret-2026"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    world.partner_rep.refresh_from_db()
    assert world.partner_rep.check_password(new_password)
