// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IDataRightsRegistry} from "./IDataRightsRegistry.sol";
import {IDataTrades} from "./IDataTrades.sol";
import {IDataVouchers} from "./IDataVouchers.sol";

/**
 * @title DataVouchers
 * @dev Implementation of {IDataVouchers}.
 *
 * Roles: `DEFAULT_ADMIN_ROLE` manages roles; `VOUCHER_OPERATOR_ROLE` relays the authorities' signed
 * programmes and issues, the registrars' signed registration fees and the enterprises' signed redemptions.
 * Who is a registrar is the registry's to say (its `REGISTRAR_ROLE`), so a registrar whose role the
 * registry revoked records no more fees here.
 */
contract DataVouchers is IDataVouchers, AccessControl, EIP712, Nonces {
    /// @dev Role allowed to relay programmes, issues and redemptions.
    bytes32 public constant VOUCHER_OPERATOR_ROLE = keccak256("VOUCHER_OPERATOR_ROLE");

    bytes32 private constant PROGRAMME_TYPEHASH =
        keccak256(
            "VoucherProgramme(address authority,bytes32 programmeId,string currency,uint256 budget,"
            "uint16 shareCapBps,uint256 enterpriseCap,uint64 periodSeconds,uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant ISSUE_TYPEHASH =
        keccak256(
            "VoucherIssue(address authority,bytes32 programmeId,address enterprise,uint256 amount,uint256 nonce,"
            "uint256 deadline)"
        );
    bytes32 private constant REDEMPTION_TYPEHASH =
        keccak256(
            "VoucherRedemption(address enterprise,bytes32 programmeId,uint8 purpose,bytes32 referenceId,"
            "uint256 baseAmount,uint256 value,uint256 nonce,uint256 deadline)"
        );
    bytes32 private constant FEE_TYPEHASH =
        keccak256(
            "RegistrationFee(address registrar,bytes32 assetId,address payer,uint256 amount,string currency,"
            "uint256 nonce,uint256 deadline)"
        );
    /// @dev The registry's `REGISTRAR_ROLE` (`DataRightsRegistry.REGISTRAR_ROLE`).
    bytes32 private constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    uint16 private constant ALL_BPS = 10_000;

    string private constant VERSION = "1.1.0";

    IDataTrades private immutable _trades;
    IDataRightsRegistry private immutable _registry;
    mapping(bytes32 programmeId => Programme) private _programmes;
    mapping(bytes32 programmeId => mapping(address enterprise => uint256)) private _balances;
    mapping(bytes32 programmeId => mapping(address enterprise => mapping(uint64 period => uint256))) private _spent;
    mapping(bytes32 programmeId => mapping(bytes32 referenceId => bool)) private _redeemedAgainst;
    mapping(bytes32 assetId => RegistrationFee) private _fees;

    /// @dev Vouchers redeemed against the trades of `trades`; grants both roles to `admin`.
    constructor(IDataTrades trades, address admin) EIP712("DataLedger DataVouchers", "1") {
        _trades = trades;
        _registry = IDataRightsRegistry(trades.dataRightsRegistry());
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(VOUCHER_OPERATOR_ROLE, admin);
    }

    /// @inheritdoc IDataVouchers
    function createProgramme(
        address authority,
        bytes32 programmeId,
        Rules calldata rules,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external onlyRole(VOUCHER_OPERATOR_ROLE) {
        if (programmeId == bytes32(0) || _programmes[programmeId].authority != address(0)) {
            revert VouchersProgrammeExists(programmeId);
        }
        if (authority == address(0)) {
            revert VouchersInvalidCounterparty(authority);
        }
        _requireRules(rules);
        bytes32 structHash = _programmeHash(authority, programmeId, rules, nonce, deadline);
        _useAuthorisation(authority, structHash, nonce, deadline, signature);
        _programmes[programmeId] = Programme({
            authority: authority,
            currency: rules.currency,
            budget: rules.budget,
            issued: 0,
            redeemed: 0,
            shareCapBps: rules.shareCapBps,
            enterpriseCap: rules.enterpriseCap,
            periodSeconds: rules.periodSeconds,
            startedAt: uint64(block.timestamp)
        });
        emit ProgrammeCreated(
            programmeId,
            authority,
            rules.currency,
            rules.budget,
            rules.shareCapBps,
            rules.enterpriseCap,
            rules.periodSeconds
        );
    }

    /// @inheritdoc IDataVouchers
    function issue(
        address authority,
        bytes32 programmeId,
        address enterprise,
        uint256 amount,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external onlyRole(VOUCHER_OPERATOR_ROLE) {
        Programme storage programme = _programme(programmeId);
        if (programme.authority != authority) {
            revert VouchersNotAuthority(programmeId, authority);
        }
        if (enterprise == address(0) || enterprise == authority) {
            revert VouchersInvalidCounterparty(enterprise);
        }
        uint256 remaining = programme.budget - programme.issued;
        if (amount == 0 || amount > remaining) {
            revert VouchersBudgetExceeded(programmeId, amount, remaining);
        }
        _useAuthorisation(
            authority,
            keccak256(abi.encode(ISSUE_TYPEHASH, authority, programmeId, enterprise, amount, nonce, deadline)),
            nonce,
            deadline,
            signature
        );
        programme.issued += amount;
        _balances[programmeId][enterprise] += amount;
        emit VouchersIssued(programmeId, enterprise, amount);
    }

    /// @inheritdoc IDataVouchers
    function recordRegistrationFee(
        address registrar,
        bytes32 assetId,
        address payer,
        uint256 amount,
        string calldata currency,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external onlyRole(VOUCHER_OPERATOR_ROLE) {
        if (!IAccessControl(address(_registry)).hasRole(REGISTRAR_ROLE, registrar)) {
            revert VouchersNotRegistrar(registrar);
        }
        if (_fees[assetId].registrar != address(0)) {
            revert VouchersFeeAlreadyRecorded(assetId);
        }
        IDataRightsRegistry.Asset memory asset = _registry.assetOf(assetId);
        if (
            amount == 0 ||
            !_isCurrency(currency) ||
            asset.status == IDataRightsRegistry.AssetStatus.None ||
            payer == address(0) ||
            asset.holder != payer
        ) {
            revert VouchersInvalidFee(assetId);
        }
        _useAuthorisation(
            registrar,
            keccak256(
                abi.encode(
                    FEE_TYPEHASH,
                    registrar,
                    assetId,
                    payer,
                    amount,
                    keccak256(bytes(currency)),
                    nonce,
                    deadline
                )
            ),
            nonce,
            deadline,
            signature
        );
        _fees[assetId] = RegistrationFee({
            registrar: registrar,
            payer: payer,
            amount: amount,
            currency: currency,
            recordedAt: uint64(block.timestamp),
            redeemedIn: bytes32(0)
        });
        emit RegistrationFeeRecorded(assetId, registrar, payer, amount, currency);
    }

    /// @inheritdoc IDataVouchers
    function redeem(
        Redemption calldata redemption,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external onlyRole(VOUCHER_OPERATOR_ROLE) {
        bytes32 programmeId = redemption.programmeId;
        Programme storage programme = _programme(programmeId);
        address enterprise = redemption.enterprise;
        if (enterprise == address(0) || enterprise == programme.authority) {
            revert VouchersInvalidCounterparty(enterprise);
        }
        _requireReference(programme, redemption);
        if (_redeemedAgainst[programmeId][redemption.referenceId]) {
            revert VouchersAlreadyRedeemed(programmeId, redemption.referenceId);
        }
        uint64 period = _periodOf(programme);
        _requireCaps(programme, redemption, period);
        _useAuthorisation(enterprise, _redemptionHash(redemption, nonce, deadline), nonce, deadline, signature);
        _redeemedAgainst[programmeId][redemption.referenceId] = true;
        if (redemption.purpose == Purpose.RegistrationFee) {
            _fees[redemption.referenceId].redeemedIn = programmeId;
        }
        _balances[programmeId][enterprise] -= redemption.value;
        _spent[programmeId][enterprise][period] += redemption.value;
        programme.redeemed += redemption.value;
        emit VouchersRedeemed(
            programmeId,
            enterprise,
            redemption.referenceId,
            redemption.purpose,
            redemption.baseAmount,
            redemption.value,
            period
        );
    }

    /// @inheritdoc IDataVouchers
    function programmeOf(bytes32 programmeId) external view returns (Programme memory) {
        return _programmes[programmeId];
    }

    /// @inheritdoc IDataVouchers
    function registrationFeeOf(bytes32 assetId) external view returns (RegistrationFee memory) {
        return _fees[assetId];
    }

    /// @inheritdoc IDataVouchers
    function balanceOf(bytes32 programmeId, address enterprise) external view returns (uint256) {
        return _balances[programmeId][enterprise];
    }

    /// @inheritdoc IDataVouchers
    function spentThisPeriod(bytes32 programmeId, address enterprise) external view returns (uint256) {
        Programme storage programme = _programmes[programmeId];
        if (programme.authority == address(0)) {
            return 0;
        }
        return _spent[programmeId][enterprise][_periodOf(programme)];
    }

    /// @inheritdoc IDataVouchers
    function dataTrades() external view returns (address) {
        return address(_trades);
    }

    /// @inheritdoc IDataVouchers
    function dataRightsRegistry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IDataVouchers
    function version() external pure returns (string memory) {
        return VERSION;
    }

    function _programme(bytes32 programmeId) private view returns (Programme storage programme) {
        programme = _programmes[programmeId];
        if (programme.authority == address(0)) {
            revert VouchersProgrammeNotFound(programmeId);
        }
    }

    function _periodOf(Programme storage programme) private view returns (uint64) {
        return (uint64(block.timestamp) - programme.startedAt) / programme.periodSeconds;
    }

    function _requireReference(Programme storage programme, Redemption calldata redemption) private view {
        bool valid;
        if (redemption.purpose == Purpose.Trade) {
            IDataTrades.Trade memory trade = _trades.tradeOf(redemption.referenceId);
            valid =
                trade.buyer == redemption.enterprise &&
                trade.amount == redemption.baseAmount &&
                keccak256(bytes(trade.currency)) == keccak256(bytes(programme.currency)) &&
                (trade.status == IDataTrades.TradeStatus.Accepted || trade.status == IDataTrades.TradeStatus.Settled);
        } else {
            // judged against the fee a registrar recorded, never a fee the enterprise states
            RegistrationFee storage fee = _fees[redemption.referenceId];
            if (fee.registrar == address(0)) {
                revert VouchersFeeNotRecorded(redemption.referenceId);
            }
            if (fee.redeemedIn != bytes32(0)) {
                revert VouchersFeeAlreadyRedeemed(redemption.referenceId, fee.redeemedIn);
            }
            valid =
                fee.payer == redemption.enterprise &&
                fee.amount == redemption.baseAmount &&
                keccak256(bytes(fee.currency)) == keccak256(bytes(programme.currency));
        }
        if (!valid) {
            revert VouchersInvalidReference(redemption.purpose, redemption.referenceId);
        }
    }

    function _requireCaps(Programme storage programme, Redemption calldata redemption, uint64 period) private view {
        address enterprise = redemption.enterprise;
        uint256 value = redemption.value;
        uint256 balance = _balances[redemption.programmeId][enterprise];
        if (value == 0 || value > balance) {
            revert VouchersInsufficientBalance(enterprise, value, balance);
        }
        uint256 shareCap = (redemption.baseAmount * programme.shareCapBps) / ALL_BPS;
        if (value > shareCap) {
            revert VouchersShareCapExceeded(value, shareCap);
        }
        uint256 spent = _spent[redemption.programmeId][enterprise][period];
        uint256 remaining = spent >= programme.enterpriseCap ? 0 : programme.enterpriseCap - spent;
        if (value > remaining) {
            revert VouchersEnterpriseCapExceeded(enterprise, value, remaining);
        }
    }

    function _programmeHash(
        address authority,
        bytes32 programmeId,
        Rules calldata rules,
        uint256 nonce,
        uint256 deadline
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    PROGRAMME_TYPEHASH,
                    authority,
                    programmeId,
                    keccak256(bytes(rules.currency)),
                    rules.budget,
                    rules.shareCapBps,
                    rules.enterpriseCap,
                    rules.periodSeconds,
                    nonce,
                    deadline
                )
            );
    }

    function _redemptionHash(
        Redemption calldata redemption,
        uint256 nonce,
        uint256 deadline
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    REDEMPTION_TYPEHASH,
                    redemption.enterprise,
                    redemption.programmeId,
                    uint8(redemption.purpose),
                    redemption.referenceId,
                    redemption.baseAmount,
                    redemption.value,
                    nonce,
                    deadline
                )
            );
    }

    function _requireRules(Rules calldata rules) private pure {
        bool valid = _isCurrency(rules.currency) &&
            rules.budget > 0 &&
            rules.shareCapBps > 0 &&
            rules.shareCapBps <= ALL_BPS &&
            rules.enterpriseCap > 0 &&
            rules.periodSeconds > 0;
        if (!valid) {
            revert VouchersInvalidRules();
        }
    }

    /// @dev Whether `currency` is three capital letters (an ISO 4217 code's shape).
    function _isCurrency(string calldata currency) private pure returns (bool valid) {
        bytes calldata code = bytes(currency);
        valid = code.length == 3;
        for (uint256 i = 0; valid && i < 3; ++i) {
            valid = code[i] >= "A" && code[i] <= "Z";
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
            revert VouchersSignatureExpired(deadline, block.timestamp);
        }
        if (!SignatureChecker.isValidSignatureNow(signer, _hashTypedDataV4(structHash), signature)) {
            revert VouchersInvalidSignature(signer);
        }
        _useCheckedNonce(signer, nonce);
    }
}
