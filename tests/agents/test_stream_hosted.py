"""Hosted and local tools: web search, file search, image generation, code interpreter, MCP, computer,
shell and apply_patch become tasks (and images become generated_image items)."""

# ruff: noqa: E501 (event snapshots are long lines)

from __future__ import annotations

from typing import Any

from inline_snapshot import snapshot

from agents import (
    Agent,
    ApplyPatchTool,
    CodeInterpreterTool,
    FileSearchTool,
    HostedMCPTool,
    ImageGenerationTool,
    WebSearchTool,
)
from chatkit_agents.agents import StreamConverter, StreamState
from chatkit_agents.testing import render_events
from chatkit_agents.testing.responses import ResponseStream, file_search_result, url_citation


async def test_web_search_becomes_a_search_task_with_queries_and_sources(
    check_settled: Any, run_agent: Any
) -> None:
    stream = (
        ResponseStream("resp_1")
        .web_search("acme stock", sources=["https://example.com/acme", "https://news.example/acme"])
        .web_open_page("https://example.com/acme")
        .message("ACME is up.", annotations=[url_citation("https://example.com/acme", "ACME", end_index=11)])
    )
    events, _, _ = await run_agent(Agent(name="A", tools=[WebSearchTool()]), "?", [stream])
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] web_search loading "Searching the web" query="acme stock" queries=["acme stock"]
  task.updated          wf_1 [0] web_search complete "Searched the web" query="acme stock" queries=["acme stock"] sources=[url:https://example.com/acme, url:https://news.example/acme]
  task.added            wf_1 [1] web_search loading "Reading a page" sources=[url:https://example.com/acme]
  task.updated          wf_1 [1] web_search complete "Reading a page" sources=[url:https://example.com/acme]
thread.item.done        wf_1 workflow custom summary=0s
    [0] web_search complete "Searched the web" query="acme stock" queries=["acme stock"] sources=[url:https://example.com/acme, url:https://news.example/acme]
    [1] web_search complete "Reading a page" sources=[url:https://example.com/acme]
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "ACME is up."
  annotation_added      msg_2 [0] #0 url:https://example.com/acme@11
  content_part.done     msg_2 [0] "ACME is up." [1 annotation: url:https://example.com/acme@11]
thread.item.done        msg_2 assistant_message "ACME is up." [1 annotation: url:https://example.com/acme@11]\
""")


async def test_file_search_becomes_a_file_task_with_sources(check_settled: Any, run_agent: Any) -> None:
    stream = (
        ResponseStream("resp_1")
        .file_search("refund policy", results=[file_search_result("policy.pdf", "Refunds within 30 days.")])
        .message("30 days.")
    )
    tool = FileSearchTool(vector_store_ids=["vs_1"], include_search_results=True)
    events, _, _ = await run_agent(Agent(name="A", tools=[tool]), "?", [stream])
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] file loading "Searching files"
  task.updated          wf_1 [0] file complete "Searched files for “refund policy”" sources=[file:policy.pdf]
thread.item.done        wf_1 workflow custom summary=0s
    [0] file complete "Searched files for “refund policy”" sources=[file:policy.pdf]
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "30 days."
  content_part.done     msg_2 [0] "30 days."
thread.item.done        msg_2 assistant_message "30 days."\
""")


class UploadingConverter(StreamConverter):
    """Stores images somewhere and links them instead of sending data URLs."""

    async def base64_image_to_url(
        self, image_id: str, base64_image: str, partial_image_index: int | None = None
    ) -> str:
        suffix = "final" if partial_image_index is None else f"partial-{partial_image_index}"
        return f"https://cdn.example/{image_id}/{suffix}.png"


async def test_image_generation_streams_partial_images_into_a_generated_image_item(
    check_settled: Any, run_agent: Any
) -> None:
    stream = (
        ResponseStream("resp_1")
        .reasoning("Drawing.")
        .image_generation("RklOQUw=", partial_images=["UDA=", "UDE="])
        .message("Here it is.")
    )
    tool = ImageGenerationTool(tool_config={"type": "image_generation", "partial_images": 2})
    events, _, _ = await run_agent(
        Agent(name="A", tools=[tool]), "Draw", [stream], converter=UploadingConverter()
    )
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow reasoning
  task.added            wf_1 [0] thought loading content="Drawing."
  task.updated          wf_1 [0] thought complete content="Drawing."
  task.added            wf_1 [1] image loading "Generating an image"
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Drawing."
    [1] image loading "Generating an image"
thread.item.added       img_2 generated_image (no image)
  image.updated         img_2 img_2 https://cdn.example/img_2/partial-0.png progress=0.33
  image.updated         img_2 img_2 https://cdn.example/img_2/partial-1.png progress=0.67
thread.item.done        img_2 generated_image img_2 https://cdn.example/img_2/final.png
  task.updated          wf_1 [1] image complete "Generated an image"
thread.item.done        wf_1 workflow reasoning summary=0s
    [0] thought complete content="Drawing."
    [1] image complete "Generated an image"
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Here it is."
  content_part.done     msg_3 [0] "Here it is."
thread.item.done        msg_3 assistant_message "Here it is."\
""")


async def test_failed_image_generation_is_removed_with_a_warning(check_settled: Any, run_agent: Any) -> None:
    stream = ResponseStream("resp_1").image_generation(None, error="moderation").message("Sorry.")
    tool = ImageGenerationTool(tool_config={"type": "image_generation"})
    events, _, _ = await run_agent(Agent(name="A", tools=[tool]), "Draw", [stream])
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] image loading "Generating an image"
thread.item.done        wf_1 workflow custom summary=0s
    [0] image loading "Generating an image"
thread.item.added       img_2 generated_image (no image)
thread.item.removed     img_2
notice                  warning "The image could not be generated."
  task.updated          wf_1 [0] image complete "Image generation failed"
thread.item.done        wf_1 workflow custom summary=0s
    [0] image complete "Image generation failed"
thread.item.added       msg_3 assistant_message
  content_part.added    msg_3 [0] ""
  text_delta            msg_3 [0] "Sorry."
  content_part.done     msg_3 [0] "Sorry."
thread.item.done        msg_3 assistant_message "Sorry."\
""")


async def test_code_interpreter_and_hosted_mcp_become_tasks(check_settled: Any, run_agent: Any) -> None:
    stream = (
        ResponseStream("resp_1")
        .code_interpreter("print(6 * 7)", logs="42\n")
        .mcp_list_tools("docs", ["search"])
        .mcp_call("docs", "search", {"q": "refunds"}, output="Refunds: 30 days")
        .mcp_call("docs", "search", {"q": "boom"}, error="server down")
        .message("Done.")
    )
    tools: list[Any] = [
        CodeInterpreterTool(tool_config={"type": "code_interpreter", "container": {"type": "auto"}}),
        HostedMCPTool(
            tool_config={
                "type": "mcp",
                "server_label": "docs",
                "server_url": "https://mcp.example",
                "require_approval": "never",
            }
        ),
    ]
    events, _, _ = await run_agent(Agent(name="A", tools=tools), "?", [stream])
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Running code" icon=square-code
  task.updated          wf_1 [0] custom complete "Ran code" icon=square-code content="```python\\nprint(6 * 7)\\n```\\n\\n```\\n42\\n```"
  task.added            wf_1 [1] custom loading "Calling docs: search" icon=bolt
  task.updated          wf_1 [1] custom complete "Called docs: search" icon=bolt content='Arguments: {"q": "refunds"}\\n\\nResult: Refunds: 30 days'
  task.added            wf_1 [2] custom loading "Calling docs: search" icon=bolt
  task.updated          wf_1 [2] custom complete "docs: search failed" icon=bolt content='Arguments: {"q": "boom"}\\n\\nError: server down'
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom complete "Ran code" icon=square-code content="```python\\nprint(6 * 7)\\n```\\n\\n```\\n42\\n```"
    [1] custom complete "Called docs: search" icon=bolt content='Arguments: {"q": "refunds"}\\n\\nResult: Refunds: 30 days'
    [2] custom complete "docs: search failed" icon=bolt content='Arguments: {"q": "boom"}\\n\\nError: server down'
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Done."
  content_part.done     msg_2 [0] "Done."
thread.item.done        msg_2 assistant_message "Done."\
""")


async def test_apply_patch_call_is_a_task_completed_by_its_output(check_settled: Any, run_agent: Any) -> None:
    class Editor:
        def create_file(self, operation: Any) -> Any:
            return "created"

        def update_file(self, operation: Any) -> Any:
            return "patched README.md"

        def delete_file(self, operation: Any) -> Any:
            return "deleted"

    steps = [
        ResponseStream("resp_1").apply_patch_call("README.md", "@@ -1 +1 @@\n-old\n+new\n"),
        ResponseStream("resp_2").message("Patched."),
    ]
    events, _, _ = await run_agent(Agent(name="A", tools=[ApplyPatchTool(editor=Editor())]), "?", steps)
    check_settled(events)
    assert render_events(events) == snapshot("""\
thread.item.added       wf_1 workflow custom
    [0] custom loading "Editing files" icon=write content="update_file: README.md"
  task.updated          wf_1 [0] custom complete "Edited files" icon=write content="update_file: README.md\\n\\nResult: patched README.md"
thread.item.done        wf_1 workflow custom summary=0s
    [0] custom complete "Edited files" icon=write content="update_file: README.md\\n\\nResult: patched README.md"
thread.item.added       msg_2 assistant_message
  content_part.added    msg_2 [0] ""
  text_delta            msg_2 [0] "Patched."
  content_part.done     msg_2 [0] "Patched."
thread.item.done        msg_2 assistant_message "Patched."\
""")


async def test_one_converter_override_changes_one_mapping(run_agent: Any) -> None:
    class NoSearchTasks(StreamConverter):
        async def on_web_search_added(
            self, state: StreamState, output_index: int, item: dict[str, Any]
        ) -> Any:
            return
            yield

        async def on_web_search_done(
            self, state: StreamState, output_index: int, item: dict[str, Any]
        ) -> Any:
            return
            yield

    stream = ResponseStream("resp_1").web_search("acme", sources=["https://e.com"]).message("Up.")
    events, _, _ = await run_agent(
        Agent(name="A", tools=[WebSearchTool()]), "?", [stream], converter=NoSearchTasks()
    )
    assert render_events(events) == snapshot("""\
thread.item.added       msg_1 assistant_message
  content_part.added    msg_1 [0] ""
  text_delta            msg_1 [0] "Up."
  content_part.done     msg_1 [0] "Up."
thread.item.done        msg_1 assistant_message "Up."\
""")
