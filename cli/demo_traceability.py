"""The demo's traceability part: the offshore duty-free chain captured as EPCIS events, then a recall.

Called by ``cli.demo`` after the data rights story, on the same server and chain. Every step goes
through the HTTP API as a party would call it, and is printed for a person to follow.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from eth_account import Account
from fastapi.testclient import TestClient

from dataledger.cli import duty_free_scenario as scenario
from dataledger.registry.merkle import verify_proof


def _ok(response: Any, expected: tuple[int, ...] = (200,)) -> Any:
    if response.status_code not in expected:
        raise RuntimeError(f"{response.request.method} {response.request.url.path} -> {response.text}")
    return response.json()


def _short(value: str, keep: int = 30) -> str:
    return value if len(value) <= keep else value[:keep] + "…"


def run_traceability_story(client: TestClient, admin: dict[str, str], say: Any, anchor_client: Any) -> None:
    """Capture the duty-free chain, trace a sale back, recall a bad lot forward, export PROV and SVG."""
    print("\n" + "=" * 78)
    print("Traceability: an offshore duty-free chain as GS1 EPCIS 2.0 events, each anchored on chain")
    print("=" * 78)
    created = _ok(
        client.post(
            "/v1/participants",
            headers=admin,
            json={"name": "Duty-free chain", "role": "enterprise", "address": Account.create().address},
        ),
        (201,),
    )
    party = {"Authorization": f"Bearer {created['apiKey']}", "Content-Type": "application/ld+json"}

    for name, document in scenario.duty_free_documents():
        body = _ok(
            client.post(
                "/v1/events",
                content=json.dumps(document),
                params={"wait": "true", "timeout": 30},
                headers=party,
            ),
            (200, 202),
        )
        first = body["events"][0]
        say(
            f"The {name} captures its EPCIS document ({body['eventCount']} event(s)), in a Merkle batch",
            first_event=_short(first["eventHashId"], 40),
            batch_root=_short(first["anchor"].get("root", "pending"), 20),
            tx_hash=first["anchor"].get("anchor", {}).get("txHash", "pending"),
        )

    sale = _ok(
        client.get(
            "/v1/events", params={"epc": scenario.SOLD_BOTTLE, "bizStep": "retail_selling"}, headers=party
        )
    )["items"][0]
    stored = _ok(client.get("/v1/events/" + quote(sale["eventHashId"], safe=""), headers=party))
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

    back = _ok(
        client.get(f"/v1/items/{scenario.SOLD_BOTTLE}/trace", params={"direction": "back"}, headers=party)
    )
    say(
        "Trace back from the sold bottle: where it came from",
        **{f"{i['kind']} (level {i['level']})": _short(i["id"], 48) for i in back["items"] if i["level"]},
    )
    history = _ok(client.get(f"/v1/items/{scenario.SOLD_BOTTLE}/history", headers=party))["events"]
    say(
        "Its full history in event time, with what happened to its case and pallet while it was packed",
        **{
            f"{h['eventTime'][:16]}": f"{h['bizStep'].rsplit('-', 1)[-1]}"
            + (f" (its {_container_kind(h['via'])})" if h.get("via") else "")
            for h in history
        },
    )

    recall = _ok(
        client.get(f"/v1/items/{scenario.ESSENCE_LOT}/trace", params={"direction": "forward"}, headers=party)
    )
    bottles = [i["id"] for i in recall["items"] if i["id"].startswith("urn:epc:id:sgtin")]
    containers = [i["id"] for i in recall["items"] if i["id"].startswith("urn:epc:id:sscc")]
    say(
        "The essence lot is found bad: trace forward (a recall)",
        bottles=len(bottles),
        cases_and_pallets=len(containers),
        places=len(recall["locations"]),
    )
    where = {
        bottle: _ok(client.get(f"/v1/items/{bottle}/location", headers=party)) for bottle in sorted(bottles)
    }
    say(
        "Where each bottle is now",
        **{
            b.rsplit(".", 1)[-1]: f"{w['disposition']} at {w['location'].rsplit(':', 1)[-1]}"
            for b, w in where.items()
        },
    )
    unsold = [b for b, w in where.items() if w["disposition"] != "retail_sold"]
    _ok(
        client.post("/v1/events", content=json.dumps(scenario.recall_document(unsold)), headers=party),
        (200, 202),
    )
    recalled = sum(
        _ok(client.get(f"/v1/items/{b}/location", headers=party))["disposition"] == "recalled" for b in unsold
    )
    say("The brand owner recalls every unsold bottle", recalled=f"{recalled} of {len(unsold)}")

    prov = _ok(client.get(f"/v1/lineage/{scenario.SOLD_BOTTLE}", params={"format": "prov"}, headers=party))
    svg = client.get(
        f"/v1/lineage/{scenario.ESSENCE_LOT}.svg", params={"direction": "forward"}, headers=party
    )
    kinds: dict[str, int] = {}
    for node in prov["@graph"]:
        kinds[node["@type"]] = kinds.get(node["@type"], 0) + 1
    say(
        "Lineage exports for auditors",
        prov_o_jsonld=", ".join(f"{n} {t}" for t, n in sorted(kinds.items())),
        svg=f"{len(svg.content)} bytes ({svg.headers['content-type']})",
    )


def _container_kind(container: str) -> str:
    return "pallet" if container == scenario.PALLET else "case"
