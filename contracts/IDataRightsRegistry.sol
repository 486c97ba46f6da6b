// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/**
 * @title IDataRightsRegistry
 * @dev Registry of data-rights registrations and of the acts that follow them.
 *
 * The registration procedure of the data-IP pilots runs on chain:
 *
 * 1. Evidence deposit and application: the holder signs an EIP-712 `Registration` (the content and
 *    salted metadata commitments, the right claimed and a commitment to the lawful-source statement);
 *    anyone may relay it ({register}). The asset id is derived from its content, see {assetIdFor}.
 * 2. Review: a registrar records the formal, then the substantive review ({recordReview}).
 * 3. Public notice: passing the substantive review opens a notice of {noticePeriod} seconds, during
 *    which any participant may object with a signed `Objection` ({fileObjection}); a registrar
 *    resolves each objection ({resolveObjection}); an upheld objection rejects the application.
 * 4. Certificate: a registrar records the certificate only once the notice has ended with no
 *    objection open ({recordCertificate}), or rejects the application ({rejectApplication}).
 *
 * Registrars are accountable: several registration institutions may share one registry, each with
 * its own key holding `REGISTRAR_ROLE`. Every registrar act carries an EIP-712 {RegistrarSignature}
 * of the institution over a typed struct of that act (`Review`, `Rejection`, `ObjectionResolution`,
 * `Certificate`, `Renewal`, `Revocation`, each with the registrar, a nonce and a deadline), which
 * the contract checks, so that anyone may relay it and every event of the act names the registrar
 * that signed it, never the relayer.
 *
 * Later acts are signed by the key entitled to them (EIP-712, per-signer nonces, a deadline, this
 * contract's domain): change of the registered data and transfer by the holder ({changeAsset},
 * {transfer}), pledge by the holder and release or enforcement by the pledgee ({pledge},
 * {releasePledge}, {enforcePledge}), cancellation by the holder ({cancel}). A registrar renews
 * certificates before they expire and revokes registrations ({renewCertificate}, {revoke}). A new
 * certificate for an asset supersedes the previous one ({CertificateSuperseded}).
 *
 * Batched registrations: a holder may instead sign its `Registration` with a *batched* nonce (bit 255
 * set, any order, each usable once) for the operator to anchor, with many others, as one leaf of a
 * Merkle root in the {anchorRegistry}. Such an asset enters this contract's storage on its first act,
 * when anyone presents the signed registration, its proof and the root ({materialise}); from then on
 * it is an asset like any other.
 */
interface IDataRightsRegistry {
    /**
     * @dev Lifecycle of an asset. `None` is the status of an asset that was never registered.
     * `Registered`: deposited and applied for, awaiting the formal review. `UnderReview`: formal
     * review passed, awaiting the substantive review. `InNotice`: under public notice.
     * `Certified`: a certificate is recorded. `Rejected`, `Revoked` and `Cancelled` are final.
     */
    enum AssetStatus {
        None,
        Registered,
        Revoked,
        UnderReview,
        InNotice,
        Certified,
        Rejected,
        Cancelled
    }

    /**
     * @dev The three separated data rights ("data twenty measures", 2022) a registration claims.
     */
    enum Right {
        ResourceHolding,
        ProcessingAndUse,
        ProductOperation
    }

    /// @dev The two reviews of an application, in the order they happen.
    enum ReviewStage {
        Formal,
        Substantive
    }

    /// @dev Lifecycle of an objection. `None` is the status of an objection that was never filed.
    enum ObjectionStatus {
        None,
        Open,
        Upheld,
        Dismissed
    }

    /**
     * @dev A registered asset: its current holder and the commitments of its current version.
     *
     * `registeredAt` is the timestamp of the block that registered the asset.
     */
    struct Asset {
        address holder;
        uint64 registeredAt;
        AssetStatus status;
        bytes32 contentHash;
        bytes32 metadataHash;
    }

    /**
     * @dev Where an asset stands in the procedure and after it.
     *
     * `version` is 1 at registration and grows with each change. `noticeEndsAt` is zero until the
     * notice starts. `certificateValidUntil` is the expiry of the current certificate (zero: none, or
     * no term). `pledgee` is zero unless the asset is pledged. `enforcements` counts the pledges
     * enforced on the asset, so licences granted before an enforcement can tell.
     */
    struct Procedure {
        Right right;
        uint32 version;
        uint32 openObjections;
        uint32 enforcements;
        uint64 noticeEndsAt;
        uint64 certificateValidUntil;
        address pledgee;
        bytes32 lawfulSourceHash;
        bytes32 currentCertificate;
    }

