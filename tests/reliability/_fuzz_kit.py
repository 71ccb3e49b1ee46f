"""Hypothesis strategies for mutated ChatKit request bodies, and the checks every answer must pass."""

from __future__ import annotations

import json
from typing import Any

import anyio
from _fault_sweeps import BOUND
from _reliability_kit import StreamReport, check_complete_stream, drain
from _seeded import KNOWN_IDS, REQUEST_TYPES, TEMPLATES
from hypothesis import strategies as st

from chatkit_agents.server import NonStreamingResult, error_result

# -- strategies -----------------------------------------------------------------------------------------

odd_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\u2028", "\U0001f600", "../../etc", "' OR 1=1 --", "%s%n"]),
    st.sampled_from(KNOWN_IDS),
    st.sampled_from(KNOWN_IDS).map(lambda known: known + "x"),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a JSON value (the root is ``()``)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def set_at(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = set_at(copy[head], rest, new)
    return copy


def drop_at(value: Any, path: tuple[Any, ...]) -> Any:
    if len(path) == 1:
        copy: Any = dict(value) if isinstance(value, dict) else list(value)
        del copy[path[0]]
        return copy
    head = path[0]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = drop_at(copy[head], path[1:])
    return copy


@st.composite
def mutated_request(draw: st.DrawFn) -> Any:
    """A valid request with up to three structural mutations."""
    body: Any = json.loads(json.dumps(draw(st.sampled_from(TEMPLATES))))
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(paths(body)))
        action = draw(st.sampled_from(["replace", "drop", "add", "retype", "id"]))
        if action == "replace":
            body = set_at(body, where, draw(json_values))
        elif action == "drop" and where:
            body = drop_at(body, where)
        elif action == "add" and isinstance(body, dict):
            body = {**body, draw(odd_text): draw(json_values)}
        elif action == "retype" and isinstance(body, dict):
            body = {**body, "type": draw(st.sampled_from([*REQUEST_TYPES, "threads.nope", 7, None]))}
        elif action == "id" and where:
            body = set_at(body, where, draw(st.sampled_from(KNOWN_IDS)))
    return body


def encode(body: Any) -> bytes:
    return json.dumps(body, allow_nan=False).encode()


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """A (possibly mutated) request, then byte-level damage."""
    raw = bytearray(encode(draw(mutated_request())))
    action = draw(st.sampled_from(["none", "truncate", "insert", "flip", "nest"]))
    if action == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif action == "insert":
        raw[draw(st.integers(0, len(raw))) : 0] = draw(st.binary(min_size=1, max_size=4))
    elif action == "flip" and raw:
        index = draw(st.integers(0, len(raw) - 1))
        raw[index] ^= draw(st.integers(1, 255))
    elif action == "nest":
        depth = draw(st.sampled_from([50, 300, 5000]))
        raw = bytearray(b'{"type": "threads.list", "params": ' + b"[" * depth + b"]" * depth + b"}")
    return bytes(raw)


# -- checks ---------------------------------------------------------------------------------------------


async def answer_of(server: Any, body: bytes, context: Any = None) -> tuple[int, Any]:
    """What a client gets: ``(status, json)`` for an answer or error, ``(200, StreamReport)`` for a stream."""
    with anyio.fail_after(BOUND):
        try:
            result = await server.process(body, context)
        except Exception as error:
            answer = error_result(error)
            if answer is None:
                raise AssertionError(f"{body!r} caused a server error: {error!r}") from error
            return answer.status_code, json.loads(answer.json)
        if isinstance(result, NonStreamingResult):
            return 200, json.loads(result.json)
        return 200, await drain(result)


def check_answer(status: int, payload: Any) -> None:
    if isinstance(payload, StreamReport):
        check_complete_stream(payload)
        return
    assert 200 <= status < 500, (status, payload)
    if status >= 400:
        error = payload["error"]
        assert error["code"]
        assert isinstance(error["message"], str)
        assert error["message"]
