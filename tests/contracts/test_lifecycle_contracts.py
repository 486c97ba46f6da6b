"""The lifecycle enforced by the contracts themselves (no API in front): the procedure's timing,
holder and pledgee acts, licences consumed per use, consents, on the embedded chain with time travel."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3.logs import DISCARD

from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.registry.holder_signatures import Eip712Domain, act_authorisation, licence_domain, sign_act
from tests.contracts.conftest import by_registrar, h, pledge_call, reverts_with, set_next_timestamp, transact

ZERO = b"\x00" * 32
FORMAL, SUBSTANTIVE = 0, 1
IN_NOTICE, CERTIFIED, CANCELLED = 4, 5, 7
NOTICE_S = 15 * 24 * 3600
FAR = 2**40


@pytest.fixture(scope="module")
def licences(w3, registry, actors):  # type: ignore[no-untyped-def]
    artifact = load_artifact("LicenceRegistry")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor(registry.address).transact({"from": actors.admin.address})
    )
    return w3.eth.contract(address=receipt.contractAddress, abi=artifact.abi)


def signed(contract, primary: str, signer, key=None, licence=False, **fields):  # type: ignore[no-untyped-def]
    """The EIP-712 act of ``signer`` (signed with ``key``, default the signer's) and its signature."""
    domain = (licence_domain if licence else Eip712Domain)(contract.w3.eth.chain_id, contract.address)
    nonce = contract.functions.nonces(signer.address).call()
    auth = act_authorisation(primary, signer.address, **fields, nonce=nonce, deadline=FAR)
    own_key = signer.key if hasattr(signer, "key") else signer.private_key
    return auth, bytes.fromhex(sign_act(key or own_key, auth, domain)[2:])


def _b(value):  # type: ignore[no-untyped-def]
    return bytes.fromhex(value[2:]) if isinstance(value, str) and len(value) == 66 else value


def submit(w3, contract, function: str, names, auth, signature, sender):  # type: ignore[no-untyped-def]
    args = [_b(auth.message[name]) for name in names]
    return transact(w3, getattr(contract.functions, function)(*args, signature), sender)


def in_notice(w3, registry, actors, authorise, notice=NOTICE_S, content="content"):  # type: ignore[no-untyped-def]
    transact(w3, registry.functions.setNoticePeriod(notice), actors.admin.address)
    registration = authorise(actors.holder, h(content), h("metadata"))
    transact(w3, registry.functions.register(*registration.args()), actors.relayer.address)
    asset_id = registry.functions.assetIdFor(actors.holder.address, h(content), h("metadata")).call()
    for stage in (FORMAL, SUBSTANTIVE):
        transact(
            w3,
            by_registrar(actors.registrar, registry, "recordReview", asset_id, stage, True, h("ok")),
            actors.registrar.address,
        )
    return asset_id


def certified(w3, registry, actors, authorise, content="content"):  # type: ignore[no-untyped-def]
    asset_id = in_notice(w3, registry, actors, authorise, notice=0, content=content)
    transact(
        w3,
        by_registrar(
            actors.registrar, registry, "recordCertificate", asset_id, h(f"certificate {content}"), 0
        ),
        actors.relayer.address,
    )
    return asset_id


def objection(w3, registry, actors, asset_id, objector=None):  # type: ignore[no-untyped-def]
    objector = objector or actors.other_holder
    auth, signature = signed(
        registry, "Objection", objector, objector=objector.address, assetId="0x" + asset_id.hex(),
        reasonHash="0x" + h("ours").hex(), evidenceHash="0x" + h("proof").hex(),
    )  # fmt: skip
    names = ("objector", "assetId", "reasonHash", "evidenceHash", "nonce", "deadline")
    return submit(w3, registry, "fileObjection", names, auth, signature, actors.relayer.address), (
        auth,
        signature,
        names,
    )


# -- the procedure -----------------------------------------------------------------------------------


def test_the_notice_starts_with_the_substantive_review_and_ends_after_the_period(
    w3, registry, actors, authorise
):
    asset_id = in_notice(w3, registry, actors, authorise)
    procedure = registry.functions.procedureOf(asset_id).call()
    started = w3.eth.get_block("latest").timestamp

    assert registry.functions.assetOf(asset_id).call()[2] == IN_NOTICE
    assert procedure[4] == started + NOTICE_S
    with reverts_with(registry, "DataRightsNoticePeriodNotEnded", asset_id, started + NOTICE_S):
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("certificate"), 0).transact(
            {"from": actors.relayer.address}
        )


