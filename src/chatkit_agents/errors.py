"""Every exception chatkit-agents raises, in one hierarchy rooted at `ChatKitAgentsError`.

Each message says what went wrong and what to do about it.
"""

from __future__ import annotations


class ChatKitAgentsError(Exception):
    """Base class of every error raised by chatkit-agents."""


class ConfigurationError(ChatKitAgentsError):
    """A feature was used without the component it needs (e.g. attachments without an attachment store)."""


class NotFoundError(ChatKitAgentsError, LookupError):
    """A thread, item or attachment does not exist, or belongs to another user."""


class StreamError(ChatKitAgentsError):
    """Raised inside a response stream; the server turns it into a ChatKit ``error`` event.

    ``code`` is a ChatKit error code (``"stream.error"``) and ``allow_retry`` tells the client whether to
    offer a retry button.
    """

    def __init__(self, code: str = "stream.error", *, allow_retry: bool = True) -> None:
        super().__init__(code)
        self.code = code
        self.allow_retry = allow_retry


class CustomStreamError(ChatKitAgentsError):
    """Raised inside a response stream to show ``message`` to the user as an ``error`` event."""

    def __init__(self, message: str, *, allow_retry: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.allow_retry = allow_retry


class RequestError(ChatKitAgentsError):
    """A ChatKit request the server refuses before any stream starts; ``status_code`` is its HTTP status.

    ``code`` is a short machine-readable reason and ``details`` optional structured context (e.g. the
    validation errors); the ASGI layer answers ``{"error": {"code", "message", "details"}}``.
    """

    status_code: int = 400
    default_code: str = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None, details: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details


class InvalidRequestError(RequestError):
    """The body is not a ChatKit request at all: invalid UTF-8 or JSON, too deeply nested, unknown type."""

    status_code = 400
    default_code = "invalid_request"


class RequestValidationError(RequestError):
    """The body names a known request type but its fields have the wrong shape or types."""

    status_code = 422
    default_code = "validation_error"


class RequestTooLargeError(RequestError):
    """The body is larger than the server accepts (``max_body_bytes``)."""

    status_code = 413
    default_code = "request_too_large"


class ConflictError(RequestError):
    """The request does not fit the thread's current state (e.g. no pending client tool call to answer)."""

    status_code = 409
    default_code = "conflict"


class FeatureNotConfiguredError(RequestError, ConfigurationError):
    """The request needs a component or hook the server was not given; the message names what to set."""

    status_code = 400
    default_code = "feature_not_configured"


class WidgetTemplateError(ChatKitAgentsError, ValueError):
    """A Widget Builder ``.widget`` definition is malformed or rendered something that is not a widget."""


class EmptyWidgetStreamError(ChatKitAgentsError, ValueError):
    """A widget stream (async iterator of widget states) ended before yielding its first state."""


class AttachmentNotResolvedError(ConfigurationError):
    """An attachment could not be turned into model input; the message names the hook to provide."""


class UnknownToolCallError(ChatKitAgentsError, LookupError):
    """An approval decision names a tool call id the paused run is not waiting on."""


class AttachmentTooLargeError(RequestError):
    """An upload declares more bytes than the attachment store accepts (``AttachmentStore.max_size``)."""

    status_code = 413
    default_code = "attachment_too_large"


class UnsupportedAttachmentTypeError(RequestError):
    """An upload's MIME type is not in ``AttachmentStore.allowed_mime_types``."""

    status_code = 415
    default_code = "unsupported_attachment_type"
