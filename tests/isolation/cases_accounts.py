"""Account pages (django-allauth). They belong to the signed-in user, never to a vendor, so every role sees
the same thing: its own account. Anonymous users are sent to log in where an account is needed."""

from tests.isolation.cases import LOGIN, Case, expect

NONE = lambda w: {}  # noqa: E731

ALL = lambda status: expect(status, status, status, status, status, status, status)  # noqa: E731
SIGNED_IN = lambda status: expect(LOGIN, status, status, status, status, status, status)  # noqa: E731

CASES = [
    Case("account_login", expect(200, 302, 302, 302, 302, 302, 302), kwargs=NONE),
    Case("account_logout", SIGNED_IN(200), kwargs=NONE),
    Case(
        "account_logout", expect(302, 302, 302, 302, 302, 302, 302), kwargs=NONE, method="post", label="post"
    ),
    Case("account_signup", expect(200, 302, 302, 302, 302, 302, 302), kwargs=NONE),
    Case("account_inactive", ALL(200), kwargs=NONE),
    Case("account_email_verification_sent", ALL(200), kwargs=NONE),
    Case("account_confirm_email", ALL(200), kwargs=lambda w: {"key": "unknown-key"}),
    # Login by a mailed code: a signed-in user is sent on; confirming needs a code asked for first.
    Case("account_request_login_code", expect(200, 302, 302, 302, 302, 302, 302), kwargs=NONE),
    Case("account_confirm_login_code", expect(302, 302, 302, 302, 302, 302, 302), kwargs=NONE),
    Case("account_reset_password", ALL(200), kwargs=NONE),
    Case("account_reset_password_done", ALL(200), kwargs=NONE),
    Case("account_reset_password_from_key", ALL(200), kwargs=lambda w: {"uidb36": "1", "key": "bad-key"}),
    Case("account_reset_password_from_key_done", ALL(200), kwargs=NONE),
    Case("account_change_password", SIGNED_IN(200), kwargs=NONE),
    Case("account_set_password", SIGNED_IN(302), kwargs=NONE),
    Case("account_email", SIGNED_IN(200), kwargs=NONE),
    Case("account_reauthenticate", SIGNED_IN(200), kwargs=NONE),
    # Reauthentication by a mailed code (allauth 65.22): only for a signed-in user, and only once that user has
    # asked for a code; without one the confirmation page sends them back to ask.
    Case("account_request_reauthentication_code", SIGNED_IN(200), kwargs=NONE),
    Case("account_confirm_reauthentication_code", SIGNED_IN(302), kwargs=NONE),
    Case("mfa_index", SIGNED_IN(200), kwargs=NONE),
    Case("mfa_authenticate", expect(302, 302, 302, 302, 302, 302, 302), kwargs=NONE),
    Case("mfa_reauthenticate", SIGNED_IN(302), kwargs=NONE),
    Case("mfa_activate_totp", SIGNED_IN(302), kwargs=NONE),
    Case("mfa_deactivate_totp", SIGNED_IN(404), kwargs=NONE),
    Case("mfa_view_recovery_codes", SIGNED_IN(404), kwargs=NONE),
    Case("mfa_generate_recovery_codes", SIGNED_IN(302), kwargs=NONE),
    Case("mfa_download_recovery_codes", SIGNED_IN(404), kwargs=NONE),
]
