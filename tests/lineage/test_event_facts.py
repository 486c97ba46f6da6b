"""What each EPCIS event type adds to the lineage index (registry.epcis.lineage, pure)."""

from __future__ import annotations

from dataledger.registry.epcis.lineage import (
    Edge,
    event_facts,
    lot_class,
    node_kind,
    short_vocabulary,
    time_us,
)
from dataledger.registry.epcis.rfc3339 import parse_date_time
from tests.lineage.graphs import C1, I1, I2, I3, R1, L, P, aggregation, production_events

FACTORY = "urn:epc:id:sgln:4012345.00001.0"


def test_packing_links_each_child_to_its_parent_and_unpacking_links_nothing() -> None:
    packed = event_facts(aggregation(C1, [I1, I2], "ADD", 2, FACTORY))
    unpacked = event_facts(aggregation(P, [C1], "DELETE", 5, FACTORY))

    assert packed.edges == (Edge(I1, C1, "packed"), Edge(I2, C1, "packed"))
    assert packed.items == ((C1, "parent"), (I1, "child"), (I2, "child"))
    assert unpacked.edges == ()
    assert unpacked.items == ((P, "parent"), (C1, "child"))


def test_a_transformation_links_every_input_to_every_output() -> None:
    facts = event_facts(production_events()[0])

    assert set(facts.edges) == {Edge(s, t, "transformed") for s in (R1, L) for t in (I1, I2)}
    assert facts.biz_step == "commissioning" and facts.read_point == FACTORY


def test_commissioning_with_a_lot_number_links_the_lot_class_to_each_instance() -> None:
    event = {
        **production_events()[1],
        "ilmd": {"cbvmda:lotNumber": "LOT-9"},
    }

    facts = event_facts(event)

    assert facts.edges == (Edge("urn:epc:class:lgtin:4012345.011111.LOT-9", I3, "lot"),)
    assert (
        lot_class("https://id.gs1.org/01/04012345111118/21/7", "X1")
        == "https://id.gs1.org/01/04012345111118/10/X1"
    )
    assert lot_class("urn:epc:id:sscc:4012345.0000000001", "X1") is None


def test_a_transaction_links_its_items_to_the_business_transaction() -> None:
    event = {
        "type": "TransactionEvent",
        "eventTime": "2024-06-01T09:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [I1],
        "action": "ADD",
        "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:4012345000009:PO-1"}],
    }

    assert event_facts(event).edges == (
        Edge(I1, "transaction:urn:epcglobal:cbv:bt:4012345000009:PO-1", "transacted"),
    )


def test_times_and_vocabulary_are_normalised_for_queries() -> None:
    assert time_us(parse_date_time("1970-01-01T08:00:00.000001+08:00")) == 1
    assert short_vocabulary("https://ref.gs1.org/cbv/BizStep-shipping") == "shipping"
    assert short_vocabulary("urn:epcglobal:cbv:disp:in_transit") == "in_transit"
    assert [node_kind(n) for n in (I1, L, "asset:0x01", "transformation:x", "transaction:y")] == [
        "instance",
        "class",
        "asset",
        "transformation",
        "transaction",
    ]
