"""EPCIS 2.0 event rules: what a capture or query document's events must look like to be accepted.

The rules follow the structure of GS1's EPCIS 2.0 JSON schema: the five event types and the fields
each one requires (``action``, ``parentID``, a non-empty "what"), RFC 3339 times with explicit offsets,
``eventTimeZoneOffset`` as ``±HH:MM``, URIs where identifiers go, quantity elements, ``readPoint`` and
``bizLocation`` objects with an ``id``, typed business transactions, sources and destinations, sensor
elements, and CBV vocabulary words (or URIs) for business steps, dispositions and types. User
extensions must be namespaced (``prefix:name``), as JSON-LD gives unprefixed names no meaning.

Every problem of every event is collected (see :class:`~registry.epcis.problems.Problem`); the caller
refuses the document whole if there is any.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, cast

from dataledger.registry.epcis._reference_package import bundled_context
from dataledger.registry.epcis.identifiers import identifier_problem
from dataledger.registry.epcis.problems import Problem
from dataledger.registry.epcis.rfc3339 import parse_date_time

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
ACTIONS = ("ADD", "OBSERVE", "DELETE")
EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]*", re.ASCII)
_MAX_URI_LENGTH = 2000
_MAX_VOCABULARY_LENGTH = 200  # bizStep and disposition columns
_TIME_ZONE_OFFSET = re.compile(r"[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)", re.ASCII)
_UOM = re.compile(r"[A-Z0-9]{2,3}", re.ASCII)
_HEX_BINARY = re.compile(r"[A-Fa-f0-9]+", re.ASCII)
_COMMENTS = frozenset({"comment", "rdfs:comment"})
_EXTENSION_HINT = " (extensions need prefix:name)"

_COMMON_FIELDS = frozenset(
    {
        "type",
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "eventID",
        "certificationInfo",
        "errorDeclaration",
        "readPoint",
        "bizLocation",
        "bizStep",
        "disposition",
        "persistentDisposition",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
    }
)
_TYPE_FIELDS = {
    "ObjectEvent": frozenset({"action", "epcList", "quantityList", "ilmd"}),
    "AggregationEvent": frozenset({"action", "parentID", "childEPCs", "childQuantityList"}),
    "TransactionEvent": frozenset({"action", "parentID", "epcList", "quantityList"}),
    "TransformationEvent": frozenset(
        {
            "inputEPCList",
            "inputQuantityList",
            "outputEPCList",
            "outputQuantityList",
            "transformationID",
            "ilmd",
        }
    ),
    "AssociationEvent": frozenset({"action", "parentID", "childEPCs", "childQuantityList"}),
}


@cache
def _vocabulary() -> dict[str, frozenset[str]]:
    """The CBV words each vocabulary field accepts, read from the scoped contexts of GS1's context."""
    ctx = bundled_context(EPCIS_CONTEXT_URL)["@context"]
    sensor = ctx["sensorElementList"]["@context"]["sensorReport"]["@context"]

    def words(scoped: Any) -> frozenset[str]:
        entries = scoped if isinstance(scoped, list) else [scoped]
        return frozenset(k for entry in entries for k in entry if not k.startswith("@"))

    return {
        "bizStep": words(ctx["bizStep"]["@context"]),
        "disposition": words(ctx["disposition"]["@context"]),
        "bizTransactionType": words(ctx["bizTransactionList"]["@context"]["type"]["@context"]),
        "sourceDestinationType": words(ctx["sourceList"]["@context"]["type"]["@context"]),
        "errorReason": words(ctx["errorDeclaration"]["@context"]["reason"]["@context"]),
        "measurementType": words(sensor["type"]["@context"]),
        "sensorAlertType": words(sensor["exception"]["@context"]),
        "component": words(sensor["component"]["@context"]),
    }


class _Findings:
    def __init__(self, event_index: int | None) -> None:
        self.event_index = event_index
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.event_index, path, message))


Check = Callable[[_Findings, str, Any], None]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_extension_name(key: str) -> bool:
    return key.find(":") > 0 and not key.startswith("@")


