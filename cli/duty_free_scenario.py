"""The offshore duty-free chain as EPCIS 2.0 documents, one per party, for the demo and ``dataledger seed``.

A French brand owner blends a fragrance from an essence lot and commissions two lots of bottles, packs
them into cases and a pallet and ships it to a bonded warehouse in Haikou; customs clears the goods
for the island; the warehouse unpacks the pallet and sends cases to a duty-free store in Sanya, which
sells a bottle to a passenger (the sale carries only a salted hash of the passenger's quota record,
never personal data) and hands it over at the airport pickup counter. Later the essence lot is found
bad: :func:`recall_document` marks every unsold bottle that a forward trace finds.

Identifiers are GS1 examples (company prefixes 3012345 and 6901234); times carry their time zones.
"""

from __future__ import annotations

import hashlib
from typing import Any

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
DUTYFREE_NS = "https://dataledger.dev/ns/dutyfree#"
CONTEXT: list[Any] = [EPCIS_CONTEXT, {"cbvmda": "urn:epcglobal:cbv:mda:"}, {"dutyfree": DUTYFREE_NS}]

BRAND = "3012345"
ESSENCE_LOT = f"urn:epc:class:lgtin:{BRAND}.099999.ESS-7"
LOT_A, LOT_B = "A1", "B2"
LOT_A_CLASS = f"urn:epc:class:lgtin:{BRAND}.012345.{LOT_A}"
FACTORY = f"urn:epc:id:sgln:{BRAND}.00001.0"
BONDED_WAREHOUSE = "urn:epc:id:sgln:6901234.00010.0"
CUSTOMS = "urn:epc:id:sgln:6901234.00099.0"
STORE = "urn:epc:id:sgln:6901234.00020.0"
AIRPORT_PICKUP = "urn:epc:id:sgln:6901234.00030.0"
PASSENGER_PICKUP_STEP = DUTYFREE_NS + "BizStep-passenger_pickup"
PALLET = f"urn:epc:id:sscc:{BRAND}.0000000099"


def bottle(lot: str, number: int) -> str:
    return f"urn:epc:id:sgtin:{BRAND}.012345.{lot}-{number}"


def case(number: int) -> str:
    return f"urn:epc:id:sscc:{BRAND}.00000000{number}"


BOTTLES_A = [bottle(LOT_A, n) for n in range(1, 7)]
BOTTLES_B = [bottle(LOT_B, n) for n in range(1, 7)]
CASES = {case(11): BOTTLES_A[:3], case(12): BOTTLES_A[3:], case(13): BOTTLES_B}
SOLD_BOTTLE = BOTTLES_A[0]


def quota_record_hash(record_id: str, salt: str = "dutyfree-demo-salt") -> str:
    """The salted hash standing for a passenger's annual quota record: no name, passport or amount."""
    return "0x" + hashlib.sha256(f"{salt}:{record_id}".encode()).hexdigest()


def _document(events: list[dict[str, Any]], created: str) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": {"eventList": events},
    }


def _event(kind: str, time: str, offset: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "eventTime": f"{time}{offset}", "eventTimeZoneOffset": offset, **fields}


def _moved(place: str) -> dict[str, Any]:
    return {"readPoint": {"id": place}, "bizLocation": {"id": place}}


def brand_owner_document() -> dict[str, Any]:
    """Blend (essence lot into bottles of lot A1), commission lot B2, pack cases and the pallet, ship."""
    paris = "+01:00"
    packing = [
        _event(
            "AggregationEvent",
            "2025-03-03T10:00:00.000",
            paris,
            parentID=parent,
            childEPCs=children,
            action="ADD",
            bizStep="packing",
            disposition="in_progress",
            **_moved(FACTORY),
        )
        for parent, children in CASES.items()
    ]
    return _document(
        [
            _event(
                "TransformationEvent",
                "2025-03-01T09:00:00.000",
                paris,
                inputQuantityList=[{"epcClass": ESSENCE_LOT, "quantity": 3, "uom": "LTR"}],
                outputEPCList=BOTTLES_A,
                transformationID=f"urn:epc:id:gdti:{BRAND}.00001.BLEND-2025-03",
                bizStep="commissioning",
                disposition="active",
                ilmd={"cbvmda:lotNumber": LOT_A},
                **_moved(FACTORY),
            ),
            _event(
                "ObjectEvent",
                "2025-03-01T11:00:00.000",
                paris,
                epcList=BOTTLES_B,
                action="ADD",
                bizStep="commissioning",
                disposition="active",
                ilmd={"cbvmda:lotNumber": LOT_B},
                **_moved(FACTORY),
            ),
            *packing,
            _event(
                "AggregationEvent",
                "2025-03-03T12:00:00.000",
                paris,
                parentID=PALLET,
                childEPCs=list(CASES),
                action="ADD",
                bizStep="packing",
                disposition="container_closed",
                **_moved(FACTORY),
            ),
            _event(
                "ObjectEvent",
                "2025-03-04T08:00:00.000",
                paris,
                epcList=[PALLET],
                action="OBSERVE",
                bizStep="shipping",
                disposition="in_transit",
                readPoint={"id": FACTORY},
                bizTransactionList=[
                    {"type": "desadv", "bizTransaction": f"urn:epcglobal:cbv:bt:{BRAND}000008:ASN-77"}
                ],
                sourceList=[{"type": "owning_party", "source": f"urn:epc:id:pgln:{BRAND}.00000"}],
                destinationList=[{"type": "location", "destination": BONDED_WAREHOUSE}],
            ),
        ],
        "2025-03-04T08:05:00Z",
    )