def test_objection_after_the_notice_ended_is_refused(chain, w3, registry, actors, authorise):
    asset_id = in_notice(w3, registry, actors, authorise)
    ends_at = registry.functions.procedureOf(asset_id).call()[4]
    set_next_timestamp(chain, ends_at)

    with reverts_with(registry, "DataRightsNoticePeriodEnded", asset_id, ends_at):
        objection(w3, registry, actors, asset_id)


def test_certificate_with_an_open_objection_is_refused_until_it_is_resolved(
    chain, w3, registry, actors, authorise
):
    asset_id = in_notice(w3, registry, actors, authorise)
    receipt, _ = objection(w3, registry, actors, asset_id)
    (filed,) = registry.events.ObjectionFiled().process_receipt(receipt, errors=DISCARD)
    set_next_timestamp(chain, registry.functions.procedureOf(asset_id).call()[4])
    transact(
        w3, registry.functions.setNoticePeriod(0), actors.admin.address
    )  # any later block is after the end

    with reverts_with(registry, "DataRightsObjectionsOpen", asset_id, 1):
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("certificate"), 0).transact(
            {"from": actors.relayer.address}
        )
    transact(
        w3,
        by_registrar(
            actors.registrar, registry, "resolveObjection", filed.args.objectionId, False, h("dismissed")
        ),
        actors.relayer.address,
    )
    transact(
        w3,
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("certificate"), 0),
        actors.registrar.address,
    )
    assert registry.functions.assetOf(asset_id).call()[2] == CERTIFIED


def test_replayed_objection_is_refused(w3, registry, actors, authorise):
    asset_id = in_notice(w3, registry, actors, authorise)
    _, (auth, signature, names) = objection(w3, registry, actors, asset_id)

    with reverts_with(registry, "InvalidAccountNonce", actors.other_holder.address, 1):
        submit(w3, registry, "fileObjection", names, auth, signature, actors.relayer.address)


def test_only_the_admin_sets_the_notice_period(registry, actors):
    with pytest.raises(Exception):  # noqa: B017 - AccessControlUnauthorizedAccount, decoded elsewhere
        registry.functions.setNoticePeriod(0).transact({"from": actors.registrar.address})
    with reverts_with(registry, "DataRightsInvalidNoticePeriod", 366 * 24 * 3600):
        registry.functions.setNoticePeriod(366 * 24 * 3600).transact({"from": actors.admin.address})


# -- holder and pledgee acts -------------------------------------------------------------------------


def pledge(w3, registry, actors, asset_id):  # type: ignore[no-untyped-def]
    """Both sign: the holder pledges, the stranger (the bank) accepts."""
    return transact(
        w3, pledge_call(registry, asset_id, actors.holder, actors.stranger, FAR), actors.relayer.address
    )


def test_transfer_and_cancellation_while_pledged_are_refused(w3, registry, actors, authorise):
    asset_id = certified(w3, registry, actors, authorise)
    pledge(w3, registry, actors, asset_id)
    auth, signature = signed(
        registry, "Transfer", actors.holder, assetId="0x" + asset_id.hex(), to=actors.other_holder.address
    )

    with reverts_with(registry, "DataRightsAssetIsPledged", asset_id, actors.stranger.address):
        submit(
            w3,
            registry,
            "transfer",
            ("assetId", "to", "nonce", "deadline"),
            auth,
            signature,
            actors.relayer.address,
        )
    cancel, cancel_signature = signed(registry, "Cancellation", actors.holder, assetId="0x" + asset_id.hex())
    with reverts_with(registry, "DataRightsAssetIsPledged", asset_id, actors.stranger.address):
        submit(
            w3,
            registry,
            "cancel",
            ("assetId", "nonce", "deadline"),
            cancel,
            cancel_signature,
            actors.relayer.address,
        )