def _uri(found: _Findings, path: str, value: Any) -> None:
    if not isinstance(value, str) or _URI.fullmatch(value) is None:
        found.add(
            path, "must be a URI (such as urn:epc:id:sgtin:0614141.107346.2018 or https://id.gs1.org/...)"
        )
    elif len(value) > _MAX_URI_LENGTH:
        found.add(path, f"must be at most {_MAX_URI_LENGTH} characters")


def _identifier(found: _Findings, path: str, value: Any) -> None:
    """An EPC, class, location or party: EPC URI, GS1 Digital Link, http(s) URI or URN (see identifiers)."""
    problem = identifier_problem(value)
    if problem is not None:
        found.add(path, problem)


def _time(found: _Findings, path: str, value: Any) -> None:
    if not isinstance(value, str):
        found.add(path, "must be a string holding an RFC 3339 date-time")
        return
    try:
        parse_date_time(value)
    except ValueError as error:
        found.add(path, f"{value!r} is not a valid date-time: {error}")


def _string(found: _Findings, path: str, value: Any) -> None:
    if not isinstance(value, str):
        found.add(path, "must be a string")


def _number(found: _Findings, path: str, value: Any) -> None:
    if not _is_number(value):
        found.add(path, "must be a number")


def _boolean(found: _Findings, path: str, value: Any) -> None:
    if not isinstance(value, bool):
        found.add(path, "must be true or false")


def _pattern(regex: re.Pattern[str], description: str) -> Check:
    def check(found: _Findings, path: str, value: Any) -> None:
        if not isinstance(value, str) or regex.fullmatch(value) is None:
            found.add(path, f"must be {description}")

    return check


def _vocabulary_value(name: str) -> Check:
    def check(found: _Findings, path: str, value: Any) -> None:
        if not isinstance(value, str) or not (
            value in _vocabulary()[name] or (value.find(":") > 0 and _URI.fullmatch(value))
        ):
            found.add(path, f"must be a CBV {name} word or a URI, not {value!r:.200}")
        elif len(value) > _MAX_VOCABULARY_LENGTH:
            found.add(path, f"must be at most {_MAX_VOCABULARY_LENGTH} characters")

    return check


def _array_of(item: Check, *, non_empty: bool = False) -> Check:
    def check(found: _Findings, path: str, value: Any) -> None:
        if not isinstance(value, list):
            found.add(path, "must be an array")
            return
        if non_empty and not value:
            found.add(path, "must not be empty")
        for position, element in enumerate(value):
            item(found, f"{path}[{position}]", element)

    return check


def _extension(found: _Findings, path: str, value: Any) -> None:
    """User extension content: any JSON whose object keys are namespaced (or the id/type aliases)."""
    if isinstance(value, list):
        for position, element in enumerate(value):
            _extension(found, f"{path}[{position}]", element)
    elif isinstance(value, dict):
        for key, element in value.items():
            where = f"{path}.{key}"
            if key in ("id", "type"):
                # JSON-LD would take an array of types, but the CBV 2.0 hash cannot order one
                _string(found, where, element)
            elif key in _COMMENTS:
                continue
            elif not _is_extension_name(key):
                found.add(where, "extension field names need a namespace prefix (prefix:name)")
            else:
                _extension(found, where, element)


def _object(fields: dict[str, Check], *, required: Iterable[str] = (), extensions: bool = True) -> Check:
    required = tuple(required)

    def check(found: _Findings, path: str, value: Any) -> None:
        if not isinstance(value, dict):
            found.add(path, "must be an object")
            return
        for name in required:
            if name not in value:
                found.add(f"{path}.{name}", "is required")
        for key, element in value.items():
            where = f"{path}.{key}"
            if key in fields:
                fields[key](found, where, element)
            elif key in _COMMENTS:
                continue
            elif extensions and _is_extension_name(key):
                _extension(found, where, element)
            else:
                found.add(where, "is not a field here" + (_EXTENSION_HINT if extensions else ""))

    return check


