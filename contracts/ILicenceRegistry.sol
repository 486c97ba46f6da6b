// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IDataRightsRegistry} from "./IDataRightsRegistry.sol";

/**
 * @title ILicenceRegistry
 * @dev Licences on registered data assets, consumed one use at a time, and data subjects' consents.
 *
 * Licences: the holder of a certified asset (as {IDataRightsRegistry} says) grants a licence by
 * signing an EIP-712 `Licence` carrying its terms: scope, purpose, territory (as commitments),
 * period, maximum number of uses, whether derivatives may be made and whether commercial use is
 * allowed. Each use is consumed on chain with the licensee's signed `LicenceUse`, which names the
 * request by its hash ("one authorisation per use"); a use is refused once the licence is used up,
 * outside its period, revoked by the holder, or when the asset is no longer certified or a pledge
 * was enforced on it since the grant.
 *
 * Consents: a data subject, known only by a key, signs an EIP-712 `Consent` letting one enterprise
 * query their data once for a purpose; the enterprise's signed `ConsentUse` consumes it; the subject
 * may withdraw it while it is unused.
 *
 * Every signer has one sequence of nonces in this contract, shared by all its acts.
 */
interface ILicenceRegistry {
    /// @dev Lifecycle of a consent. `None` is the status of a consent that was never granted.
    enum ConsentStatus {
        None,
        Active,
        Consumed,
        Withdrawn
    }

    /**
     * @dev How exclusive a licence is: `NonExclusive` (others may be licensed too), `Sole` (no other
     * licensee; the holder keeps its own use) or `Exclusive` (only the licensee, not even the holder).
     */
    enum Exclusivity {
        NonExclusive,
        Sole,
        Exclusive
    }

    /**
     * @dev What a holder grants. `assetVersion` zero covers every version of the asset. `scopeHash`,
     * `purposeHash` and `territoryHash` commit to the salted texts of the licence (territory zero:
     * anywhere). The licence may be used `maxUses` times from `validFrom` to `validUntil` inclusive.
     * A sole or exclusive licence is the only one of the asset in force during its term.
     */
    struct LicenceTerms {
        bytes32 assetId;
        address licensee;
        uint32 assetVersion;
        uint32 maxUses;
        uint64 validFrom;
        uint64 validUntil;
        bool derivativesAllowed;
        bool commercial;
        bytes32 scopeHash;
        bytes32 purposeHash;
        bytes32 territoryHash;
        Exclusivity exclusivity;
    }

    /**
     * @dev A granted licence: its terms, who granted it, the uses consumed so far, and the number of
     * pledge enforcements on the asset when it was granted.
     */
    struct Licence {
        LicenceTerms terms;
        address licensor;
        uint32 uses;
        uint32 enforcementsAtGrant;
        bool revoked;
    }

    /**
     * @dev A data subject's consent to one query by `enterprise`, for the purpose committed to by
     * `purposeHash`, until `validUntil`. `requestHash` names the query that consumed it.
     */
    struct Consent {
        address subject;
        address enterprise;
        uint64 grantedAt;
        uint64 validUntil;
        ConsentStatus status;
        bytes32 purposeHash;
        bytes32 requestHash;
    }

    /// @dev Emitted when `licensor`, the holder of `assetId`, grants licence `licenceId` to `licensee`.
    event LicenceGranted(
        uint256 indexed licenceId,
        bytes32 indexed assetId,
        address indexed licensee,
        address licensor,
        LicenceTerms terms
    );

    /// @dev Emitted when `licensee` consumes use number `use` of licence `licenceId` for request `requestHash`.
    event LicenceUsed(
        uint256 indexed licenceId,
        bytes32 indexed assetId,
        address indexed licensee,
        uint32 use,
        bytes32 purposeHash,
        bytes32 requestHash
    );

    /**
     * @dev Emitted when a delivery gateway records `count` uses of licence `licenceId` redeemed off chain,
     * numbered `firstUse` to `firstUse + count - 1`; `receiptsRoot` is the Merkle root of their receipts.
     */
    event LicenceUsesRecorded(
        uint256 indexed licenceId,
        bytes32 indexed assetId,
        address indexed licensee,
        uint32 firstUse,
        uint32 count,
        bytes32 receiptsRoot
    );

    /// @dev Emitted when `holder` revokes licence `licenceId`, for the reason `reasonHash`.
    event LicenceRevoked(uint256 indexed licenceId, bytes32 indexed assetId, address indexed holder, bytes32 reasonHash);

    /// @dev Emitted when `subject` consents to one query by `enterprise`.
    event ConsentGranted(
        uint256 indexed consentId,
        address indexed subject,
        address indexed enterprise,
        bytes32 purposeHash,
        uint64 validUntil
    );

