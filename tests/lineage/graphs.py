"""Hand-built supply chains with known lineage: aggregation, disaggregation and transformation.

::

    lot L (class) ─┐                    ┌─ i1 ─┐
    raw r1 ────────┴─ transformed (t1) ─┤      ├─ packed ─ C1 ─┐
                                        └─ i2 ─┘               ├─ packed ─ P ─ (unpacked: C1, C2)
    i3 ──────────── packed ─ C2 ───────────────────────────────┘        C2 ─ packed ─ P2 ─ shipped to X

    essence E ─ transformed (T-9, inputs and outputs in two events) ─ b1, b2
"""

from __future__ import annotations

from typing import Any

from tests.epcis.factories import epcis_document

L = "urn:epc:class:lgtin:4012345.011111.LOT-1"
E = "urn:epc:class:lgtin:4012345.099999.ESS-1"
R1 = "urn:epc:id:sgtin:4012345.022222.R1"
I1, I2, I3 = (f"urn:epc:id:sgtin:4012345.011111.{n}" for n in (1, 2, 3))
B1, B2 = "urn:epc:id:sgtin:4012345.033333.B1", "urn:epc:id:sgtin:4012345.033333.B2"
C1, C2 = "urn:epc:id:sscc:4012345.0000000001", "urn:epc:id:sscc:4012345.0000000002"
P, P2 = "urn:epc:id:sscc:4012345.0000000010", "urn:epc:id:sscc:4012345.0000000020"
T9 = "transformation:urn:epc:id:gdti:4012345.00001.T-9"
FACTORY = "urn:epc:id:sgln:4012345.00001.0"
HUB = "urn:epc:id:sgln:4012345.00002.0"
X = "urn:epc:id:sgln:4012345.00003.0"


def _at(day: int, hour: int = 9) -> dict[str, str]:
    return {"eventTime": f"2024-06-{day:02d}T{hour:02d}:00:00.000+08:00", "eventTimeZoneOffset": "+08:00"}


def _where(place: str) -> dict[str, Any]:
    return {"readPoint": {"id": place}, "bizLocation": {"id": place}}


def aggregation(parent: str, children: list[str], action: str, day: int, place: str) -> dict[str, Any]:
    step = "packing" if action == "ADD" else "unpacking"
    return {
        "type": "AggregationEvent",
        **_at(day),
        "parentID": parent,
        "childEPCs": children,
        "action": action,
        "bizStep": step,
        **_where(place),
    }


def production_events() -> list[dict[str, Any]]:
    return [
        {
            "type": "TransformationEvent",
            **_at(1),
            "inputQuantityList": [{"epcClass": L, "quantity": 2, "uom": "KGM"}],
            "inputEPCList": [R1],
            "outputEPCList": [I1, I2],
            "bizStep": "commissioning",
            "disposition": "active",
            **_where(FACTORY),
        },
        {
            "type": "ObjectEvent",
            **_at(1, 10),
            "epcList": [I3],
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            **_where(FACTORY),
        },
        aggregation(C1, [I1, I2], "ADD", 2, FACTORY),
        aggregation(C2, [I3], "ADD", 2, FACTORY),
        aggregation(P, [C1, C2], "ADD", 3, FACTORY),
    ]


def distribution_events() -> list[dict[str, Any]]:
    return [
        {
            "type": "ObjectEvent",
            **_at(4),
            "epcList": [P],
            "action": "OBSERVE",
            "bizStep": "receiving",
            "disposition": "in_progress",
            **_where(HUB),
        },
        aggregation(P, [C1, C2], "DELETE", 5, HUB),
        aggregation(P2, [C2], "ADD", 6, HUB),
        {
            "type": "ObjectEvent",
            **_at(7),
            "epcList": [P2],
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": {"id": HUB},
            "bizLocation": {"id": X},
        },
    ]


def split_transformation_events() -> list[dict[str, Any]]:
    """One transformation whose outputs are recorded (and captured) before its inputs."""
    common = {"type": "TransformationEvent", "transformationID": "urn:epc:id:gdti:4012345.00001.T-9"}
    return [
        {**common, **_at(9), "outputEPCList": [B1, B2], "bizStep": "commissioning", **_where(FACTORY)},
        {
            **common,
            **_at(8),
            "inputQuantityList": [{"epcClass": E, "quantity": 1, "uom": "LTR"}],
            "bizStep": "commissioning",
            **_where(FACTORY),
        },
    ]


def documents() -> list[dict[str, Any]]:
    return [
        epcis_document(production_events()),
        epcis_document(distribution_events()),
        epcis_document(split_transformation_events()),
    ]
