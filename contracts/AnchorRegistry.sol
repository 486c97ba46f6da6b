// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAnchorRegistry} from "./IAnchorRegistry.sol";

/**
 * @title AnchorRegistry
 * @dev Implementation of {IAnchorRegistry}.
 *
 * One anchor costs two new storage slots whatever the batch size, so a batch of 1,000 leaves costs
 * well under 500 gas per leaf.
 *
 * Roles: `DEFAULT_ADMIN_ROLE` manages roles; `ANCHORER_ROLE` anchors batch roots.
 */
contract AnchorRegistry is IAnchorRegistry, AccessControl {
    /// @dev Role allowed to anchor batch roots.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    string private constant VERSION = "1.0.0";

    mapping(bytes32 root => Anchor) private _anchors;
    uint64 private _batchCount;

    /**
     * @dev Grants `DEFAULT_ADMIN_ROLE` to `admin` and, unless it is the zero address, `ANCHORER_ROLE`
     * to `anchorer`.
     */
    constructor(address admin, address anchorer) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (anchorer != address(0)) {
            _grantRole(ANCHORER_ROLE, anchorer);
        }
    }

    /// @inheritdoc IAnchorRegistry
    function anchor(bytes32 root, uint32 leafCount, bytes32 kind) external onlyRole(ANCHORER_ROLE) returns (uint256) {
        if (root == bytes32(0)) {
            revert AnchorZeroRoot();
        }
        if (leafCount == 0) {
            revert AnchorEmptyBatch();
        }
        uint64 existing = _anchors[root].batchId;
        if (existing != 0) {
            revert AnchorRootAlreadyAnchored(root, existing);
        }
        uint64 batchId = ++_batchCount;
        _anchors[root] = Anchor({
            kind: kind,
            batchId: batchId,
            anchoredAt: uint64(block.timestamp),
            leafCount: leafCount
        });
        emit BatchAnchored(batchId, root, leafCount, kind);
        return batchId;
    }

    /// @inheritdoc IAnchorRegistry
    function isAnchored(bytes32 root) external view returns (bool) {
        return _anchors[root].batchId != 0;
    }

    /// @inheritdoc IAnchorRegistry
    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        return _anchors[root];
    }

    /// @inheritdoc IAnchorRegistry
    function batchCount() external view returns (uint256) {
        return _batchCount;
    }

    /// @inheritdoc IAnchorRegistry
    function verifyProof(bytes32 root, bytes32[] calldata proof, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IAnchorRegistry
    function verifyLeaf(bytes32 root, bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        return _anchors[root].batchId != 0 && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IAnchorRegistry
    function requireAnchoredLeaf(
        bytes32 root,
        bytes32[] calldata proof,
        bytes32 leaf
    ) external view returns (Anchor memory) {
        Anchor memory record = _anchors[root];
        if (record.batchId == 0) {
            revert AnchorRootNotAnchored(root);
        }
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) {
            revert AnchorInvalidProof(root, leaf);
        }
        return record;
    }

    /// @inheritdoc IAnchorRegistry
    function version() external pure returns (string memory) {
        return VERSION;
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IAnchorRegistry).interfaceId || super.supportsInterface(interfaceId);
    }
}
