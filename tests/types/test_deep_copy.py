"""Deep copies of wire models are exact and independent (the converter and server rely on both)."""

from __future__ import annotations

from typing import Any

import pytest
from _wire_samples import EVENTS, ITEMS, OTHERS, REQUESTS, UPDATES, wire
from pydantic import BaseModel

pytestmark = pytest.mark.filterwarnings("ignore:Direct usage of named widget classes:DeprecationWarning")

SAMPLES: dict[str, BaseModel] = {
    **{f"item:{k}": v for k, v in ITEMS.items()},
    **{f"update:{k}": v for k, v in UPDATES.items()},
    **{f"event:{k}": v for k, v in EVENTS.items()},
    **{f"request:{k}": v for k, v in REQUESTS.items()},
    **{f"other:{k}": v for k, v in OTHERS.items()},
}


def _containers(value: Any) -> list[Any]:
    """Every mutable container (list, dict, model) reachable from ``value``, depth first."""
    if isinstance(value, BaseModel):
        return [value, *_containers(value.__dict__), *_containers(value.__pydantic_extra__)]
    if isinstance(value, dict):
        return [value, *(c for item in value.values() for c in _containers(item))]  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, list):
        return [value, *(c for item in value for c in _containers(item))]  # pyright: ignore[reportUnknownVariableType]
    return []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_deep_copy_equals_pydantics_and_shares_no_mutable_part(name: str) -> None:
    original = SAMPLES[name]
    copied = original.model_copy(deep=True)
    assert copied == BaseModel.__deepcopy__(original)
    assert type(copied) is type(original)
    assert copied.model_fields_set == original.model_fields_set
    assert wire(copied) == wire(original)
    shared = {id(c) for c in _containers(original)} & {id(c) for c in _containers(copied)}
    assert not shared
