"""The numbers people read off a certificate: the certificate number and the registration number.

Both follow the shape of the national unified data-IP registration certificate: who registered it (the
registration institution's six-digit code, its administrative division code by default), when (year,
and for a certificate the month), and a serial of that institution.

- **Certificate number** ``DIP-YYYYMM-IIIIII-NNNNNN``: the month the certificate was issued, the
  institution, and the institution's serial of certificates that month.
- **Pledge certificate number** ``DPL-YYYYMM-IIIIII-NNNNNN``: a pledge registration certificate, numbered
  as a certificate is, in its own series.
- **Registration number** ``IIIIII-YYYY-NNNNNNNN-C``: the institution, the year of the application, the
  institution's serial of applications that year, and a check character ``C`` (ISO 7064 MOD 11-2, the
  check of the resident identity number, GB 11643: ``0``–``9`` or ``X``) over the digits before it. A
  verifier recomputes it: any single mistyped digit, and any swap of two adjacent digits, is caught.

Pure functions: the serials come from the store (one counter per institution and period).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dataledger.registry.errors import ValidationFailed

INSTITUTION_CODE = re.compile(r"^[0-9]{6}$")
#: The institution code of a registry that configured none (``DATALEDGER_INSTITUTION_CODE``): the
#: administrative division code of Haikou, where the first deployment runs.
DEFAULT_INSTITUTION_CODE = "460100"
_CERTIFICATE = re.compile(
    r"^DIP-(?P<year>[0-9]{4})(?P<month>[0-9]{2})-(?P<code>[0-9]{6})-(?P<serial>[0-9]{6})$"
)
_REGISTRATION = re.compile(r"^(?P<code>[0-9]{6})-(?P<year>[0-9]{4})-(?P<serial>[0-9]{8})-(?P<check>[0-9X])$")
MAX_CERTIFICATE_SERIAL = 999_999
MAX_REGISTRATION_SERIAL = 99_999_999


def mod11_2_check(digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of ``digits`` (``0``–``9`` or ``X``)."""
    if not digits.isdigit() or not digits.isascii():
        raise ValidationFailed("a check character is computed over digits only", value=digits)
    remainder = 0
    for digit in digits:
        remainder = ((remainder + int(digit)) * 2) % 11
    check = (12 - remainder) % 11
    return "X" if check == 10 else str(check)


def require_institution_code(code: str) -> str:
    """``code`` when it is an institution code (six digits); refused otherwise."""
    if not INSTITUTION_CODE.match(code):
        raise ValidationFailed("an institution code is six digits", field="institutionCode", value=code)
    return code


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    year: int
    month: int
    institution: str
    serial: int

    def __post_init__(self) -> None:
        require_institution_code(self.institution)
        if not (1 <= self.month <= 12 and 2000 <= self.year <= 9999):
            raise ValidationFailed("a certificate number's year or month is out of range")
        if not 1 <= self.serial <= MAX_CERTIFICATE_SERIAL:
            raise ValidationFailed("a certificate serial runs from 1 to 999999", serial=self.serial)

    def __str__(self) -> str:
        return f"DIP-{self.year:04d}{self.month:02d}-{self.institution}-{self.serial:06d}"

    @classmethod
    def parse(cls, text: str) -> CertificateNumber:
        found = _CERTIFICATE.match(text)
        if found is None:
            raise ValidationFailed("not a certificate number (DIP-YYYYMM-IIIIII-NNNNNN)", value=text)
        return cls(int(found["year"]), int(found["month"]), found["code"], int(found["serial"]))


@dataclass(frozen=True, slots=True)
class PledgeCertificateNumber:
    """``DPL-YYYYMM-IIIIII-NNNNNN``: a pledge registration certificate's number."""

    year: int
    month: int
    institution: str
    serial: int

    def __post_init__(self) -> None:
        CertificateNumber(self.year, self.month, self.institution, self.serial)  # the same ranges

    def __str__(self) -> str:
        return f"DPL-{self.year:04d}{self.month:02d}-{self.institution}-{self.serial:06d}"


@dataclass(frozen=True, slots=True)
class RegistrationNumber:
    institution: str
    year: int
    serial: int

    def __post_init__(self) -> None:
        require_institution_code(self.institution)
        if not 2000 <= self.year <= 9999:
            raise ValidationFailed("a registration number's year is out of range", year=self.year)
        if not 1 <= self.serial <= MAX_REGISTRATION_SERIAL:
            raise ValidationFailed("a registration serial runs from 1 to 99999999", serial=self.serial)

    @property
    def digits(self) -> str:
        return f"{self.institution}{self.year:04d}{self.serial:08d}"

    @property
    def check(self) -> str:
        return mod11_2_check(self.digits)

    def __str__(self) -> str:
        return f"{self.institution}-{self.year:04d}-{self.serial:08d}-{self.check}"

    @classmethod
    def parse(cls, text: str) -> RegistrationNumber:
        """The registration number ``text`` names; refused when malformed or its check fails."""
        found = _REGISTRATION.match(text.strip().upper())
        if found is None:
            raise ValidationFailed("not a registration number (IIIIII-YYYY-NNNNNNNN-C)", value=text)
        number = cls(found["code"], int(found["year"]), int(found["serial"]))
        if number.check != found["check"]:
            raise ValidationFailed(
                "the registration number's check character does not match: mistyped?",
                value=text,
                expected_check=number.check,
            )
        return number


def certificate_scope(institution: str, year: int, month: int) -> str:
    """The counter of the certificates ``institution`` issues in ``year``-``month``."""
    return f"certificate:{require_institution_code(institution)}:{year:04d}{month:02d}"


def registration_scope(institution: str, year: int) -> str:
    """The counter of the applications ``institution`` registers in ``year``."""
    return f"registration:{require_institution_code(institution)}:{year:04d}"


def pledge_certificate_scope(institution: str, year: int, month: int) -> str:
    """The counter of the pledge certificates ``institution`` issues in ``year``-``month``."""
    return f"pledge-certificate:{require_institution_code(institution)}:{year:04d}{month:02d}"
