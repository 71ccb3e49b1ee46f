"""``aclosing`` for any async iterator, so a responder that is a plain iterator can be used too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

__all__ = ["closing"]


class closing:
    """Close the iterator on exit when it has an ``aclose`` (async generators do); others are left alone."""

    def __init__(self, stream: AsyncIterator[Any]) -> None:
        self._stream = stream

    async def __aenter__(self) -> AsyncIterator[Any]:
        return self._stream

    async def __aexit__(self, *exc_info: object) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()
