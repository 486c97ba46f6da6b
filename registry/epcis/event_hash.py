"""CBV 2.0 event hash IDs: the identifier any party computes for the same EPCIS event.

``ni:///sha-256;<hex>?ver=CBV2.0`` is the SHA-256 of the event's CBV 2.0 pre-hash string, built as
GS1's reference implementation (``epcis-event-hash-generator`` 1.9.3) builds it, so that the IDs agree
with it on GS1's conformance vectors; see :mod:`registry.epcis._prehash` for the few places where the
reference fails or depends on JSON key order and this implementation does not.

An event's ID depends on the event and its document's ``@context`` only. Fields that a repository adds
to the events it stores (dataledger's ``dataledger:anchor``, another repository's ``example:captureID``)
are not part of the event and must be left out: ``ignore_fields`` names them, either as full IRIs or as
``prefix:name`` (resolved with the document's ``@context``), and they are matched by expanded name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dataledger.registry.epcis._jsonld import (
    ActiveContext,
    JsonLdInvalid,
    JsonLdUnsupported,
    document_context,
)
from dataledger.registry.epcis._prehash import Unhashable, context_namespaces, namespace_replace, prehash
from dataledger.registry.epcis.document import EpcisDocument
from dataledger.registry.epcis.problems import Problem, refuse_if_any
from dataledger.registry.epcis.validation import EPCIS_CONTEXT_URL
from dataledger.registry.errors import EpcisDocumentInvalid

DEFAULT_CONTEXT: tuple[str, ...] = (EPCIS_CONTEXT_URL,)
"""The ``@context`` of an event given on its own: GS1's EPCIS 2.0 context and nothing else."""

DATALEDGER_ADDED_FIELDS: tuple[str, ...] = ("dataledger:anchor",)
"""Fields dataledger adds to the events it stores; never part of an event's hash ID."""


@dataclass(frozen=True)
class EventHashId:
    """An event's computed hash ID beside the ``eventID`` the event declares, if any."""

    hash_id: str
    declared_event_id: str | None = None

    @property
    def declared_matches(self) -> bool | None:
        """Whether the declared ``eventID`` is this hash ID (None when the event declares none)."""
        return None if self.declared_event_id is None else self.declared_event_id == self.hash_id


class _Hasher:
    """Hashes events of one ``@context`` with one set of ignored fields (both processed once)."""

    def __init__(self, context: Any, ignore_fields: Iterable[str]) -> None:
        self.context = list(context) if isinstance(context, tuple) else context
        self.active: ActiveContext = document_context(self.context)
        self.namespaces = context_namespaces(self.context)
        if isinstance(ignore_fields, str):
            ignore_fields = (ignore_fields,)
        self.ignored = frozenset(self._field_iri(name) for name in ignore_fields)
        self._is_ignored: dict[str, bool] = {}

    def _field_iri(self, name: str) -> str:
        iri: str = namespace_replace(name, self.namespaces).replace("{", "").replace("}", "")
        return iri

    def _ignored(self, key: str) -> bool:
        known = self._is_ignored.get(key)
        if known is None:
            known = self._is_ignored[key] = self._field_iri(key) in self.ignored
        return known

    def without_ignored_fields(self, event: Mapping[str, Any]) -> Mapping[str, Any]:
        if not self.ignored or not any(self._ignored(key) for key in event):
            return event
        return {key: value for key, value in event.items() if not self._ignored(key)}

    def prehash(self, event: Mapping[str, Any]) -> str:
        if not isinstance(event, Mapping):
            raise Unhashable("an event must be a JSON object")
        return prehash(dict(self.without_ignored_fields(event)), self.active, self.context)

    def hash_id(self, event: Mapping[str, Any]) -> str:
        digest = hashlib.sha256(self.prehash(event).encode("utf-8")).hexdigest()
        return f"ni:///sha-256;{digest}?ver=CBV2.0"


_NOT_HASHABLE = (Unhashable, JsonLdUnsupported, JsonLdInvalid)


def _refusal(event_index: int | None, field: str, message: str) -> EpcisDocumentInvalid:
    return EpcisDocumentInvalid([Problem(event_index, field, message)])


def _hasher(context: Any, ignore_fields: Iterable[str]) -> _Hasher:
    try:
        return _Hasher(context, ignore_fields)
    except (JsonLdUnsupported, JsonLdInvalid) as error:
        raise _refusal(None, "@context", str(error)) from None


def event_prehash(
    event: Mapping[str, Any],
    context: Any = DEFAULT_CONTEXT,
    *,
    ignore_fields: Iterable[str] = DATALEDGER_ADDED_FIELDS,
) -> str:
    """The CBV 2.0 pre-hash string of one event (what is hashed; useful to see why two IDs differ)."""
    hasher = _hasher(context, ignore_fields)
    try:
        return hasher.prehash(event)
    except _NOT_HASHABLE as error:
        raise _refusal(None, "$", str(error)) from None


def event_hash_id(
    event: Mapping[str, Any],
    context: Any = DEFAULT_CONTEXT,
    *,
    ignore_fields: Iterable[str] = DATALEDGER_ADDED_FIELDS,
) -> str:
    """The CBV 2.0 event hash ID of one event under ``context`` (its document's ``@context``).

    Raises :class:`~registry.errors.EpcisDocumentInvalid` when the event cannot be hashed (JSON-LD
    outside the supported subset, or what the reference implementation cannot process). Validate
    events first (:func:`registry.epcis.validation.validate_event`); this function does not.
    """
    hasher = _hasher(context, ignore_fields)
    try:
        return hasher.hash_id(event)
    except _NOT_HASHABLE as error:
        raise _refusal(None, "$", str(error)) from None


def hash_events(
    document: EpcisDocument, *, ignore_fields: Iterable[str] = DATALEDGER_ADDED_FIELDS
) -> list[EventHashId]:
    """Each event's hash ID and declared ``eventID``, in document order; all or nothing."""
    hasher = _hasher(document.context, ignore_fields)
    results: list[EventHashId] = []
    problems: list[Problem] = []
    for index, event in enumerate(document.events):
        try:
            hash_id = hasher.hash_id(event)
        except _NOT_HASHABLE as error:
            problems.append(Problem(index, "$", str(error)))
            continue
        declared = event.get("eventID")
        results.append(EventHashId(hash_id, declared if isinstance(declared, str) else None))
    refuse_if_any(problems)
    return results


def document_event_hash_ids(
    document: EpcisDocument, *, ignore_fields: Iterable[str] = DATALEDGER_ADDED_FIELDS
) -> list[str]:
    """The hash IDs of a parsed document's events, in document order (``dataledger events hash``)."""
    return [result.hash_id for result in hash_events(document, ignore_fields=ignore_fields)]
