"""The text of a text content: plain paragraphs, or a small set of HTML tags, never scripts or styles.

Authors type into a plain text box. Text without tags becomes paragraphs (a blank line starts a new one);
text with tags keeps the allowed ones. What is shown is always cleaned by nh3 (the Ammonia sanitiser) when it is
rendered, so a change of the allowed set applies to everything already written.
"""

import re

import nh3
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}
TAG = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")


def disallowed_tags(text: str) -> list[str]:
    """The tags of ``text`` that would be removed, each once, in order of appearance."""
    found: list[str] = []
    for match in TAG.finditer(text or ""):
        name = match.group(1).lower()
        if name not in ALLOWED_TAGS and name not in found:
            found.append(name)
    return found


def body_html(text: str) -> SafeString:
    """The text as safe HTML."""
    if not text:
        return mark_safe("")
    if not nh3.is_html(text):
        # linebreaks escapes the text itself; nh3 then only confirms it.
        text = linebreaks(text, autoescape=True)
    cleaned = nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308  (sanitised by nh3 just above)
