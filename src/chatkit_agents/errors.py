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
