// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/**
 * @title IDataRightsRegistry
 * @dev Registry of data-rights registrations.
 *
 * A holder authorises the registration of a data asset by signing an EIP-712 `Registration`
 * (holder, contentHash, metadataHash, nonce, deadline) off chain; anyone may relay the signed
 * authorisation. The asset id is derived from its content, see {assetIdFor}, so the same facts always
 * give the same id. A content hash can be bound to one asset only.
 *
 * Accounts holding the registrar role can revoke registrations and record the certificates issued for
 * registered assets.
 */
interface IDataRightsRegistry {
    /**
     * @dev Lifecycle of an asset. `None` is the status of an asset that was never registered.
     */
    enum AssetStatus {
        None,
        Registered,
        Revoked
    }

    /**
     * @dev A registered asset.
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
     * @dev Emitted when `holder` registers asset `assetId`. `relayer` is the account that submitted
     * the holder's signed authorisation and `nonce` the holder nonce it consumed.
     */
    event AssetRegistered(
        bytes32 indexed assetId,
        address indexed holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        uint256 nonce,
        address relayer
    );

    /**
     * @dev Emitted when `registrar` revokes the registration of `assetId`, for the reason whose hash
     * is `reasonHash`.
     */
    event AssetRevoked(bytes32 indexed assetId, address indexed registrar, bytes32 reasonHash);

    /**
     * @dev Emitted when `registrar` records the certificate `certificateHash` issued for `assetId`.
     */
    event CertificateRecorded(bytes32 indexed assetId, bytes32 indexed certificateHash, address indexed registrar);

    /**
     * @dev The asset `assetId` is already registered (or was registered and then revoked).
     */
    error DataRightsAssetAlreadyRegistered(bytes32 assetId);

    /**
     * @dev The content `contentHash` is already bound to the asset `existingAssetId`.
     */
    error DataRightsContentAlreadyRegistered(bytes32 contentHash, bytes32 existingAssetId);

    /**
     * @dev The asset `assetId` was never registered.
     */
    error DataRightsAssetNotFound(bytes32 assetId);

    /**
     * @dev The registration of asset `assetId` is revoked.
     */
    error DataRightsAssetIsRevoked(bytes32 assetId);

    /**
     * @dev The signature is not a valid EIP-712 `Registration` signature of `holder`.
     */
    error DataRightsInvalidSignature(address holder);

    /**
     * @dev The signed authorisation expired at `deadline`; the current block timestamp is `timestamp`.
     */
    error DataRightsSignatureExpired(uint256 deadline, uint256 timestamp);

    /**
     * @dev The holder is the zero address.
     */
    error DataRightsZeroHolder();

    /**
     * @dev A hash argument is zero.
     */
    error DataRightsZeroHash();

    /**
     * @dev The certificate `certificateHash` is already recorded.
     */
    error DataRightsCertificateAlreadyRecorded(bytes32 certificateHash);

    /**
     * @dev Registers the asset described by `contentHash` and `metadataHash` for `holder`, who
     * authorised it by signing the EIP-712 `Registration` digest given by {registrationDigest}.
     * Returns the asset id, see {assetIdFor}.
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
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 assetId);

    /**
     * @dev Revokes the registration of `assetId`, for the reason whose hash is `reasonHash`.
     * Revocation is final: the asset id and its content hash stay taken.
     *
     * Emits an {AssetRevoked} event.
     *
     * Requirements:
     *
     * - the caller must have the registrar role.
     * - the asset must be registered and not revoked.
     */
    function revoke(bytes32 assetId, bytes32 reasonHash) external;

    /**
     * @dev Records that the certificate whose hash is `certificateHash` was issued for `assetId`.
     *
     * Emits a {CertificateRecorded} event.
     *
     * Requirements:
     *
     * - the caller must have the registrar role.
     * - the asset must be registered and not revoked.
     * - `certificateHash` cannot be zero and must not be recorded already.
     */
    function recordCertificate(bytes32 assetId, bytes32 certificateHash) external;

    /**
     * @dev Returns the id of the asset that `holder` registers with `contentHash` and `metadataHash`:
     * `keccak256(abi.encode(holder, contentHash, metadataHash))`.
     */
    function assetIdFor(address holder, bytes32 contentHash, bytes32 metadataHash) external pure returns (bytes32);

    /**
     * @dev Returns the EIP-712 digest that `holder` signs to authorise a registration, in the domain
     * of this contract (name "DataLedger DataRightsRegistry", version "1").
     */
    function registrationDigest(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    /**
     * @dev Returns the asset `assetId`. An asset that was never registered is returned zeroed, with
     * status `None`.
     */
    function assetOf(bytes32 assetId) external view returns (Asset memory);

    /**
     * @dev Returns the id of the asset bound to `contentHash`, or zero if there is none.
     */
    function assetOfContent(bytes32 contentHash) external view returns (bytes32 assetId);

    /**
     * @dev Returns the id of the asset for which `certificateHash` was recorded, or zero if it was not.
     */
    function certificateAsset(bytes32 certificateHash) external view returns (bytes32 assetId);

    /**
     * @dev Returns the version of this registry contract.
     */
    function version() external pure returns (string memory);
}