    /**
     * @dev A `Registration` as its holder signed it for batch anchoring (see {materialise}): the
     * fields of the EIP-712 message, in its order. `nonce` is a batched nonce (bit 255 set).
     */
    struct BatchedRegistration {
        address holder;
        bytes32 contentHash;
        bytes32 metadataHash;
        Right right;
        bytes32 lawfulSourceHash;
        uint256 nonce;
        uint256 deadline;
    }

    /**
     * @dev A registrar's authorisation of one act: `signature` is `registrar`'s EIP-712 signature
     * (ECDSA, or ERC-1271 for an institution's contract wallet) over the act's typed struct, whose
     * last fields are `nonce` (the registrar's, see {Nonces-nonces}) and `deadline`.
     */
    struct RegistrarSignature {
        address registrar;
        uint256 nonce;
        uint256 deadline;
        bytes signature;
    }

    /**
     * @dev What a pledge secures, as the holder and the pledgee both sign it (see {pledge}).
     * `termsHash` commits to the salted text of the pledge contract and `valuationHash` to the salted
     * valuation the pledgee relied on; `securedAmount` is in the minor unit of `currency` (an ISO 4217
     * code of three letters); `maturity` is when the secured debt falls due (Unix seconds).
     */
    struct PledgeTerms {
        address pledgee;
        bytes32 termsHash;
        uint256 securedAmount;
        string currency;
        uint64 maturity;
        bytes32 valuationHash;
    }

    /// @dev One party's authorisation of an act whose signer the act names (the holder, the pledgee).
    struct PartySignature {
        uint256 nonce;
        uint256 deadline;
        bytes signature;
    }

    /**
     * @dev The last pledge of an asset: its terms, the current valuation, when it was made, its serial
     * among the asset's pledges (from 1), the pledge registration certificate a registrar recorded for
     * it (zero until then), and whether it still stands (not released nor enforced).
     */
    struct PledgeRecord {
        PledgeTerms terms;
        uint64 pledgedAt;
        uint32 serial;
        bytes32 certificateHash;
        bool active;
    }

    /// @dev A pledge registration certificate: the asset and the serial of the pledge it certifies.
    struct PledgeCertificateRecord {
        bytes32 assetId;
        uint32 serial;
        address registrar;
        uint64 recordedAt;
    }

    /// @dev An objection filed during the public notice of `assetId`.
    struct Objection {
        bytes32 assetId;
        address objector;
        uint64 filedAt;
        ObjectionStatus status;
        bytes32 reasonHash;
        bytes32 evidenceHash;
    }

    /**
     * @dev A recorded certificate: the asset it certifies, its expiry (zero: no term) and the
     * certificate that superseded it (zero while it is the asset's current certificate).
     */
    struct CertificateRecord {
        bytes32 assetId;
        uint64 recordedAt;
        uint64 validUntil;
        bytes32 supersededBy;
    }

    /**
     * @dev Emitted when `holder` deposits the evidence of asset `assetId` and applies for its
     * registration, claiming `right` on data lawfully obtained as the statement committed to by
     * `lawfulSourceHash` says. `relayer` submitted the holder's signed authorisation and `nonce` is
     * the holder nonce it consumed.
     */
    event AssetRegistered(
        bytes32 indexed assetId,
        address indexed holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        Right right,
        bytes32 lawfulSourceHash,
        uint256 nonce,
        address relayer
    );

    /// @dev Emitted when `registrar` records the `stage` review of `assetId`, with its reason.
    event ApplicationReviewed(
        bytes32 indexed assetId,
        address indexed registrar,
        ReviewStage stage,
        bool passed,
        bytes32 reasonHash
    );

    /**
     * @dev Emitted when the substantive review by `registrar` starts the public notice of `assetId`;
     * objections are taken until `endsAt`.
     */
    event PublicNoticeStarted(bytes32 indexed assetId, uint64 startedAt, uint64 endsAt, address indexed registrar);

    /**
     * @dev Emitted when `registrar` rejects the application for `assetId` (by a rejection, a failed
     * review or an upheld objection), for the reason `reasonHash`.
     */
    event ApplicationRejected(bytes32 indexed assetId, address indexed registrar, bytes32 reasonHash);

    /// @dev Emitted when `objector` files objection `objectionId` against the registration of `assetId`.
    event ObjectionFiled(
        bytes32 indexed assetId,
        uint256 indexed objectionId,
        address indexed objector,
        bytes32 reasonHash,
        bytes32 evidenceHash
    );

