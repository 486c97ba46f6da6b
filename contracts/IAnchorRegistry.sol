// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/**
 * @title IAnchorRegistry
 * @dev Registry of Merkle roots of batches of off-chain entries (batched registrations, EPCIS events).
 *
 * Entries are accepted and stored off chain, then anchored in batches: an account holding the anchorer
 * role records the root of a Merkle tree over the batch's leaves in one transaction, so the cost per
 * entry falls with the batch size. Each entry keeps an inclusion proof that anyone can check against
 * an anchored root, off chain or with {verifyLeaf}.
 *
 * Trees are those of OpenZeppelin's `MerkleProof`: a node is the keccak256 of its two children
 * sorted. Leaves must be domain-separated from nodes by double hashing,
 * `leaf = keccak256(bytes.concat(keccak256(abi.encode(...))))` as OpenZeppelin's StandardMerkleTree
 * does, so that no 64-byte pair of nodes can pass for a leaf.
 *
 * A root can be anchored once; batch ids count up from 1.
 */
interface IAnchorRegistry {
    /**
     * @dev The record of an anchored root. `batchId` is zero for a root that was never anchored;
     * `anchoredAt` is the timestamp of the block that anchored it; `kind` says what the leaves are
     * (for example `keccak256("registration")`).
     */
    struct Anchor {
        bytes32 kind;
        uint64 batchId;
        uint64 anchoredAt;
        uint32 leafCount;
    }

    /**
     * @dev Emitted when the root `root` of batch `batchId`, of `leafCount` leaves of kind `kind`, is
     * anchored.
     */
    event BatchAnchored(uint256 indexed batchId, bytes32 indexed root, uint32 leafCount, bytes32 kind);

    /**
     * @dev The root is zero.
     */
    error AnchorZeroRoot();

    /**
     * @dev The batch has no leaves.
     */
    error AnchorEmptyBatch();

    /**
     * @dev The root `root` is already anchored, as batch `batchId`.
     */
    error AnchorRootAlreadyAnchored(bytes32 root, uint256 batchId);

    /**
     * @dev The root `root` was never anchored.
     */
    error AnchorRootNotAnchored(bytes32 root);

    /**
     * @dev The proof does not prove `leaf` under `root`.
     */
    error AnchorInvalidProof(bytes32 root, bytes32 leaf);

    /**
     * @dev Anchors `root`, the Merkle root of a batch of `leafCount` leaves of kind `kind`. Returns
     * the new batch id.
     *
     * Emits a {BatchAnchored} event.
     *
     * Requirements:
     *
     * - the caller must have the anchorer role.
     * - `root` cannot be zero and must not be anchored already.
     * - `leafCount` cannot be zero.
     */
    function anchor(bytes32 root, uint32 leafCount, bytes32 kind) external returns (uint256 batchId);

    /**
     * @dev Returns whether `root` is anchored.
     */
    function isAnchored(bytes32 root) external view returns (bool);

    /**
     * @dev Returns the record of `root`; zeroed (batch id 0) if it was never anchored.
     */
    function anchorOf(bytes32 root) external view returns (Anchor memory);

    /**
     * @dev Returns the number of batches anchored so far, which is also the id of the latest one.
     */
    function batchCount() external view returns (uint256);

    /**
     * @dev Returns whether `proof` proves `leaf` under `root` (OpenZeppelin `MerkleProof.verify`),
     * whether or not `root` is anchored.
     */
    function verifyProof(bytes32 root, bytes32[] calldata proof, bytes32 leaf) external pure returns (bool);

    /**
     * @dev Returns whether `root` is anchored and `proof` proves `leaf` under it.
     */
    function verifyLeaf(bytes32 root, bytes32[] calldata proof, bytes32 leaf) external view returns (bool);

    /**
     * @dev Returns the record of the anchored `root` under which `proof` proves `leaf`, for contracts
     * that act on an anchored entry (for example to materialise a batched registration).
     *
     * Requirements:
     *
     * - `root` must be anchored.
     * - `proof` must prove `leaf` under `root`.
     */
    function requireAnchoredLeaf(
        bytes32 root,
        bytes32[] calldata proof,
        bytes32 leaf
    ) external view returns (Anchor memory);

    /**
     * @dev Returns the version of this contract.
     */
    function version() external pure returns (string memory);
}
