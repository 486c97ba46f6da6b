// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IAnchorRegistry} from "./IAnchorRegistry.sol";
import {IDataRightsRegistry} from "./IDataRightsRegistry.sol";

/**
 * @title DataRightsRegistry
 * @dev Implementation of {IDataRightsRegistry}.
 *
 * Holders, objectors and pledgees authorise their acts with EIP-712 signatures (ECDSA for externally
 * owned accounts, ERC-1271 for contract wallets), so a relayer can pay for the transaction but never
 * forge one. Each signer has one sequence of nonces ({Nonces}) shared by all its acts, which makes
 * every authorisation single use; the domain binds it to this contract on this chain.
 *
 * Batched registrations ({materialise}) use a second, unordered nonce space of the same signed
 * `Registration`: a batched nonce has bit 255 set, which the sequential {Nonces} never reach, so a
 * batched signature can never go through {register} nor a direct one be materialised. Used batched
 * nonces are kept in a bitmap per holder (256 per storage word, as Uniswap's Permit2 does), so a
 * holder who numbers its batched nonces densely pays for a new slot once every 256 materialisations.
 *
 * A materialised asset starts `Registered`, like a directly registered one: the batch proves the
 * holder's application (the evidence deposit), not its review, so the registrar's procedure applies
 * in full. Its `registeredAt` is the block that materialised it, as for {register}; the anchoring
 * time, from which the chain proves the registration, is in {AssetMaterialised}.
 *
 * Roles: `DEFAULT_ADMIN_ROLE` manages roles (it grants `REGISTRAR_ROLE` to each registration
 * institution's key and revokes it), sets the notice period and the anchor registry. `REGISTRAR_ROLE`
 * reviews applications, resolves objections, records and renews certificates, rejects and revokes;
 * it acts by signature, never as the caller: the registrar's key signs the act, any relayer sends
 * it, and the events name the registrar. A registrar's nonces are the same {Nonces} sequence as any
 * signer's, so each of its signatures is good for one act once.
 */