    /// @dev Emitted when `registrar` upholds or dismisses objection `objectionId`.
    event ObjectionResolved(
        bytes32 indexed assetId,
        uint256 indexed objectionId,
        address indexed registrar,
        bool upheld,
        bytes32 resolutionHash
    );

    /// @dev Emitted when `registrar` records the certificate `certificateHash` issued for `assetId`.
    event CertificateRecorded(bytes32 indexed assetId, bytes32 indexed certificateHash, address indexed registrar);

    /**
     * @dev Emitted when the certificate `certificateHash` of `assetId` is superseded by `supersededBy`,
     * which `registrar` recorded.
     */
    event CertificateSuperseded(
        bytes32 indexed assetId,
        bytes32 indexed certificateHash,
        bytes32 indexed supersededBy,
        address registrar
    );

    /// @dev Emitted when `registrar` renews the registration of `assetId` by certificate `certificateHash`.
    event CertificateRenewed(
        bytes32 indexed assetId,
        bytes32 indexed certificateHash,
        uint64 validUntil,
        address indexed registrar
    );

    /// @dev Emitted when `holder` changes `assetId` to its version `version`.
    event AssetChanged(
        bytes32 indexed assetId,
        address indexed holder,
        uint32 version,
        bytes32 contentHash,
        bytes32 metadataHash,
        bytes32 previousContentHash
    );

    /// @dev Emitted when the rights in `assetId` pass from `from` to `to`.
    event AssetTransferred(
        bytes32 indexed assetId,
        address indexed from,
        address indexed to,
        bytes32 contentHash,
        bytes32 metadataHash
    );

    /**
     * @dev Emitted when `holder` pledges `assetId` to `pledgee`, both signing: the terms committed to by
     * `termsHash` secure `securedAmount` (minor units of `currency`) until `maturity`, on the valuation
     * committed to by `valuationHash`.
     */
    event AssetPledged(
        bytes32 indexed assetId,
        address indexed holder,
        address indexed pledgee,
        bytes32 termsHash,
        uint256 securedAmount,
        string currency,
        uint64 maturity,
        bytes32 valuationHash
    );

    /// @dev Emitted when `pledgee` states a new valuation (committed to by `valuationHash`) of its pledge.
    event PledgeRevalued(bytes32 indexed assetId, address indexed pledgee, bytes32 valuationHash);

    /**
     * @dev Emitted when `registrar` records `certificateHash` as the pledge registration certificate of
     * the pledge of `assetId` to `pledgee`.
     */
    event PledgeCertificateRecorded(
        bytes32 indexed assetId,
        address indexed pledgee,
        bytes32 indexed certificateHash,
        address registrar
    );

    /// @dev Emitted when `pledgee` releases its pledge on `assetId`.
    event PledgeReleased(bytes32 indexed assetId, address indexed pledgee);

    /// @dev Emitted when `pledgee` enforces its pledge on `assetId`, taking it from `from`.
    event PledgeEnforced(bytes32 indexed assetId, address indexed pledgee, address indexed from);

    /// @dev Emitted when `holder` cancels the registration of `assetId`.
    event AssetCancelled(bytes32 indexed assetId, address indexed holder);

    /**
     * @dev Emitted when `registrar` revokes the registration of `assetId`, for the reason whose hash
     * is `reasonHash`.
     */
    event AssetRevoked(bytes32 indexed assetId, address indexed registrar, bytes32 reasonHash);

    /// @dev Emitted when the public notice period changes from `previous` to `current` seconds.
    event NoticePeriodChanged(uint64 previous, uint64 current);

    /**
     * @dev Emitted, right after its {AssetRegistered}, when the batched registration of `assetId` is
     * materialised from the leaf `leaf` of the batch `batchId` of root `root`, anchored at `anchoredAt`
     * (the time from which the chain proves the registration).
     */
    event AssetMaterialised(
        bytes32 indexed assetId,
        bytes32 indexed root,
        uint256 indexed batchId,
        uint64 anchoredAt,
        bytes32 leaf
    );

    /// @dev Emitted when the anchor registry that batched registrations are proven against changes.
    event AnchorRegistryChanged(address previous, address current);

    /// @dev The asset `assetId` is already registered (or was registered and then revoked).
    error DataRightsAssetAlreadyRegistered(bytes32 assetId);

