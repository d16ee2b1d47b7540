"""Typed domain errors raised by the ledger; the edges translate them to messages and statuses."""

from __future__ import annotations

__all__ = [
    "AgencyNotFoundError",
    "BlobError",
    "CertificateRejectedError",
    "CertificateTamperedError",
    "CertificateTooLargeError",
    "ConcurrentWriteError",
    "CredentialTypeNotFoundError",
    "DuplicateAgencyError",
    "DuplicateEmployeeIdError",
    "FutureEffectiveDateError",
    "HoursOutOfRangeError",
    "InvalidValueError",
    "LedgerError",
    "NotFoundError",
    "NoticeNotFoundError",
    "PersonNotFoundError",
    "PolicyBlobError",
    "PolicyNotFoundError",
    "QuizFailedError",
    "RecordAlreadyVoidedError",
    "ReliefNotFoundError",
    "RequestAlreadyDecidedError",
    "StoreBusyError",
    "StoreSetupError",
    "TrainingRecordNotFoundError",
    "TrainingRequestNotFoundError",
    "ValidationError",
]


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose. ``field``: the input it refuses,
    where one is to blame (the edges name it: an HTTP error body's ``field``, the form
    field a page shows the message beside), else None."""

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field


class ValidationError(LedgerError):
    """The command's input is not acceptable; nothing was written."""


class NotFoundError(LedgerError):
    """The command names something the ledger does not hold."""


class InvalidValueError(ValidationError):
    """A field has a value outside its allowed set or shape."""


class QuizFailedError(InvalidValueError):
    """A policy quiz's answers scored below its pass mark; the acknowledgement is refused."""


class HoursOutOfRangeError(ValidationError):
    """Training hours must be positive and no more than the rule allows per record."""


class FutureEffectiveDateError(ValidationError):
    """A fact cannot take effect after the moment it is recorded."""


class DuplicateEmployeeIdError(ValidationError):
    """Employee ids are unique within an agency."""


class DuplicateAgencyError(ValidationError):
    """Agency slugs are unique."""


class RecordAlreadyVoidedError(ValidationError):
    """A voided training record cannot be voided or corrected again."""


class AgencyNotFoundError(NotFoundError):
    """No agency with this slug or id."""


class PersonNotFoundError(NotFoundError):
    """No person with this employee id in the agency."""


class ReliefNotFoundError(NotFoundError):
    """No exemption, waiver or extension with that id on the person's stream."""


class CredentialTypeNotFoundError(NotFoundError):
    """The agency has no credential type with this id."""


class PolicyNotFoundError(NotFoundError):
    """The agency has no policy (or policy version) with this id."""


class BlobError(LedgerError):
    """A stored blob is missing or its bytes no longer hash to the SHA-256 it is kept under
    (``ledger.blob_store``)."""


class PolicyBlobError(BlobError):
    """A stored policy document is missing or its bytes no longer hash to its version id."""


class TrainingRecordNotFoundError(NotFoundError):
    """The person has no training record with this id."""


class TrainingRequestNotFoundError(NotFoundError):
    """The person has no training request with this id."""


class NoticeNotFoundError(NotFoundError):
    """No notice with this id was told to the caller."""


class RequestAlreadyDecidedError(LedgerError):
    """A training request is approved or rejected once only."""


class CertificateRejectedError(ValidationError):
    """An uploaded certificate is empty, or its content is not a PDF, JPEG or PNG, or its
    name says another type than its content."""


class CertificateTooLargeError(CertificateRejectedError):
    """An uploaded certificate is larger than the configured limit."""


class CertificateTamperedError(BlobError):
    """A stored certificate is missing or no longer has the SHA-256 the ledger recorded."""


class ConcurrentWriteError(LedgerError):
    """Another writer appended to the same stream first; the command saved nothing."""


class StoreBusyError(LedgerError):
    """Another unit held the event store's write lock past the lock timeout; nothing was
    written, and the command can be run again."""


class StoreSetupError(LedgerError):
    """The store cannot be used as configured: its tables were never created (``muster db
    init``), or the database does not make commits durable."""