def test_release_signed_by_anyone_but_the_pledgee_is_refused(w3, registry, actors, authorise):
    asset_id = certified(w3, registry, actors, authorise)
    pledge(w3, registry, actors, asset_id)
    names = ("assetId", "nonce", "deadline")
    auth, forged = signed(
        registry, "PledgeRelease", actors.stranger, key=actors.holder.private_key,
        assetId="0x" + asset_id.hex(), pledgee=actors.stranger.address,
    )  # fmt: skip

    with reverts_with(registry, "DataRightsInvalidSignature", actors.stranger.address):
        submit(w3, registry, "releasePledge", names, auth, forged, actors.relayer.address)
    auth, signature = signed(
        registry,
        "PledgeRelease",
        actors.stranger,
        assetId="0x" + asset_id.hex(),
        pledgee=actors.stranger.address,
    )
    receipt = submit(w3, registry, "releasePledge", names, auth, signature, actors.relayer.address)
    assert (
        registry.events.PledgeReleased().process_receipt(receipt, errors=DISCARD)[0].args.pledgee
        == actors.stranger.address
    )
    assert registry.functions.procedureOf(asset_id).call()[6] == "0x" + "00" * 20


def test_enforcement_passes_the_asset_to_the_pledgee(w3, registry, actors, authorise):
    asset_id = certified(w3, registry, actors, authorise)
    pledge(w3, registry, actors, asset_id)
    auth, signature = signed(
        registry,
        "PledgeEnforcement",
        actors.stranger,
        assetId="0x" + asset_id.hex(),
        pledgee=actors.stranger.address,
    )

    receipt = submit(
        w3,
        registry,
        "enforcePledge",
        ("assetId", "nonce", "deadline"),
        auth,
        signature,
        actors.relayer.address,
    )

    (moved,) = registry.events.AssetTransferred().process_receipt(receipt, errors=DISCARD)
    assert (moved.args["from"], moved.args.to) == (actors.holder.address, actors.stranger.address)
    assert registry.functions.assetOf(asset_id).call()[0] == actors.stranger.address
    assert registry.functions.procedureOf(asset_id).call()[3] == 1  # enforcements


def test_transfer_signed_by_another_key_is_refused(w3, registry, actors, authorise):
    asset_id = certified(w3, registry, actors, authorise)
    auth, forged = signed(
        registry, "Transfer", actors.holder, key=actors.stranger.private_key,
        assetId="0x" + asset_id.hex(), to=actors.other_holder.address,
    )  # fmt: skip
    with reverts_with(registry, "DataRightsInvalidSignature", actors.holder.address):
        submit(
            w3,
            registry,
            "transfer",
            ("assetId", "to", "nonce", "deadline"),
            auth,
            forged,
            actors.relayer.address,
        )


# -- licences and consents ---------------------------------------------------------------------------


def grant(w3, licences, actors, asset_id, max_uses=1, valid_for=3600):  # type: ignore[no-untyped-def]
    now = w3.eth.get_block("pending").timestamp
    terms = {
        "assetId": "0x" + asset_id.hex(), "licensee": actors.other_holder.address, "assetVersion": 0,
        "maxUses": max_uses, "validFrom": now - 1, "validUntil": now + valid_for, "derivativesAllowed": False,
        "commercial": True, "scopeHash": "0x" + h("scope").hex(), "purposeHash": "0x" + h("purpose").hex(),
        "territoryHash": "0x" + "00" * 32, "exclusivity": 0,
    }  # fmt: skip
    auth, signature = signed(licences, "Licence", actors.holder, licence=True, **terms)
    receipt = transact(
        w3,
        licences.functions.grantLicence(tuple(_b(v) for v in terms.values()), auth.nonce, FAR, signature),
        actors.relayer.address,
    )
    (granted,) = licences.events.LicenceGranted().process_receipt(receipt, errors=DISCARD)
    return granted.args.licenceId


