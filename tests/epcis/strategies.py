"""Hypothesis strategies for valid EPCIS 2.0 events (with user extensions and CBV vocabulary)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

BIZ_STEPS = [
    "shipping",
    "receiving",
    "commissioning",
    "packing",
    "inspecting",
    "urn:epcglobal:cbv:bizstep:loading",
    "https://ref.gs1.org/cbv/BizStep-storing",
    "cbv:BizStep-picking",
    "https://example.com/steps/custom",
]
DISPOSITIONS = [
    "in_transit",
    "in_progress",
    "active",
    "recalled",
    "urn:epcglobal:cbv:disp:sellable_accessible",
    "https://ref.gs1.org/cbv/Disp-damaged",
]
TRANSACTION_TYPES = ["po", "inv", "desadv", "bol", "urn:epcglobal:cbv:btt:recadv"]
PARTY_TYPES = ["owning_party", "possessing_party", "location"]
MEASUREMENTS = ["Temperature", "RelativeHumidity", "gs1:Pressure", "https://gs1.org/voc/Mass"]
# Bare words that also name vocabulary entries, to exercise the reference's bare-word replacement.
WORDS = [
    "shipping",
    "in_transit",
    "Temperature",
    "po",
    "owning_party",
    "x",
    "10.0",
    "0",
    "-3.50",
    " 7 ",
    "1_000",
    "ALARM_CONDITION",
    "example:foo",
    "gs1:Temperature",
    "cbv:BizStep-shipping",
    "urn:epcglobal:cbv:disp:active",
    "BizStep-shipping",
    "voc/x",
    "",
]


def _epc_class() -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            "urn:epc:class:lgtin:4012345.012345.998877",
            "urn:epc:idpat:sgtin:4012345.098765.*",
            "https://id.gs1.org/01/04012345123456/10/LOT-7",
            "https://example.com/classes/olive-oil",
        ]
    )


def epcs() -> st.SearchStrategy[str]:
    serial = st.integers(min_value=0, max_value=10**6)
    return st.one_of(
        st.builds("urn:epc:id:sgtin:0614141.107346.{}".format, serial),
        st.builds("urn:epc:id:sscc:0614141.{:010d}".format, serial),
        st.builds("https://id.gs1.org/01/09521234543213/21/{}".format, serial),
        st.builds("https://example.com/items/{}".format, serial),
        st.sampled_from(["urn:epc:id:giai:4000001.111", "urn:epc:id:grai:4012345.55555.987"]),
    )


def locations() -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            "urn:epc:id:sgln:0614141.07346.1234",
            "urn:epc:id:sgln:4012345.00001.0",
            "https://id.gs1.org/414/4012345000115",
            "https://example.com/sites/warehouse-7",
        ]
    )


@st.composite
def rfc3339_times(draw: st.DrawFn) -> str:
    """RFC 3339 date-times with offsets and 0 to 9 fractional digits."""
    moment = draw(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 12, 31)))
    offset = timedelta(minutes=15 * draw(st.integers(min_value=-14 * 4, max_value=14 * 4)))
    digits = draw(st.integers(min_value=0, max_value=9))
    fraction = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=digits, max_size=digits)))
    local = moment.replace(tzinfo=timezone(offset))
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        text += "." + fraction
    suffix = (
        "Z"
        if offset == timedelta(0) and draw(st.booleans())
        else local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    )
    return text + suffix


def offsets() -> st.SearchStrategy[str]:
    return st.sampled_from(["+00:00", "+01:00", "-06:00", "+08:00", "+05:30", "-09:45", "+14:00"])


def _json_leaf() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(WORDS),
        st.text(max_size=12),
        epcs(),
        st.integers(min_value=-(10**9), max_value=10**9),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
    )


def extension_values() -> st.SearchStrategy[Any]:
    """User extension content: nested objects (namespaced keys, JSON-LD id/type aliases) and lists."""
    ids = st.sampled_from(
        ["https://example.com/x", "example:thing-1", "urn:uuid:6e8bc430", "gs1:Thing", "rel/1"]
    )
    types = st.sampled_from(
        ["example:Thing", "gs1:Temperature", "Temperature", "shipping", "cbv:BizStep-packing"]
    )

    def node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        keys = ["example:a", "example:b", "example:c-d", "abc:x", "https://other.example/p"]
        return st.one_of(
            st.lists(children, max_size=3),
            st.fixed_dictionaries({}, optional={**{k: children for k in keys}, "id": ids, "type": types}),
        )

    return st.recursive(_json_leaf(), node, max_leaves=6)


def _quantities() -> st.SearchStrategy[list[dict[str, Any]]]:
    element = st.fixed_dictionaries(
        {"epcClass": _epc_class()},
        optional={
            "quantity": st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False)),
            "uom": st.sampled_from(["KGM", "LTR", "EA"]),
        },
    )
    return st.lists(element, min_size=1, max_size=3)


@st.composite
def _common(draw: st.DrawFn) -> dict[str, Any]:
    optional: dict[str, st.SearchStrategy[Any]] = {
        "bizStep": st.sampled_from(BIZ_STEPS),
        "disposition": st.sampled_from(DISPOSITIONS),
        "readPoint": st.builds(lambda i: {"id": i}, locations()),
        "bizLocation": st.builds(lambda i: {"id": i}, locations()),
        "recordTime": rfc3339_times(),
        # type first, as the CBV writes them (the reference hashes these items in document key order)
        "bizTransactionList": st.lists(
            st.builds(
                lambda t, v: {"type": t, "bizTransaction": v},
                st.sampled_from(TRANSACTION_TYPES),
                st.builds("urn:epcglobal:cbv:bt:0614141073467:{}".format, st.integers(0, 99)),
            ),
            min_size=1,
            max_size=2,
        ),
        "sourceList": st.lists(
            st.builds(lambda t, v: {"type": t, "source": v}, st.sampled_from(PARTY_TYPES), locations()),
            min_size=1,
            max_size=2,
        ),
        "destinationList": st.lists(
            st.builds(lambda t, v: {"type": t, "destination": v}, st.sampled_from(PARTY_TYPES), locations()),
            min_size=1,
            max_size=2,
        ),
        "persistentDisposition": st.fixed_dictionaries(
            {},
            optional={
                "set": st.lists(st.sampled_from(DISPOSITIONS[:4]), max_size=2),
                "unset": st.lists(st.sampled_from(DISPOSITIONS[:4]), max_size=2),
            },
        ),
        "certificationInfo": st.just("https://accreditation.example.org/certificate/ABC12345"),
        "sensorElementList": st.lists(
            st.fixed_dictionaries(
                {
                    "sensorReport": st.lists(
                        st.fixed_dictionaries(
                            {"type": st.sampled_from(MEASUREMENTS)},
                            optional={
                                "value": st.floats(-50, 50, allow_nan=False),
                                "uom": st.sampled_from(["CEL", "A93"]),
                                "time": rfc3339_times(),
                                "exception": st.just("ALARM_CONDITION"),
                                "example:note": extension_values(),
                            },
                        ),
                        min_size=1,
                        max_size=2,
                    )
                },
                optional={
                    "sensorMetadata": st.fixed_dictionaries(
                        {},
                        optional={
                            "time": rfc3339_times(),
                            "deviceID": st.just("urn:epc:id:giai:4000001.111"),
                            "startTime": rfc3339_times(),
                        },
                    )
                },
            ),
            min_size=1,
            max_size=2,
        ),
        "rdfs:comment": st.text(max_size=10),
        "example:f1": extension_values(),
        "example:f2": extension_values(),
    }
    event = {"eventTime": draw(rfc3339_times()), "eventTimeZoneOffset": draw(offsets())}
    for name, strategy in optional.items():
        if draw(st.booleans()):
            event[name] = draw(strategy)
    return event


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    """A valid EPCIS 2.0 event of any of the five types."""
    event = draw(_common())
    event_type = draw(
        st.sampled_from(
            ["ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"]
        )
    )
    action = draw(st.sampled_from(["ADD", "OBSERVE", "DELETE"]))
    epc_list = st.lists(epcs(), min_size=1, max_size=4, unique=True)
    what: dict[str, Any] = {}
    if event_type == "ObjectEvent":
        what = {"action": action, "epcList": draw(epc_list)}
        if draw(st.booleans()):
            what["quantityList"] = draw(_quantities())
        if action == "ADD" and draw(st.booleans()):
            what["ilmd"] = {"example:lot": draw(st.sampled_from(["A1", "B2"])), "example:best": "2025-01-01"}
    elif event_type in ("AggregationEvent", "AssociationEvent"):
        what = {
            "action": action,
            "parentID": "urn:epc:id:sscc:0614141.1234567890",
            "childEPCs": draw(epc_list),
        }
        if draw(st.booleans()):
            what["childQuantityList"] = draw(_quantities())
    elif event_type == "TransactionEvent":
        what = {"action": action, "epcList": draw(epc_list)}
        event.setdefault("bizTransactionList", [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:1:2"}])
    else:
        what = {"inputEPCList": draw(epc_list), "outputQuantityList": draw(_quantities())}
        if draw(st.booleans()):
            what["transformationID"] = "urn:epc:id:gdti:0614141.12345.400"
    return {"type": event_type, **event, **what}


def reordered(value: Any, random: Any) -> Any:
    """``value`` with the keys of every object in a random order (lists keep their order)."""
    if isinstance(value, dict):
        keys = list(value)
        random.shuffle(keys)
        return {key: reordered(value[key], random) for key in keys}
    if isinstance(value, list):
        return [reordered(item, random) for item in value]
    return value


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