    /// @dev The content `contentHash` is already bound to the asset `existingAssetId`.
    error DataRightsContentAlreadyRegistered(bytes32 contentHash, bytes32 existingAssetId);

    /// @dev The asset `assetId` was never registered.
    error DataRightsAssetNotFound(bytes32 assetId);

    /// @dev The registration of asset `assetId` is revoked.
    error DataRightsAssetIsRevoked(bytes32 assetId);

    /// @dev The act is not allowed while asset `assetId` has status `assetStatus`.
    error DataRightsInvalidStatus(bytes32 assetId, AssetStatus assetStatus);

    /// @dev The signature is not a valid EIP-712 signature of `signer` over the act.
    error DataRightsInvalidSignature(address signer);

    /// @dev The signed authorisation expired at `deadline`; the current block timestamp is `timestamp`.
    error DataRightsSignatureExpired(uint256 deadline, uint256 timestamp);

    /// @dev The holder is the zero address.
    error DataRightsZeroHolder();

    /// @dev A hash argument is zero.
    error DataRightsZeroHash();

    /// @dev The certificate `certificateHash` is already recorded.
    error DataRightsCertificateAlreadyRecorded(bytes32 certificateHash);

    /// @dev The public notice of `assetId` ended at `endedAt`: objections are no longer taken.
    error DataRightsNoticePeriodEnded(bytes32 assetId, uint64 endedAt);

    /// @dev The public notice of `assetId` runs until `endsAt`: no certificate before then.
    error DataRightsNoticePeriodNotEnded(bytes32 assetId, uint64 endsAt);

    /// @dev `open` objections against `assetId` are not resolved yet.
    error DataRightsObjectionsOpen(bytes32 assetId, uint32 open);

    /// @dev The objection `objectionId` was never filed.
    error DataRightsObjectionNotFound(uint256 objectionId);

    /// @dev The objection `objectionId` is already resolved.
    error DataRightsObjectionAlreadyResolved(uint256 objectionId);

    /// @dev The asset `assetId` is pledged to `pledgee`.
    error DataRightsAssetIsPledged(bytes32 assetId, address pledgee);

    /// @dev The asset `assetId` is not pledged.
    error DataRightsAssetNotPledged(bytes32 assetId);

    /**
     * @dev The pledge terms of `assetId` secure nothing, name no three-letter currency, or mature at
     * `maturity`, not after the block's time.
     */
    error DataRightsInvalidPledgeTerms(bytes32 assetId, uint64 maturity);

    /// @dev The pledge of `assetId` already has the registration certificate `certificateHash`.
    error DataRightsPledgeCertified(bytes32 assetId, bytes32 certificateHash);

    /// @dev `account` cannot take part in this act (the zero address, or the holder itself).
    error DataRightsInvalidCounterparty(address account);

    /// @dev The current certificate of `assetId` expired at `validUntil`.
    error DataRightsCertificateExpired(bytes32 assetId, uint64 validUntil);

    /// @dev `validUntil` is not an acceptable expiry for the certificate being recorded.
    error DataRightsInvalidValidity(uint64 validUntil);

    /// @dev `period` seconds is not an acceptable public notice period.
    error DataRightsInvalidNoticePeriod(uint64 period);

    /// @dev No anchor registry is set: batched registrations cannot be materialised.
    error DataRightsNoAnchorRegistry();

    /// @dev No batch of registrations with the root `root` is anchored in the anchor registry.
    error DataRightsRootNotAnchored(bytes32 root);

    /// @dev The proof does not prove the leaf `leaf` (rebuilt from the registration) under `root`.
    error DataRightsInvalidProof(bytes32 root, bytes32 leaf);

    /// @dev `nonce` is not a batched nonce (bit 255 clear): such a registration goes through {register}.
    error DataRightsNotBatchNonce(uint256 nonce);

    /// @dev The batched registration signed by `holder` with `nonce` was already materialised.
    error DataRightsAlreadyMaterialised(address holder, uint256 nonce);

    /**
     * @dev Deposits the evidence of the asset described by `contentHash` and `metadataHash` and applies
     * for its registration for `holder`, who authorised it by signing the EIP-712 `Registration`
     * digest given by {registrationDigest}. Returns the asset id, see {assetIdFor}.
     *
     * The caller need not be the holder: anyone may relay the holder's signature.
     *
     * Emits an {AssetRegistered} event.
     *
     * Requirements:
     *
     * - `holder` cannot be the zero address.
     * - `contentHash` and `metadataHash` cannot be zero.
     * - the current block timestamp must not be after `deadline`.
     * - `signature` must be a valid signature of `holder` over the registration digest: an ECDSA
     *   signature for an externally owned account, or one accepted by ERC-1271 for a contract wallet.
     * - `nonce` must be the holder's current nonce, see {Nonces-nonces}. It is consumed.
     * - the asset must not be registered already, even if its registration was revoked.
     * - `contentHash` must not be bound to another asset.
     */
    function register(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        Right right,
        bytes32 lawfulSourceHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 assetId);

