"""``POST /api/v1/auth/token/``, token and session authentication, ``GET /api/v1/me/`` (DESIGN §7)."""

from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from partners import services
from partners.models import ApiToken, token_digest
from tests.api.conftest import Mfa
from tests.conftest import PASSWORD, add_member

TOKEN_URL = reverse("api_token")
ME_URL = reverse("api_me")


def obtain(api, email, password=PASSWORD, **extra):
    return api.post(TOKEN_URL, {"email": email, "password": password, **extra}, format="json")


class TestToken:
    def test_good_credentials_give_a_working_token(self, world, api):
        response = obtain(api, "admin@acme.example")
        assert response.status_code == 201
        token = response.json()["token"]
        assert ApiToken.objects.get(key_digest=token_digest(token)).user == world.vendor_admin
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api.get(ME_URL).json()["email"] == "admin@acme.example"

    def test_email_is_case_insensitive(self, world, api):
        assert obtain(api, "Admin@ACME.example").status_code == 201

    def test_only_the_digest_is_stored(self, world, api):
        token = obtain(api, "admin@acme.example").json()["token"]
        assert not ApiToken.objects.filter(key_digest=token).exists()

    def test_wrong_password_is_a_400_with_a_message(self, world, api):
        response = obtain(api, "admin@acme.example", "not-the-password")
        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": ["The email address and/or password you specified are not correct."]
        }
        assert not ApiToken.objects.exists()

    def test_messages_follow_the_language(self, world, api):
        response = api.post(
            TOKEN_URL,
            {"email": "admin@acme.example", "password": "x"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="ja",
        )
        assert response.json() == {
            "non_field_errors": ["入力されたメールアドレスもしくはパスワードが正しくありません。"]
        }

    def test_unknown_email_answers_like_a_wrong_password(self, world, api):
        unknown = obtain(api, "nobody@acme.example")
        wrong = obtain(api, "admin@acme.example", "not-the-password")
        assert unknown.status_code == wrong.status_code == 400
        assert unknown.json() == wrong.json()

    def test_missing_fields_are_named(self, world, api):
        response = api.post(TOKEN_URL, {"email": "not-an-email"}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"email", "password"}

    def test_inactive_user_gets_no_token(self, world, api):
        world.partner_rep.is_active = False
        world.partner_rep.save()
        response = obtain(api, "rep@alpha.example")
        assert response.status_code == 400
        assert response.json() == obtain(api, "rep@alpha.example", "guess").json()

    def test_unverified_email_gets_no_token(self, world, api):
        world.partner_rep.emailaddress_set.update(verified=False)
        response = obtain(api, "rep@alpha.example")
        assert response.status_code == 400
        assert "email" in response.json()

    def test_failed_attempts_are_throttled(self, world, api):
        for _attempt in range(5):
            assert obtain(api, "rep@alpha.example", "guess").status_code == 400
        response = obtain(api, "rep@alpha.example", "guess")
        assert response.status_code == 429
        assert response.json()["detail"] == "Too many failed attempts. Try again later."
        # Even the right password waits: guessing cannot continue until the limit has passed.
        assert obtain(api, "rep@alpha.example").status_code == 429
        # Another account is not locked by someone guessing this one's password.
        assert obtain(api, "padmin@alpha.example").status_code == 201

    def test_successful_logins_do_not_count_as_failures(self, world, api):
        for _attempt in range(8):
            assert obtain(api, "rep@alpha.example").status_code == 201

    def test_get_is_not_allowed(self, world, api):
        assert api.get(TOKEN_URL).status_code == 405


class TestTokenWithMfa:
    def test_otp_is_required_when_mfa_is_on(self, world, api):
        Mfa(world.partner_admin)
        response = obtain(api, "padmin@alpha.example")
        assert response.status_code == 400
        assert list(response.json()) == ["otp"]
        assert not ApiToken.objects.exists()

    def test_valid_totp_code_gives_a_token(self, world, api):
        mfa = Mfa(world.partner_admin)
        response = obtain(api, "padmin@alpha.example", otp=mfa.code())
        assert response.status_code == 201
        assert ApiToken.objects.get().user == world.partner_admin

    def test_a_totp_code_works_once(self, world, api):
        mfa = Mfa(world.partner_admin)
        code = mfa.code()
        assert obtain(api, "padmin@alpha.example", otp=code).status_code == 201
        assert obtain(api, "padmin@alpha.example", otp=code).status_code == 400

    def test_wrong_code_is_refused(self, world, api):
        mfa = Mfa(world.partner_admin)
        wrong = "000000" if mfa.code() != "000000" else "111111"
        response = obtain(api, "padmin@alpha.example", otp=wrong)
        assert response.status_code == 400
        assert response.json() == {"otp": ["This code is not valid."]}

    def test_recovery_code_works_once(self, world, api):
        mfa = Mfa(world.partner_admin)
        code = mfa.recovery_codes[0]
        assert obtain(api, "padmin@alpha.example", otp=code).status_code == 201
        assert obtain(api, "padmin@alpha.example", otp=code).status_code == 400

    def test_wrong_codes_are_throttled(self, world, api):
        mfa = Mfa(world.partner_admin)
        wrong = "000000" if mfa.code() != "000000" else "111111"
        for _attempt in range(5):
            assert obtain(api, "padmin@alpha.example", otp=wrong).status_code == 400
        assert obtain(api, "padmin@alpha.example", otp=wrong).status_code == 429
        assert obtain(api, "padmin@alpha.example", otp=mfa.code()).status_code == 429

    def test_wrong_password_is_checked_before_the_code(self, world, api):
        mfa = Mfa(world.partner_admin)
        response = obtain(api, "padmin@alpha.example", "guess", otp=mfa.code())
        assert response.status_code == 400
        assert "non_field_errors" in response.json()

    def test_vendor_admin_without_mfa_on_a_vendor_requiring_it(self, world, api):
        world.acme.require_mfa_for_admins = True
        world.acme.save()
        response = obtain(api, "admin@acme.example")
        assert response.status_code == 403
        assert response.json()["code"] == "mfa_required"
        assert not ApiToken.objects.exists()

    def test_wrong_password_does_not_reveal_the_mfa_requirement(self, world, api):
        world.acme.require_mfa_for_admins = True
        world.acme.save()
        assert obtain(api, "admin@acme.example", "guess").status_code == 400

    def test_vendor_admin_with_mfa_on_a_vendor_requiring_it(self, world, api):
        world.acme.require_mfa_for_admins = True
        world.acme.save()
        mfa = Mfa(world.vendor_admin)
        assert obtain(api, "admin@acme.example", otp=mfa.code()).status_code == 201

    def test_other_roles_need_no_mfa_on_such_a_vendor(self, world, api):
        world.acme.require_mfa_for_admins = True
        world.acme.save()
        assert obtain(api, "cm@acme.example").status_code == 201
        assert obtain(api, "padmin@alpha.example").status_code == 201


class TestAuthentication:
    def test_token_header_authenticates(self, world, api_with_token):
        api = api_with_token(world.channel_manager)
        response = api.get(reverse("api_partner_list", kwargs={"vendor_slug": "acme"}))
        assert response.status_code == 200

    def test_unknown_token_is_401(self, world, api):
        api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        assert api.get(ME_URL).status_code == 401

    def test_token_of_a_deactivated_user_is_refused(self, world, api_with_token):
        api = api_with_token(world.partner_rep)
        world.partner_rep.end_all_sessions()
        assert api.get(ME_URL).status_code == 401

    def test_session_authenticates(self, world, api_as):
        api = api_as(world.channel_manager)
        assert api.get(reverse("api_partner_list", kwargs={"vendor_slug": "acme"})).status_code == 200

    def test_session_writes_need_the_csrf_token(self, world):
        api = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
        api.force_login(world.vendor_admin, backend="django.contrib.auth.backends.ModelBackend")
        url = reverse("api_partner_list", kwargs={"vendor_slug": "acme"})
        response = api.post(url, {"name": "Delta"}, format="json")
        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]

    def test_token_writes_need_no_csrf_token(self, world):
        api = APIClient(enforce_csrf_checks=True)
        api.credentials(HTTP_AUTHORIZATION=f"Token {services.api_token_issue(user=world.vendor_admin)}")
        url = reverse("api_partner_list", kwargs={"vendor_slug": "acme"})
        assert api.post(url, {"name": "Delta"}, format="json").status_code == 201

    def test_anonymous_is_401(self, world, api):
        assert api.get(ME_URL).status_code == 401
        assert api.get(reverse("api_partner_list", kwargs={"vendor_slug": "acme"})).status_code == 401

    def test_vendor_endpoints_enforce_mfa_for_vendor_admins(self, world, api_as):
        world.acme.require_mfa_for_admins = True
        world.acme.save()
        response = api_as(world.vendor_admin).get(reverse("api_partner_list", kwargs={"vendor_slug": "acme"}))
        assert response.status_code == 403
        assert response.json()["code"] == "mfa_required"


class TestMe:
    def test_memberships_across_vendors(self, world, api_as):
        with scopes_disabled():
            add_member(world.partner_rep, world.rival, "partner_rep", world.gamma)
        response = api_as(world.partner_rep).get(ME_URL)
        assert response.status_code == 200
        assert response.json() == {
            "email": "rep@alpha.example",
            "memberships": [
                {"vendor": "acme", "role": "partner_rep", "partner": world.alpha.pk},
                {"vendor": "rival", "role": "partner_rep", "partner": world.gamma.pk},
            ],
        }

    def test_vendor_staff_have_no_partner(self, world, api_as):
        response = api_as(world.vendor_admin).get(ME_URL)
        assert response.json()["memberships"] == [{"vendor": "acme", "role": "vendor_admin", "partner": None}]

    def test_inactive_memberships_are_left_out(self, world, api_as):
        with scopes_disabled():
            world.partner_rep.memberships.update(is_active=False)
        assert api_as(world.partner_rep).get(ME_URL).json()["memberships"] == []