_QUANTITY_ELEMENT = _object(
    {"epcClass": _identifier, "quantity": _number, "uom": _pattern(_UOM, "a UN/ECE unit code such as KGM")},
    required=("epcClass",),
    extensions=False,
)
_QUANTITY_LIST = _array_of(_QUANTITY_ELEMENT)
_EPC_LIST = _array_of(_identifier)
_LOCATION = _object({"id": _identifier}, required=("id",))
_SENSOR_METADATA = _object(
    {
        "time": _time,
        "startTime": _time,
        "endTime": _time,
        "deviceID": _uri,
        "deviceMetadata": _uri,
        "rawData": _uri,
        "dataProcessingMethod": _uri,
        "bizRules": _uri,
    }
)
_SENSOR_REPORT = _object(
    {
        "type": _vocabulary_value("measurementType"),
        "exception": _vocabulary_value("sensorAlertType"),
        "deviceID": _uri,
        "deviceMetadata": _uri,
        "rawData": _uri,
        "dataProcessingMethod": _uri,
        "time": _time,
        "microorganism": _uri,
        "chemicalSubstance": _uri,
        "value": _number,
        "component": _vocabulary_value("component"),
        "stringValue": _string,
        "booleanValue": _boolean,
        "hexBinaryValue": _pattern(_HEX_BINARY, "hexadecimal digits"),
        "uriValue": _uri,
        "minValue": _number,
        "maxValue": _number,
        "meanValue": _number,
        "sDev": _number,
        "percRank": _number,
        "percValue": _number,
        "uom": _string,
        "coordinateReferenceSystem": _uri,
    }
)
_DISPOSITIONS = _array_of(_vocabulary_value("disposition"))
_COMMON_CHECKS: dict[str, Check] = {
    "eventTime": _time,
    "recordTime": _time,
    "eventTimeZoneOffset": _pattern(_TIME_ZONE_OFFSET, "a time zone offset ±HH:MM between -14:00 and +14:00"),
    "eventID": _uri,
    "certificationInfo": lambda found, path, value: (
        _array_of(_uri)(found, path, value) if isinstance(value, list) else _uri(found, path, value)
    ),
    "errorDeclaration": _object(
        {
            "declarationTime": _time,
            "reason": _vocabulary_value("errorReason"),
            "correctiveEventIDs": _array_of(_uri),
        },
        required=("declarationTime",),
    ),
    "readPoint": _LOCATION,
    "bizLocation": _LOCATION,
    "bizStep": _vocabulary_value("bizStep"),
    "disposition": _vocabulary_value("disposition"),
    "persistentDisposition": _object(
        {"set": _DISPOSITIONS, "unset": _DISPOSITIONS},
        extensions=False,
    ),
    "bizTransactionList": _array_of(
        _object(
            {"type": _vocabulary_value("bizTransactionType"), "bizTransaction": _uri},
            required=("bizTransaction",),
            extensions=False,
        )
    ),
    "sourceList": _array_of(
        _object(
            {"type": _vocabulary_value("sourceDestinationType"), "source": _identifier},
            required=("type", "source"),
            extensions=False,
        )
    ),
    "destinationList": _array_of(
        _object(
            {"type": _vocabulary_value("sourceDestinationType"), "destination": _identifier},
            required=("type", "destination"),
            extensions=False,
        )
    ),
    "sensorElementList": _array_of(
        _object(
            {"sensorMetadata": _SENSOR_METADATA, "sensorReport": _array_of(_SENSOR_REPORT, non_empty=True)},
            required=("sensorReport",),
        )
    ),
    "action": _pattern(re.compile("|".join(ACTIONS)), "one of ADD, OBSERVE, DELETE"),
    "epcList": _EPC_LIST,
    "quantityList": _QUANTITY_LIST,
    "parentID": _identifier,
    "childEPCs": _EPC_LIST,
    "childQuantityList": _QUANTITY_LIST,
    "inputEPCList": _EPC_LIST,
    "inputQuantityList": _QUANTITY_LIST,
    "outputEPCList": _EPC_LIST,
    "outputQuantityList": _QUANTITY_LIST,
    "transformationID": _uri,
    "ilmd": _object({}),
}


