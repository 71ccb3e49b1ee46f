"""Custom converter hooks: what the model sees for @-mention tags and for attached files.

Before each run the stored thread is turned back into model input by a `ThreadItemConverter`. This
example changes two of its hooks:

* ``tag_to_context``: an ``@Ada Lovelace`` tag becomes the customer's record from our CRM, so the model
  knows who is meant without a tool call;
* ``attachment_resolver``: an attached file is read from our own attachment storage; text files are
  inlined as text, anything else as a file part.

Attachments use ChatKit's two-phase upload: ``attachments.create`` returns an upload URL (served by this
app at ``PUT /files/{id}``), the client uploads the bytes there, then sends the message naming the
attachment. An agent hook prints the model input, so you can see what the converter produced.

    python examples/converter_hooks.py            # upload, ask, and print the model input and reply
    python examples/converter_hooks.py --serve    # http://127.0.0.1:8000/
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from _shared import ChatClient, OfflineModel, input_items, run_example, text_of, user_message
from agents.testing import ModelCall
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from agents import Agent, AgentHooks, RunContextWrapper, TResponseInputItem
from chatkit_agents import AgentServer, AttachmentStore, MemoryStore, ThreadItemConverter, create_app
from chatkit_agents.agents import attachment_bytes_to_content
from chatkit_agents.errors import NotFoundError
from chatkit_agents.testing import ResponseStream
from chatkit_agents.types import (
    Attachment,
    AttachmentCreateParams,
    AttachmentUploadDescriptor,
    FileAttachment,
    UserMessageTagContent,
)

CUSTOMERS = {"cus_42": "Ada Lovelace, premium plan since 2021, prefers email, 2 open tickets"}


# --- where the bytes live -------------------------------------------------------------------------


# --8<-- [start:attachments]
class MemoryAttachments(AttachmentStore[dict[str, Any]]):
    """Attachment bytes in a dict; ``create_attachment`` hands out an upload URL on this app."""

    def __init__(self, store: MemoryStore[dict[str, Any]]) -> None:
        self.store = store
        self.files: dict[str, bytes] = {}

    async def create_attachment(self, params: AttachmentCreateParams, context: dict[str, Any]) -> Attachment:
        attachment_id = self.store.generate_attachment_id(params.mime_type, context)
        upload = AttachmentUploadDescriptor(url=f"{context['base_url']}files/{attachment_id}", method="PUT")
        return FileAttachment(
            id=attachment_id, name=params.name, mime_type=params.mime_type, upload_descriptor=upload
        )

    async def delete_attachment(self, attachment_id: str, context: dict[str, Any]) -> None:
        self.files.pop(attachment_id, None)

    async def upload(self, request: Request) -> Response:
        """``PUT /files/{id}``: the second phase of the upload; the attachment is then complete."""
        attachment_id = request.path_params["attachment_id"]
        context = request_context(request)
        try:
            attachment = await self.store.load_attachment(attachment_id, context)
        except NotFoundError:
            return Response("unknown attachment", status_code=404)
        data = await request.body()
        if len(data) > self.max_size:  # the limit attachments.create checked against the declared size
            return Response("file too large", status_code=413)
        self.files[attachment_id] = data
        await self.store.save_attachment(attachment.model_copy(update={"upload_descriptor": None}), context)
        return Response(status_code=204)

    async def resolve(self, attachment: Attachment) -> Any:
        """The converter's ``attachment_resolver``: text files inline as text, the rest as file parts."""
        data = self.files.get(attachment.id)
        if data is None:
            return None  # not uploaded: the converter raises AttachmentNotResolvedError
        if attachment.mime_type.startswith("text/"):
            text = data.decode("utf-8", errors="replace")
            return {"type": "input_text", "text": f'<file name="{attachment.name}">\n{text}\n</file>'}
        return attachment_bytes_to_content(attachment, data)


# --8<-- [end:attachments]


# --- the converter --------------------------------------------------------------------------------


