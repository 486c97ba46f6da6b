// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IDataRightsRegistry} from "./IDataRightsRegistry.sol";

/**
 * @title IDataTrades
 * @dev Orders and trades of listed data products, signed by both parties, settled by the exchange.
 *
 * A buyer orders a listing of the {IDataMarket} given at construction by signing a `TradeOrder`: the
 * listing, the amount (in the currency's smallest unit, fen for CNY), the ISO 4217 currency and the hash
 * of the licence terms the listing offers, which must be the terms the market recorded with the
 * listing, so a later edit of the exchange's template never changes an order. The asset's holder (or an
 * agent the holder mandated for the listing by signing a `TradeMandate`, typically the exchange) accepts
 * by signing a `TradeAcceptance` of the order and its amount (the holder ends such a mandate early by
 * signing a `TradeMandateRevocation`): the order becomes a trade whose
 * settlement is pending. The exchange that listed the product then confirms the settlement (by the hash
 * of its settlement record) or cancels the trade; the licence the holder granted for the trade is
 * linked to it. Every state change emits an event naming the order.
 *
 * Writes are relayed by a trade operator (the registry's operator account); the signatures, nonces and
 * deadlines are checked here, so the operator cannot order or accept in anyone's name.
 */
interface IDataTrades {
    /// @dev Where a trade stands: ordered by the buyer, accepted (settlement pending), settled, cancelled.
    enum TradeStatus {
        None,
        Ordered,
        Accepted,
        Settled,
        Cancelled
    }

    /// @dev What a buyer signs: the listing, the amount in the smallest currency unit, the currency and
    /// the terms hash of the listing.
    struct OrderTerms {
        bytes32 listingId;
        address buyer;
        uint256 amount;
        string currency;
        bytes32 termsHash;
    }

    /// @dev A trade: its order, its parties, its settlement; timestamps zero until the step happens.
    struct Trade {
        bytes32 listingId;
        bytes32 assetId;
        bytes32 exchangeId;
        address buyer;
        address seller;
        address acceptedBy;
        uint256 amount;
        string currency;
        bytes32 termsHash;
        bytes32 settlementHash;
        uint256 licenceId;
        uint64 orderedAt;
        uint64 acceptedAt;
        uint64 closedAt;
        TradeStatus status;
    }

    /// @dev Emitted when `buyer` orders `listingId` from `seller` as `orderId`.
    event OrderPlaced(
        bytes32 indexed orderId,
        bytes32 indexed listingId,
        address indexed buyer,
        address seller,
        uint256 amount,
        string currency,
        bytes32 termsHash
    );

    /// @dev Emitted when `holder` mandates `agent` to accept orders of `listingId` until `validUntil`.
    event MandateGranted(address indexed holder, address indexed agent, bytes32 indexed listingId, uint64 validUntil);

    /// @dev Emitted when `holder` revokes the mandate of `agent` to accept orders of `listingId`.
    event MandateRevoked(address indexed holder, address indexed agent, bytes32 indexed listingId);

    /// @dev Emitted when `acceptedBy` (the seller or its agent) accepts `orderId`: its settlement is pending.
    event OrderAccepted(bytes32 indexed orderId, address indexed seller, address indexed acceptedBy, uint256 amount);

    /// @dev Emitted when `exchangeId` confirms the settlement of `orderId`, recorded by `settlementHash`.
    event TradeSettled(bytes32 indexed orderId, bytes32 indexed exchangeId, uint256 amount, bytes32 settlementHash);

    /// @dev Emitted when `exchangeId` cancels `orderId` for the reason committed to by `reasonHash`.
    event TradeCancelled(bytes32 indexed orderId, bytes32 indexed exchangeId, bytes32 reasonHash);

    /// @dev Emitted when the licence `licenceId` the seller granted for `orderId` is linked to it.
    event TradeLicenceLinked(bytes32 indexed orderId, uint256 indexed licenceId);

    /// @dev A hash argument is zero.
    error DataTradesZeroHash();

    /// @dev The signature is not `signer`'s.
    error DataTradesInvalidSignature(address signer);

    /// @dev The signature's `deadline` has passed (the block's time is `now`).
    error DataTradesSignatureExpired(uint256 deadline, uint256 now);

    /// @dev The currency is not an ISO 4217 code (three capital letters).
    error DataTradesInvalidCurrency();

    /// @dev Listing `listingId` does not exist or is delisted.
    error DataTradesListingNotActive(bytes32 listingId);

    /// @dev `termsHash` is not the licence terms hash listing `listingId` was recorded with.
    error DataTradesTermsMismatch(bytes32 listingId, bytes32 termsHash);

    /// @dev `assetId` is not certified (its status is `status`).
    error DataTradesAssetNotCertified(bytes32 assetId, IDataRightsRegistry.AssetStatus status);

    /// @dev `account` cannot be a party here (zero, or the buyer is the seller).
    error DataTradesInvalidCounterparty(address account);

    /// @dev No order with id `orderId` exists.
    error DataTradesOrderNotFound(bytes32 orderId);

    /// @dev Order `orderId` is `status`, which does not allow this step.
    error DataTradesInvalidStatus(bytes32 orderId, TradeStatus status);

    /// @dev `accepter` is neither the holder of the order's asset nor an agent it mandated for the listing.
    error DataTradesNotHolderOrAgent(bytes32 orderId, address accepter);

