"""Signers: where a participant's key lives. The SDK hands them EIP-712 messages; keys never leave.

- :class:`LocalKeySigner`: a private key in memory (tests, scripts, servers with their own vault).
- :class:`KeystoreSigner`: an Ethereum keystore file (eth-account's encrypted JSON, scrypt/pbkdf2).
- :class:`ExternalSigner`: any callable (a hardware wallet, a KMS, a browser bridge) given the address.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from eth_utils import to_checksum_address

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

# eth-account (and the BLS code it pulls in) loads when a key is first used, not on import: a command
# that signs nothing starts 0.4 s sooner.


@runtime_checkable
class Signer(Protocol):
    """Signs EIP-712 typed data (``eth_signTypedData_v4``) for one address."""

    @property
    def address(self) -> str: ...

    def sign_typed_data(self, typed_data: dict[str, Any]) -> str:
        """The 65-byte signature as 0x-hex."""
        ...


class LocalKeySigner:
    """A secp256k1 private key held in this process."""

    def __init__(self, private_key: str | bytes) -> None:
        from eth_account import Account

        self._account: LocalAccount = Account.from_key(private_key)

    @classmethod
    def generate(cls) -> LocalKeySigner:
        from eth_account import Account

        return cls(Account.create().key)

    @property
    def address(self) -> str:
        return str(self._account.address)

    @property
    def private_key(self) -> str:
        return "0x" + bytes(self._account.key).hex()

    def sign_typed_data(self, typed_data: dict[str, Any]) -> str:
        from eth_account.messages import encode_typed_data

        signed = self._account.sign_message(encode_typed_data(full_message=typed_data))
        return "0x" + bytes(signed.signature).hex().removeprefix("0x")

    def to_keystore(
        self,
        path: str | Path,
        password: str,
        *,
        kdf: Literal["scrypt", "pbkdf2"] = "scrypt",
        iterations: int | None = None,
    ) -> Path:
        """Write this key as an encrypted keystore file (mode 0600); refuses to overwrite one.

        ``kdf`` is ``scrypt`` or ``pbkdf2``; ``iterations`` its work factor (default: eth-account's,
        scrypt's n = 2**18, about a second per decryption: lower it only for throwaway keys).
        """
        from eth_account import Account

        document = Account.encrypt(self._account.key, password, kdf=kdf, iterations=iterations)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # created 0600 (never readable by others, not even for a moment); O_EXCL: no overwrite
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(document, out)
        return path


class KeystoreSigner(LocalKeySigner):
    """A key decrypted from an Ethereum keystore file (the password is not kept)."""

    def __init__(self, path: str | Path, password: str) -> None:
        from eth_account import Account

        document = json.loads(Path(path).read_text(encoding="utf-8"))
        super().__init__(Account.decrypt(document, password))
        self.path = Path(path)

    @staticmethod
    def address_of(path: str | Path) -> str:
        """The keystore's address (checksummed, as ``address`` is), read without the password."""
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        return str(to_checksum_address("0x" + str(document["address"]).removeprefix("0x")))


class ExternalSigner:
    """A key held elsewhere: ``sign`` receives the full typed data and returns the signature."""

    def __init__(self, address: str, sign: Callable[[dict[str, Any]], str]) -> None:
        self._address = address
        self._sign = sign

    @property
    def address(self) -> str:
        return self._address

    def sign_typed_data(self, typed_data: dict[str, Any]) -> str:
        return self._sign(typed_data)
