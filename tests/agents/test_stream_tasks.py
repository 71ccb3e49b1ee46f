"""The pure task builders: what each kind of tool call looks like as a workflow task."""

from __future__ import annotations

from inline_snapshot import snapshot

from chatkit_agents.agents import tasks


def test_hosted_tool_tasks_describe_the_call() -> None:
    computer = {"type": "computer_call", "call_id": "c1", "action": {"type": "click", "x": 1, "y": 2}}
    shell = {"type": "shell_call", "call_id": "c2", "action": {"commands": ["ls -la", "pwd"]}}
    local = {"type": "local_shell_call", "call_id": "c3", "action": {"command": ["echo", "hi"]}}
    custom = {"type": "custom_tool_call", "call_id": "c4", "name": "sql", "input": "select 1"}
    rendered = [
        tasks.hosted_tool_task(computer, done=False).model_dump(exclude_none=True),
        tasks.hosted_tool_task(shell, done=True, output="file.txt").model_dump(exclude_none=True),
        tasks.hosted_tool_task(local, done=False).model_dump(exclude_none=True),
        tasks.hosted_tool_task(custom, done=True, output={"rows": 1}).model_dump(exclude_none=True),
        tasks.hosted_tool_task({"type": "something_new"}, done=False).model_dump(exclude_none=True),
    ]
    assert rendered == snapshot(
        [
            {
                "status_indicator": "loading",
                "type": "custom",
                "title": "Using the computer",
                "icon": "desktop",
                "content": "Action: click",
            },
            {
                "status_indicator": "complete",
                "type": "custom",
                "title": "Ran a command",
                "icon": "square-code",
                "content": """\
```
ls -la
pwd
```

Result: file.txt\
""",
            },
            {
                "status_indicator": "loading",
                "type": "custom",
                "title": "Running a command",
                "icon": "square-code",
                "content": """\
```
echo hi
```\
""",
            },
            {
                "status_indicator": "complete",
                "type": "custom",
                "title": "Called sql",
                "icon": "bolt",
                "content": """\
Input: select 1

Result: {"rows": 1}\
""",
            },
            {"status_indicator": "loading", "type": "custom", "title": "Using a tool", "icon": "bolt"},
        ]
    )


def test_function_task_content_is_readable_and_short() -> None:
    task = tasks.function_tool_task("lookup", '{"q":"x"}', output="y" * 50, done=True, max_output_chars=10)
    assert task.model_dump(exclude_none=True) == snapshot(
        {
            "status_indicator": "complete",
            "type": "custom",
            "title": "Called lookup",
            "icon": "bolt",
            "content": """\
Arguments: {"q": "x"}

Result: yyyyyyyyy…\
""",
        }
    )
    assert tasks.format_arguments("not json") == "not json"
    assert tasks.format_arguments("{}") == ""
    assert tasks.summarize_output(None, 10) == ""


def test_annotations_convert_by_kind() -> None:
    url = {"type": "url_citation", "url": "https://e.com", "title": "E", "start_index": 0, "end_index": 5}
    file = {"type": "file_citation", "file_id": "f1", "filename": "a.pdf", "index": 3}
    container = {"type": "container_file_citation", "file_id": "f2", "filename": "b.csv", "end_index": 9}
    assert [
        a.model_dump(exclude_none=True) if a else None
        for a in map(
            tasks.annotation_from_responses,
            [
                url,
                file,
                container,
                {"type": "file_path", "file_id": "f", "index": 1},
                {"type": "file_citation"},
            ],
        )
    ] == snapshot(
        [
            {
                "type": "annotation",
                "source": {"title": "E", "type": "url", "url": "https://e.com"},
                "index": 5,
            },
            {
                "type": "annotation",
                "source": {"title": "a.pdf", "type": "file", "filename": "a.pdf"},
                "index": 3,
            },
            {
                "type": "annotation",
                "source": {"title": "b.csv", "type": "file", "filename": "b.csv"},
                "index": 9,
            },
            None,
            None,
        ]
    )
