"""Where attachment bytes live: the `AttachmentStore` a server needs for ``attachments.*`` requests."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Generic

from typing_extensions import TypeVar

from chatkit_agents.errors import (
    AttachmentTooLargeError,
    RequestValidationError,
    UnsupportedAttachmentTypeError,
)
from chatkit_agents.types import Attachment, AttachmentCreateParams

__all__ = ["DEFAULT_ALLOWED_MIME_TYPES", "DEFAULT_MAX_ATTACHMENT_BYTES", "AttachmentStore"]

TContext = TypeVar("TContext", default=Any)

DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
"""Largest upload accepted by default: 20 MiB."""

DEFAULT_ALLOWED_MIME_TYPES: tuple[str, ...] = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/markdown",
    "text/csv",
    "application/json",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
"""Types a model can read and a browser cannot run: no HTML, no SVG, no executables."""


class AttachmentStore(ABC, Generic[TContext]):
    """Creates and deletes the files behind attachments (object storage, disk, ...).

    The thread `Store` keeps attachment metadata; this store owns the bytes. ``create_attachment`` returns
    the attachment the client uploads to (two-phase upload: set ``upload_descriptor``), or one that is
    already stored. The server calls `check_upload` first: set ``max_size`` (bytes) and
    ``allowed_mime_types`` (``None`` allows any type) on the class or the instance to change the limits.
    """

    max_size: int = DEFAULT_MAX_ATTACHMENT_BYTES
    allowed_mime_types: tuple[str, ...] | None = DEFAULT_ALLOWED_MIME_TYPES

    def check_upload(self, params: AttachmentCreateParams) -> None:
        """Refuse a negative size (422), a size over ``max_size`` (413) or a type not allowed (415)."""
        if params.size < 0:
            raise RequestValidationError(f"Attachment size must be 0 or more bytes, got {params.size}.")
        if params.size > self.max_size:
            raise AttachmentTooLargeError(
                f"{params.name!r} is {params.size} bytes; attachments may be at most {self.max_size} bytes."
            )
        media_type = params.mime_type.split(";", 1)[0].strip().lower()
        allowed = self.allowed_mime_types
        if allowed is not None and media_type not in allowed:
            raise UnsupportedAttachmentTypeError(
                f"Attachments of type {params.mime_type!r} are not accepted; allowed: {', '.join(allowed)}."
            )

    @abstractmethod
    async def create_attachment(self, params: AttachmentCreateParams, context: TContext) -> Attachment:
        """Register a new upload named ``params.name`` and return its attachment record."""

    @abstractmethod
    async def delete_attachment(self, attachment_id: str, context: TContext) -> None:
        """Delete the stored bytes of an attachment (a no-op when they are already gone)."""
