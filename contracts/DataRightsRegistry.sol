// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IDataRightsRegistry} from "./IDataRightsRegistry.sol";

/**
 * @title DataRightsRegistry
 * @dev Implementation of {IDataRightsRegistry}.
 *
 * Holders authorise registrations with EIP-712 signatures (ECDSA for externally owned accounts,
 * ERC-1271 for contract wallets), so a relayer can pay for the transaction but never forge one. Each
 * holder has a sequence of nonces ({Nonces}) that makes every authorisation single use.
 *
 * Roles: `DEFAULT_ADMIN_ROLE` manages roles; `REGISTRAR_ROLE` revokes registrations and records
 * certificates.
 */
contract DataRightsRegistry is IDataRightsRegistry, AccessControl, EIP712, Nonces {
    /// @dev Role allowed to revoke registrations and record certificates.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    bytes32 private constant REGISTRATION_TYPEHASH =
        keccak256(
            "Registration(address holder,bytes32 contentHash,bytes32 metadataHash,uint256 nonce,uint256 deadline)"
        );

    string private constant VERSION = "1.0.0";

    mapping(bytes32 assetId => Asset) private _assets;
    mapping(bytes32 contentHash => bytes32 assetId) private _assetOfContent;
    mapping(bytes32 certificateHash => bytes32 assetId) private _certificateAsset;

    /**
     * @dev Grants `DEFAULT_ADMIN_ROLE` to `admin` and, unless it is the zero address, `REGISTRAR_ROLE`
     * to `registrar`.
     */
    constructor(address admin, address registrar) EIP712("DataLedger DataRightsRegistry", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (registrar != address(0)) {
            _grantRole(REGISTRAR_ROLE, registrar);
        }
    }

    /// @inheritdoc IDataRightsRegistry
    function register(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
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
        if (block.timestamp > deadline) {
            revert DataRightsSignatureExpired(deadline, block.timestamp);
        }
        bytes32 digest = _registrationDigest(holder, contentHash, metadataHash, nonce, deadline);
        if (!SignatureChecker.isValidSignatureNow(holder, digest, signature)) {
            revert DataRightsInvalidSignature(holder);
        }
        _useCheckedNonce(holder, nonce);

        assetId = _assetIdFor(holder, contentHash, metadataHash);
        if (_assets[assetId].status != AssetStatus.None) {
            revert DataRightsAssetAlreadyRegistered(assetId);
        }
        bytes32 existingAssetId = _assetOfContent[contentHash];
        if (existingAssetId != bytes32(0)) {
            revert DataRightsContentAlreadyRegistered(contentHash, existingAssetId);
        }

        _assets[assetId] = Asset({
            holder: holder,
            registeredAt: uint64(block.timestamp),
            status: AssetStatus.Registered,
            contentHash: contentHash,
            metadataHash: metadataHash
        });
        _assetOfContent[contentHash] = assetId;
        emit AssetRegistered(assetId, holder, contentHash, metadataHash, nonce, msg.sender);
    }

    /// @inheritdoc IDataRightsRegistry
    function revoke(bytes32 assetId, bytes32 reasonHash) external onlyRole(REGISTRAR_ROLE) {
        _requireRegistered(assetId);
        _assets[assetId].status = AssetStatus.Revoked;
        emit AssetRevoked(assetId, msg.sender, reasonHash);
    }

    /// @inheritdoc IDataRightsRegistry
    function recordCertificate(bytes32 assetId, bytes32 certificateHash) external onlyRole(REGISTRAR_ROLE) {
        _requireRegistered(assetId);
        if (certificateHash == bytes32(0)) {
            revert DataRightsZeroHash();
        }
        if (_certificateAsset[certificateHash] != bytes32(0)) {
            revert DataRightsCertificateAlreadyRecorded(certificateHash);
        }
        _certificateAsset[certificateHash] = assetId;
        emit CertificateRecorded(assetId, certificateHash, msg.sender);
    }

    /// @inheritdoc IDataRightsRegistry
    function assetIdFor(address holder, bytes32 contentHash, bytes32 metadataHash) external pure returns (bytes32) {
        return _assetIdFor(holder, contentHash, metadataHash);
    }

    /// @inheritdoc IDataRightsRegistry
    function registrationDigest(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _registrationDigest(holder, contentHash, metadataHash, nonce, deadline);
    }

    /// @inheritdoc IDataRightsRegistry
    function assetOf(bytes32 assetId) external view returns (Asset memory) {
        return _assets[assetId];
    }

    /// @inheritdoc IDataRightsRegistry
    function assetOfContent(bytes32 contentHash) external view returns (bytes32 assetId) {
        return _assetOfContent[contentHash];
    }

    /// @inheritdoc IDataRightsRegistry
    function certificateAsset(bytes32 certificateHash) external view returns (bytes32 assetId) {
        return _certificateAsset[certificateHash];
    }

    /// @inheritdoc IDataRightsRegistry
    function version() external pure returns (string memory) {
        return VERSION;
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IDataRightsRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    /**
     * @dev Reverts unless `assetId` is registered and not revoked.
     */
    function _requireRegistered(bytes32 assetId) private view {
        AssetStatus status = _assets[assetId].status;
        if (status == AssetStatus.None) {
            revert DataRightsAssetNotFound(assetId);
        }
        if (status == AssetStatus.Revoked) {
            revert DataRightsAssetIsRevoked(assetId);
        }
    }

    function _assetIdFor(address holder, bytes32 contentHash, bytes32 metadataHash) private pure returns (bytes32) {
        return keccak256(abi.encode(holder, contentHash, metadataHash));
    }

    function _registrationDigest(
        address holder,
        bytes32 contentHash,
        bytes32 metadataHash,
        uint256 nonce,
        uint256 deadline
    ) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(REGISTRATION_TYPEHASH, holder, contentHash, metadataHash, nonce, deadline))
            );
    }
}