contract DataRightsRegistry is IDataRightsRegistry, AccessControl, EIP712, Nonces {
    /// @dev Role allowed to run the registration procedure and revoke registrations.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    bytes32 private constant REGISTRATION_TYPEHASH =
        keccak256(
            "Registration(address holder,bytes32 contentHash,bytes32 metadataHash,uint8 right,"
            "bytes32 lawfulSourceHash,uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant OBJECTION_TYPEHASH =
        keccak256(
            "Objection(address objector,bytes32 assetId,bytes32 reasonHash,bytes32 evidenceHash,"
            "uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant CHANGE_TYPEHASH =
        keccak256("Change(bytes32 assetId,bytes32 contentHash,bytes32 metadataHash,uint256 nonce,uint256 deadline)");
    bytes32 private constant TRANSFER_TYPEHASH =
        keccak256("Transfer(bytes32 assetId,address to,uint256 nonce,uint256 deadline)");
    bytes32 private constant PLEDGE_TYPEHASH =
        keccak256(
            "Pledge(bytes32 assetId,address pledgee,bytes32 termsHash,uint256 securedAmount,string currency,"
            "uint64 maturity,bytes32 valuationHash,uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant PLEDGE_ACCEPTANCE_TYPEHASH =
        keccak256(
            "PledgeAcceptance(bytes32 assetId,address holder,bytes32 termsHash,uint256 securedAmount,"
            "string currency,uint64 maturity,bytes32 valuationHash,uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant PLEDGE_REVALUATION_TYPEHASH =
        keccak256("PledgeRevaluation(bytes32 assetId,address pledgee,bytes32 valuationHash,uint256 nonce,uint256 deadline)");
    bytes32 private constant PLEDGE_CERTIFICATE_TYPEHASH =
        keccak256(
            "PledgeCertificate(address registrar,bytes32 assetId,address pledgee,bytes32 certificateHash,"
            "uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant PLEDGE_RELEASE_TYPEHASH =
        keccak256("PledgeRelease(bytes32 assetId,address pledgee,uint256 nonce,uint256 deadline)");
    bytes32 private constant PLEDGE_ENFORCEMENT_TYPEHASH =
        keccak256("PledgeEnforcement(bytes32 assetId,address pledgee,uint256 nonce,uint256 deadline)");
    bytes32 private constant CANCELLATION_TYPEHASH =
        keccak256("Cancellation(bytes32 assetId,uint256 nonce,uint256 deadline)");
    bytes32 private constant REVIEW_TYPEHASH =
        keccak256(
            "Review(address registrar,bytes32 assetId,uint8 stage,bool passed,bytes32 reasonHash,"
            "uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant REJECTION_TYPEHASH =
        keccak256("Rejection(address registrar,bytes32 assetId,bytes32 reasonHash,uint256 nonce,uint256 deadline)");
    bytes32 private constant OBJECTION_RESOLUTION_TYPEHASH =
        keccak256(
            "ObjectionResolution(address registrar,uint256 objectionId,bool upheld,bytes32 resolutionHash,"
            "uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant CERTIFICATE_TYPEHASH =
        keccak256(
            "Certificate(address registrar,bytes32 assetId,bytes32 certificateHash,uint64 validUntil,"
            "uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant RENEWAL_TYPEHASH =
        keccak256(
            "Renewal(address registrar,bytes32 assetId,bytes32 certificateHash,uint64 validUntil,"
            "uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant REVOCATION_TYPEHASH =
        keccak256("Revocation(address registrar,bytes32 assetId,bytes32 reasonHash,uint256 nonce,uint256 deadline)");

    // The leaf of a batched registration commits to the signed struct and to the signature itself.
    bytes32 private constant REGISTRATION_LEAF_TYPEHASH =
        keccak256("dataledger.BatchedRegistration(bytes32 registrationHash,bytes32 signatureHash)");
    // The kind of the anchored batches that hold registrations (IAnchorRegistry.Anchor.kind).
    bytes32 private constant REGISTRATION_KIND = keccak256("registration");
    uint256 private constant BATCH_NONCE_FLAG = 1 << 255;

    string private constant VERSION = "3.1.0";
    // Shanghai's notice period; the admin sets the region's own with {setNoticePeriod}.
    uint64 private constant DEFAULT_NOTICE_PERIOD = 15 days;
    uint64 private constant MAX_NOTICE_PERIOD = 365 days;

    mapping(bytes32 assetId => Asset) private _assets;
    mapping(bytes32 assetId => Procedure) private _procedures;
    mapping(bytes32 contentHash => bytes32 assetId) private _assetOfContent;
    mapping(bytes32 certificateHash => CertificateRecord) private _certificates;
    mapping(uint256 objectionId => Objection) private _objections;
    uint256 private _objectionCount;
    uint64 private _noticePeriod;
    IAnchorRegistry private _anchorRegistry;
    mapping(address holder => mapping(uint256 word => uint256 bits)) private _usedBatchNonces;
    mapping(bytes32 assetId => PledgeRecord) private _pledges;
    mapping(bytes32 certificateHash => PledgeCertificateRecord) private _pledgeCertificates;

    /**
     * @dev Grants `DEFAULT_ADMIN_ROLE` to `admin` and, unless it is the zero address, `REGISTRAR_ROLE`
     * to `registrar` (a first registration institution; the admin grants the others). The notice
     * period starts at 15 days.
     */
    constructor(address admin, address registrar) EIP712("DataLedger DataRightsRegistry", "2") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (registrar != address(0)) {
            _grantRole(REGISTRAR_ROLE, registrar);
        }
        _noticePeriod = DEFAULT_NOTICE_PERIOD;
    }

    // -- the registration procedure ------------------------------------------------------------------

    /// @inheritdoc IDataRightsRegistry
    function register(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        Right right,
        bytes32 lawfulSourceHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 assetId) {
        if (holder == address(0)) {
            revert DataRightsZeroHolder();
        }
        if (contentHash == bytes32(0) || metadataHash == bytes32(0)) {
            revert DataRightsZeroHash();
        }
        _useAuthorisation(
            holder,
            _registrationStructHash(holder, contentHash, metadataHash, right, lawfulSourceHash, nonce, deadline),
            nonce,
            deadline,
            signature
        );

        assetId = _storeAsset(holder, contentHash, metadataHash, right, lawfulSourceHash, nonce);
    }

    /// @inheritdoc IDataRightsRegistry
    function materialise(
        BatchedRegistration calldata registration,
        bytes calldata signature,
        bytes32 root,
        bytes32[] calldata proof
    ) external returns (bytes32 assetId) {
        (IAnchorRegistry.Anchor memory anchored, bytes32 leaf) = _verifyBatched(
            registration,
            signature,
            root,
            proof
        );
        _useBatchNonce(registration.holder, registration.nonce);
        assetId = _storeBatched(registration);
        emit AssetMaterialised(assetId, root, anchored.batchId, anchored.anchoredAt, leaf);
    }

    /// @inheritdoc IDataRightsRegistry
    function recordReview(
        bytes32 assetId,
        ReviewStage stage,
        bool passed,
        bytes32 reasonHash,
        RegistrarSignature calldata authorisation
    ) external {
        _requireHash(reasonHash);
        address registrar = _useRegistrarAuthorisation(
            authorisation,
            keccak256(
                abi.encode(
                    REVIEW_TYPEHASH,
                    authorisation.registrar,
                    assetId,
                    stage,
                    passed,
                    reasonHash,
                    authorisation.nonce,
                    authorisation.deadline
                )
            )
        );
        Asset storage asset = _assets[assetId];
        AssetStatus expected = stage == ReviewStage.Formal ? AssetStatus.Registered : AssetStatus.UnderReview;
        if (asset.status != expected) {
            _revertStatus(assetId, asset.status);
        }
        if (!passed) {
            asset.status = AssetStatus.Rejected;
            emit ApplicationReviewed(assetId, registrar, stage, false, reasonHash);
            emit ApplicationRejected(assetId, registrar, reasonHash);
        } else if (stage == ReviewStage.Formal) {
            asset.status = AssetStatus.UnderReview;
            emit ApplicationReviewed(assetId, registrar, stage, true, reasonHash);
        } else {
            asset.status = AssetStatus.InNotice;
            uint64 endsAt = uint64(block.timestamp) + _noticePeriod;
            _procedures[assetId].noticeEndsAt = endsAt;
            emit ApplicationReviewed(assetId, registrar, stage, true, reasonHash);
            emit PublicNoticeStarted(assetId, uint64(block.timestamp), endsAt, registrar);
        }
    }

    /// @inheritdoc IDataRightsRegistry
    function rejectApplication(
        bytes32 assetId,
        bytes32 reasonHash,
        RegistrarSignature calldata authorisation
    ) external {
        _requireHash(reasonHash);
        address registrar = _useRegistrarAuthorisation(
            authorisation,
            keccak256(
                abi.encode(
                    REJECTION_TYPEHASH,
                    authorisation.registrar,
                    assetId,
                    reasonHash,
                    authorisation.nonce,
                    authorisation.deadline
                )
            )
        );
        Asset storage asset = _assets[assetId];
        AssetStatus status = asset.status;
        if (status != AssetStatus.Registered && status != AssetStatus.UnderReview && status != AssetStatus.InNotice) {
            _revertStatus(assetId, status);
        }
        asset.status = AssetStatus.Rejected;
        emit ApplicationRejected(assetId, registrar, reasonHash);
    }

    /// @inheritdoc IDataRightsRegistry
    function fileObjection(
        address objector,
        bytes32 assetId,
        bytes32 reasonHash,
        bytes32 evidenceHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 objectionId) {
        _requireHash(reasonHash);
        AssetStatus status = _assets[assetId].status;
        if (status != AssetStatus.InNotice) {
            _revertStatus(assetId, status);
        }
        Procedure storage procedure = _procedures[assetId];
        if (block.timestamp >= procedure.noticeEndsAt) {
            revert DataRightsNoticePeriodEnded(assetId, procedure.noticeEndsAt);
        }
        _useAuthorisation(
            objector,
            keccak256(abi.encode(OBJECTION_TYPEHASH, objector, assetId, reasonHash, evidenceHash, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        objectionId = ++_objectionCount;
        _objections[objectionId] = Objection({
            assetId: assetId,
            objector: objector,
            filedAt: uint64(block.timestamp),
            status: ObjectionStatus.Open,
            reasonHash: reasonHash,
            evidenceHash: evidenceHash
        });
        procedure.openObjections += 1;
        emit ObjectionFiled(assetId, objectionId, objector, reasonHash, evidenceHash);
    }

    /// @inheritdoc IDataRightsRegistry
    function resolveObjection(
        uint256 objectionId,
        bool upheld,
        bytes32 resolutionHash,
        RegistrarSignature calldata authorisation
    ) external {
        _requireHash(resolutionHash);
        address registrar = _useRegistrarAuthorisation(
            authorisation,
            keccak256(
                abi.encode(
                    OBJECTION_RESOLUTION_TYPEHASH,
                    authorisation.registrar,
                    objectionId,
                    upheld,
                    resolutionHash,
                    authorisation.nonce,
                    authorisation.deadline
                )
            )
        );
        Objection storage objection = _objections[objectionId];
        if (objection.status == ObjectionStatus.None) {
            revert DataRightsObjectionNotFound(objectionId);
        }
        if (objection.status != ObjectionStatus.Open) {
            revert DataRightsObjectionAlreadyResolved(objectionId);
        }
        bytes32 assetId = objection.assetId;
        Asset storage asset = _assets[assetId];
        if (asset.status != AssetStatus.InNotice) {
            _revertStatus(assetId, asset.status);
        }
        objection.status = upheld ? ObjectionStatus.Upheld : ObjectionStatus.Dismissed;
        _procedures[assetId].openObjections -= 1;
        emit ObjectionResolved(assetId, objectionId, registrar, upheld, resolutionHash);
        if (upheld) {
            asset.status = AssetStatus.Rejected;
            emit ApplicationRejected(assetId, registrar, resolutionHash);
        }
    }

    // -- certificates -------------------------------------------------------------------------------

    /// @inheritdoc IDataRightsRegistry
    function recordCertificate(
        bytes32 assetId,
        bytes32 certificateHash,
        uint64 validUntil,
        RegistrarSignature calldata authorisation
    ) external {
        _requireNewCertificate(certificateHash);
        address registrar = _useRegistrarAuthorisation(
            authorisation,
            _certificateStructHash(CERTIFICATE_TYPEHASH, assetId, certificateHash, validUntil, authorisation)
        );
        Asset storage asset = _assets[assetId];
        Procedure storage procedure = _procedures[assetId];
        if (asset.status == AssetStatus.InNotice) {
            if (block.timestamp < procedure.noticeEndsAt) {
                revert DataRightsNoticePeriodNotEnded(assetId, procedure.noticeEndsAt);
            }
            if (procedure.openObjections != 0) {
                revert DataRightsObjectionsOpen(assetId, procedure.openObjections);
            }
            if (validUntil != 0 && validUntil <= block.timestamp) {
                revert DataRightsInvalidValidity(validUntil);
            }
            asset.status = AssetStatus.Certified;
            procedure.certificateValidUntil = validUntil;
        } else if (asset.status == AssetStatus.Certified) {
            _requireUnexpired(assetId, procedure);
            if (validUntil != procedure.certificateValidUntil) {
                revert DataRightsInvalidValidity(validUntil);
            }
        } else {
            _revertStatus(assetId, asset.status);
        }
        _recordCertificate(assetId, procedure, certificateHash, validUntil, registrar);
    }

    /// @inheritdoc IDataRightsRegistry
    function renewCertificate(
        bytes32 assetId,
        bytes32 certificateHash,
        uint64 validUntil,
        RegistrarSignature calldata authorisation
    ) external {
        _requireNewCertificate(certificateHash);
        address registrar = _useRegistrarAuthorisation(
            authorisation,
            _certificateStructHash(RENEWAL_TYPEHASH, assetId, certificateHash, validUntil, authorisation)
        );
        Procedure storage procedure = _requireCertified(assetId);
        if (procedure.certificateValidUntil == 0 || validUntil <= procedure.certificateValidUntil) {
            revert DataRightsInvalidValidity(validUntil);
        }
        procedure.certificateValidUntil = validUntil;
        _recordCertificate(assetId, procedure, certificateHash, validUntil, registrar);
        emit CertificateRenewed(assetId, certificateHash, validUntil, registrar);
    }

    // -- acts of the holder and the pledgee ----------------------------------------------------------

    /// @inheritdoc IDataRightsRegistry
    function changeAsset(
        bytes32 assetId,
        bytes32 contentHash,
        bytes32 metadataHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (contentHash == bytes32(0) || metadataHash == bytes32(0)) {
            revert DataRightsZeroHash();
        }
        Procedure storage procedure = _requireCertified(assetId);
        Asset storage asset = _assets[assetId];
        _useAuthorisation(
            asset.holder,
            keccak256(abi.encode(CHANGE_TYPEHASH, assetId, contentHash, metadataHash, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        _bindContent(contentHash, assetId);
        bytes32 previousContentHash = asset.contentHash;
        asset.contentHash = contentHash;
        asset.metadataHash = metadataHash;
        uint32 newVersion = ++procedure.version;
        emit AssetChanged(assetId, asset.holder, newVersion, contentHash, metadataHash, previousContentHash);
    }

    /// @inheritdoc IDataRightsRegistry
    function transfer(bytes32 assetId, address to, uint256 nonce, uint256 deadline, bytes calldata signature) external {
        Procedure storage procedure = _requireCertified(assetId);
        _requireNotPledged(assetId, procedure);
        address holder = _assets[assetId].holder;
        _requireCounterparty(to, holder);
        _useAuthorisation(
            holder,
            keccak256(abi.encode(TRANSFER_TYPEHASH, assetId, to, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        _moveTo(assetId, to);
    }

    /// @inheritdoc IDataRightsRegistry
    function pledge(
        bytes32 assetId,
        PledgeTerms calldata terms,
        PartySignature calldata byHolder,
        PartySignature calldata byPledgee
    ) external {
        _requireHash(terms.termsHash);
        _requireHash(terms.valuationHash);
        if (terms.securedAmount == 0 || bytes(terms.currency).length != 3 || terms.maturity <= block.timestamp) {
            revert DataRightsInvalidPledgeTerms(assetId, terms.maturity);
        }
        Procedure storage procedure = _requireCertified(assetId);
        _requireNotPledged(assetId, procedure);
        address holder = _assets[assetId].holder;
        _requireCounterparty(terms.pledgee, holder);
        _usePartySignature(holder, _pledgeStructHash(PLEDGE_TYPEHASH, assetId, terms.pledgee, terms, byHolder), byHolder);
        _usePartySignature(terms.pledgee, _pledgeStructHash(PLEDGE_ACCEPTANCE_TYPEHASH, assetId, holder, terms, byPledgee), byPledgee);
        procedure.pledgee = terms.pledgee;
        PledgeRecord storage record = _pledges[assetId];
        record.terms = terms;
        record.pledgedAt = uint64(block.timestamp);
        record.serial += 1;
        record.certificateHash = bytes32(0);
        record.active = true;
        emit AssetPledged(
            assetId,
            holder,
            terms.pledgee,
            terms.termsHash,
            terms.securedAmount,
            terms.currency,
            terms.maturity,
            terms.valuationHash
        );
    }

    /// @inheritdoc IDataRightsRegistry
    function revaluePledge(bytes32 assetId, bytes32 valuationHash, PartySignature calldata byPledgee) external {
        _requireHash(valuationHash);
        address pledgee = _requirePledged(assetId, _procedures[assetId]);
        _usePartySignature(
            pledgee,
            keccak256(
                abi.encode(PLEDGE_REVALUATION_TYPEHASH, assetId, pledgee, valuationHash, byPledgee.nonce, byPledgee.deadline)
            ),
            byPledgee
        );
        _pledges[assetId].terms.valuationHash = valuationHash;
        emit PledgeRevalued(assetId, pledgee, valuationHash);
    }

    /// @inheritdoc IDataRightsRegistry
    function recordPledgeCertificate(
        bytes32 assetId,
        address pledgee,
        bytes32 certificateHash,
        RegistrarSignature calldata authorisation
    ) external {
        _requireHash(certificateHash);
        address registrar = _useRegistrarAuthorisation(
            authorisation,
            keccak256(
                abi.encode(
                    PLEDGE_CERTIFICATE_TYPEHASH,
                    authorisation.registrar,
                    assetId,
                    pledgee,
                    certificateHash,
                    authorisation.nonce,
                    authorisation.deadline
                )
            )
        );
        address current = _requirePledged(assetId, _procedures[assetId]);
        if (current != pledgee) {
            revert DataRightsInvalidCounterparty(pledgee);
        }
        PledgeRecord storage record = _pledges[assetId];
        if (record.certificateHash != bytes32(0)) {
            revert DataRightsPledgeCertified(assetId, record.certificateHash);
        }
        _requireNewCertificate(certificateHash);
        record.certificateHash = certificateHash;
        _pledgeCertificates[certificateHash] = PledgeCertificateRecord({
            assetId: assetId,
            serial: record.serial,
            registrar: registrar,
            recordedAt: uint64(block.timestamp)
        });
        emit PledgeCertificateRecorded(assetId, pledgee, certificateHash, registrar);
    }

    /// @inheritdoc IDataRightsRegistry
    function releasePledge(bytes32 assetId, uint256 nonce, uint256 deadline, bytes calldata signature) external {
        Procedure storage procedure = _procedures[assetId];
        address pledgee = _requirePledged(assetId, procedure);
        _useAuthorisation(
            pledgee,
            keccak256(abi.encode(PLEDGE_RELEASE_TYPEHASH, assetId, pledgee, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        procedure.pledgee = address(0);
        _pledges[assetId].active = false;
        emit PledgeReleased(assetId, pledgee);
    }

    /// @inheritdoc IDataRightsRegistry
    function enforcePledge(bytes32 assetId, uint256 nonce, uint256 deadline, bytes calldata signature) external {
        Procedure storage procedure = _requireCertified(assetId);
        address pledgee = _requirePledged(assetId, procedure);
        _useAuthorisation(
            pledgee,
            keccak256(abi.encode(PLEDGE_ENFORCEMENT_TYPEHASH, assetId, pledgee, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        procedure.pledgee = address(0);
        _pledges[assetId].active = false;
        procedure.enforcements += 1;
        emit PledgeEnforced(assetId, pledgee, _assets[assetId].holder);
        _moveTo(assetId, pledgee);
    }

    /// @inheritdoc IDataRightsRegistry
    function cancel(bytes32 assetId, uint256 nonce, uint256 deadline, bytes calldata signature) external {
        Asset storage asset = _requireActive(assetId);
        _requireNotPledged(assetId, _procedures[assetId]);
        address holder = asset.holder;
        _useAuthorisation(
            holder,
            keccak256(abi.encode(CANCELLATION_TYPEHASH, assetId, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        asset.status = AssetStatus.Cancelled;
        emit AssetCancelled(assetId, holder);
    }

    // -- acts of the registrar and the admin ---------------------------------------------------------

    /// @inheritdoc IDataRightsRegistry
    function setAnchorRegistry(address anchorRegistry_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address previous = address(_anchorRegistry);
        if (previous == anchorRegistry_) {
            return;
        }
        _anchorRegistry = IAnchorRegistry(anchorRegistry_);
        emit AnchorRegistryChanged(previous, anchorRegistry_);
    }

    /// @inheritdoc IDataRightsRegistry
    function revoke(bytes32 assetId, bytes32 reasonHash, RegistrarSignature calldata authorisation) external {
        _requireHash(reasonHash);
        address registrar = _useRegistrarAuthorisation(
            authorisation,
            keccak256(
                abi.encode(
                    REVOCATION_TYPEHASH,
                    authorisation.registrar,
                    assetId,
                    reasonHash,
                    authorisation.nonce,
                    authorisation.deadline
                )
            )
        );
        _requireActive(assetId).status = AssetStatus.Revoked;
        emit AssetRevoked(assetId, registrar, reasonHash);
    }

    /// @inheritdoc IDataRightsRegistry
    function setNoticePeriod(uint64 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (period > MAX_NOTICE_PERIOD) {
            revert DataRightsInvalidNoticePeriod(period);
        }
        uint64 previous = _noticePeriod;
        _noticePeriod = period;
        emit NoticePeriodChanged(previous, period);
    }

    // -- reads --------------------------------------------------------------------------------------

    /// @inheritdoc IDataRightsRegistry
    function assetIdFor(address holder, bytes32 contentHash, bytes32 metadataHash) external pure returns (bytes32) {
        return _assetIdFor(holder, contentHash, metadataHash);
    }

    /// @inheritdoc IDataRightsRegistry
    function registrationDigest(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        Right right,
        bytes32 lawfulSourceHash,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return
            _hashTypedDataV4(
                _registrationStructHash(holder, contentHash, metadataHash, right, lawfulSourceHash, nonce, deadline)
            );
    }

    /// @inheritdoc IDataRightsRegistry
    function assetOf(bytes32 assetId) external view returns (Asset memory) {
        return _assets[assetId];
    }

    /// @inheritdoc IDataRightsRegistry
    function procedureOf(bytes32 assetId) external view returns (Procedure memory) {
        return _procedures[assetId];
    }

    /// @inheritdoc IDataRightsRegistry
    function objectionOf(uint256 objectionId) external view returns (Objection memory) {
        return _objections[objectionId];
    }

    /// @inheritdoc IDataRightsRegistry
    function objectionCount() external view returns (uint256) {
        return _objectionCount;
    }

    /// @inheritdoc IDataRightsRegistry
    function assetOfContent(bytes32 contentHash) external view returns (bytes32 assetId) {
        return _assetOfContent[contentHash];
    }

    /// @inheritdoc IDataRightsRegistry
    function certificateAsset(bytes32 certificateHash) external view returns (bytes32 assetId) {
        return _certificates[certificateHash].assetId;
    }

    /// @inheritdoc IDataRightsRegistry
    function pledgeOf(bytes32 assetId) external view returns (PledgeRecord memory) {
        return _pledges[assetId];
    }

    /// @inheritdoc IDataRightsRegistry
    function pledgeCertificateOf(bytes32 certificateHash) external view returns (PledgeCertificateRecord memory) {
        return _pledgeCertificates[certificateHash];
    }

    /// @inheritdoc IDataRightsRegistry
    function certificateOf(bytes32 certificateHash) external view returns (CertificateRecord memory) {
        return _certificates[certificateHash];
    }

    /// @inheritdoc IDataRightsRegistry
    function noticePeriod() external view returns (uint64) {
        return _noticePeriod;
    }

    /// @inheritdoc IDataRightsRegistry
    function anchorRegistry() external view returns (address) {
        return address(_anchorRegistry);
    }

    /// @inheritdoc IDataRightsRegistry
    function batchNonceUsed(address holder, uint256 nonce) external view returns (bool) {
        return _usedBatchNonces[holder][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @inheritdoc IDataRightsRegistry
    function version() external pure returns (string memory) {
        return VERSION;
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IDataRightsRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // -- internals ----------------------------------------------------------------------------------

    /**
     * @dev Stores the newly registered asset of `holder` (status `Registered`, version 1), binds its
     * content and emits {AssetRegistered}: the one way an asset enters storage.
     */
    function _storeAsset(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        Right right,
        bytes32 lawfulSourceHash,
        uint256 nonce
    ) private returns (bytes32 assetId) {
        assetId = _assetIdFor(holder, contentHash, metadataHash);
        if (_assets[assetId].status != AssetStatus.None) {
            revert DataRightsAssetAlreadyRegistered(assetId);
        }
        _bindContent(contentHash, assetId);
        _assets[assetId] = Asset({
            holder: holder,
            registeredAt: uint64(block.timestamp),
            status: AssetStatus.Registered,
            contentHash: contentHash,
            metadataHash: metadataHash
        });
        Procedure storage procedure = _procedures[assetId];
        procedure.right = right;
        procedure.version = 1;
        procedure.lawfulSourceHash = lawfulSourceHash;
        emit AssetRegistered(assetId, holder, contentHash, metadataHash, right, lawfulSourceHash, nonce, msg.sender);
    }

    /**
     * @dev Checks that `registration`, signed by its holder with `signature`, is a leaf of the anchored
     * registration batch `root` (by `proof`) and was anchored before its deadline; returns the anchor
     * and the leaf.
     */
    function _verifyBatched(
        BatchedRegistration calldata registration,
        bytes calldata signature,
        bytes32 root,
        bytes32[] calldata proof
    ) private view returns (IAnchorRegistry.Anchor memory anchored, bytes32 leaf) {
        address holder = registration.holder;
        if (holder == address(0)) {
            revert DataRightsZeroHolder();
        }
        if (registration.contentHash == bytes32(0) || registration.metadataHash == bytes32(0)) {
            revert DataRightsZeroHash();
        }
        anchored = _registrationAnchor(root);
        // abi.encode of a struct of static fields is the concatenation of its fields: hashStruct.
        bytes32 structHash = keccak256(abi.encode(REGISTRATION_TYPEHASH, registration));
        leaf = keccak256(
            bytes.concat(keccak256(abi.encode(REGISTRATION_LEAF_TYPEHASH, structHash, keccak256(signature))))
        );
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) {
            revert DataRightsInvalidProof(root, leaf);
        }
        if (!SignatureChecker.isValidSignatureNow(holder, _hashTypedDataV4(structHash), signature)) {
            revert DataRightsInvalidSignature(holder);
        }
        if (anchored.anchoredAt > registration.deadline) {
            revert DataRightsSignatureExpired(registration.deadline, anchored.anchoredAt);
        }
    }

    function _storeBatched(BatchedRegistration calldata registration) private returns (bytes32) {
        return
            _storeAsset(
                registration.holder,
                registration.contentHash,
                registration.metadataHash,
                registration.right,
                registration.lawfulSourceHash,
                registration.nonce
            );
    }

    /// @dev The anchor of `root`, which must be a batch of registrations in the anchor registry.
    function _registrationAnchor(bytes32 root) private view returns (IAnchorRegistry.Anchor memory anchored) {
        IAnchorRegistry anchors = _anchorRegistry;
        if (address(anchors) == address(0)) {
            revert DataRightsNoAnchorRegistry();
        }
        anchored = anchors.anchorOf(root);
        if (anchored.batchId == 0 || anchored.kind != REGISTRATION_KIND) {
            revert DataRightsRootNotAnchored(root);
        }
    }

    /// @dev Consumes `holder`'s batched nonce `nonce`, which must have bit 255 set and be unused.
    function _useBatchNonce(address holder, uint256 nonce) private {
        if (nonce & BATCH_NONCE_FLAG == 0) {
            revert DataRightsNotBatchNonce(nonce);
        }
        uint256 bit = 1 << (nonce & 0xff);
        mapping(uint256 => uint256) storage words = _usedBatchNonces[holder];
        uint256 bits = words[nonce >> 8];
        if (bits & bit != 0) {
            revert DataRightsAlreadyMaterialised(holder, nonce);
        }
        words[nonce >> 8] = bits | bit;
    }

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
            revert DataRightsSignatureExpired(deadline, block.timestamp);
        }
        if (!SignatureChecker.isValidSignatureNow(signer, _hashTypedDataV4(structHash), signature)) {
            revert DataRightsInvalidSignature(signer);
        }
        _useCheckedNonce(signer, nonce);
    }

    /// @dev {_useAuthorisation} for a party's signature passed as a {PartySignature}.
    function _usePartySignature(address signer, bytes32 structHash, PartySignature calldata signed) private {
        _useAuthorisation(signer, structHash, signed.nonce, signed.deadline, signed.signature);
    }

    /// @dev The struct hash of a `Pledge` (signed by the holder, naming the pledgee) or a
    /// `PledgeAcceptance` (signed by the pledgee, naming the holder): `typeHash`, with `party`.
    function _pledgeStructHash(
        bytes32 typeHash,
        bytes32 assetId,
        address party,
        PledgeTerms calldata terms,
        PartySignature calldata signed
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    typeHash,
                    assetId,
                    party,
                    terms.termsHash,
                    terms.securedAmount,
                    keccak256(bytes(terms.currency)),
                    terms.maturity,
                    terms.valuationHash,
                    signed.nonce,
                    signed.deadline
                )
            );
    }

    /**
     * @dev Checks that `authorisation.registrar`, which must hold `REGISTRAR_ROLE`, signed the act whose
     * EIP-712 struct hash is `structHash` before its deadline, and consumes its nonce; returns the
     * registrar. Checked in the order of {_useAuthorisation}: deadline, signature, then the role of the
     * proven signer, then the nonce.
     */
    function _useRegistrarAuthorisation(
        RegistrarSignature calldata authorisation,
        bytes32 structHash
    ) private returns (address registrar) {
        registrar = authorisation.registrar;
        if (block.timestamp > authorisation.deadline) {
            revert DataRightsSignatureExpired(authorisation.deadline, block.timestamp);
        }
        if (!SignatureChecker.isValidSignatureNow(registrar, _hashTypedDataV4(structHash), authorisation.signature)) {
            revert DataRightsInvalidSignature(registrar);
        }
        _checkRole(REGISTRAR_ROLE, registrar);
        _useCheckedNonce(registrar, authorisation.nonce);
    }

    /// @dev The struct hash of a `Certificate` or a `Renewal` (`typeHash`), which share their fields.
    function _certificateStructHash(
        bytes32 typeHash,
        bytes32 assetId,
        bytes32 certificateHash,
        uint64 validUntil,
        RegistrarSignature calldata authorisation
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    typeHash,
                    authorisation.registrar,
                    assetId,
                    certificateHash,
                    validUntil,
                    authorisation.nonce,
                    authorisation.deadline
                )
            );
    }

    /// @dev Records `certificateHash` as the current certificate of `assetId`, superseding the previous one.
    function _recordCertificate(
        bytes32 assetId,
        Procedure storage procedure,
        bytes32 certificateHash,
        uint64 validUntil,
        address registrar
    ) private {
        bytes32 previous = procedure.currentCertificate;
        _certificates[certificateHash] = CertificateRecord({
            assetId: assetId,
            recordedAt: uint64(block.timestamp),
            validUntil: validUntil,
            supersededBy: bytes32(0)
        });
        procedure.currentCertificate = certificateHash;
        emit CertificateRecorded(assetId, certificateHash, registrar);
        if (previous != bytes32(0)) {
            _certificates[previous].supersededBy = certificateHash;
            emit CertificateSuperseded(assetId, previous, certificateHash, registrar);
        }
    }

    /// @dev Passes the rights in `assetId` to `to`.
    function _moveTo(bytes32 assetId, address to) private {
        Asset storage asset = _assets[assetId];
        address from = asset.holder;
        asset.holder = to;
        emit AssetTransferred(assetId, from, to, asset.contentHash, asset.metadataHash);
    }

    function _bindContent(bytes32 contentHash, bytes32 assetId) private {
        bytes32 existingAssetId = _assetOfContent[contentHash];
        if (existingAssetId != bytes32(0)) {
            revert DataRightsContentAlreadyRegistered(contentHash, existingAssetId);
        }
        _assetOfContent[contentHash] = assetId;
    }

    /// @dev Reverts unless `assetId` is certified and its certificate has not expired.
    function _requireCertified(bytes32 assetId) private view returns (Procedure storage procedure) {
        AssetStatus status = _assets[assetId].status;
        if (status != AssetStatus.Certified) {
            _revertStatus(assetId, status);
        }
        procedure = _procedures[assetId];
        _requireUnexpired(assetId, procedure);
    }

    /// @dev Reverts unless `assetId` is in the procedure or certified (not rejected, revoked or cancelled).
    function _requireActive(bytes32 assetId) private view returns (Asset storage asset) {
        asset = _assets[assetId];
        AssetStatus status = asset.status;
        if (
            status != AssetStatus.Registered &&
            status != AssetStatus.UnderReview &&
            status != AssetStatus.InNotice &&
            status != AssetStatus.Certified
        ) {
            _revertStatus(assetId, status);
        }
    }

    function _requireUnexpired(bytes32 assetId, Procedure storage procedure) private view {
        uint64 validUntil = procedure.certificateValidUntil;
        if (validUntil != 0 && block.timestamp > validUntil) {
            revert DataRightsCertificateExpired(assetId, validUntil);
        }
    }

    function _requireNotPledged(bytes32 assetId, Procedure storage procedure) private view {
        if (procedure.pledgee != address(0)) {
            revert DataRightsAssetIsPledged(assetId, procedure.pledgee);
        }
    }

    function _requirePledged(bytes32 assetId, Procedure storage procedure) private view returns (address pledgee) {
        pledgee = procedure.pledgee;
        if (pledgee == address(0)) {
            revert DataRightsAssetNotPledged(assetId);
        }
    }

    function _requireCounterparty(address account, address holder) private pure {
        if (account == address(0) || account == holder) {
            revert DataRightsInvalidCounterparty(account);
        }
    }

    function _requireNewCertificate(bytes32 certificateHash) private view {
        _requireHash(certificateHash);
        if (
            _certificates[certificateHash].assetId != bytes32(0) ||
            _pledgeCertificates[certificateHash].assetId != bytes32(0)
        ) {
            revert DataRightsCertificateAlreadyRecorded(certificateHash);
        }
    }

    function _requireHash(bytes32 value) private pure {
        if (value == bytes32(0)) {
            revert DataRightsZeroHash();
        }
    }

    /// @dev Reverts with the error that says why an act is refused while `assetId` has `status`.
    function _revertStatus(bytes32 assetId, AssetStatus status) private pure {
        if (status == AssetStatus.None) {
            revert DataRightsAssetNotFound(assetId);
        }
        if (status == AssetStatus.Revoked) {
            revert DataRightsAssetIsRevoked(assetId);
        }
        revert DataRightsInvalidStatus(assetId, status);
    }

    function _assetIdFor(address holder, bytes32 contentHash, bytes32 metadataHash) private pure returns (bytes32) {
        return keccak256(abi.encode(holder, contentHash, metadataHash));
    }

    function _registrationStructHash(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        Right right,
        bytes32 lawfulSourceHash,
        uint256 nonce,
        uint256 deadline
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    REGISTRATION_TYPEHASH,
                    holder,
                    contentHash,
                    metadataHash,
                    right,
                    lawfulSourceHash,
                    nonce,
                    deadline
                )
            );
    }
}
