// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IDataRightsRegistry} from "./IDataRightsRegistry.sol";
import {IDataMarket} from "./IDataMarket.sol";

/**
 * @title DataMarket
 * @dev Implementation of {IDataMarket}.
 *
 * Roles: `DEFAULT_ADMIN_ROLE` manages roles; `MARKET_OPERATOR_ROLE` enrols exchanges, records
 * verification outcomes and relays the exchanges' listings and delistings.
 */
contract DataMarket is IDataMarket, AccessControl {
    /// @dev Role allowed to enrol exchanges, record verifications and relay listings.
    bytes32 public constant MARKET_OPERATOR_ROLE = keccak256("MARKET_OPERATOR_ROLE");

    string private constant VERSION = "1.0.0";

    IDataRightsRegistry private immutable _registry;
    mapping(bytes32 exchangeId => bool) private _exchanges;
    mapping(bytes32 reportHash => Verification) private _verifications;
    mapping(bytes32 listingId => Listing) private _listings;

    /// @dev Lists the assets of `registry`; grants `DEFAULT_ADMIN_ROLE` and `MARKET_OPERATOR_ROLE` to `admin`.
    constructor(IDataRightsRegistry registry, address admin) {
        _registry = registry;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MARKET_OPERATOR_ROLE, admin);
    }

    /// @inheritdoc IDataMarket
    function enrolExchange(bytes32 exchangeId) external onlyRole(MARKET_OPERATOR_ROLE) {
        _requireHash(exchangeId);
        if (_exchanges[exchangeId]) {
            revert DataMarketExchangeAlreadyEnrolled(exchangeId);
        }
        _exchanges[exchangeId] = true;
        emit ExchangeEnrolled(exchangeId);
    }

    /// @inheritdoc IDataMarket
    function recordVerification(
        bytes32 reportHash,
        bytes32 assetId,
        bool listable
    ) external onlyRole(MARKET_OPERATOR_ROLE) {
        _requireHash(reportHash);
        _requireHash(assetId);
        if (_verifications[reportHash].assetId != bytes32(0)) {
            revert DataMarketReportAlreadyRecorded(reportHash);
        }
        _verifications[reportHash] = Verification({assetId: assetId, listable: listable, used: false});
        emit ListingVerificationRecorded(reportHash, assetId, listable);
    }

    /// @inheritdoc IDataMarket
    function list(
        bytes32 listingId,
        bytes32 assetId,
        bytes32 exchangeId,
        bytes32 reportHash,
        bytes32 termsHash,
        bytes32 listingHash
    ) external onlyRole(MARKET_OPERATOR_ROLE) {
        _requireHash(listingId);
        _requireHash(termsHash);
        _requireHash(listingHash);
        if (_listings[listingId].listedAt != 0) {
            revert DataMarketListingAlreadyExists(listingId);
        }
        if (!_exchanges[exchangeId]) {
            revert DataMarketNotExchange(exchangeId);
        }
        Verification storage verification = _verifications[reportHash];
        if (verification.assetId != assetId || !verification.listable || verification.used) {
            revert DataMarketReportNotPassing(reportHash, assetId);
        }
        IDataRightsRegistry.AssetStatus status = _registry.assetOf(assetId).status;
        if (status != IDataRightsRegistry.AssetStatus.Certified) {
            revert DataMarketAssetNotCertified(assetId, status);
        }
        verification.used = true;
        _listings[listingId] = Listing({
            assetId: assetId,
            exchangeId: exchangeId,
            reportHash: reportHash,
            termsHash: termsHash,
            listingHash: listingHash,
            listedAt: uint64(block.timestamp),
            delistedAt: 0
        });
        emit Listed(listingId, assetId, exchangeId, reportHash, termsHash, listingHash);
    }

    /// @inheritdoc IDataMarket
    function delist(
        bytes32 listingId,
        bytes32 exchangeId,
        bytes32 reasonHash
    ) external onlyRole(MARKET_OPERATOR_ROLE) {
        _requireHash(reasonHash);
        Listing storage listing = _listings[listingId];
        if (listing.listedAt == 0) {
            revert DataMarketListingNotFound(listingId);
        }
        if (listing.exchangeId != exchangeId) {
            revert DataMarketNotListingExchange(listingId, exchangeId);
        }
        if (listing.delistedAt != 0) {
            revert DataMarketListingNotActive(listingId);
        }
        listing.delistedAt = uint64(block.timestamp);
        emit Delisted(listingId, listing.assetId, exchangeId, reasonHash);
    }

    /// @inheritdoc IDataMarket
    function isExchange(bytes32 exchangeId) external view returns (bool) {
        return _exchanges[exchangeId];
    }

    /// @inheritdoc IDataMarket
    function verificationOf(bytes32 reportHash) external view returns (Verification memory) {
        return _verifications[reportHash];
    }

    /// @inheritdoc IDataMarket
    function listingOf(bytes32 listingId) external view returns (Listing memory) {
        return _listings[listingId];
    }

    /// @inheritdoc IDataMarket
    function dataRightsRegistry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IDataMarket
    function version() external pure returns (string memory) {
        return VERSION;
    }

    function _requireHash(bytes32 value) private pure {
        if (value == bytes32(0)) {
            revert DataMarketZeroHash();
        }
    }
}