def use(w3, licences, actors, licence_id, key=None):  # type: ignore[no-untyped-def]
    auth, signature = signed(
        licences, "LicenceUse", actors.other_holder, key=key, licence=True,
        licenceId=licence_id, requestHash="0x" + h(f"request {Account.create().address}").hex(),
    )  # fmt: skip
    return submit(
        w3,
        licences,
        "useLicence",
        ("licenceId", "requestHash", "nonce", "deadline"),
        auth,
        signature,
        actors.relayer.address,
    )


def test_a_licence_of_one_use_is_used_once(w3, registry, licences, actors, authorise):
    licence_id = grant(w3, licences, actors, certified(w3, registry, actors, authorise))

    receipt = use(w3, licences, actors, licence_id)

    (used,) = licences.events.LicenceUsed().process_receipt(receipt, errors=DISCARD)
    assert (used.args.use, used.args.licensee) == (1, actors.other_holder.address)
    with reverts_with(licences, "LicenceUsedUp", licence_id, 1):
        use(w3, licences, actors, licence_id)


def test_a_licence_is_refused_after_expiry(chain, w3, registry, licences, actors, authorise):
    licence_id = grant(
        w3, licences, actors, certified(w3, registry, actors, authorise), max_uses=5, valid_for=60
    )
    until = licences.functions.licenceOf(licence_id).call()[0][5]
    set_next_timestamp(chain, until + 1)
    with reverts_with(licences, "LicenceExpired", licence_id, until):
        use(w3, licences, actors, licence_id)


def test_a_licence_on_a_revoked_asset_is_refused(w3, registry, licences, actors, authorise):
    asset_id = certified(w3, registry, actors, authorise)
    licence_id = grant(w3, licences, actors, asset_id, max_uses=5)
    transact(
        w3,
        by_registrar(actors.registrar, registry, "revoke", asset_id, h("unlawful")),
        actors.relayer.address,
    )
    with reverts_with(licences, "LicenceAssetNotCertified", asset_id, 2):
        use(w3, licences, actors, licence_id)


def test_a_licence_use_signed_by_another_key_is_refused(w3, registry, licences, actors, authorise):
    licence_id = grant(w3, licences, actors, certified(w3, registry, actors, authorise))
    with reverts_with(licences, "LicenceInvalidSignature", actors.other_holder.address):
        use(w3, licences, actors, licence_id, key=actors.stranger.private_key)


def test_a_consent_is_consumed_by_one_query(w3, licences, actors):
    person, enterprise = Account.create(), actors.other_holder
    until = w3.eth.get_block("pending").timestamp + 3600
    auth, signature = signed(
        licences, "Consent", person, licence=True, subject=person.address, enterprise=enterprise.address,
        purposeHash="0x" + h("CV check").hex(), validUntil=until,
    )  # fmt: skip
    names = ("subject", "enterprise", "purposeHash", "validUntil", "nonce", "deadline")
    receipt = submit(w3, licences, "grantConsent", names, auth, signature, actors.relayer.address)
    (granted,) = licences.events.ConsentGranted().process_receipt(receipt, errors=DISCARD)
    consent_id = granted.args.consentId

    def query():  # type: ignore[no-untyped-def]
        auth, signature = signed(
            licences,
            "ConsentUse",
            enterprise,
            licence=True,
            consentId=consent_id,
            requestHash="0x" + h("query").hex(),
        )
        return submit(
            w3,
            licences,
            "consumeConsent",
            ("consentId", "requestHash", "nonce", "deadline"),
            auth,
            signature,
            actors.relayer.address,
        )

    query()
    with reverts_with(licences, "LicenceConsentNotActive", consent_id, 2):
        query()
    assert licences.functions.consentOf(consent_id).call()[4] == 2  # Consumed