    /// @dev Emitted when `enterprise` consumes consent `consentId` with the query `requestHash`.
    event ConsentConsumed(
        uint256 indexed consentId,
        address indexed subject,
        address indexed enterprise,
        bytes32 requestHash
    );

    /// @dev Emitted when `subject` withdraws consent `consentId`.
    event ConsentWithdrawn(uint256 indexed consentId, address indexed subject, address indexed enterprise);

    /// @dev The signature is not a valid EIP-712 signature of `signer` over the act.
    error LicenceInvalidSignature(address signer);

    /// @dev The signed authorisation expired at `deadline`; the current block timestamp is `timestamp`.
    error LicenceSignatureExpired(uint256 deadline, uint256 timestamp);

    /// @dev A hash argument is zero.
    error LicenceZeroHash();

    /// @dev `account` cannot take part in this act (the zero address, or the other party itself).
    error LicenceInvalidCounterparty(address account);

    /// @dev The asset `assetId` has status `assetStatus`, not `Certified`.
    error LicenceAssetNotCertified(bytes32 assetId, IDataRightsRegistry.AssetStatus assetStatus);

    /// @dev The certificate of asset `assetId` expired at `validUntil`.
    error LicenceAssetCertificateExpired(bytes32 assetId, uint64 validUntil);

    /// @dev A pledge on asset `assetId` was enforced after the licence was granted.
    error LicenceAssetEnforced(bytes32 assetId);

    /// @dev The licence terms name version `assetVersion` of an asset whose current version is `currentVersion`.
    error LicenceInvalidAssetVersion(uint32 assetVersion, uint32 currentVersion);

    /// @dev The period from `validFrom` to `validUntil` is empty or already over.
    error LicenceInvalidPeriod(uint64 validFrom, uint64 validUntil);

    /// @dev A licence must allow at least one use.
    error LicenceZeroUses();

    /// @dev The licence `licenceId` was never granted.
    error LicenceNotFound(uint256 licenceId);

    /// @dev The licence `licenceId` is revoked.
    error LicenceIsRevoked(uint256 licenceId);

    /// @dev The licence `licenceId` cannot be used before `validFrom`.
    error LicenceNotYetValid(uint256 licenceId, uint64 validFrom);

    /// @dev The licence `licenceId` expired at `validUntil`.
    error LicenceExpired(uint256 licenceId, uint64 validUntil);

    /// @dev All `maxUses` uses of licence `licenceId` are consumed.
    error LicenceUsedUp(uint256 licenceId, uint32 maxUses);

    /// @dev `count` more uses of licence `licenceId` would exceed its `maxUses`; `uses` are consumed.
    error LicenceOverUse(uint256 licenceId, uint32 uses, uint32 count, uint32 maxUses);

    /// @dev A sole or exclusive licence of `assetId`, pledged to `pledgee`, waits for the pledge's release.
    error LicenceAssetPledged(bytes32 assetId, address pledgee);

    /**
     * @dev The licence would overlap another of `assetId` where one of them is sole or exclusive: a
     * licence that may be in force until `inForceUntil`.
     */
    error LicenceExclusivityConflict(bytes32 assetId, uint64 inForceUntil);

    /// @dev The consent `consentId` was never granted.
    error LicenceConsentNotFound(uint256 consentId);

    /// @dev The consent `consentId` is `consentStatus`, no longer active.
    error LicenceConsentNotActive(uint256 consentId, ConsentStatus consentStatus);

    /// @dev The consent `consentId` expired at `validUntil`.
    error LicenceConsentExpired(uint256 consentId, uint64 validUntil);

    /**
     * @dev Grants a licence on the terms `terms`, signed by the asset's holder as EIP-712
     * `Licence(bytes32 assetId,address licensee,uint32 assetVersion,uint32 maxUses,uint64 validFrom,
     * uint64 validUntil,bool derivativesAllowed,bool commercial,bytes32 scopeHash,bytes32 purposeHash,
     * bytes32 territoryHash,uint8 exclusivity,uint256 nonce,uint256 deadline)`. Returns the licence id
     * (1, 2, ...).
     *
     * Emits a {LicenceGranted} event.
     *
     * Requirements:
     *
     * - the asset must be `Certified` on the data rights registry and its certificate not expired.
     * - `licensee` cannot be the zero address nor the holder.
     * - `assetVersion` must be zero or an existing version; `maxUses` cannot be zero; `validUntil`
     *   must be after `validFrom` and in the future; `scopeHash` and `purposeHash` cannot be zero.
     * - a sole or exclusive licence: the asset cannot be pledged, and no licence of the asset granted
     *   before may still be in force at `validFrom` (revoked ones count until their term ends).
     * - any licence: no sole or exclusive licence of the asset, not revoked, in force at `validFrom`.
     * - the current block timestamp must not be after `deadline`, `signature` must be the holder's
     *   and `nonce` the holder's current nonce in this contract (it is consumed).
     */
    function grantLicence(
        LicenceTerms calldata terms,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 licenceId);

