// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IDataRightsRegistry} from "./IDataRightsRegistry.sol";
import {ILicenceRegistry} from "./ILicenceRegistry.sol";

/**
 * @title LicenceRegistry
 * @dev Implementation of {ILicenceRegistry}.
 *
 * It keeps no copy of who holds what: every grant, use and revocation reads the asset's holder,
 * status and pledge enforcements from the {IDataRightsRegistry} given at construction, so a transfer,
 * a revocation or an enforcement there takes effect here at once.
 *
 * Roles: `DEFAULT_ADMIN_ROLE` manages roles; `GATEWAY_ROLE` records the uses a delivery gateway served
 * off chain, in batches ({recordUses}). The deployer holds both. Grants and uses need no role.
 */
contract LicenceRegistry is ILicenceRegistry, AccessControl, EIP712, Nonces {
    /// @dev Role allowed to record batches of uses redeemed at a delivery gateway.
    bytes32 public constant GATEWAY_ROLE = keccak256("GATEWAY_ROLE");

    bytes32 private constant LICENCE_TYPEHASH =
        keccak256(
            "Licence(bytes32 assetId,address licensee,uint32 assetVersion,uint32 maxUses,uint64 validFrom,"
            "uint64 validUntil,bool derivativesAllowed,bool commercial,bytes32 scopeHash,bytes32 purposeHash,"
            "bytes32 territoryHash,uint8 exclusivity,uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant LICENCE_USE_TYPEHASH =
        keccak256("LicenceUse(uint256 licenceId,bytes32 requestHash,uint256 nonce,uint256 deadline)");
    bytes32 private constant LICENCE_REVOCATION_TYPEHASH =
        keccak256("LicenceRevocation(uint256 licenceId,bytes32 reasonHash,uint256 nonce,uint256 deadline)");
    bytes32 private constant CONSENT_TYPEHASH =
        keccak256(
            "Consent(address subject,address enterprise,bytes32 purposeHash,uint64 validUntil,uint256 nonce,"
            "uint256 deadline)"
        );
    bytes32 private constant CONSENT_USE_TYPEHASH =
        keccak256("ConsentUse(uint256 consentId,bytes32 requestHash,uint256 nonce,uint256 deadline)");
    bytes32 private constant CONSENT_WITHDRAWAL_TYPEHASH =
        keccak256("ConsentWithdrawal(uint256 consentId,uint256 nonce,uint256 deadline)");

    string private constant VERSION = "1.2.0";

    IDataRightsRegistry private immutable _registry;
    mapping(uint256 licenceId => Licence) private _licences;
    /// @dev Per asset: the last sole or exclusive licence, and the end of the latest term granted.
    mapping(bytes32 assetId => uint256) private _exclusiveLicence;
    mapping(bytes32 assetId => uint64) private _licensedUntil;
    mapping(uint256 consentId => Consent) private _consents;
    uint256 private _licenceCount;
    uint256 private _consentCount;

    /// @dev Licenses the assets of `registry`; the deployer administers roles and is the first gateway.
    constructor(IDataRightsRegistry registry) EIP712("DataLedger LicenceRegistry", "1") {
        _registry = registry;
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
        _grantRole(GATEWAY_ROLE, msg.sender);
    }

    // -- licences -----------------------------------------------------------------------------------

    /// @inheritdoc ILicenceRegistry
    function grantLicence(
        LicenceTerms calldata terms,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 licenceId) {
        IDataRightsRegistry.Asset memory asset = _registry.assetOf(terms.assetId);
        IDataRightsRegistry.Procedure memory procedure = _registry.procedureOf(terms.assetId);
        if (asset.status != IDataRightsRegistry.AssetStatus.Certified) {
            revert LicenceAssetNotCertified(terms.assetId, asset.status);
        }
        if (procedure.certificateValidUntil != 0 && block.timestamp > procedure.certificateValidUntil) {
            revert LicenceAssetCertificateExpired(terms.assetId, procedure.certificateValidUntil);
        }
        _requireTerms(terms, asset.holder, procedure.version);
        _requireExclusivity(terms, procedure.pledgee);
        _useAuthorisation(
            asset.holder,
            keccak256(abi.encode(LICENCE_TYPEHASH, terms, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        licenceId = ++_licenceCount;
        if (terms.validUntil > _licensedUntil[terms.assetId]) {
            _licensedUntil[terms.assetId] = terms.validUntil;
        }
        if (terms.exclusivity != Exclusivity.NonExclusive) {
            _exclusiveLicence[terms.assetId] = licenceId;
        }
        _licences[licenceId] = Licence({
            terms: terms,
            licensor: asset.holder,
            uses: 0,
            enforcementsAtGrant: procedure.enforcements,
            revoked: false
        });
        emit LicenceGranted(licenceId, terms.assetId, terms.licensee, asset.holder, terms);
    }

    /// @inheritdoc ILicenceRegistry
    function useLicence(
        uint256 licenceId,
        bytes32 requestHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _requireHash(requestHash);
        Licence storage licence = _usableLicence(licenceId, 1);
        LicenceTerms storage terms = licence.terms;
        _useAuthorisation(
            terms.licensee,
            keccak256(abi.encode(LICENCE_USE_TYPEHASH, licenceId, requestHash, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        uint32 use = ++licence.uses;
        emit LicenceUsed(licenceId, terms.assetId, terms.licensee, use, terms.purposeHash, requestHash);
    }

    /// @inheritdoc ILicenceRegistry
    function recordUses(
        uint256 licenceId,
        uint32 count,
        bytes32 receiptsRoot
    ) external onlyRole(GATEWAY_ROLE) returns (uint32 firstUse) {
        _requireHash(receiptsRoot);
        if (count == 0) {
            revert LicenceZeroUses();
        }
        Licence storage licence = _usableLicence(licenceId, count);
        LicenceTerms storage terms = licence.terms;
        firstUse = licence.uses + 1;
        licence.uses += count;
        emit LicenceUsesRecorded(licenceId, terms.assetId, terms.licensee, firstUse, count, receiptsRoot);
    }

    /// @inheritdoc ILicenceRegistry
    function revokeLicence(
        uint256 licenceId,
        bytes32 reasonHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _requireHash(reasonHash);
        Licence storage licence = _existingLicence(licenceId);
        if (licence.revoked) {
            revert LicenceIsRevoked(licenceId);
        }
        bytes32 assetId = licence.terms.assetId;
        address holder = _registry.assetOf(assetId).holder;
        _useAuthorisation(
            holder,
            keccak256(abi.encode(LICENCE_REVOCATION_TYPEHASH, licenceId, reasonHash, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        licence.revoked = true;
        emit LicenceRevoked(licenceId, assetId, holder, reasonHash);
    }

    // -- consents -----------------------------------------------------------------------------------

    /// @inheritdoc ILicenceRegistry
    function grantConsent(
        address subject,
        address enterprise,
        bytes32 purposeHash,
        uint64 validUntil,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 consentId) {
        if (subject == address(0)) {
            revert LicenceInvalidCounterparty(subject);
        }
        if (enterprise == address(0) || enterprise == subject) {
            revert LicenceInvalidCounterparty(enterprise);
        }
        _requireHash(purposeHash);
        if (validUntil <= block.timestamp) {
            revert LicenceInvalidPeriod(uint64(block.timestamp), validUntil);
        }
        _useAuthorisation(
            subject,
            keccak256(abi.encode(CONSENT_TYPEHASH, subject, enterprise, purposeHash, validUntil, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        consentId = ++_consentCount;
        _consents[consentId] = Consent({
            subject: subject,
            enterprise: enterprise,
            grantedAt: uint64(block.timestamp),
            validUntil: validUntil,
            status: ConsentStatus.Active,
            purposeHash: purposeHash,
            requestHash: bytes32(0)
        });
        emit ConsentGranted(consentId, subject, enterprise, purposeHash, validUntil);
    }

    /// @inheritdoc ILicenceRegistry
    function consumeConsent(
        uint256 consentId,
        bytes32 requestHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _requireHash(requestHash);
        Consent storage consent = _activeConsent(consentId);
        if (block.timestamp > consent.validUntil) {
            revert LicenceConsentExpired(consentId, consent.validUntil);
        }
        address enterprise = consent.enterprise;
        _useAuthorisation(
            enterprise,
            keccak256(abi.encode(CONSENT_USE_TYPEHASH, consentId, requestHash, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        consent.status = ConsentStatus.Consumed;
        consent.requestHash = requestHash;
        emit ConsentConsumed(consentId, consent.subject, enterprise, requestHash);
    }

    /// @inheritdoc ILicenceRegistry
    function withdrawConsent(uint256 consentId, uint256 nonce, uint256 deadline, bytes calldata signature) external {
        Consent storage consent = _activeConsent(consentId);
        address subject = consent.subject;
        _useAuthorisation(
            subject,
            keccak256(abi.encode(CONSENT_WITHDRAWAL_TYPEHASH, consentId, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        consent.status = ConsentStatus.Withdrawn;
        emit ConsentWithdrawn(consentId, subject, consent.enterprise);
    }

    // -- reads --------------------------------------------------------------------------------------

    /// @inheritdoc ILicenceRegistry
    function licenceOf(uint256 licenceId) external view returns (Licence memory) {
        return _licences[licenceId];
    }

    /// @inheritdoc ILicenceRegistry
    function licenceCount() external view returns (uint256) {
        return _licenceCount;
    }

    /// @inheritdoc ILicenceRegistry
    function consentOf(uint256 consentId) external view returns (Consent memory) {
        return _consents[consentId];
    }

    /// @inheritdoc ILicenceRegistry
    function consentCount() external view returns (uint256) {
        return _consentCount;
    }

    /// @inheritdoc ILicenceRegistry
    function dataRightsRegistry() external view returns (IDataRightsRegistry) {
        return _registry;
    }

    /// @inheritdoc ILicenceRegistry
    function version() external pure returns (string memory) {
        return VERSION;
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(ILicenceRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // -- internals ----------------------------------------------------------------------------------

    /**
     * @dev Checks that `signer` authorised the act whose EIP-712 struct hash is `structHash` before
     * `deadline`, and consumes its `nonce`.
     */
    function _useAuthorisation(
        address signer,
        bytes32 structHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) private {
        if (block.timestamp > deadline) {
            revert LicenceSignatureExpired(deadline, block.timestamp);
        }
        if (!SignatureChecker.isValidSignatureNow(signer, _hashTypedDataV4(structHash), signature)) {
            revert LicenceInvalidSignature(signer);
        }
        _useCheckedNonce(signer, nonce);
    }

    /// @dev A sole or exclusive licence waits for the pledge's release and for every earlier licence's
    /// term to end; any licence waits for the term of a sole or exclusive one still in force.
    function _requireExclusivity(LicenceTerms calldata terms, address pledgee) private view {
        if (terms.exclusivity != Exclusivity.NonExclusive) {
            if (pledgee != address(0)) {
                revert LicenceAssetPledged(terms.assetId, pledgee);
            }
            uint64 licensedUntil = _licensedUntil[terms.assetId];
            if (licensedUntil >= terms.validFrom) {
                revert LicenceExclusivityConflict(terms.assetId, licensedUntil);
            }
        }
        uint256 exclusiveId = _exclusiveLicence[terms.assetId];
        if (exclusiveId != 0) {
            Licence storage exclusive = _licences[exclusiveId];
            if (!exclusive.revoked && exclusive.terms.validUntil >= terms.validFrom) {
                revert LicenceExclusivityConflict(terms.assetId, exclusive.terms.validUntil);
            }
        }
    }

    function _requireTerms(LicenceTerms calldata terms, address holder, uint32 currentVersion) private view {
        if (terms.licensee == address(0) || terms.licensee == holder) {
            revert LicenceInvalidCounterparty(terms.licensee);
        }
        if (terms.assetVersion > currentVersion) {
            revert LicenceInvalidAssetVersion(terms.assetVersion, currentVersion);
        }
        if (terms.maxUses == 0) {
            revert LicenceZeroUses();
        }
        if (terms.validUntil <= terms.validFrom || terms.validUntil <= block.timestamp) {
            revert LicenceInvalidPeriod(terms.validFrom, terms.validUntil);
        }
        if (terms.scopeHash == bytes32(0) || terms.purposeHash == bytes32(0)) {
            revert LicenceZeroHash();
        }
    }

    /// @dev Returns licence `licenceId` if `count` more uses of it are allowed now, else reverts saying why not.
    function _usableLicence(uint256 licenceId, uint32 count) private view returns (Licence storage licence) {
        licence = _existingLicence(licenceId);
        if (licence.revoked) {
            revert LicenceIsRevoked(licenceId);
        }
        LicenceTerms storage terms = licence.terms;
        if (block.timestamp < terms.validFrom) {
            revert LicenceNotYetValid(licenceId, terms.validFrom);
        }
        if (block.timestamp > terms.validUntil) {
            revert LicenceExpired(licenceId, terms.validUntil);
        }
        if (licence.uses >= terms.maxUses) {
            revert LicenceUsedUp(licenceId, terms.maxUses);
        }
        if (uint256(licence.uses) + count > terms.maxUses) {
            revert LicenceOverUse(licenceId, licence.uses, count, terms.maxUses);
        }
        bytes32 assetId = terms.assetId;
        IDataRightsRegistry.AssetStatus status = _registry.assetOf(assetId).status;
        if (status != IDataRightsRegistry.AssetStatus.Certified) {
            revert LicenceAssetNotCertified(assetId, status);
        }
        if (_registry.procedureOf(assetId).enforcements != licence.enforcementsAtGrant) {
            revert LicenceAssetEnforced(assetId);
        }
    }

    function _existingLicence(uint256 licenceId) private view returns (Licence storage licence) {
        licence = _licences[licenceId];
        if (licence.licensor == address(0)) {
            revert LicenceNotFound(licenceId);
        }
    }

    function _activeConsent(uint256 consentId) private view returns (Consent storage consent) {
        consent = _consents[consentId];
        if (consent.status == ConsentStatus.None) {
            revert LicenceConsentNotFound(consentId);
        }
        if (consent.status != ConsentStatus.Active) {
            revert LicenceConsentNotActive(consentId, consent.status);
        }
    }

    function _requireHash(bytes32 value) private pure {
        if (value == bytes32(0)) {
            revert LicenceZeroHash();
        }
    }
}
