"""Client errors BentoML logs as exceptions come out as one WARNING line, no traceback."""

from __future__ import annotations

import logging
import sys

from pydantic import BaseModel, ValidationError

from serving.audit import DropValidationDetails
from serving.errors import BodyTooLarge, QuietBodyTooLarge, RequestTooLarge


def logged(exc: BaseException) -> logging.LogRecord:
    """The record BentoML's log_exception makes for `exc`, after both filters."""
    try:
        raise exc
    except BaseException:
        record = logging.LogRecord("bentoml", logging.ERROR, __file__, 1,
                                   "Exception on %s [%s]", ("/predict", "POST"),
                                   sys.exc_info())
    for f in (DropValidationDetails(), QuietBodyTooLarge()):
        assert f.filter(record)
    return record


def validation_error() -> ValidationError:
    class Claim(BaseModel):
        member_id: int

    try:
        Claim(member_id="MBR-SECRET-1")
    except ValidationError as exc:
        return exc
    raise AssertionError("no error")


def test_client_errors_are_warnings_without_traceback():
    for exc in (validation_error(), RequestTooLarge("1001 claims in one request"),
                BodyTooLarge("5000000 bytes")):
        record = logged(exc)
        assert (record.levelno, record.levelname) == (logging.WARNING, "WARNING")
        assert record.exc_info is None
        assert "MBR-SECRET-1" not in record.getMessage()


def test_server_errors_stay_errors_with_traceback():
    record = logged(RuntimeError("bug"))
    assert record.levelname == "ERROR" and record.exc_info is not None
