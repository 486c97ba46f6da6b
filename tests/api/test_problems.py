"""The one table from domain errors to HTTP statuses, at the edge: every error has a status, and the
statuses are the ones the API documents."""

from __future__ import annotations

import pytest

import dataledger.registry.errors as errors
from dataledger.api.problems import HTTP_STATUS, http_status_of
from scripts.error_codes import error_classes

EXPECTED = {
    "DataLedgerError": 500,
    "ValidationFailed": 422,
    "JsonNestedTooDeeply": 422,
    "NulCharacterRefused": 422,
    "EpcisDocumentInvalid": 422,
    "EpcisDocumentTooLarge": 413,
    "RequestBodyTooLarge": 413,
    "RateLimited": 429,
    "NotFound": 404,
    "LicenceNotFound": 404,
    "AlreadyExists": 409,
    "ContentAlreadyBatched": 409,
    "Conflict": 409,
    "NoticePeriodNotEnded": 409,
    "NotAuthenticated": 401,
    "NotAuthorised": 403,
    "InvalidSignature": 422,
    "SignatureExpired": 422,
    "NonceReplayed": 409,
    "VerificationFailed": 422,
    "LedgerError": 502,
    "LedgerUnavailable": 503,
    "LedgerInconsistent": 500,
    "ConfigurationError": 500,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_error_answers_its_documented_status(name: str) -> None:
    cls = getattr(errors, name)
    assert http_status_of(cls.__new__(cls)) == EXPECTED[name]


def test_every_error_class_has_a_status_and_a_stable_code() -> None:
    classes = error_classes()
    assert len(classes) > 50
    for cls in classes:
        assert 400 <= http_status_of(cls.__new__(cls)) <= 599
        assert cls.code and cls.code == cls.code.lower() and " " not in cls.code
    assert set(HTTP_STATUS) <= set(classes)
