"""Bounds on JSON read from outside, checked on the raw bytes before any parser sees them.

Python's JSON parser recurses once per nesting level, and the chain libraries this project loads raise
the interpreter's recursion limit (py-ecc to 100,000, py-evm to 12,288) far beyond what the C stack
holds; a few hundred kilobytes of ``[[[[…`` would then end the process with SIGSEGV instead of a
``RecursionError``. So the depth of every JSON text that comes from outside (a request body, a file
given to the CLI) is measured by a flat scan first, and a text nested deeper than its limit is refused
without being parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from dataledger.registry.errors import JsonNestedTooDeeply

DEFAULT_MAX_DEPTH = 64
"""Deep enough for every document this registry accepts (an EPCIS document with ILMD and extensions
nests about ten levels), shallow enough for any recursive code that walks a parsed value."""

# A JSON string, escapes included; what is inside one cannot open or close a level.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN = frozenset(b"[{")


def nesting_depth_exceeds(raw: bytes | str, max_depth: int) -> bool:
    """Whether ``raw`` opens more than ``max_depth`` nested arrays or objects at some point.

    Linear in the size of ``raw`` and never recursive. Text that is not valid JSON is measured all the
    same (an unterminated string counts its brackets): the parser refuses it afterwards anyway.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    brackets = _STRING.sub(b"", data).translate(None, _NOT_A_BRACKET)
    if len(brackets) <= 2 * max_depth:
        return False  # too few brackets to go deeper than the limit
    depth = 0
    for byte in brackets:
        if byte in _OPEN:
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def check_nesting(raw: bytes | str, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Raise :class:`~registry.errors.JsonNestedTooDeeply` when ``raw`` nests deeper than ``max_depth``."""
    if nesting_depth_exceeds(raw, max_depth):
        raise JsonNestedTooDeeply(f"the JSON is nested deeper than {max_depth} levels", max_depth=max_depth)


def loads(raw: bytes | str, max_depth: int = DEFAULT_MAX_DEPTH, **options: Any) -> Any:
    """``json.loads`` for text from outside: refuses nesting deeper than ``max_depth`` before parsing."""
    check_nesting(raw, max_depth)
    return json.loads(raw, **options)
