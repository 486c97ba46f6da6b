"""The asynchronous client against a live server on the embedded chain: the same resources awaited,
concurrent requests on one connection pool, and problems raised as typed exceptions."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest

from dataledger.client import (
    AsyncClient,
    AuthenticationError,
    ConflictError,
    LocalKeySigner,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from tests.client.conftest import ADMIN_KEY, OperationLog

pytestmark = pytest.mark.slow

RUN = uuid.uuid4().hex


def digest(label: str) -> str:
    return "0x" + hashlib.sha256(f"{RUN} {label}".encode()).hexdigest()


def facts(name: str) -> dict[str, Any]:
    return {"name": name, "source": "own systems", "collectionMethod": "export", "industry": "retail"}


async def _party(
    admin: AsyncClient, base: str, role: str, log: OperationLog
) -> tuple[AsyncClient, LocalKeySigner]:
    signer = LocalKeySigner.generate()
    created = await admin.participants.create(f"async {role} {RUN[:6]}", role, signer.address)
    client = AsyncClient(base, created["apiKey"])
    log.attach_async(client._http)
    return client, signer


async def _lifecycle(base: str, data: Path) -> OperationLog:
    log = OperationLog()
    async with AsyncClient(base, ADMIN_KEY) as admin:
        log.attach_async(admin._http)
        (holder, holder_key), (licensee, licensee_key) = await asyncio.gather(
            _party(admin, base, "enterprise", log), _party(admin, base, "enterprise", log)
        )
        registrar, registrar_key = await _party(admin, base, "registrar", log)
        async with holder, licensee, registrar:
            await admin.procedure.set_notice_period(0)

            # register a file, certify it
            dataset = data / "visits.csv"
            dataset.write_text(f"day,visits\n1,40\n# {RUN}\n")
            asset = await holder.assets.register(dataset, facts("Visits"), signer=holder_key)
            asset_id = asset["assetId"]
            assert asset["contentHash"] == "0x" + hashlib.sha256(dataset.read_bytes()).hexdigest()
            await registrar.procedure.review(asset_id, "formal", reason="complete", signer=registrar_key)
            await registrar.procedure.review(asset_id, "substantive", reason="lawful", signer=registrar_key)
            certificate = await registrar.assets.issue_certificate(asset_id, signer=registrar_key)
            number = certificate["credentialSubject"]["certificateNumber"]
            status, verified = await asyncio.gather(
                holder.certificates.status(number), holder.certificates.verify(certificate)
            )
            assert status["status"] == "valid" and verified["valid"] is True

            # license it; the licensee uses it once
            chain_time = (await holder.procedure.status(asset_id))["chainTime"]
            licence = await holder.licences.grant(
                asset_id,
                licensee_key.address,
                scope="daily visits",
                purpose="staffing",
                valid_until=chain_time + 86400,
                max_uses=1,
                signer=holder_key,
            )
            used = await licensee.licences.use(licence["licenceId"], digest("query"), signer=licensee_key)
            assert used["use"]["number"] == 1
            with pytest.raises(ConflictError) as used_up:
                await licensee.licences.use(licence["licenceId"], digest("again"), signer=licensee_key)
            assert used_up.value.code == "licence-used-up"

            # acts of different signers run concurrently (one signer's acts run in turn: the server
            # prepares each with the signer's next nonce, so two at once would both get the same one)
            ours, theirs = await asyncio.gather(
                holder.assets.register(digest("day 0"), facts("Day 0"), signer=holder_key),
                licensee.assets.register(digest("theirs"), facts("Theirs"), signer=licensee_key),
            )
            assert ours["holderAddress"] == holder_key.address
            assert theirs["holderAddress"] == licensee_key.address
            more = [ours] + [
                await holder.assets.register(digest(f"day {day}"), facts(f"Day {day}"), signer=holder_key)
                for day in range(1, 4)
            ]

            # paging: every asset of the holder, three pages of two
            seen = [a["assetId"] async for a in holder.assets.iterate(page_size=2)]
            assert sorted(seen) == sorted([asset_id, *(a["assetId"] for a in more)])
            page = await holder.assets.list(limit=2, offset=4)
            assert len(page["items"]) == 1

            # reads in parallel
            got = await asyncio.gather(*(holder.assets.get(a["assetId"]) for a in more))
            assert [g["facts"]["name"] for g in got] == [f"Day {day}" for day in range(4)]

            # problems are typed exceptions with their stable code
            with pytest.raises(NotFoundError) as missing:
                await holder.assets.get(digest("nothing"))
            assert (missing.value.status, missing.value.code) == (404, "asset-not-found")
            assert missing.value.request_id
            with pytest.raises(PermissionDeniedError) as refused:
                await holder.assets.issue_certificate(asset_id, signer=holder_key)
            assert refused.value.code == "not-authorised"
            with pytest.raises(ValidationError) as invalid:
                await holder.licences.list(limit=0)
            assert invalid.value.code == "validation-failed"
            assert any("limit" in str(e) for e in invalid.value.problem["errors"]), invalid.value.problem
    async with AsyncClient(base, "dlk_" + "0" * 43) as stranger:
        with pytest.raises(AuthenticationError) as unknown:
            await stranger.participants.me()
        assert (unknown.value.status, unknown.value.code) == (401, "not-authenticated")
    return log


def test_the_async_client_registers_certifies_licenses_and_pages(
    embedded_server: str, tmp_path: Path
) -> None:
    log = asyncio.run(_lifecycle(embedded_server, tmp_path))
    assert log.sent.count("registerAsset") == 6
    assert {"issueCertificate", "grantLicence", "useLicence", "listAssets"} <= set(log.sent)
