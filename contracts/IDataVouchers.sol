// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/**
 * @title IDataVouchers
 * @dev Data vouchers (数据券): programmes whose authority issues a voucher budget to enterprises, who
 * redeem vouchers against a trade of the {IDataTrades} given at construction, or against a registration
 * fee, under the programme's rules.
 *
 * A programme fixes its currency, its budget, a cap as a share of the amount redeemed against (in basis
 * points: 1000 is 10 %) and an absolute cap per enterprise and period (in the currency's smallest unit,
 * over periods of `periodSeconds` counted from the programme's creation). The authority signs the
 * programme and each issue; the enterprise signs each redemption. A redemption against a trade must
 * name the enterprise's own accepted (or settled) trade, at its amount and in the programme's currency;
 * one against a registration fee names an asset whose registration fee a registrar recorded here
 * ({recordRegistrationFee}: a registrar of the {IDataRightsRegistry} signs the amount, currency and payer
 * charged), at the recorded amount, in the programme's currency, by the enterprise that was charged. Each
 * trade is redeemed against once per programme; each recorded registration fee once in all. Every cap is
 * enforced here: a redemption over one reverts.
 *
 * Writes are relayed by a voucher operator (the registry's operator account); the signatures, nonces
 * and deadlines are checked here.
 */
interface IDataVouchers {
    /// @dev What a redemption is against.
    enum Purpose {
        Trade,
        RegistrationFee
    }

    /// @dev A programme's rules, its authority and what it has issued and had redeemed.
    struct Programme {
        address authority;
        string currency;
        uint256 budget;
        uint256 issued;
        uint256 redeemed;
        uint16 shareCapBps;
        uint256 enterpriseCap;
        uint64 periodSeconds;
        uint64 startedAt;
    }

    /// @dev The rules an authority signs for a new programme.
    struct Rules {
        string currency;
        uint256 budget;
        uint16 shareCapBps;
        uint256 enterpriseCap;
        uint64 periodSeconds;
    }

    /// @dev What an enterprise signs to redeem `value` against `referenceId` (an order id, or an asset id).
    struct Redemption {
        address enterprise;
        bytes32 programmeId;
        Purpose purpose;
        bytes32 referenceId;
        uint256 baseAmount;
        uint256 value;
    }

    /// @dev The registration fee a registrar recorded for an asset's registration, and where it was redeemed.
    struct RegistrationFee {
        address registrar;
        address payer;
        uint256 amount;
        string currency;
        uint64 recordedAt;
        bytes32 redeemedIn;
    }

    /// @dev Emitted when `registrar` records that `payer` was charged `amount` in `currency` to register
    /// `assetId`.
    event RegistrationFeeRecorded(
        bytes32 indexed assetId,
        address indexed registrar,
        address indexed payer,
        uint256 amount,
        string currency
    );

    /// @dev Emitted when `authority` creates programme `programmeId` with `budget` in `currency`.
    event ProgrammeCreated(
        bytes32 indexed programmeId,
        address indexed authority,
        string currency,
        uint256 budget,
        uint16 shareCapBps,
        uint256 enterpriseCap,
        uint64 periodSeconds
    );

    /// @dev Emitted when the programme's authority issues vouchers worth `amount` to `enterprise`.
    event VouchersIssued(bytes32 indexed programmeId, address indexed enterprise, uint256 amount);

    /// @dev Emitted when `enterprise` redeems vouchers worth `value` against `referenceId` for `purpose`.
    event VouchersRedeemed(
        bytes32 indexed programmeId,
        address indexed enterprise,
        bytes32 indexed referenceId,
        Purpose purpose,
        uint256 baseAmount,
        uint256 value,
        uint64 period
    );

    /// @dev The signature is not `signer`'s.
    error VouchersInvalidSignature(address signer);

    /// @dev The signature's `deadline` has passed (the block's time is `now`).
    error VouchersSignatureExpired(uint256 deadline, uint256 now);

    /// @dev The programme's rules are not acceptable (no budget or period, a share cap over 100 %,
    /// a currency that is not three capital letters).
    error VouchersInvalidRules();

    /// @dev A programme with id `programmeId` already exists, or the id is zero.
    error VouchersProgrammeExists(bytes32 programmeId);

    /// @dev No programme with id `programmeId` exists.
    error VouchersProgrammeNotFound(bytes32 programmeId);

    /// @dev `signer` is not the authority of programme `programmeId`.
    error VouchersNotAuthority(bytes32 programmeId, address signer);

    /// @dev `account` cannot receive or redeem vouchers (the zero address, or the authority itself).
    error VouchersInvalidCounterparty(address account);

    /// @dev Issuing `amount` would exceed the programme's budget (`remaining` is left).
    error VouchersBudgetExceeded(bytes32 programmeId, uint256 amount, uint256 remaining);

    /// @dev `enterprise` holds `balance` in vouchers of the programme, less than `value`.
    error VouchersInsufficientBalance(address enterprise, uint256 value, uint256 balance);

    /// @dev `value` exceeds the programme's share of `baseAmount` (`cap`).
    error VouchersShareCapExceeded(uint256 value, uint256 cap);

    /// @dev `value` exceeds what `enterprise` may still redeem in the current period (`remaining`).
    error VouchersEnterpriseCapExceeded(address enterprise, uint256 value, uint256 remaining);

    /// @dev `referenceId` is not the enterprise's accepted trade at `baseAmount` in the programme's
    /// currency, nor (for a registration fee) an asset the enterprise holds.
    error VouchersInvalidReference(Purpose purpose, bytes32 referenceId);

    /// @dev `account` does not hold the registrar role of the registry.
    error VouchersNotRegistrar(address account);

    /// @dev The fee of `assetId` is not acceptable: an amount of zero, a currency that is not three capital
    /// letters, an asset the registry does not know, or a payer that is not its holder.
    error VouchersInvalidFee(bytes32 assetId);

    /// @dev A registration fee of `assetId` is already recorded.
    error VouchersFeeAlreadyRecorded(bytes32 assetId);

    /// @dev No registration fee of `assetId` is recorded: vouchers cannot pay part of it.
    error VouchersFeeNotRecorded(bytes32 assetId);

    /// @dev The registration fee of `assetId` was already redeemed against, in programme `programmeId`.
    error VouchersFeeAlreadyRedeemed(bytes32 assetId, bytes32 programmeId);

    /// @dev Vouchers of the programme were already redeemed against `referenceId`.
    error VouchersAlreadyRedeemed(bytes32 programmeId, bytes32 referenceId);

    /**
     * @dev `authority` creates programme `programmeId` with `rules`. Emits {ProgrammeCreated}.
     *
     * Requirements: the caller is a voucher operator; the id is new and not zero; the rules are
     * acceptable; `signature` is the authority's over `VoucherProgramme(authority,programmeId,currency,
     * budget,shareCapBps,enterpriseCap,periodSeconds,nonce,deadline)` with its current nonce.
     */
    function createProgramme(
        address authority,
        bytes32 programmeId,
        Rules calldata rules,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev The programme's authority issues vouchers worth `amount` to `enterprise`. Emits {VouchersIssued}.
     *
     * Requirements: the caller is a voucher operator; the programme exists and `authority` is its
     * authority; `amount` is not zero and within the budget left; the enterprise is not zero nor the
     * authority; `signature` is the authority's over `VoucherIssue(authority,programmeId,enterprise,amount,
     * nonce,deadline)` with its current nonce.
     */
    function issue(
        address authority,
        bytes32 programmeId,
        address enterprise,
        uint256 amount,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev `registrar` records that `payer` was charged `amount` (smallest unit) in `currency` for the
     * registration of `assetId`. Emits {RegistrationFeeRecorded}.
     *
     * Requirements: the caller is a voucher operator; `registrar` holds the registry's `REGISTRAR_ROLE`;
     * no fee of `assetId` is recorded yet; the asset exists and `payer` is its holder; `amount` is not
     * zero and `currency` is three capital letters; `signature` is the registrar's over
     * `RegistrationFee(registrar,assetId,payer,amount,currency,nonce,deadline)` with its current nonce
     * (here, not the registry's).
     */
    function recordRegistrationFee(
        address registrar,
        bytes32 assetId,
        address payer,
        uint256 amount,
        string calldata currency,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @dev Redeems `redemption`, signed by its enterprise. Emits {VouchersRedeemed}.
     *
     * Requirements: the caller is a voucher operator; the programme exists; the referenceId is valid for
     * the purpose and not yet redeemed against (for a registration fee: recorded, charged to the
     * enterprise, at `baseAmount`, in the programme's currency, and not redeemed in any programme); `value` is not zero, within the enterprise's balance,
     * within `shareCapBps` of `baseAmount` and within what the enterprise may still redeem this period;
     * `signature` is the enterprise's over `VoucherRedemption(enterprise,programmeId,purpose,referenceId,
     * baseAmount,value,nonce,deadline)` with its current nonce.
     */
    function redeem(
        Redemption calldata redemption,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @dev Returns programme `programmeId` (zeroed if none).
    function programmeOf(bytes32 programmeId) external view returns (Programme memory);

    /// @dev Returns the registration fee recorded for `assetId` (zeroed if none).
    function registrationFeeOf(bytes32 assetId) external view returns (RegistrationFee memory);

    /// @dev Returns the vouchers of `programmeId` that `enterprise` holds.
    function balanceOf(bytes32 programmeId, address enterprise) external view returns (uint256);

    /// @dev Returns what `enterprise` redeemed in `programmeId` in the current period.
    function spentThisPeriod(bytes32 programmeId, address enterprise) external view returns (uint256);

    /// @dev Returns the trades contract whose trades vouchers are redeemed against.
    function dataTrades() external view returns (address);

    /// @dev Returns the registry whose assets the market lists.
    function dataRightsRegistry() external view returns (address);

    /// @dev Returns the contract's version.
    function version() external pure returns (string memory);
}
