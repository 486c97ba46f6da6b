"""Acts on a certified asset signed by its holder: change, transfer, cancellation (pledges, which the
pledgee signs too, are ``registry.pledges``).

Each act has two steps for the signer: ``prepare_*`` answers the EIP-712 message to sign (with the
signer's current nonce and a deadline), ``*`` takes the signature, checks it off chain, relays it
and records what the chain emitted. The contract enforces who may sign and when (no transfer or
cancellation while pledged). After a transfer, an enforcement or a change, the asset stays certified
under its current certificate until a registrar issues, with its own signature, the certificate that
supersedes it (``RegistrationService.prepare_certificate``): the registry never issues a certificate
in a registrar's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataledger.registry.act_journal import ActJournal, Acts, JournalledActs, Recorder
from dataledger.registry.assets import (
    AssetFacts,
    AssetRecord,
    AssetState,
    metadata_commitment,
    new_salt,
)
from dataledger.registry.chain_records import act_of
from dataledger.registry.chain_types import require_address
from dataledger.registry.errors import NotAuthorised, ValidationFailed
from dataledger.registry.holder_signatures import (
    ActAuthorisation,
    prepared_act,
)
from dataledger.registry.participants import Participant
from dataledger.registry.ports import RegistryLedger, RegistryStore
from dataledger.registry.registration_service import RegistrationService
from dataledger.registry.signed_acts import SignedActRelay


class HolderActsService:
    def __init__(
        self,
        ledger: RegistryLedger,
        store: RegistryStore,
        registration: RegistrationService,
        journal: ActJournal | None = None,
    ) -> None:
        self._ledger = ledger
        self._store = store
        self._registration = registration
        acts = JournalledActs(ledger, ledger.registry_address, journal, self.recorders)
        self._signed = SignedActRelay(ledger, ledger.next_block_timestamp, acts)

    @property
    def recorders(self) -> Mapping[str, Recorder]:
        """What records each act's result, by the name its journal entry carries."""
        return {
            "holder.change": self._record_change,
            "holder.transfer": self._record_transfer,
            "holder.cancel": self._record_cancellation,
        }

    # -- change -----------------------------------------------------------------------------------

    def prepare_change(
        self, holder: Participant, asset_id: str, facts: AssetFacts, salt: str | None
    ) -> dict[str, Any]:
        salt = salt or new_salt()
        auth, metadata_hash = self._change(holder, asset_id, facts, salt, None, None)
        return prepared_act(auth, self._ledger.domain, salt=salt, metadataHash=metadata_hash)

    def change(
        self,
        holder: Participant,
        asset_id: str,
        facts: AssetFacts,
        salt: str,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> dict[str, Any]:
        """Record a new version of the data (new content hash); a registrar then reissues the certificate."""
        auth, _ = self._change(holder, asset_id, facts, salt, nonce, deadline)
        result: dict[str, Any] = self._signed.relay(
            auth, signature, "holder.change", {"facts": facts.as_json(), "salt": salt}
        )
        return result

    def _record_change(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> dict[str, Any]:
        record = self._store.record_new_version(
            auth.message["assetId"],
            AssetFacts(**payload["facts"]),
            payload["salt"],
            auth.message["metadataHash"],
            acts,
            actor=auth.signer,
        )
        changed = act_of(acts, "AssetChanged").evidence
        return {
            "asset": self._registration.get_asset(record.asset_id).as_json(),
            "transaction": changed.as_json(),
        }

    def _change(
        self,
        holder: Participant,
        asset_id: str,
        facts: AssetFacts,
        salt: str,
        nonce: int | None,
        deadline: int | None,
    ) -> tuple[ActAuthorisation, str]:
        record = self._holder_record(holder, asset_id)
        if facts.right_claimed is not record.facts.right_claimed:
            raise ValidationFailed("a change cannot alter the right claimed", field="right_claimed")
        metadata_hash = metadata_commitment(facts, record.holder_address, salt)
        auth = self._signed.authorisation(
            "Change",
            record.holder_address,
            nonce,
            deadline,
            assetId=record.asset_id,
            contentHash=facts.content_hash,
            metadataHash=metadata_hash,
        )
        return auth, metadata_hash

    # -- transfer ---------------------------------------------------------------------------------

    def prepare_transfer(self, holder: Participant, asset_id: str, to: str) -> dict[str, Any]:
        return prepared_act(self._transfer(holder, asset_id, to, None, None)[0], self._ledger.domain)

    def transfer(
        self, holder: Participant, asset_id: str, to: str, nonce: int, deadline: int, signature: str
    ) -> dict[str, Any]:
        """Pass the rights to another participant; a registrar then issues the certificate in its name."""
        auth, transferee = self._transfer(holder, asset_id, to, nonce, deadline)
        result: dict[str, Any] = self._signed.relay(
            auth, signature, "holder.transfer", {"transfereeId": transferee.id}
        )
        return result

    def _record_transfer(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> dict[str, Any]:
        record = self._store.set_holder(
            auth.message["assetId"], payload["transfereeId"], auth.message["to"], acts, actor=auth.signer
        )
        transferred = act_of(acts, "AssetTransferred").evidence
        return {
            "asset": self._registration.get_asset(record.asset_id).as_json(),
            "transaction": transferred.as_json(),
        }

    def _transfer(
        self, holder: Participant, asset_id: str, to: str, nonce: int | None, deadline: int | None
    ) -> tuple[ActAuthorisation, Participant]:
        record = self._holder_record(holder, asset_id)
        transferee = self._participant_at(to, "to")
        auth = self._signed.authorisation(
            "Transfer", record.holder_address, nonce, deadline, assetId=record.asset_id, to=to
        )
        return auth, transferee

    # -- cancellation -----------------------------------------------------------------------------

    def prepare_cancellation(self, holder: Participant, asset_id: str) -> dict[str, Any]:
        record = self._holder_record(holder, asset_id)
        auth = self._signed.authorisation(
            "Cancellation", record.holder_address, None, None, assetId=record.asset_id
        )
        return prepared_act(auth, self._ledger.domain)

    def cancel(
        self, holder: Participant, asset_id: str, nonce: int, deadline: int, signature: str
    ) -> AssetRecord:
        """The holder cancels the registration (or withdraws the application); not while pledged."""
        record = self._holder_record(holder, asset_id)
        auth = self._signed.authorisation(
            "Cancellation", record.holder_address, nonce, deadline, assetId=record.asset_id
        )
        cancelled: AssetRecord = self._signed.relay(auth, signature, "holder.cancel")
        return cancelled

    def _record_cancellation(self, auth: ActAuthorisation, _: Mapping[str, Any], acts: Acts) -> AssetRecord:
        return self._store.record_acts(
            auth.message["assetId"], acts, actor=auth.signer, state=AssetState.CANCELLED
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _holder_record(self, holder: Participant, asset_id: str) -> AssetRecord:
        # A batched registration not on chain yet is materialised by its holder's first act.
        record = self._registration.asset_for_act(asset_id, holder=holder.address or "")
        if holder.address is None or holder.address.lower() != record.holder_address.lower():
            raise NotAuthorised("only the asset's holder may do this", holder=record.holder_address)
        return record

    def _participant_at(self, address: str, field: str) -> Participant:
        require_address(address, field)
        participant = self._store.participant_by_address(address)
        if participant is None:
            raise ValidationFailed(f"{field} must be the chain address of a participant", field=field)
        return participant
