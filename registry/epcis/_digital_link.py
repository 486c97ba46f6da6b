"""GS1 identifiers in their canonical GS1 Digital Link form, as the CBV 2.0 event hash writes them.

The conversion (EPC URNs, EPC class and pattern URNs, Digital Link URIs to a constrained canonical
``https://id.gs1.org/...`` URI) is the reference package's own ``dl_normaliser``, so identifiers hash
exactly as GS1's implementation hashes them. This wrapper only skips values that cannot match (every
pattern there is anchored on ``urn:epc:`` or ``http``) and memoises repeated identifiers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import cast

from dataledger.registry.epcis._reference_package import dl_normaliser_module

_CANDIDATE_PREFIXES = ("urn:epc:", "http")


@cache
def _normaliser() -> Callable[[str], str | None]:
    return cast(Callable[[str], str | None], dl_normaliser_module().normaliser)


@lru_cache(maxsize=1 << 16)
def canonical_digital_link(value: str) -> str | None:
    """The canonical GS1 Digital Link URI for ``value``, or None when it conveys no GS1 key."""
    if "." not in value or not value.startswith(_CANDIDATE_PREFIXES):
        return None
    return _normaliser()(value)
