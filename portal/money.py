"""Amounts as people read them: the ledger keeps every amount in the currency's smallest unit (fen for
CNY); a page shows it in the currency's major unit, written the way a reader of its language writes it."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision

_LOCALES = {"zh": "zh_Hans_CN", "en": "en_GB"}


def major_units(amount: int, currency: str) -> Decimal:
    """``amount`` smallest units of ``currency`` in its major unit (``120000`` CNY fen: ``1200.00``)."""
    return Decimal(amount).scaleb(-get_currency_precision(currency))


def format_money(amount: int, currency: str, lang: str) -> str:
    """``120000`` CNY fen as ``¥1,200.00`` (Chinese) or ``CN¥1,200.00`` (English)."""
    return format_currency(major_units(amount, currency), currency, locale=_LOCALES[lang])
