"""docs/ERRORS.md lists every problem code with its status, as generated from the error hierarchy."""

from __future__ import annotations

from scripts import error_codes


def test_the_error_code_page_is_current() -> None:
    assert error_codes.PAGE.read_text() == error_codes.render(), "run python scripts/error_codes.py"


def test_every_error_class_has_its_own_code_on_the_page() -> None:
    page = error_codes.PAGE.read_text()
    classes = [c for c in error_codes.error_classes() if c.__name__ != "DataLedgerError"]
    assert len({c.code for c in classes}) == len(classes)
    assert all(f"| `{c.code}` |" in page for c in classes)