    /**
     * @dev Materialises the batched registration `registration`, signed by its holder with
     * `signature` and anchored as a leaf of `root`, which `proof` proves: the asset is stored, and
     * its content bound, exactly as {register} would have done, and enters the procedure `Registered`,
     * awaiting the formal review. Returns the asset id. The leaf is
     * `keccak256(bytes.concat(keccak256(abi.encode(keccak256("dataledger.BatchedRegistration(bytes32
     * registrationHash,bytes32 signatureHash)"), hashStruct(registration), keccak256(signature)))))`.
     *
     * Anyone may materialise, but only into the holder who signed: the signature is checked here,
     * whatever the batch holds. The deadline bounds the anchoring, not this call.
     *
     * Emits {AssetRegistered} (with `nonce`, and the caller as relayer), then {AssetMaterialised}.
     *
     * Requirements:
     *
     * - an anchor registry is set, see {setAnchorRegistry}.
     * - `registration.holder` cannot be the zero address; the hashes cannot be zero.
     * - `root` is anchored there as a batch of kind `keccak256("registration")`.
     * - `proof` proves the leaf rebuilt from `registration` and `signature` under `root`.
     * - `signature` is a valid signature of the holder over the `Registration` digest of
     *   {registrationDigest}: ECDSA for an externally owned account, ERC-1271 for a contract wallet.
     * - the root was anchored at or before `registration.deadline`.
     * - `registration.nonce` is a batched nonce of the holder not used before; it is consumed.
     * - the asset must not be registered already, and its content not bound to another asset.
     */
    function materialise(
        BatchedRegistration calldata registration,
        bytes calldata signature,
        bytes32 root,
        bytes32[] calldata proof
    ) external returns (bytes32 assetId);

    /**
     * @dev Sets the anchor registry whose roots {materialise} accepts. Roots anchored in a previous
     * anchor registry can no longer be materialised.
     *
     * Emits an {AnchorRegistryChanged} event, unless `anchorRegistry_` is the current one.
     *
     * Requirements:
     *
     * - the caller must have the default admin role.
     */
    function setAnchorRegistry(address anchorRegistry_) external;

    /**
     * @dev Records the `stage` review of the application for `assetId`, with the reason `reasonHash`.
     * A failed review rejects the application; a passed substantive review starts the public notice,
     * which ends {noticePeriod} seconds later.
     *
     * The registrar signs EIP-712 `Review(address registrar,bytes32 assetId,uint8 stage,bool passed,
     * bytes32 reasonHash,uint256 nonce,uint256 deadline)`; anyone may relay it.
     *
     * Emits an {ApplicationReviewed} event, then {PublicNoticeStarted} or {ApplicationRejected}.
     *
     * Requirements:
     *
     * - the registrar rules apply, see {rejectApplication}.
     * - a formal review needs status `Registered`; a substantive review needs status `UnderReview`.
     */
    function recordReview(
        bytes32 assetId,
        ReviewStage stage,
        bool passed,
        bytes32 reasonHash,
        RegistrarSignature calldata authorisation
    ) external;

    /**
     * @dev Rejects the application for `assetId`, for the reason `reasonHash`.
     *
     * The registrar signs EIP-712 `Rejection(address registrar,bytes32 assetId,bytes32 reasonHash,
     * uint256 nonce,uint256 deadline)`; anyone may relay it.
     *
     * Emits an {ApplicationRejected} event.
     *
     * Requirements:
     *
     * - the current block timestamp must not be after `authorisation.deadline`.
     * - `authorisation.signature` must be a valid signature of `authorisation.registrar` over the act's
     *   struct: ECDSA for an externally owned account, ERC-1271 for a contract wallet.
     * - `authorisation.registrar` must have the registrar role (the caller needs none).
     * - `authorisation.nonce` must be the registrar's current nonce, see {Nonces-nonces}. It is consumed.
     * - the asset must be `Registered`, `UnderReview` or `InNotice`.
     */
    function rejectApplication(
        bytes32 assetId,
        bytes32 reasonHash,
        RegistrarSignature calldata authorisation
    ) external;