    /// @dev The acceptance names `amount`, not the amount of order `orderId`.
    error DataTradesAmountMismatch(bytes32 orderId, uint256 amount);

    /// @dev `exchangeId` is not the exchange that listed the product of `orderId`.
    error DataTradesNotTradeExchange(bytes32 orderId, bytes32 exchangeId);

    /// @dev `holder` does not hold the asset of listing `listingId`.
    error DataTradesNotHolder(bytes32 listingId, address holder);

    /// @dev A mandate ending at `validUntil` is already over.
    error DataTradesInvalidPeriod(uint64 validUntil);

    /// @dev `holder` has no mandate in force for `agent` on `listingId` (never granted, expired or revoked).
    error DataTradesMandateNotInForce(address holder, address agent, bytes32 listingId);

    /// @dev A licence (`licenceId`) is already linked to `orderId`, or the id is zero.
    error DataTradesLicenceNotLinkable(bytes32 orderId, uint256 licenceId);

    /**
     * @dev Places the order `order`, signed by its buyer. Emits {OrderPlaced}.
     *
     * Requirements:
     * - the caller is a trade operator; the currency is three capital letters; the terms hash is not zero;
     * - the listing is listed and was recorded with `order.termsHash`; its asset is certified;
     * - the buyer is not zero nor the asset's holder;
     * - `signature` is the buyer's over `TradeOrder(listingId,buyer,amount,currency,termsHash,nonce,deadline)`,
     *   before `deadline`, with the buyer's current nonce (consumed).
     */
    function placeOrder(
        OrderTerms calldata order,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 orderId);

    /**
     * @dev `holder` mandates `agent` to accept the orders of `listingId` until `validUntil`. Emits {MandateGranted}.
     *
     * Requirements: the caller is a trade operator; the listing is listed; `holder` holds its asset; the
     * agent is not zero nor the holder; `validUntil` is in the future; `signature` is the holder's over
     * `TradeMandate(holder,agent,listingId,validUntil,nonce,deadline)` with its current nonce.
     */
    function grantMandate(
        address holder,
        address agent,
        bytes32 listingId,
        uint64 validUntil,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev `holder` revokes the mandate of `agent` to accept the orders of `listingId`: from the next block
     * the agent's acceptances are refused. Emits {MandateRevoked}.
     *
     * Requirements: the caller is a trade operator; the mandate is in force (granted, not expired, not
     * revoked); `signature` is the holder's over
     * `TradeMandateRevocation(holder,agent,listingId,nonce,deadline)` with its current nonce. The listing
     * need not be listed any more, nor the holder still hold its asset: a holder may always end its own
     * mandate.
     */
    function revokeMandate(
        address holder,
        address agent,
        bytes32 listingId,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev `accepter` accepts `orderId` for `amount`: the trade's settlement is pending. Emits {OrderAccepted}.
     *
     * Requirements: the caller is a trade operator; the order is `Ordered` and its listing still listed;
     * `amount` is the order's; `accepter` is the asset's holder or an agent it mandated for the listing
     * (mandate not expired); `signature` is the accepter's over
     * `TradeAcceptance(orderId,accepter,amount,nonce,deadline)` with its current nonce.
     */
    function acceptOrder(
        bytes32 orderId,
        address accepter,
        uint256 amount,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev `exchangeId` confirms the settlement of `orderId`, recorded by `settlementHash`. Emits {TradeSettled}.
     *
     * Requirements: the caller is a trade operator; `settlementHash` is not zero; the order is `Accepted`;
     * `exchangeId` listed its product.
     */
    function settle(bytes32 orderId, bytes32 exchangeId, bytes32 settlementHash) external;

    /**
     * @dev `exchangeId` cancels `orderId`, for the reason `reasonHash`. Emits {TradeCancelled}.
     *
     * Requirements: the caller is a trade operator; `reasonHash` is not zero; the order is `Ordered` or
     * `Accepted` (not settled); `exchangeId` listed its product.
     */
    function cancel(bytes32 orderId, bytes32 exchangeId, bytes32 reasonHash) external;

    /**
     * @dev Links the licence `licenceId` the seller granted for `orderId`. Emits {TradeLicenceLinked}.
     *
     * Requirements: the caller is a trade operator (which checked the licence's asset and parties); the
     * order is `Accepted` or `Settled`; no licence is linked yet; `licenceId` is not zero.
     */
    function linkLicence(bytes32 orderId, uint256 licenceId) external;

    /// @dev Returns trade `orderId` (zeroed if none).
    function tradeOf(bytes32 orderId) external view returns (Trade memory);

    /// @dev Returns until when `agent` may accept orders of `listingId` for `holder` (0: never mandated, or
    /// revoked).
    function mandateOf(address holder, address agent, bytes32 listingId) external view returns (uint64);

    /// @dev Returns the id an order of `listingId` by `buyer` with nonce `nonce` gets.
    function orderIdOf(bytes32 listingId, address buyer, uint256 nonce) external pure returns (bytes32);

    /// @dev Returns the market whose listings are traded.
    function dataMarket() external view returns (address);

    /// @dev Returns the registry whose assets the market lists.
    function dataRightsRegistry() external view returns (address);

    /// @dev Returns the contract's version.
    function version() external pure returns (string memory);
}