    /**
     * @dev Consumes one use of licence `licenceId` for the request whose hash is `requestHash`, signed
     * by the licensee as EIP-712 `LicenceUse(uint256 licenceId,bytes32 requestHash,uint256 nonce,
     * uint256 deadline)`.
     *
     * Emits a {LicenceUsed} event.
     *
     * Requirements:
     *
     * - the licence must exist, not be revoked, be within its period and have a use left.
     * - the asset must still be `Certified` and no pledge on it enforced since the grant.
     * - `requestHash` cannot be zero; the signature, deadline and nonce rules of {grantLicence} apply,
     *   with the licensee as the signer.
     */
    function useLicence(
        uint256 licenceId,
        bytes32 requestHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Records `count` uses of licence `licenceId` that a delivery gateway redeemed off chain, each
     * signed by the licensee where it is; `receiptsRoot` is the Merkle root over the uses' leaves, so
     * each use is provable against this transaction. Returns the number of the first use recorded.
     *
     * Emits a {LicenceUsesRecorded} event.
     *
     * Requirements:
     *
     * - the caller must have the gateway role.
     * - `receiptsRoot` cannot be zero and `count` cannot be zero.
     * - the licence must exist, not be revoked, be within its period, and have `count` uses left.
     * - the asset must still be `Certified` and no pledge on it enforced since the grant.
     */
    function recordUses(uint256 licenceId, uint32 count, bytes32 receiptsRoot) external returns (uint32 firstUse);

    /**
     * @dev Revokes licence `licenceId` for the reason `reasonHash`, signed by the asset's current holder
     * as EIP-712 `LicenceRevocation(uint256 licenceId,bytes32 reasonHash,uint256 nonce,uint256 deadline)`.
     *
     * Emits a {LicenceRevoked} event.
     *
     * Requirements:
     *
     * - the licence must exist and not be revoked already; `reasonHash` cannot be zero.
     * - the signature, deadline and nonce rules of {grantLicence} apply, with the holder as the signer.
     */
    function revokeLicence(
        uint256 licenceId,
        bytes32 reasonHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Records the consent of `subject` to one query by `enterprise` for the purpose committed to by
     * `purposeHash`, until `validUntil`, signed by the subject as EIP-712 `Consent(address subject,
     * address enterprise,bytes32 purposeHash,uint64 validUntil,uint256 nonce,uint256 deadline)`.
     * Returns the consent id (1, 2, ...).
     *
     * Emits a {ConsentGranted} event.
     *
     * Requirements:
     *
     * - `subject` and `enterprise` cannot be the zero address nor each other; `purposeHash` cannot be
     *   zero; `validUntil` must be in the future.
     * - the signature, deadline and nonce rules of {grantLicence} apply, with the subject as the signer.
     */
    function grantConsent(
        address subject,
        address enterprise,
        bytes32 purposeHash,
        uint64 validUntil,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 consentId);

    /**
     * @dev Consumes consent `consentId` with the query whose hash is `requestHash`, signed by the
     * enterprise as EIP-712 `ConsentUse(uint256 consentId,bytes32 requestHash,uint256 nonce,uint256 deadline)`.
     *
     * Emits a {ConsentConsumed} event.
     *
     * Requirements:
     *
     * - the consent must be active and not expired; `requestHash` cannot be zero.
     * - the signature, deadline and nonce rules of {grantLicence} apply, with the enterprise as the signer.
     */
    function consumeConsent(
        uint256 consentId,
        bytes32 requestHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Withdraws consent `consentId`, signed by the subject as EIP-712
     * `ConsentWithdrawal(uint256 consentId,uint256 nonce,uint256 deadline)`.
     *
     * Emits a {ConsentWithdrawn} event.
     *
     * Requirements:
     *
     * - the consent must be active.
     * - the signature, deadline and nonce rules of {grantLicence} apply, with the subject as the signer.
     */
    function withdrawConsent(uint256 consentId, uint256 nonce, uint256 deadline, bytes calldata signature) external;

    /// @dev Returns the licence `licenceId` (zeroed if it was never granted).
    function licenceOf(uint256 licenceId) external view returns (Licence memory);

    /// @dev Returns the number of licences granted so far, which is also the id of the last one.
    function licenceCount() external view returns (uint256);

    /// @dev Returns the consent `consentId` (zeroed, status `None`, if it was never granted).
    function consentOf(uint256 consentId) external view returns (Consent memory);

    /// @dev Returns the number of consents granted so far, which is also the id of the last one.
    function consentCount() external view returns (uint256);

    /// @dev Returns the data rights registry whose assets this contract licenses.
    function dataRightsRegistry() external view returns (IDataRightsRegistry);

    /// @dev Returns the version of this contract.
    function version() external pure returns (string memory);
}
