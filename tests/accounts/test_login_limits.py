"""Failed-login limits that cannot be turned against a user: they count per account and client address, the
address is the one the trusted proxy saw (what a client writes into X-Forwarded-For is not believed), and the
platform admin's login is the same login with the same limits."""

from django.test import Client

from partners.models import AuthEvent, AuthEventKind
from tests.conftest import PASSWORD
from tests.partners.test_accounts import is_logged_in, log_in, shows_error

ATTACKER, OWNER = "203.0.113.9", "198.51.100.20"


def behind_proxy(seen_by_proxy: str, claimed: str = "") -> Client:
    """A browser whose requests reach us through the proxy, which appends the address it saw."""
    forwarded = f"{claimed}, {seen_by_proxy}" if claimed else seen_by_proxy
    return Client(headers={"accept-language": "en", "x-forwarded-for": forwarded})


def test_an_attacker_cannot_lock_the_owner_out(world):
    attacker = behind_proxy(ATTACKER)
    for _ in range(5):
        log_in(attacker, world.partner_rep.email, "guessing")
    response = log_in(attacker, world.partner_rep.email, PASSWORD)
    assert shows_error(response, "too_many_login_attempts")
    owner = behind_proxy(OWNER)
    assert log_in(owner, world.partner_rep.email).status_code == 302
    assert is_logged_in(owner)


def test_a_forged_forwarded_address_does_not_reset_the_count(world):
    for attempt in range(5):
        log_in(behind_proxy(ATTACKER, claimed=f"10.0.0.{attempt}"), world.partner_rep.email, "guessing")
    response = log_in(behind_proxy(ATTACKER, claimed="10.0.0.99"), world.partner_rep.email, PASSWORD)
    assert shows_error(response, "too_many_login_attempts")


def test_the_authentication_log_has_the_address_the_proxy_saw(world):
    log_in(behind_proxy(OWNER, claimed="10.9.9.9"), world.partner_rep.email, "guessing")
    event = AuthEvent.objects.filter(event=AuthEventKind.LOGIN_FAILED).latest("pk")
    assert event.ip == OWNER
