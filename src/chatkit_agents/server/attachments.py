"""Where attachment bytes live: the `AttachmentStore` a server needs for ``attachments.*`` requests."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Generic

from typing_extensions import TypeVar

from chatkit_agents.types import Attachment, AttachmentCreateParams

__all__ = ["AttachmentStore"]

TContext = TypeVar("TContext", default=Any)


class AttachmentStore(ABC, Generic[TContext]):
    """Creates and deletes the files behind attachments (object storage, disk, ...).

    The thread `Store` keeps attachment metadata; this store owns the bytes. ``create_attachment`` returns
    the attachment the client uploads to (two-phase upload: set ``upload_descriptor``), or one that is
    already stored.
    """

    @abstractmethod
    async def create_attachment(self, params: AttachmentCreateParams, context: TContext) -> Attachment:
        """Register a new upload named ``params.name`` and return its attachment record."""

    @abstractmethod
    async def delete_attachment(self, attachment_id: str, context: TContext) -> None:
        """Delete the stored bytes of an attachment (a no-op when they are already gone)."""
