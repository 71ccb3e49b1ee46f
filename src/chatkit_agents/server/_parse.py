"""Turn a raw request body into a typed ChatKit request, or a `RequestError` that says what is wrong."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from chatkit_agents.errors import InvalidRequestError, RequestValidationError
from chatkit_agents.types import CHATKIT_REQ_ADAPTER, ChatKitReq

__all__ = ["parse_request"]

_MAX_REPORTED_ERRORS = 20


def parse_request(body: bytes | bytearray | memoryview | str) -> ChatKitReq:
    """Validate ``body`` as one ChatKit request.

    Raises `InvalidRequestError` (400) for invalid UTF-8 or JSON, nesting beyond the JSON parser's depth
    limit, a non-object body or an unknown ``type``, and `RequestValidationError` (422) for a known
    request whose fields do not fit.
    """
    if isinstance(body, str):
        text = body
    else:
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidRequestError(
                f"The request body is not valid UTF-8 (byte {exc.start}); send JSON encoded as UTF-8.",
                code="invalid_encoding",
            ) from None
    try:
        return CHATKIT_REQ_ADAPTER.validate_json(text)
    except ValidationError as exc:
        raise _request_error(exc) from None


def _request_error(exc: ValidationError) -> InvalidRequestError | RequestValidationError:
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    kind = first["type"]
    if not first["loc"]:
        ctx: dict[str, Any] = dict(first.get("ctx") or {})
        if kind == "json_invalid":
            reason = str(ctx.get("error", first["msg"]))
            if "recursion limit" in reason:
                return InvalidRequestError(
                    f"The request body is nested too deeply ({reason}).", code="too_deeply_nested"
                )
            return InvalidRequestError(f"The request body is not valid JSON: {reason}.", code="invalid_json")
        if kind == "union_tag_invalid":
            return InvalidRequestError(
                f"Unknown request type {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}.",
                code="unknown_request_type",
            )
        if kind == "union_tag_not_found":
            return InvalidRequestError(
                'The request has no "type" field; send {"type": "<request type>", "params": {...}}.',
                code="missing_request_type",
            )
        return InvalidRequestError(
            "The request body must be a JSON object with a ChatKit request type.", code="not_an_object"
        )
    details = [
        {"loc": list(error["loc"][1:]), "type": error["type"], "msg": error["msg"]}
        for error in errors[:_MAX_REPORTED_ERRORS]
    ]
    request_type = first["loc"][0]
    return RequestValidationError(
        f"Invalid {request_type} request: {_describe(details[0])}"
        + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
        details=details,
    )


def _describe(detail: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in detail["loc"]) or "body"
    return f"{where}: {detail['msg']}"
