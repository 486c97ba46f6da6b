"""Certificate and registration numbers: their shape, and a check character that catches mistakes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.errors import ValidationFailed
from dataledger.registry.numbering import (
    CertificateNumber,
    RegistrationNumber,
    mod11_2_check,
)

numbers = st.builds(
    RegistrationNumber,
    st.from_regex(r"\A[0-9]{6}\Z"),
    st.integers(2000, 9999),
    st.integers(1, 99_999_999),
)


def test_the_check_character_is_the_one_of_the_resident_identity_number() -> None:
    # GB 11643's published example numbers: 17 digits, then their ISO 7064 MOD 11-2 check
    assert mod11_2_check("11010519491231002") == "X"
    assert mod11_2_check("44052418800101001") == "4"


def test_numbers_read_back_as_they_were_written() -> None:
    certificate = CertificateNumber(2026, 11, "460100", 17)
    registration = RegistrationNumber("460100", 2026, 42)

    assert str(certificate) == "DIP-202611-460100-000017"
    assert CertificateNumber.parse(str(certificate)) == certificate
    assert str(registration) == f"460100-2026-00000042-{mod11_2_check('460100202600000042')}"
    assert RegistrationNumber.parse(str(registration)) == registration
    assert RegistrationNumber.parse(" " + str(registration).lower() + " ") == registration


@given(numbers, st.data())
def test_any_single_mistyped_digit_is_caught(number: RegistrationNumber, data: st.DataObject) -> None:
    text = str(number)
    position = data.draw(st.sampled_from([i for i, c in enumerate(text[:-2]) if c.isdigit()]))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != text[position]]))
    with pytest.raises(ValidationFailed):  # the check character (or, for the year, its range)
        RegistrationNumber.parse(text[:position] + wrong + text[position + 1 :])


@given(numbers, st.data())
def test_any_swap_of_two_adjacent_different_digits_is_caught(
    number: RegistrationNumber, data: st.DataObject
) -> None:
    digits = number.digits
    swappable = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
    if not swappable:
        return
    i = data.draw(st.sampled_from(swappable))
    swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    text = f"{swapped[:6]}-{swapped[6:10]}-{swapped[10:]}-{number.check}"
    with pytest.raises(ValidationFailed):  # the check character (or, for the year, its range)
        RegistrationNumber.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "DIP-202613-460100-000001",
        "DIP-202611-46010-000001",
        "DIP-202611-460100-000000",
        "DLC-2026-000001",
    ],
)
def test_a_malformed_certificate_number_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed):
        CertificateNumber.parse(text)


@pytest.mark.parametrize("text", ["", "460100-2026-00000042", "460100-26-00000042-5", "0x" + "ab" * 32])
def test_a_malformed_registration_number_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed, match="not a registration number"):
        RegistrationNumber.parse(text)
