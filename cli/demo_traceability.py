"""The demo's traceability part: the offshore duty-free chain captured as EPCIS events, then a recall.

Called by ``cli.demo`` after the data rights story, on the same server and chain. Every step goes
through the HTTP API with the SDK, as a party would call it, and is printed for a person to follow.
"""

from __future__ import annotations

import json
from typing import Any

from dataledger.cli import duty_free_scenario as scenario
from dataledger.client import Client, LocalKeySigner
from dataledger.registry.merkle import verify_proof


def _short(value: str, keep: int = 30) -> str:
    return value if len(value) <= keep else value[:keep] + "…"


def run_traceability_story(admin: Client, say: Any, anchor_client: Any) -> None:
    """Capture the duty-free chain, trace a sale back, recall a bad lot forward, export PROV and SVG."""
    print("\n" + "=" * 78)
    print("Traceability: an offshore duty-free chain as GS1 EPCIS 2.0 events, each anchored on chain")
    print("=" * 78)
    created = admin.participants.create("Duty-free chain", "enterprise", LocalKeySigner.generate().address)
    party = Client(admin.base_url, created["apiKey"])

    for name, document in scenario.duty_free_documents():
        body = party.events.capture(json.dumps(document).encode(), wait=True, timeout=30)
        first = body["events"][0]
        say(
            f"The {name} captures its EPCIS document ({body['eventCount']} event(s)), in a Merkle batch",
            first_event=_short(first["eventHashId"], 40),
            batch_root=_short(first["anchor"].get("root", "pending"), 20),
            tx_hash=first["anchor"].get("anchor", {}).get("txHash", "pending"),
        )

    sale = party.events.list(epc=scenario.SOLD_BOTTLE, biz_step="retail_selling")["items"][0]
    stored = party.events.get(sale["eventHashId"])
    anchor = stored["anchor"]
    root, leaf = bytes.fromhex(anchor["root"][2:]), bytes.fromhex(anchor["leaf"][2:])
    proof = [bytes.fromhex(p[2:]) for p in anchor["proof"]]
    say(
        "The sale to a passenger: tied to the quota record by a salted hash only, its anchor checked",
        quota_record_hash=_short(sale["event"]["dutyfree:quotaRecordHash"], 20),
        proof_offline="valid" if verify_proof(root, leaf, proof) else "INVALID",
        proof_on_chain="valid" if anchor_client.verify_leaf(root, proof, leaf) else "INVALID",
        block=anchor["anchor"]["blockNumber"],
    )

    back = party.lineage.trace(scenario.SOLD_BOTTLE, direction="back")
    say(
        "Trace back from the sold bottle: where it came from",
        **{f"{i['kind']} (level {i['level']})": _short(i["id"], 48) for i in back["items"] if i["level"]},
    )
    history = party.lineage.item_history(scenario.SOLD_BOTTLE)["events"]
    say(
        "Its full history in event time, with what happened to its case and pallet while it was packed",
        **{
            f"{h['eventTime'][:16]}": f"{h['bizStep'].rsplit('-', 1)[-1]}"
            + (f" (its {_container_kind(h['via'])})" if h.get("via") else "")
            for h in history
        },
    )

    recall = party.lineage.trace(scenario.ESSENCE_LOT, direction="forward")
    bottles = [i["id"] for i in recall["items"] if i["id"].startswith("urn:epc:id:sgtin")]
    containers = [i["id"] for i in recall["items"] if i["id"].startswith("urn:epc:id:sscc")]
    say(
        "The essence lot is found bad: trace forward (a recall)",
        bottles=len(bottles),
        cases_and_pallets=len(containers),
        places=len(recall["locations"]),
    )
    where = {bottle: party.lineage.location(bottle) for bottle in sorted(bottles)}
    say(
        "Where each bottle is now",
        **{
            b.rsplit(".", 1)[-1]: f"{w['disposition']} at {w['location'].rsplit(':', 1)[-1]}"
            for b, w in where.items()
        },
    )
    unsold = [b for b, w in where.items() if w["disposition"] != "retail_sold"]
    party.events.capture(json.dumps(scenario.recall_document(unsold)).encode())
    recalled = sum(party.lineage.location(b)["disposition"] == "recalled" for b in unsold)
    say("The brand owner recalls every unsold bottle", recalled=f"{recalled} of {len(unsold)}")

    prov = party.lineage.prov(scenario.SOLD_BOTTLE)
    svg = party.lineage.svg(scenario.ESSENCE_LOT, direction="forward")
    kinds: dict[str, int] = {}
    for node in prov["@graph"]:
        kinds[node["@type"]] = kinds.get(node["@type"], 0) + 1
    say(
        "Lineage exports for auditors",
        prov_o_jsonld=", ".join(f"{n} {t}" for t, n in sorted(kinds.items())),
        svg=f"{len(svg.encode())} bytes of SVG",
    )


def _container_kind(container: str) -> str:
    return "pallet" if container == scenario.PALLET else "case"
