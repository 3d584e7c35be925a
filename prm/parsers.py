"""The API's JSON parser: DRF's, with a limit on how deeply a body may nest.

A body nested a few thousand levels deep makes Python's decoder raise ``RecursionError`` (a 500 before anyone is
authenticated), and one nested a few hundred levels deep would reach code that walks it. No request of this API
nests deeper than a handful of levels, so anything past :data:`MAX_DEPTH` is a 400.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 20


def depth_of(value) -> int:
    """How many arrays and objects deep ``value`` nests (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        if depth_of(data) > MAX_DEPTH:
            raise ParseError(_("The JSON body is nested too deeply."))
        return data