# --8<-- [start:converter]
class CrmConverter(ThreadItemConverter):
    """Tags name customers: tell the model who they are."""

    async def tag_to_context(self, tag: UserMessageTagContent) -> str | None:
        record = CUSTOMERS.get(tag.id)
        if record is None:
            return await super().tag_to_context(tag)
        return f"@{tag.text} is customer {tag.id}: {record}"


# --8<-- [end:converter]


class ShowModelInput(AgentHooks[Any]):
    """Prints the last user message the model receives (with the tag context and the file)."""

    async def on_llm_start(
        self,
        context: RunContextWrapper[Any],
        agent: Agent[Any],
        system_prompt: str | None,
        input_items: list[TResponseInputItem],
    ) -> None:
        print("model input (newest items):")
        for item in input_items[-2:]:
            content = dict(item).get("content")
            parts = content if isinstance(content, list) else [{"type": "input_text", "text": content}]
            for part in parts:
                text = str(dict(part).get("text", dict(part).get("type")))
                print("  " + text.replace("\n", "\n  "))


# --- the app --------------------------------------------------------------------------------------


def request_context(request: Request) -> dict[str, Any]:
    """The context every store call gets; the attachment store needs this app's URL for upload links."""
    return {"base_url": str(request.base_url)}


agent = Agent(
    name="Account manager",
    instructions="Help account managers with their customers. Use the tagged customer's record.",
    hooks=ShowModelInput(),
)


# --8<-- [start:app]
def build_app(offline: bool) -> Starlette:
    """The ChatKit app plus the upload route."""
    store = MemoryStore[dict[str, Any]]()
    attachments = MemoryAttachments(store)
    server = AgentServer(
        agent.clone(model=OfflineModel(script)) if offline else agent,
        store,
        attachment_store=attachments,
        input_converter=CrmConverter(attachment_resolver=attachments.resolve),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncGenerator[None, None]:
        yield
        await store.close()  # a mounted app gets no lifespan events of its own

    chatkit = create_app(server, context_factory=request_context, ui=True)
    return Starlette(
        routes=[
            Route("/files/{attachment_id}", attachments.upload, methods=["PUT"]),
            Mount("/", app=chatkit),
        ],
        lifespan=lifespan,
    )


# --8<-- [end:app]


def script(call: ModelCall) -> Any:
    """Answer from what the converter put in the input: the customer's record and the attached notes."""
    seen = "\n".join(text_of(item) for item in input_items(call))
    customer = "Ada (premium plan)" if "cus_42: Ada Lovelace, premium" in seen else "the customer"
    tickets = seen.count("Ticket ")
    return (
        ResponseStream("resp_1")
        .message(
            f"Draft for {customer}: ", f"thanks for your patience; I looked into your {tickets} tickets."
        )
        .step()
    )


# --8<-- [start:conversation]
async def conversation(client: ChatClient) -> None:
    """Upload a note, then ask about a tagged customer with the note attached."""
    note = b"Ticket 311: invoice shows the wrong VAT number.\nTicket 312: wants an annual plan."
    attachment = await client.send(
        {
            "type": "attachments.create",
            "params": {"name": "notes.txt", "size": len(note), "mime_type": "text/plain"},
        }
    )
    upload = attachment["upload_descriptor"]
    response = await client.http.request(upload["method"], upload["url"], content=note)
    print(f"{upload['method']} {upload['url']} -> {response.status_code}")
    tag = {"type": "input_tag", "id": "cus_42", "text": "Ada Lovelace", "data": {}, "interactive": False}
    after_tag = {"type": "input_text", "text": " about the attached notes."}
    await client.send(
        {
            "type": "threads.create",
            "params": {
                "input": user_message("Draft a reply to ", tag, after_tag, attachments=[attachment["id"]]),
            },
        }
    )


# --8<-- [end:conversation]


if __name__ == "__main__":
    run_example(build_app, conversation, description=__doc__)