    /**
     * @dev Files an objection by `objector` against the registration of `assetId`, who signed the
     * EIP-712 `Objection(address objector,bytes32 assetId,bytes32 reasonHash,bytes32 evidenceHash,
     * uint256 nonce,uint256 deadline)`. Returns the objection id (1, 2, ...).
     *
     * Emits an {ObjectionFiled} event.
     *
     * Requirements:
     *
     * - the asset must be `InNotice` and its notice must not have ended.
     * - `reasonHash` cannot be zero.
     * - the signature, deadline and nonce rules of {register} apply, with `objector` as the signer.
     */
    function fileObjection(
        address objector,
        bytes32 assetId,
        bytes32 reasonHash,
        bytes32 evidenceHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 objectionId);

    /**
     * @dev Upholds or dismisses the objection `objectionId`, for the reason `resolutionHash`. Upholding
     * it rejects the application.
     *
     * The registrar signs EIP-712 `ObjectionResolution(address registrar,uint256 objectionId,bool upheld,
     * bytes32 resolutionHash,uint256 nonce,uint256 deadline)`; anyone may relay it.
     *
     * Emits an {ObjectionResolved} event, and {ApplicationRejected} if the objection is upheld.
     *
     * Requirements:
     *
     * - the registrar rules apply, see {rejectApplication}.
     * - the objection must be open and its asset `InNotice`.
     */
    function resolveObjection(
        uint256 objectionId,
        bool upheld,
        bytes32 resolutionHash,
        RegistrarSignature calldata authorisation
    ) external;

    /**
     * @dev Records that the certificate whose hash is `certificateHash`, valid until `validUntil`
     * (zero: no term), was issued for `assetId`. The first certificate certifies the asset; a later
     * one (after a transfer or a change) supersedes the current one and keeps its expiry.
     *
     * The registrar signs EIP-712 `Certificate(address registrar,bytes32 assetId,bytes32 certificateHash,
     * uint64 validUntil,uint256 nonce,uint256 deadline)`; anyone may relay it.
     *
     * Emits a {CertificateRecorded} event, and {CertificateSuperseded} for a later certificate.
     *
     * Requirements:
     *
     * - the registrar rules apply, see {rejectApplication}.
     * - `certificateHash` cannot be zero and must not be recorded already.
     * - a first certificate: the asset is `InNotice`, the notice has ended, no objection is open, and
     *   `validUntil` is zero or in the future.
     * - a later certificate: the asset is `Certified`, its current certificate has not expired, and
     *   `validUntil` equals the current certificate's.
     */
    function recordCertificate(
        bytes32 assetId,
        bytes32 certificateHash,
        uint64 validUntil,
        RegistrarSignature calldata authorisation
    ) external;

    /**
     * @dev Renews the registration of `assetId` with the certificate `certificateHash`, valid until
     * `validUntil`; the current certificate is superseded.
     *
     * The registrar signs EIP-712 `Renewal(address registrar,bytes32 assetId,bytes32 certificateHash,
     * uint64 validUntil,uint256 nonce,uint256 deadline)`; anyone may relay it.
     *
     * Emits {CertificateRecorded}, {CertificateSuperseded} and {CertificateRenewed} events.
     *
     * Requirements:
     *
     * - the registrar rules apply, see {rejectApplication}.
     * - the asset must be `Certified` with a current certificate that has a term and has not expired.
     * - `validUntil` must be after the current certificate's expiry.
     * - `certificateHash` cannot be zero and must not be recorded already.
     */
    function renewCertificate(
        bytes32 assetId,
        bytes32 certificateHash,
        uint64 validUntil,
        RegistrarSignature calldata authorisation
    ) external;

