"""Read-only execution: ``eth_call`` and ``eth_estimateGas`` on top of a block, without mining.

A call runs on the state after ``parent`` in the context of the block that would follow it (number
``parent + 1``, the clock's timestamp), as hardhat does: a view that depends on ``block.timestamp``
sees ``evm_increaseTime`` at once. Fees are not charged (base fee 0), like geth without fee fields.
"""

from __future__ import annotations

from collections.abc import Callable

from eth.abc import BlockHeaderAPI, ComputationAPI, StateAPI, VirtualMachineAPI
from eth.constants import ZERO_ADDRESS
from eth.exceptions import Revert
from eth.vm.spoof import SpoofTransaction
from eth_abi import decode as abi_decode
from eth_utils import ValidationError

from dataledger_devnet.call_request import CallRequest
from dataledger_devnet.errors import ExecutionFailed, ExecutionReverted
from dataledger_devnet.genesis import DevnetMiningChain

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")
# geth's eth_estimateGas stops searching when the bracket is within 1.5% of the answer.
ESTIMATE_ERROR_RATIO = 0.015
CALL_STIPEND = 2300


class Executor:
    """Runs requests against one state, rolling back after each run."""

    def __init__(self, evm: DevnetMiningChain, parent: BlockHeaderAPI, timestamp: int) -> None:
        header = evm.create_header_from_parent(parent, timestamp=timestamp).copy(base_fee_per_gas=0)
        self._vm: VirtualMachineAPI = evm.get_vm(header)
        self._state: StateAPI = self._vm.state
        self._chain_id = evm.chain_id
        self.gas_limit = header.gas_limit

    def run(self, request: CallRequest, gas: int) -> ComputationAPI:
        """Execute ``request`` with ``gas``; py-evm's ``ValidationError`` means it cannot even start."""
        sender = request.sender or ZERO_ADDRESS
        unsigned = self._vm.get_transaction_builder().new_unsigned_dynamic_fee_transaction(
            chain_id=self._chain_id,
            nonce=self._state.get_nonce(sender) if request.nonce is None else request.nonce,
            max_priority_fee_per_gas=0,
            max_fee_per_gas=0,
            gas=gas,
            to=request.to or b"",
            value=request.value,
            data=request.data,
            access_list=request.access_list,
        )
        snapshot = self._state.snapshot()
        try:
            return self._state.apply_transaction(SpoofTransaction(unsigned, from_=sender))
        finally:
            self._state.revert(snapshot)

    def call(self, request: CallRequest) -> bytes:
        computation = self._run_or_fail(request, request.gas or self.gas_limit)
        return computation.output

    def estimate_gas(self, request: CallRequest) -> int:
        """The smallest gas (within 1.5%, as geth) with which ``request`` succeeds."""
        cap = request.gas or self.gas_limit
        computation = self._run_or_fail(request, cap)
        used = cap - computation.get_gas_remaining()  # before refunds: a lower bound of the need
        succeeds = self._succeeds_with(request)
        if succeeds(used):
            return used
        low, high = used, cap
        optimistic = (used + CALL_STIPEND) * 64 // 63
        if optimistic < high:
            if succeeds(optimistic):
                high = optimistic
            else:
                low = optimistic
        while low + 1 < high and (high - low) / high >= ESTIMATE_ERROR_RATIO:
            middle = (low + high) // 2
            if succeeds(middle):
                high = middle
            else:
                low = middle
        return high

    def _succeeds_with(self, request: CallRequest) -> Callable[[int], bool]:
        def succeeds(gas: int) -> bool:
            try:
                return not self.run(request, gas).is_error
            except ValidationError:
                return False

        return succeeds

    def _run_or_fail(self, request: CallRequest, gas: int) -> ComputationAPI:
        try:
            computation = self.run(request, gas)
        except ValidationError as exc:
            raise ExecutionFailed(str(exc)) from None
        if computation.is_error:
            raise execution_error(computation)
        return computation


def execution_error(computation: ComputationAPI) -> ExecutionReverted | ExecutionFailed:
    """The JSON-RPC error for a failed computation: revert data is kept for the caller to decode."""
    error = computation.error
    if isinstance(error, Revert):
        data = computation.output
        return ExecutionReverted(revert_message(data), data)
    return ExecutionFailed(str(error) or type(error).__name__)


def revert_message(data: bytes) -> str:
    """geth's message: ``execution reverted: <reason>`` for ``Error(string)``, else the bare phrase."""
    if data[:4] == ERROR_STRING_SELECTOR:
        try:
            (reason,) = abi_decode(["string"], data[4:])
        except Exception:
            return "execution reverted"
        return f"execution reverted: {reason}"
    return "execution reverted"