def bonded_warehouse_document() -> dict[str, Any]:
    """Receive the pallet in bond, customs clearance for the island, unpack, ship two cases to the store."""
    haikou = "+08:00"
    return _document(
        [
            _event(
                "ObjectEvent",
                "2025-03-12T09:00:00.000",
                haikou,
                epcList=[PALLET],
                action="OBSERVE",
                bizStep="receiving",
                disposition="sellable_not_accessible",
                **_moved(BONDED_WAREHOUSE),
            ),
            _event(
                "ObjectEvent",
                "2025-03-13T15:00:00.000",
                haikou,
                epcList=[PALLET],
                action="OBSERVE",
                bizStep="inspecting",
                disposition="conformant",
                readPoint={"id": CUSTOMS},
                bizLocation={"id": BONDED_WAREHOUSE},
                bizTransactionList=[
                    {"type": "cert", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000001:CLR-2025-0313"}
                ],
            ),
            _event(
                "AggregationEvent",
                "2025-03-14T10:00:00.000",
                haikou,
                parentID=PALLET,
                childEPCs=list(CASES),
                action="DELETE",
                bizStep="unpacking",
                disposition="sellable_not_accessible",
                **_moved(BONDED_WAREHOUSE),
            ),
            _event(
                "ObjectEvent",
                "2025-03-15T08:00:00.000",
                haikou,
                epcList=[case(11), case(13)],
                action="OBSERVE",
                bizStep="shipping",
                disposition="in_transit",
                readPoint={"id": BONDED_WAREHOUSE},
                destinationList=[{"type": "location", "destination": STORE}],
            ),
        ],
        "2025-03-15T08:05:00Z",
    )


def duty_free_store_document() -> dict[str, Any]:
    """Receive the cases, unpack one, sell a bottle against a passenger's quota (by hash only)."""
    sanya = "+08:00"
    return _document(
        [
            _event(
                "ObjectEvent",
                "2025-03-15T16:00:00.000",
                sanya,
                epcList=[case(11), case(13)],
                action="OBSERVE",
                bizStep="receiving",
                disposition="sellable_accessible",
                **_moved(STORE),
            ),
            _event(
                "AggregationEvent",
                "2025-03-16T09:00:00.000",
                sanya,
                parentID=case(11),
                childEPCs=CASES[case(11)],
                action="DELETE",
                bizStep="unpacking",
                disposition="sellable_accessible",
                **_moved(STORE),
            ),
            _event(
                "ObjectEvent",
                "2025-03-18T14:30:00.000",
                sanya,
                epcList=[SOLD_BOTTLE],
                action="OBSERVE",
                bizStep="retail_selling",
                disposition="retail_sold",
                **_moved(STORE),
                bizTransactionList=[
                    {"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000002:POS-88123"}
                ],
                **{"dutyfree:quotaRecordHash": quota_record_hash("quota-2025-000123")},
            ),
        ],
        "2025-03-18T14:31:00Z",
    )


def airport_pickup_document() -> dict[str, Any]:
    """The passenger collects the bottle at the airport pickup counter on departure."""
    return _document(
        [
            _event(
                "ObjectEvent",
                "2025-03-20T07:45:00.000",
                "+08:00",
                epcList=[SOLD_BOTTLE],
                action="OBSERVE",
                bizStep=PASSENGER_PICKUP_STEP,
                disposition="retail_sold",
                **_moved(AIRPORT_PICKUP),
            )
        ],
        "2025-03-20T07:46:00Z",
    )


def duty_free_documents() -> list[tuple[str, dict[str, Any]]]:
    """Each party's document, in the order they happen (capture order does not matter)."""
    return [
        ("brand owner", brand_owner_document()),
        ("bonded warehouse", bonded_warehouse_document()),
        ("duty-free store", duty_free_store_document()),
        ("airport pickup", airport_pickup_document()),
    ]


def recall_document(items: list[str], *, at: str = "2025-03-21T09:00:00.000+08:00") -> dict[str, Any]:
    """The brand owner's recall: every listed item, wherever it is, is now ``recalled``."""
    return _document(
        [
            {
                "type": "ObjectEvent",
                "eventTime": at,
                "eventTimeZoneOffset": at[-6:],
                "epcList": items,
                "action": "OBSERVE",
                "bizStep": "holding",
                "disposition": "recalled",
                "readPoint": {"id": FACTORY},
            }
        ],
        "2025-03-21T09:01:00Z",
    )
