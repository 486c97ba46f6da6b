// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IDataRightsRegistry} from "./IDataRightsRegistry.sol";
import {IDataMarket} from "./IDataMarket.sol";
import {IDataTrades} from "./IDataTrades.sol";

/**
 * @title DataTrades
 * @dev Implementation of {IDataTrades}.
 *
 * Roles: `DEFAULT_ADMIN_ROLE` manages roles; `TRADE_OPERATOR_ROLE` relays the parties' signed orders,
 * mandates, mandate revocations and acceptances, and the exchanges' settlements, cancellations and licence
 * links.
 */
contract DataTrades is IDataTrades, AccessControl, EIP712, Nonces {
    /// @dev Role allowed to relay orders, acceptances, mandates (and their revocations), settlements and
    /// cancellations.
    bytes32 public constant TRADE_OPERATOR_ROLE = keccak256("TRADE_OPERATOR_ROLE");

    bytes32 private constant ORDER_TYPEHASH =
        keccak256(
            "TradeOrder(bytes32 listingId,address buyer,uint256 amount,string currency,bytes32 termsHash,"
            "uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant ACCEPTANCE_TYPEHASH =
        keccak256("TradeAcceptance(bytes32 orderId,address accepter,uint256 amount,uint256 nonce,uint256 deadline)");
    bytes32 private constant MANDATE_TYPEHASH =
        keccak256(
            "TradeMandate(address holder,address agent,bytes32 listingId,uint64 validUntil,uint256 nonce,"
            "uint256 deadline)"
        );
    bytes32 private constant MANDATE_REVOCATION_TYPEHASH =
        keccak256(
            "TradeMandateRevocation(address holder,address agent,bytes32 listingId,uint256 nonce,uint256 deadline)"
        );

    string private constant VERSION = "1.1.0";

    IDataMarket private immutable _market;
    IDataRightsRegistry private immutable _registry;
    mapping(bytes32 orderId => Trade) private _trades;
    mapping(address holder => mapping(address agent => mapping(bytes32 listingId => uint64))) private _mandates;

    /// @dev Trades the listings of `market`; grants `DEFAULT_ADMIN_ROLE` and `TRADE_OPERATOR_ROLE` to `admin`.
    constructor(IDataMarket market, address admin) EIP712("DataLedger DataTrades", "1") {
        _market = market;
        _registry = IDataRightsRegistry(market.dataRightsRegistry());
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(TRADE_OPERATOR_ROLE, admin);
    }

    /// @inheritdoc IDataTrades
    function placeOrder(
        OrderTerms calldata order,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external onlyRole(TRADE_OPERATOR_ROLE) returns (bytes32 orderId) {
        _requireCurrency(order.currency);
        _requireHash(order.termsHash);
        IDataMarket.Listing memory listing = _activeListing(order.listingId);
        if (listing.termsHash != order.termsHash) {
            revert DataTradesTermsMismatch(order.listingId, order.termsHash);
        }
        IDataRightsRegistry.Asset memory asset = _registry.assetOf(listing.assetId);
        if (asset.status != IDataRightsRegistry.AssetStatus.Certified) {
            revert DataTradesAssetNotCertified(listing.assetId, asset.status);
        }
        if (order.buyer == address(0) || order.buyer == asset.holder) {
            revert DataTradesInvalidCounterparty(order.buyer);
        }
        _useAuthorisation(order.buyer, _orderHash(order, nonce, deadline), nonce, deadline, signature);
        orderId = orderIdOf(order.listingId, order.buyer, nonce);
        _recordOrder(orderId, order, listing, asset.holder);
    }

    /// @inheritdoc IDataTrades
    function grantMandate(
        address holder,
        address agent,
        bytes32 listingId,
        uint64 validUntil,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external onlyRole(TRADE_OPERATOR_ROLE) {
        IDataMarket.Listing memory listing = _activeListing(listingId);
        if (_registry.assetOf(listing.assetId).holder != holder) {
            revert DataTradesNotHolder(listingId, holder);
        }
        if (agent == address(0) || agent == holder) {
            revert DataTradesInvalidCounterparty(agent);
        }
        if (validUntil <= block.timestamp) {
            revert DataTradesInvalidPeriod(validUntil);
        }
        _useAuthorisation(
            holder,
            keccak256(abi.encode(MANDATE_TYPEHASH, holder, agent, listingId, validUntil, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        _mandates[holder][agent][listingId] = validUntil;
        emit MandateGranted(holder, agent, listingId, validUntil);
    }

    /// @inheritdoc IDataTrades
    function revokeMandate(
        address holder,
        address agent,
        bytes32 listingId,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external onlyRole(TRADE_OPERATOR_ROLE) {
        uint64 validUntil = _mandates[holder][agent][listingId];
        if (validUntil == 0 || validUntil < block.timestamp) {
            revert DataTradesMandateNotInForce(holder, agent, listingId);
        }
        _useAuthorisation(
            holder,
            keccak256(abi.encode(MANDATE_REVOCATION_TYPEHASH, holder, agent, listingId, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        delete _mandates[holder][agent][listingId];
        emit MandateRevoked(holder, agent, listingId);
    }

    /// @inheritdoc IDataTrades
    function acceptOrder(
        bytes32 orderId,
        address accepter,
        uint256 amount,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external onlyRole(TRADE_OPERATOR_ROLE) {
        Trade storage trade = _tradeIn(orderId, TradeStatus.Ordered, TradeStatus.Ordered);
        _activeListing(trade.listingId);
        if (amount != trade.amount) {
            revert DataTradesAmountMismatch(orderId, amount);
        }
        address holder = _registry.assetOf(trade.assetId).holder;
        if (accepter != holder && _mandates[holder][accepter][trade.listingId] < block.timestamp) {
            revert DataTradesNotHolderOrAgent(orderId, accepter);
        }
        _useAuthorisation(
            accepter,
            keccak256(abi.encode(ACCEPTANCE_TYPEHASH, orderId, accepter, amount, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        trade.seller = holder;
        trade.acceptedBy = accepter;
        trade.acceptedAt = uint64(block.timestamp);
        trade.status = TradeStatus.Accepted;
        emit OrderAccepted(orderId, holder, accepter, amount);
    }

    /// @inheritdoc IDataTrades
    function settle(
        bytes32 orderId,
        bytes32 exchangeId,
        bytes32 settlementHash
    ) external onlyRole(TRADE_OPERATOR_ROLE) {
        _requireHash(settlementHash);
        Trade storage trade = _tradeIn(orderId, TradeStatus.Accepted, TradeStatus.Accepted);
        _requireExchange(trade, orderId, exchangeId);
        trade.settlementHash = settlementHash;
        trade.closedAt = uint64(block.timestamp);
        trade.status = TradeStatus.Settled;
        emit TradeSettled(orderId, exchangeId, trade.amount, settlementHash);
    }

    /// @inheritdoc IDataTrades
    function cancel(bytes32 orderId, bytes32 exchangeId, bytes32 reasonHash) external onlyRole(TRADE_OPERATOR_ROLE) {
        _requireHash(reasonHash);
        Trade storage trade = _tradeIn(orderId, TradeStatus.Ordered, TradeStatus.Accepted);
        _requireExchange(trade, orderId, exchangeId);
        trade.closedAt = uint64(block.timestamp);
        trade.status = TradeStatus.Cancelled;
        emit TradeCancelled(orderId, exchangeId, reasonHash);
    }

    /// @inheritdoc IDataTrades
    function linkLicence(bytes32 orderId, uint256 licenceId) external onlyRole(TRADE_OPERATOR_ROLE) {
        Trade storage trade = _tradeIn(orderId, TradeStatus.Accepted, TradeStatus.Settled);
        if (licenceId == 0 || trade.licenceId != 0) {
            revert DataTradesLicenceNotLinkable(orderId, licenceId);
        }
        trade.licenceId = licenceId;
        emit TradeLicenceLinked(orderId, licenceId);
    }

    /// @inheritdoc IDataTrades
    function tradeOf(bytes32 orderId) external view returns (Trade memory) {
        return _trades[orderId];
    }

    /// @inheritdoc IDataTrades
    function mandateOf(address holder, address agent, bytes32 listingId) external view returns (uint64) {
        return _mandates[holder][agent][listingId];
    }

    /// @inheritdoc IDataTrades
    function orderIdOf(bytes32 listingId, address buyer, uint256 nonce) public pure returns (bytes32) {
        return keccak256(abi.encode(listingId, buyer, nonce));
    }

    /// @inheritdoc IDataTrades
    function dataMarket() external view returns (address) {
        return address(_market);
    }

    /// @inheritdoc IDataTrades
    function dataRightsRegistry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IDataTrades
    function version() external pure returns (string memory) {
        return VERSION;
    }

    function _orderHash(OrderTerms calldata order, uint256 nonce, uint256 deadline) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    ORDER_TYPEHASH,
                    order.listingId,
                    order.buyer,
                    order.amount,
                    keccak256(bytes(order.currency)),
                    order.termsHash,
                    nonce,
                    deadline
                )
            );
    }

    function _recordOrder(
        bytes32 orderId,
        OrderTerms calldata order,
        IDataMarket.Listing memory listing,
        address seller
    ) private {
        Trade storage trade = _trades[orderId];
        trade.listingId = order.listingId;
        trade.assetId = listing.assetId;
        trade.exchangeId = listing.exchangeId;
        trade.buyer = order.buyer;
        trade.seller = seller;
        trade.amount = order.amount;
        trade.currency = order.currency;
        trade.termsHash = order.termsHash;
        trade.orderedAt = uint64(block.timestamp);
        trade.status = TradeStatus.Ordered;
        emit OrderPlaced(orderId, order.listingId, order.buyer, seller, order.amount, order.currency, order.termsHash);
    }

    function _activeListing(bytes32 listingId) private view returns (IDataMarket.Listing memory listing) {
        listing = _market.listingOf(listingId);
        if (listing.listedAt == 0 || listing.delistedAt != 0) {
            revert DataTradesListingNotActive(listingId);
        }
    }

    /// @dev The trade `orderId`, whose status must be `lowest` to `highest` (in the enum's order).
    function _tradeIn(
        bytes32 orderId,
        TradeStatus lowest,
        TradeStatus highest
    ) private view returns (Trade storage trade) {
        trade = _trades[orderId];
        if (trade.status == TradeStatus.None) {
            revert DataTradesOrderNotFound(orderId);
        }
        if (trade.status < lowest || trade.status > highest) {
            revert DataTradesInvalidStatus(orderId, trade.status);
        }
    }

    function _requireExchange(Trade storage trade, bytes32 orderId, bytes32 exchangeId) private view {
        if (trade.exchangeId != exchangeId) {
            revert DataTradesNotTradeExchange(orderId, exchangeId);
        }
    }

    function _useAuthorisation(
        address signer,
        bytes32 structHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) private {
        if (block.timestamp > deadline) {
            revert DataTradesSignatureExpired(deadline, block.timestamp);
        }
        if (!SignatureChecker.isValidSignatureNow(signer, _hashTypedDataV4(structHash), signature)) {
            revert DataTradesInvalidSignature(signer);
        }
        _useCheckedNonce(signer, nonce);
    }

    function _requireCurrency(string calldata currency) private pure {
        bytes calldata code = bytes(currency);
        if (code.length != 3) {
            revert DataTradesInvalidCurrency();
        }
        for (uint256 i = 0; i < 3; ++i) {
            if (code[i] < "A" || code[i] > "Z") {
                revert DataTradesInvalidCurrency();
            }
        }
    }

    function _requireHash(bytes32 value) private pure {
        if (value == bytes32(0)) {
            revert DataTradesZeroHash();
        }
    }
}