def _non_empty(event: dict[str, Any], field: str) -> bool:
    value = event.get(field)
    return isinstance(value, list) and len(value) > 0


def _check_what(found: _Findings, event_type: str, event: dict[str, Any]) -> None:
    """The "what" dimension and the per-type required fields."""
    action = event.get("action")
    if event_type != "TransformationEvent" and "action" not in event:
        found.add("action", f"is required for {event_type}")
    if event_type == "ObjectEvent":
        if not (
            "epcList" in event
            or _non_empty(event, "quantityList")
            or (_non_empty(event, "sensorElementList") and "readPoint" in event)
        ):
            found.add("epcList", "ObjectEvent needs epcList or quantityList (or sensors and a readPoint)")
        if "ilmd" in event and action in ("OBSERVE", "DELETE"):
            found.add("ilmd", "is only allowed when action is ADD")
    elif event_type in ("AggregationEvent", "AssociationEvent"):
        if "parentID" not in event and (event_type == "AssociationEvent" or action in ("ADD", "DELETE")):
            found.add(
                "parentID",
                f"is required for {event_type}"
                + ("" if event_type == "AssociationEvent" else " unless action is OBSERVE"),
            )
        if not (
            _non_empty(event, "childEPCs") or _non_empty(event, "childQuantityList") or action == "DELETE"
        ):
            found.add("childEPCs", f"{event_type} needs childEPCs or childQuantityList (or action DELETE)")
    elif event_type == "TransactionEvent":
        if not _non_empty(event, "bizTransactionList"):
            found.add("bizTransactionList", "is required for TransactionEvent and must not be empty")
        if not ("epcList" in event or _non_empty(event, "quantityList") or action == "DELETE"):
            found.add("epcList", "TransactionEvent needs epcList or quantityList (or action DELETE)")
    elif event_type == "TransformationEvent" and not any(
        _non_empty(event, f)
        for f in ("inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList")
    ):
        found.add("inputEPCList", "TransformationEvent needs a non-empty input or output list")


def validate_event(event: Any, event_index: int | None = None) -> list[Problem]:
    """Every problem of one event (an empty list if it is valid)."""
    found = _Findings(event_index)
    if not isinstance(event, dict):
        found.add("", "an event must be a JSON object")
        return found.problems
    event_type = event.get("type")
    if "type" not in event:
        found.add("type", "is required (one of " + ", ".join(EVENT_TYPES) + ")")
    elif event_type not in EVENT_TYPES:
        found.add("type", f"unknown event type {event_type!r} (expected one of {', '.join(EVENT_TYPES)})")
    for field in ("eventTime", "eventTimeZoneOffset"):
        if field not in event:
            found.add(field, "is required")
    known_type = isinstance(event_type, str) and event_type in EVENT_TYPES
    # for an unknown type only the common fields can be checked; its own fields are not reported
    checked = _COMMON_FIELDS | _TYPE_FIELDS[cast(str, event_type)] if known_type else _COMMON_FIELDS
    for key, value in event.items():
        if key == "type" or key in _COMMENTS:
            continue
        if key.startswith("@"):
            found.add(key, "JSON-LD keywords are not supported in events (declare prefixes in the @context)")
        elif key in checked:
            _COMMON_CHECKS[key](found, key, value)
        elif _is_extension_name(key):
            _extension(found, key, value)
        elif known_type:
            found.add(key, f"is not a field of {event_type} (extensions need prefix:name)")
    if known_type:
        _check_what(found, cast(str, event_type), event)
    return found.problems


def validate_events(events: Sequence[Any]) -> list[Problem]:
    """Every problem of every event, in document order."""
    problems: list[Problem] = []
    for index, event in enumerate(events):
        problems.extend(validate_event(event, index))
    return problems
