"""EPCIS 2.0 JSON / JSON-LD documents: parsed, checked and refused whole, or accepted with their events.

Two kinds of document carry events: capture documents (``EPCISDocument``, events under
``epcisBody.eventList``) and query documents (``EPCISQueryDocument``, events under
``epcisBody.queryResults.resultsBody.eventList``). :func:`parse_document` is the only way to build an
:class:`EpcisDocument`, so a document that exists is well formed: strict JSON (no duplicate keys, no
NaN), within the size limits, a supported ``@context``, and every event valid (see
:mod:`registry.epcis.validation`). Otherwise one :class:`~registry.errors.EpcisDocumentInvalid` lists
every problem found (:class:`~registry.errors.EpcisDocumentTooLarge` for the limits).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from dataledger.registry.epcis._jsonld import JsonLdInvalid, JsonLdUnsupported, document_context
from dataledger.registry.epcis.problems import Problem, refuse_if_any
from dataledger.registry.epcis.rfc3339 import parse_date_time
from dataledger.registry.epcis.validation import validate_events
from dataledger.registry.errors import EpcisDocumentInvalid, EpcisDocumentTooLarge
from dataledger.registry.json_input import nesting_depth_exceeds

CAPTURE_DOCUMENT = "EPCISDocument"
QUERY_DOCUMENT = "EPCISQueryDocument"
SCHEMA_VERSION = "2.0"
DocumentKind = Literal["EPCISDocument", "EPCISQueryDocument"]


@dataclass(frozen=True)
class DocumentLimits:
    """What a single document may hold; larger documents are refused before they are read."""

    max_bytes: int = 10 * 1024 * 1024
    max_events: int = 100_000
    max_depth: int = 64


DEFAULT_LIMITS = DocumentLimits()


@dataclass(frozen=True)
class EpcisDocument:
    """A valid EPCIS 2.0 document: its kind, its ``@context`` and its events in document order.

    Build it with :func:`parse_document`. The events are the parsed JSON objects; treat them as read-only.
    """

    kind: DocumentKind
    context: Any
    events: tuple[dict[str, Any], ...]


class _DuplicateKey(ValueError):
    pass


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        # last-one-wins differs between parsers, so two parties could hash different events
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(f"duplicate key {key!r} in a JSON object")
            seen.add(key)
    return obj


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _decode(data: bytes | str, limits: DocumentLimits) -> Any:
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > limits.max_bytes:
        raise EpcisDocumentTooLarge(
            [Problem(None, "$", f"the document has {size} bytes; at most {limits.max_bytes} are accepted")],
            size=size,
            max_bytes=limits.max_bytes,
        )
    if nesting_depth_exceeds(data, limits.max_depth):
        # Measured before parsing: the parser itself recurses per level (see registry.json_input).
        message = f"the JSON is nested deeper than {limits.max_depth} levels"
        raise EpcisDocumentInvalid([Problem(None, "$", message)], max_depth=limits.max_depth)
    try:
        return json.loads(data, object_pairs_hook=_strict_object, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise EpcisDocumentInvalid(
            [Problem(None, "$", f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}")],
            line=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:
        raise EpcisDocumentInvalid([Problem(None, "$", "the JSON is nested too deeply")]) from None
    except ValueError as error:  # not UTF-8/16/32, a duplicate key, NaN or Infinity
        raise EpcisDocumentInvalid([Problem(None, "$", f"not acceptable JSON: {error}")]) from None


def _context_problems(context: Any) -> list[Problem]:
    try:
        document_context(context)
    except (JsonLdUnsupported, JsonLdInvalid) as error:
        return [Problem(None, "@context", str(error))]
    if isinstance(context, list):
        for position, entry in enumerate(context):
            if isinstance(entry, dict):
                for term, iri in entry.items():
                    if not isinstance(iri, str):
                        # the reference implementation reads every entry as a namespace IRI
                        where = f"@context[{position}].{term}"
                        return [Problem(None, where, "only 'prefix': 'IRI' entries are supported")]
    return []


def _event_list(root: dict[str, Any], kind: str, problems: list[Problem]) -> tuple[str, list[Any] | None]:
    """The event list and its path; a problem (and None) when the body does not lead to one."""
    steps = ("epcisBody", "queryResults", "resultsBody") if kind == QUERY_DOCUMENT else ("epcisBody",)
    node: Any = root
    path = ""
    for step in steps:
        path = f"{path}.{step}" if path else step
        node = node.get(step)
        if not isinstance(node, dict):
            problems.append(Problem(None, path, "is required and must be an object"))
            return path, None
        if step == "queryResults" and not isinstance(node.get("queryName"), str):
            problems.append(Problem(None, f"{path}.queryName", "is required and must be a string"))
    path = f"{path}.eventList"
    events = node.get("eventList")
    if not isinstance(events, list):
        problems.append(Problem(None, path, "is required and must be an array of events"))
        return path, None
    return path, events


def parse_document(
    source: bytes | bytearray | str | Mapping[str, Any], *, limits: DocumentLimits = DEFAULT_LIMITS
) -> EpcisDocument:
    """Parse and check an EPCIS 2.0 capture or query document (JSON text, bytes, or already decoded).

    Raises :class:`~registry.errors.EpcisDocumentInvalid` naming every problem (event index, field path,
    message), or :class:`~registry.errors.EpcisDocumentTooLarge` beyond ``limits``.
    """
    if isinstance(source, Mapping):
        try:
            source = json.dumps(source, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise EpcisDocumentInvalid([Problem(None, "$", f"not a JSON document: {error}")]) from None
    root = _decode(bytes(source) if isinstance(source, bytearray) else source, limits)
    if not isinstance(root, dict):
        raise EpcisDocumentInvalid([Problem(None, "$", "an EPCIS document must be a JSON object")])
    problems: list[Problem] = []
    kind = root.get("type")
    if kind not in (CAPTURE_DOCUMENT, QUERY_DOCUMENT):
        problems.append(Problem(None, "type", f"must be EPCISDocument or EPCISQueryDocument, not {kind!r}"))
    if "@context" not in root:
        problems.append(Problem(None, "@context", "is required (GS1's EPCIS 2.0 context and your prefixes)"))
    else:
        problems.extend(_context_problems(root["@context"]))
    if root.get("schemaVersion") != SCHEMA_VERSION:
        problems.append(Problem(None, "schemaVersion", f'must be "{SCHEMA_VERSION}"'))
    creation_date = root.get("creationDate")
    if not isinstance(creation_date, str):
        problems.append(Problem(None, "creationDate", "is required (an RFC 3339 date-time)"))
    else:
        try:
            parse_date_time(creation_date)
        except ValueError as error:
            problems.append(Problem(None, "creationDate", f"{creation_date!r} is not a date-time: {error}"))
    path, events = _event_list(root, kind if isinstance(kind, str) else CAPTURE_DOCUMENT, problems)
    if events is not None:
        if len(events) > limits.max_events:
            raise EpcisDocumentTooLarge(
                [Problem(None, path, f"{len(events)} events; at most {limits.max_events} are accepted")],
                event_count=len(events),
                max_events=limits.max_events,
            )
        problems.extend(validate_events(events))
    refuse_if_any(problems)
    return EpcisDocument(kind=cast(DocumentKind, kind), context=root["@context"], events=tuple(events or ()))
