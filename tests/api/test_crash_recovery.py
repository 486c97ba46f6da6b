"""A crash between storing a registration and recording the chain's answer loses nothing, doubles nothing."""

from __future__ import annotations

from dataledger.api.schemas import AssetFactsBody
from dataledger.composition import Services
from dataledger.registry.assets import AssetRecord, AssetState
from dataledger.registry.holder_signatures import RegistrationAuthorisation
from tests.factories import Actor, ApiDriver, asset_facts


def stored_as_pending(services: Services, api: ApiDriver, holder: Actor, *, deadline: int | None = None):  # type: ignore[no-untyped-def]
    """What the service has stored when a crash hits right after ``add_pending_asset``."""
    facts = asset_facts()
    prepared = api.prepare(holder, facts)
    if deadline is not None:
        prepared = api.client.post(
            "/v1/assets/registration-requests",
            json={"facts": facts, "salt": prepared["salt"], "deadline": deadline},
            headers=holder.headers,
        ).json()
    submission = api.submission(prepared, facts, holder.account)
    record = AssetRecord(
        asset_id=prepared["assetId"],
        holder_id=holder.id,
        holder_address=holder.account.address,  # type: ignore[union-attr]
        facts=AssetFactsBody.model_validate(facts).to_domain(),
        salt=submission["salt"],
        metadata_hash=prepared["metadataHash"],
        nonce=submission["nonce"],
        deadline=submission["deadline"],
        signature=submission["signature"],
        state=AssetState.PENDING,
    )
    services.store.add_pending_asset(record)
    auth = RegistrationAuthorisation(
        record.holder_address,
        record.facts.content_hash,
        record.metadata_hash,
        record.nonce,
        record.deadline,
        right=record.facts.right_claimed,
        lawful_source_hash=prepared["lawfulSourceHash"],
    )
    return record, auth


def test_pending_registration_that_never_reached_the_chain_is_relayed(
    services: Services, api: ApiDriver
) -> None:
    holder = api.participant("enterprise")
    record, _ = stored_as_pending(services, api, holder)
    report = services.registration.recover_pending()
    assert report.relayed == [record.asset_id] and report.completed == [record.asset_id]
    recovered = services.store.get_asset(record.asset_id)
    assert recovered is not None and recovered.state is AssetState.REGISTERED
    assert services.registry.asset(record.asset_id) is not None


def test_pending_registration_already_on_chain_is_completed_not_sent_twice(
    services: Services, api: ApiDriver
) -> None:
    holder = api.participant("enterprise")
    record, auth = stored_as_pending(services, api, holder)
    event = services.registry.register(auth, record.signature)  # reached the chain, then the crash
    report = services.registration.recover_pending()
    assert report.completed == [record.asset_id] and report.relayed == []
    recovered = services.store.get_asset(record.asset_id)
    assert recovered is not None and recovered.evidence == event.evidence
    assert services.registry.nonce_of(holder.account.address) == 1  # type: ignore[union-attr]


def test_pending_registration_whose_signature_expired_is_discarded(
    services: Services, api: ApiDriver
) -> None:
    holder = api.participant("enterprise")
    record, _ = stored_as_pending(services, api, holder, deadline=1)
    report = services.registration.recover_pending()
    assert report.discarded == [record.asset_id]
    assert services.store.get_asset(record.asset_id) is None
    assert services.registry.asset(record.asset_id) is None
