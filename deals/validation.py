"""Field rules of the deal template (DESIGN §4): the 3-line proposal reason, the corporate number, and the
normalised customer name used to find registration conflicts."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

REASON_MAX_LINES = 3
REASON_MAX_CHARS = 60


def reason_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def validate_proposal_reason(text: str) -> None:
    """At most 3 non-empty lines of at most 60 characters each (characters, not bytes: Japanese counts 1)."""
    lines = reason_lines(text)
    errors = []
    if not lines:
        errors.append(_("Write the proposal reason in one to three lines."))
    if len(lines) > REASON_MAX_LINES:
        errors.append(
            _("The proposal reason has %(count)d lines; keep it to %(max)d lines.")
            % {"count": len(lines), "max": REASON_MAX_LINES}
        )
    for number, line in enumerate(lines, start=1):
        if len(line) > REASON_MAX_CHARS:
            errors.append(
                ngettext(
                    "Line %(line)d is %(length)d characters long, %(over)d character over the limit of %(max)d.",
                    "Line %(line)d is %(length)d characters long, %(over)d characters over the limit of %(max)d.",
                    len(line) - REASON_MAX_CHARS,
                )
                % {
                    "line": number,
                    "length": len(line),
                    "over": len(line) - REASON_MAX_CHARS,
                    "max": REASON_MAX_CHARS,
                }
            )
    if errors:
        raise ValidationError(errors, code="proposal_reason")


def clean_proposal_reason(text: str) -> str:
    """The stored form: the non-empty lines, trimmed, joined by newlines."""
    return "\n".join(reason_lines(text))


def corporate_number_check_digit(base: str) -> int:
    """Check digit of a 法人番号 from its other 12 digits: 9 − (Σ Pn·Qn mod 9), n counted from the right,
    Qn = 1 for odd n and 2 for even n."""
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def normalize_corporate_number(value: str) -> str:
    """Full-width digits, spaces and hyphens are accepted as typed; the stored form is 13 ASCII digits."""
    return re.sub(r"[\s\-‐－]", "", unicodedata.normalize("NFKC", value or ""))


def validate_corporate_number(value: str) -> None:
    if not value:
        return
    if not re.fullmatch(r"[0-9]{13}", value):
        raise ValidationError(_("A corporate number has exactly 13 digits."), code="corporate_number_format")
    if int(value[0]) != corporate_number_check_digit(value[1:]):
        raise ValidationError(
            _("This corporate number's check digit does not match; check the number for a typo."),
            code="corporate_number_check_digit",
        )


# Company-form words removed before comparing names, after NFKC (so ㈱ is already (株)) and lower-casing.
_COMPANY_FORMS = (
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "一般社団法人",
    "一般財団法人",
    "(株)",
    "(有)",
    "(同)",
    "co., ltd.",
    "co.,ltd.",
    "co., ltd",
    "co.,ltd",
    "co. ltd.",
    "co ltd",
    "corporation",
    "incorporated",
    "limited",
    "company",
    "corp.",
    "inc.",
    "ltd.",
    "k.k.",
    "corp",
    "inc",
    "ltd",
    "llc",
    "kk",
    "gk",
)
_FORMS_RE = re.compile(
    "|".join(
        # ASCII forms only as whole words, so "Incline" or "Kkorea" keep their letters; forms with kanji such
        # as "(株)" wherever they stand, also right after a letter or digit ("NTT(株)").
        re.escape(form) if not form.isascii() else rf"(?<![a-z0-9]){re.escape(form)}(?![a-z0-9])"
        for form in _COMPANY_FORMS
    )
)
# Spaces and punctuation; the katakana long-vowel mark ー is part of a name and stays.
_IGNORED_RE = re.compile(r"[\s.,・･、。'\"()\[\]{}\-‐—_/&]+")


def normalize_customer_name(name: str) -> str:
    """The comparison key of a customer name: NFKC, case-folded, company forms, spaces and punctuation removed.

    ``株式会社サンプル``, ``(株)サンプル``, ``㈱サンプル`` and ``ｻﾝﾌﾟﾙ 株式会社`` give the same key, as do
    ``Sample Co., Ltd.``, ``SAMPLE Inc.`` and ``Ｓａｍｐｌｅ``.
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _FORMS_RE.sub(" ", text)
    return _IGNORED_RE.sub("", text)
