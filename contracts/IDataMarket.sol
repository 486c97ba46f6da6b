// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IDataRightsRegistry} from "./IDataRightsRegistry.sol";

/**
 * @title IDataMarket
 * @dev Listings of certified data products by exchanges, and their delisting.
 *
 * An exchange lists a data product only after a listing verification that passed: the market
 * operator (the registry's verification service) records each verification's outcome by the hash of
 * its signed report, and `list` refuses a report that is unknown, did not pass, is about another
 * asset or already served a listing. The asset must be certified in the {IDataRightsRegistry} given
 * at construction when it is listed. A listing binds the hash of the licence terms it offers and the
 * hash of the listing's own published text, so neither can change under a buyer later.
 *
 * Exchanges are known by a 32-byte id (the registry derives it from the exchange participant) and
 * are enrolled by the market operator; only the exchange that listed a product may delist it.
 */
interface IDataMarket {
    /// @dev The outcome of a listing verification, recorded by the hash of its signed report.
    struct Verification {
        bytes32 assetId;
        bool listable;
        bool used;
    }

    /// @dev A listing: what is listed, by whom, on which report and terms; `delistedAt` zero while listed.
    struct Listing {
        bytes32 assetId;
        bytes32 exchangeId;
        bytes32 reportHash;
        bytes32 termsHash;
        bytes32 listingHash;
        uint64 listedAt;
        uint64 delistedAt;
    }

    /// @dev Emitted when `exchangeId` is enrolled as an exchange.
    event ExchangeEnrolled(bytes32 indexed exchangeId);

    /// @dev Emitted when the outcome of the listing verification of `assetId` is recorded.
    event ListingVerificationRecorded(bytes32 indexed reportHash, bytes32 indexed assetId, bool listable);

    /// @dev Emitted when `exchangeId` lists `assetId` as `listingId`.
    event Listed(
        bytes32 indexed listingId,
        bytes32 indexed assetId,
        bytes32 indexed exchangeId,
        bytes32 reportHash,
        bytes32 termsHash,
        bytes32 listingHash
    );

    /// @dev Emitted when `exchangeId` delists `listingId`, for the reason committed to by `reasonHash`.
    event Delisted(bytes32 indexed listingId, bytes32 indexed assetId, bytes32 indexed exchangeId, bytes32 reasonHash);

    /// @dev A hash argument is zero.
    error DataMarketZeroHash();

    /// @dev `exchangeId` is not an enrolled exchange.
    error DataMarketNotExchange(bytes32 exchangeId);

    /// @dev `exchangeId` is already enrolled.
    error DataMarketExchangeAlreadyEnrolled(bytes32 exchangeId);

    /// @dev The verification with report `reportHash` is already recorded.
    error DataMarketReportAlreadyRecorded(bytes32 reportHash);

    /// @dev Report `reportHash` is not a recorded, passing, unused verification of `assetId`.
    error DataMarketReportNotPassing(bytes32 reportHash, bytes32 assetId);

    /// @dev `assetId` is not certified (its status is `status`).
    error DataMarketAssetNotCertified(bytes32 assetId, IDataRightsRegistry.AssetStatus status);

    /// @dev A listing with id `listingId` already exists.
    error DataMarketListingAlreadyExists(bytes32 listingId);

    /// @dev No listing with id `listingId` exists.
    error DataMarketListingNotFound(bytes32 listingId);

    /// @dev Listing `listingId` is already delisted.
    error DataMarketListingNotActive(bytes32 listingId);

    /// @dev `exchangeId` did not list `listingId`.
    error DataMarketNotListingExchange(bytes32 listingId, bytes32 exchangeId);

    /**
     * @dev Enrols `exchangeId` as an exchange. Emits {ExchangeEnrolled}.
     *
     * Requirements: the caller is a market operator; `exchangeId` is not zero nor already enrolled.
     */
    function enrolExchange(bytes32 exchangeId) external;

    /**
     * @dev Records the outcome of the listing verification of `assetId` whose signed report hashes to
     * `reportHash`. Emits {ListingVerificationRecorded}.
     *
     * Requirements: the caller is a market operator; no hash is zero; the report is not yet recorded.
     */
    function recordVerification(bytes32 reportHash, bytes32 assetId, bool listable) external;

    /**
     * @dev `exchangeId` lists `assetId` as `listingId`, on the passing report `reportHash`, offering the
     * licence terms `termsHash`, with the published listing text `listingHash`. Emits {Listed}.
     *
     * Requirements:
     * - the caller is a market operator; no hash is zero; `listingId` is new;
     * - `exchangeId` is an enrolled exchange;
     * - `reportHash` is a recorded verification of `assetId` that passed and served no listing yet;
     * - `assetId` is certified.
     */
    function list(
        bytes32 listingId,
        bytes32 assetId,
        bytes32 exchangeId,
        bytes32 reportHash,
        bytes32 termsHash,
        bytes32 listingHash
    ) external;

    /**
     * @dev `exchangeId` delists `listingId` for the reason committed to by `reasonHash`. Emits {Delisted}.
     *
     * Requirements: the caller is a market operator; `reasonHash` is not zero; the listing exists, is
     * listed and was listed by `exchangeId`.
     */
    function delist(bytes32 listingId, bytes32 exchangeId, bytes32 reasonHash) external;

    /// @dev Returns whether `exchangeId` is an enrolled exchange.
    function isExchange(bytes32 exchangeId) external view returns (bool);

    /// @dev Returns the recorded verification with report `reportHash` (zeroed if none).
    function verificationOf(bytes32 reportHash) external view returns (Verification memory);

    /// @dev Returns listing `listingId` (zeroed if none).
    function listingOf(bytes32 listingId) external view returns (Listing memory);

    /// @dev Returns the registry whose assets are listed.
    function dataRightsRegistry() external view returns (address);

    /// @dev Returns the contract's version.
    function version() external pure returns (string memory);
}
