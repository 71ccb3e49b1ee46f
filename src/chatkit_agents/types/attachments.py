"""Files and images attached to user messages, with their optional two-phase upload instructions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SerializationInfo, SerializerFunctionWrapHandler, model_serializer

from chatkit_agents.types.base import EXCLUDE_METADATA, ChatKitModel, UrlStr

__all__ = [
    "Attachment",
    "AttachmentBase",
    "AttachmentUploadDescriptor",
    "FileAttachment",
    "ImageAttachment",
]


class AttachmentUploadDescriptor(ChatKitModel):
    """Where and how the client uploads the bytes after ``attachments.create`` (two-phase upload)."""

    url: UrlStr
    method: Literal["POST", "PUT"]
    headers: dict[str, str] = Field(default_factory=dict)


class AttachmentBase(ChatKitModel):
    """Fields of every attachment.

    ``metadata`` is for the integration only: it is stored but left out whenever the attachment is
    serialised with `CLIENT_SERIALIZATION_CONTEXT` (``context={"exclude_metadata": True}``), as
    `to_client_json` does.
    """

    id: str
    name: str
    mime_type: str
    upload_descriptor: AttachmentUploadDescriptor | None = None
    """Set while a two-phase upload is pending; ``None`` once the bytes are stored."""
    thread_id: str | None = None
    """The thread of the user message that uses the attachment, once that message is saved."""
    metadata: dict[str, Any] | None = None

    @model_serializer(mode="wrap")
    def _drop_metadata_for_client(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        data = handler(self)
        context: Any = info.context
        if isinstance(data, dict) and isinstance(context, dict) and context.get(EXCLUDE_METADATA):
            data.pop("metadata", None)
        return data


class FileAttachment(AttachmentBase):
    """Any file that is not shown as an image."""

    type: Literal["file"] = "file"


class ImageAttachment(AttachmentBase):
    """An image, with the URL the client shows as its thumbnail."""

    type: Literal["image"] = "image"
    preview_url: UrlStr


Attachment = Annotated[FileAttachment | ImageAttachment, Field(discriminator="type")]
"""Any attachment, told apart by ``type``."""
