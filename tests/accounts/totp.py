"""Authenticator-app codes for the tests: the current one, and one that is surely wrong."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def current_code(secret: str) -> str:
    # Never hand out a code that expires before the request arrives.
    if time.time() % 30 > 28:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def wrong_code(secret: str) -> str:
    step = int(time.time()) // 30
    valid = {format_hotp_value(hotp_value(secret, step + offset)) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