    /**
     * @dev Changes the registered data of `assetId` to a new version with `contentHash` and
     * `metadataHash`, signed by the holder as EIP-712 `Change(bytes32 assetId,bytes32 contentHash,
     * bytes32 metadataHash,uint256 nonce,uint256 deadline)`. The version chain is kept by the
     * {AssetChanged} events; every content hash stays bound to the asset.
     *
     * Requirements:
     *
     * - the asset must be `Certified` and its certificate not expired.
     * - the hashes cannot be zero and `contentHash` must not be bound to any asset.
     * - the signature, deadline and nonce rules of {register} apply, with the holder as the signer.
     */
    function changeAsset(
        bytes32 assetId,
        bytes32 contentHash,
        bytes32 metadataHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Transfers the rights in `assetId` to `to`, signed by the holder as EIP-712
     * `Transfer(bytes32 assetId,address to,uint256 nonce,uint256 deadline)`.
     *
     * Emits an {AssetTransferred} event.
     *
     * Requirements:
     *
     * - the asset must be `Certified`, its certificate not expired, and the asset not pledged.
     * - `to` cannot be the zero address nor the holder.
     * - the signature, deadline and nonce rules of {register} apply, with the holder as the signer.
     */
    function transfer(bytes32 assetId, address to, uint256 nonce, uint256 deadline, bytes calldata signature) external;

    /**
     * @dev Pledges `assetId` to `terms.pledgee`: a contract of two parties, so both sign it. The holder
     * signs EIP-712 `Pledge(bytes32 assetId,address pledgee,bytes32 termsHash,uint256 securedAmount,
     * string currency,uint64 maturity,bytes32 valuationHash,uint256 nonce,uint256 deadline)` and the
     * pledgee `PledgeAcceptance(bytes32 assetId,address holder,bytes32 termsHash,uint256 securedAmount,
     * string currency,uint64 maturity,bytes32 valuationHash,uint256 nonce,uint256 deadline)`, each with
     * its own nonce and deadline; either may relay it. While pledged, the asset can be neither
     * transferred nor cancelled.
     *
     * Emits an {AssetPledged} event.
     *
     * Requirements:
     *
     * - the asset must be `Certified`, its certificate not expired, and the asset not pledged.
     * - `terms.pledgee` cannot be the zero address nor the holder; `terms.termsHash` and
     *   `terms.valuationHash` cannot be zero; `terms.securedAmount` cannot be zero, `terms.currency` has
     *   three characters and `terms.maturity` is after the block's time.
     * - the signature, deadline and nonce rules of {register} apply, to the holder's signature and to
     *   the pledgee's.
     */
    function pledge(
        bytes32 assetId,
        PledgeTerms calldata terms,
        PartySignature calldata byHolder,
        PartySignature calldata byPledgee
    ) external;

    /**
     * @dev States a new valuation of the pledged asset (committed to by `valuationHash`), signed by the
     * pledgee as EIP-712 `PledgeRevaluation(bytes32 assetId,address pledgee,bytes32 valuationHash,
     * uint256 nonce,uint256 deadline)`.
     *
     * Emits a {PledgeRevalued} event.
     *
     * Requirements:
     *
     * - the asset must be pledged; `valuationHash` cannot be zero.
     * - the signature, deadline and nonce rules of {register} apply, with the pledgee as the signer.
     */
    function revaluePledge(bytes32 assetId, bytes32 valuationHash, PartySignature calldata byPledgee) external;

    /**
     * @dev Records `certificateHash` as the registration certificate of the pledge on `assetId`: the
     * registrar files the pledge. The registrar signs EIP-712 `PledgeCertificate(address registrar,
     * bytes32 assetId,address pledgee,bytes32 certificateHash,uint256 nonce,uint256 deadline)`.
     *
     * Emits a {PledgeCertificateRecorded} event.
     *
     * Requirements:
     *
     * - the registrar rules apply, see {rejectApplication}.
     * - the asset must be pledged to the `pledgee` signed, its pledge not certified yet.
     * - `certificateHash` cannot be zero nor an already recorded certificate.
     */
    function recordPledgeCertificate(
        bytes32 assetId,
        address pledgee,
        bytes32 certificateHash,
        RegistrarSignature calldata authorisation
    ) external;

    /**
     * @dev Releases the pledge on `assetId`, signed by the pledgee as EIP-712
     * `PledgeRelease(bytes32 assetId,address pledgee,uint256 nonce,uint256 deadline)`.
     *
     * Emits a {PledgeReleased} event.
     *
     * Requirements:
     *
     * - the asset must be pledged.
     * - the signature, deadline and nonce rules of {register} apply, with the pledgee as the signer.
     */
    function releasePledge(bytes32 assetId, uint256 nonce, uint256 deadline, bytes calldata signature) external;

    /**
     * @dev Enforces the pledge on `assetId`: the rights pass to the pledgee, who signed EIP-712
     * `PledgeEnforcement(bytes32 assetId,address pledgee,uint256 nonce,uint256 deadline)`.
     *
     * Emits {PledgeEnforced} and {AssetTransferred} events.
     *
     * Requirements:
     *
     * - the asset must be `Certified`, its certificate not expired, and the asset pledged.
     * - the signature, deadline and nonce rules of {register} apply, with the pledgee as the signer.
     */
    function enforcePledge(bytes32 assetId, uint256 nonce, uint256 deadline, bytes calldata signature) external;

    /**
     * @dev Cancels the registration (or the application) of `assetId`, signed by the holder as EIP-712
     * `Cancellation(bytes32 assetId,uint256 nonce,uint256 deadline)`. Cancellation is final.
     *
     * Emits an {AssetCancelled} event.
     *
     * Requirements:
     *
     * - the asset must be `Registered`, `UnderReview`, `InNotice` or `Certified`, and not pledged.
     * - the signature, deadline and nonce rules of {register} apply, with the holder as the signer.
     */
    function cancel(bytes32 assetId, uint256 nonce, uint256 deadline, bytes calldata signature) external;

    /**
     * @dev Revokes the registration of `assetId`, for the reason whose hash is `reasonHash`.
     * Revocation is final: the asset id and its content hashes stay taken.
     *
     * The registrar signs EIP-712 `Revocation(address registrar,bytes32 assetId,bytes32 reasonHash,
     * uint256 nonce,uint256 deadline)`; anyone may relay it.
     *
     * Emits an {AssetRevoked} event.
     *
     * Requirements:
     *
     * - the registrar rules apply, see {rejectApplication}.
     * - the asset must be `Registered`, `UnderReview`, `InNotice` or `Certified`.
     */
    function revoke(bytes32 assetId, bytes32 reasonHash, RegistrarSignature calldata authorisation) external;

    /**
     * @dev Sets the public notice period to `period` seconds, for notices that start from now on.
     *
     * Emits a {NoticePeriodChanged} event.
     *
     * Requirements:
     *
     * - the caller must have the default admin role.
     * - `period` must not exceed 365 days.
     */
    function setNoticePeriod(uint64 period) external;

    /**
     * @dev Returns the id of the asset that `holder` registers with `contentHash` and `metadataHash`:
     * `keccak256(abi.encode(holder, contentHash, metadataHash))`.
     */
    function assetIdFor(address holder, bytes32 contentHash, bytes32 metadataHash) external pure returns (bytes32);

    /**
     * @dev Returns the EIP-712 digest that `holder` signs to authorise a registration, in the domain
     * of this contract (name "DataLedger DataRightsRegistry", version "2").
     */
    function registrationDigest(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        Right right,
        bytes32 lawfulSourceHash,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    /**
     * @dev Returns the asset `assetId`. An asset that was never registered is returned zeroed, with
     * status `None`.
     */
    function assetOf(bytes32 assetId) external view returns (Asset memory);

    /// @dev Returns where `assetId` stands in the procedure (zeroed for an unknown asset).
    function procedureOf(bytes32 assetId) external view returns (Procedure memory);

    /// @dev Returns the objection `objectionId` (zeroed, status `None`, if it was never filed).
    function objectionOf(uint256 objectionId) external view returns (Objection memory);

    /// @dev Returns the number of objections filed so far, which is also the id of the last one.
    function objectionCount() external view returns (uint256);

    /// @dev Returns the id of the asset bound to `contentHash`, or zero if there is none.
    function assetOfContent(bytes32 contentHash) external view returns (bytes32 assetId);

    /// @dev Returns the id of the asset for which `certificateHash` was recorded, or zero if it was not.
    function certificateAsset(bytes32 certificateHash) external view returns (bytes32 assetId);

    /// @dev The last pledge of `assetId` (all zero if never pledged).
    function pledgeOf(bytes32 assetId) external view returns (PledgeRecord memory);

    /// @dev The record of the pledge registration certificate `certificateHash` (zero if never recorded).
    function pledgeCertificateOf(bytes32 certificateHash) external view returns (PledgeCertificateRecord memory);

    /// @dev Returns the record of `certificateHash` (zeroed if it was not recorded).
    function certificateOf(bytes32 certificateHash) external view returns (CertificateRecord memory);

    /// @dev Returns the public notice period, in seconds, given to notices that start now.
    function noticePeriod() external view returns (uint64);

    /// @dev Returns the anchor registry batched registrations are proven against (zero: none).
    function anchorRegistry() external view returns (address);

    /// @dev Returns whether `holder`'s batched nonce `nonce` was used by a materialisation.
    function batchNonceUsed(address holder, uint256 nonce) external view returns (bool);

    /// @dev Returns the version of this registry contract.
    function version() external pure returns (string memory);
}
