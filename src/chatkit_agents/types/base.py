"""Building blocks shared by every wire model: the base class, UTC timestamps, URLs, pages and JSON output."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Final, Generic

from pydantic import AfterValidator, AnyUrl, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from typing_extensions import TypeVar

__all__ = [
    "CLIENT_SERIALIZATION_CONTEXT",
    "EXCLUDE_METADATA",
    "ChatKitModel",
    "Page",
    "UrlStr",
    "UtcDatetime",
    "to_client_dict",
    "to_client_json",
    "to_client_json_bytes",
]

EXCLUDE_METADATA: Final = "exclude_metadata"
"""Serialisation context key: when true, server-only ``metadata`` is left out of attachments."""

CLIENT_SERIALIZATION_CONTEXT: Final[dict[str, Any]] = {EXCLUDE_METADATA: True}
"""Context to pass to ``model_dump``/``model_dump_json`` for anything sent to a ChatKit client."""


class ChatKitModel(BaseModel):
    """Base of every ChatKit wire model.

    Unknown fields are ignored, so a newer client's extra fields do not break an older server.
    """

    model_config = ConfigDict(extra="ignore")


def _assume_utc(value: datetime) -> datetime:
    """Give naive datetimes the UTC timezone; aware datetimes are kept unchanged."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=timezone.utc)
    return value


UtcDatetime = Annotated[datetime, AfterValidator(_assume_utc)]
"""A timezone-aware timestamp. Naive input (a naive ``datetime`` or an ISO string without an offset,
as some stores and older servers write them) is taken to be UTC; aware input keeps its offset."""

_ANY_URL: TypeAdapter[AnyUrl] = TypeAdapter(AnyUrl)


def _check_url(value: str) -> str:
    """Validate ``value`` as an absolute URL and return it in normalised form (as the client parses it)."""
    try:
        return str(_ANY_URL.validate_python(value))
    except ValidationError as exc:
        raise ValueError(f"not a valid URL: {exc.errors()[0]['msg']}") from None


UrlStr = Annotated[str, AfterValidator(_check_url)]
"""An absolute URL (``https:``, ``data:``, ...) as a plain ``str``, normalised like pydantic's ``AnyUrl``."""

T = TypeVar("T")


class Page(ChatKitModel, Generic[T]):
    """One page of a paginated list; pass ``after`` back to get the next page while ``has_more`` is true."""

    data: list[T] = Field(default_factory=list)
    has_more: bool = False
    after: str | None = None


def to_client_dict(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict of ``model`` for a ChatKit client: no ``None`` fields, no server metadata."""
    return model.model_dump(mode="json", exclude_none=True, context=CLIENT_SERIALIZATION_CONTEXT)


def to_client_json(model: BaseModel) -> str:
    """JSON text of ``model`` as a ChatKit client should see it: no ``None`` fields, no server metadata."""
    return model.model_dump_json(exclude_none=True, context=CLIENT_SERIALIZATION_CONTEXT)


def to_client_json_bytes(model: BaseModel) -> bytes:
    """Like `to_client_json` but UTF-8 bytes, ready for an SSE frame without another encode."""
    return model.__pydantic_serializer__.to_json(
        model, exclude_none=True, context=CLIENT_SERIALIZATION_CONTEXT
    )
