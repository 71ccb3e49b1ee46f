"""Widget actions: what the client sends when one fires (`Action`); widgets declare them with `ActionConfig`.

`ActionConfig` and its option literals belong to `chatkit_agents.widgets` and are re-exported here.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, get_args, get_origin

from pydantic import BaseModel
from typing_extensions import TypeVar

from chatkit_agents.types.base import ChatKitModel
from chatkit_agents.widgets.actions import ActionConfig, ActionHandler, LoadingBehavior

__all__ = ["Action", "ActionConfig", "ActionHandler", "LoadingBehavior"]

TType = TypeVar("TType", bound=str, default=str)
TPayload = TypeVar("TPayload", default=Any)


class Action(ChatKitModel, Generic[TType, TPayload]):
    """An action the client sends with ``threads.custom_action``: its ``type`` and optional ``payload``.

    Subscript it to type your own actions, e.g. ``Action[Literal["cart.add"], CartItem]``.
    """

    type: TType
    payload: TPayload | None = None

    @classmethod
    def create(
        cls,
        payload: TPayload | None = None,
        *,
        handler: ActionHandler | None = None,
        loading_behavior: LoadingBehavior | None = None,
        streaming: bool | None = None,
    ) -> ActionConfig:
        """The `ActionConfig` that fires this action; call it on ``Action[Literal["x"], P]``."""
        annotation = cls.model_fields["type"].annotation
        args = get_args(annotation) if get_origin(annotation) is Literal else ()
        if len(args) != 1 or not isinstance(args[0], str):
            raise TypeError(
                "Action.create() needs the action type as a single string literal, "
                'e.g. Action[Literal["cart.add"], CartItem].create(item)'
            )
        data: Any = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
        if data is not None and not isinstance(data, dict):
            raise TypeError(f"an action payload must be a dict or pydantic model, not {type(data).__name__}")
        return ActionConfig(
            type=args[0],
            payload=data,
            handler=handler,
            loading_behavior=loading_behavior,
            streaming=streaming,
        )
