// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title DevnetProbe
/// @notice Test fixture for the devnet: storage, an indexed event, reverts with data, block time.
contract DevnetProbe {
    /// @notice `store` refuses the value 13.
    error ProbeRefused(address caller, uint256 value);
    /// @notice `storeAfter` was called before `notBefore`.
    error ProbeTooEarly(uint256 nowTime, uint256 notBefore);

    /// @notice A value was stored by `setter`.
    event ValueStored(address indexed setter, uint256 indexed value, bytes32 tag);

    uint256 private _value;

    function value() external view returns (uint256) {
        return _value;
    }

    function store(uint256 newValue, bytes32 tag) external {
        if (newValue == 13) revert ProbeRefused(msg.sender, newValue);
        _value = newValue;
        emit ValueStored(msg.sender, newValue, tag);
    }

    function storeAfter(uint256 newValue, uint256 notBefore) external {
        if (block.timestamp < notBefore) revert ProbeTooEarly(block.timestamp, notBefore);
        _value = newValue;
        emit ValueStored(msg.sender, newValue, bytes32(0));
    }

    function failWithReason() external pure {
        revert("probe says no");
    }

    function isOpen(uint256 notBefore) external view returns (bool) {
        return block.timestamp >= notBefore;
    }
}
