"""The behaviour every store shares, run against memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import anyio
import pytest

from chatkit_agents.errors import NotFoundError
from chatkit_agents.store import Store
from chatkit_agents.types import (
    Annotation,
    AssistantMessageContent,
    AssistantMessageItem,
    ClientToolCallItem,
    ClosedStatus,
    CustomSummary,
    CustomTask,
    DurationSummary,
    EndOfTurnItem,
    FileAttachment,
    FileSource,
    GeneratedImage,
    GeneratedImageItem,
    HiddenContextItem,
    ImageAttachment,
    SDKHiddenContextItem,
    SearchTask,
    StructuredInputFreeform,
    StructuredInputItem,
    TaskItem,
    ThoughtTask,
    Thread,
    ThreadItem,
    ThreadMetadata,
    URLSource,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
    Workflow,
    WorkflowItem,
)
from chatkit_agents.widgets import Card, Text

if TYPE_CHECKING:
    from tests.store.conftest import Backend

ALICE = {"user_id": "alice"}
BOB = {"user_id": "bob"}
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def thread_at(thread_id: str, minutes: int = 0, **fields: Any) -> ThreadMetadata:
    return ThreadMetadata(id=thread_id, created_at=T0 + timedelta(minutes=minutes), **fields)


def message(thread_id: str, item_id: str, text: str = "hello", minutes: int = 0) -> UserMessageItem:
    return UserMessageItem(
        id=item_id,
        thread_id=thread_id,
        created_at=T0 + timedelta(minutes=minutes),
        content=[UserMessageTextContent(text=text)],
    )


async def thread_with_items(store: Store[Any], count: int, thread_id: str = "thr_1") -> list[str]:
    await store.save_thread(thread_at(thread_id), ALICE)
    ids = [f"msg_{n}" for n in range(count)]
    for item_id in ids:
        await store.add_thread_item(thread_id, message(thread_id, item_id, text=item_id), ALICE)
    return ids


async def all_item_ids(store: Store[Any], thread_id: str = "thr_1", context: Any = ALICE) -> list[str]:
    page = await store.load_thread_items(thread_id, None, 10_000, "asc", context)
    return [item.id for item in page.data]


# -- threads ------------------------------------------------------------------------------------------


async def test_saved_thread_loads_back_equal_with_an_aware_timestamp(store: Store[Any]) -> None:
    thread = thread_at(
        "thr_1",
        title="Trip",
        status=ClosedStatus(reason="done"),
        allowed_image_domains=["example.com"],
        metadata={"k": [1, "two", None]},
    )
    await store.save_thread(thread, ALICE)

    loaded = await store.load_thread("thr_1", ALICE)

    assert loaded == thread
    assert loaded.created_at.tzinfo is not None
    assert type(loaded) is ThreadMetadata


async def test_saving_a_thread_again_updates_it(store: Store[Any]) -> None:
    await store.save_thread(thread_at("thr_1", title="old"), ALICE)
    await store.save_thread(thread_at("thr_1", title="new", metadata={"x": 1}), ALICE)

    loaded = await store.load_thread("thr_1", ALICE)
    threads = await store.load_threads(10, None, "asc", ALICE)

    assert (loaded.title, loaded.metadata) == ("new", {"x": 1})
    assert [t.id for t in threads.data] == ["thr_1"]


async def test_saving_a_full_thread_stores_only_its_metadata(store: Store[Any]) -> None:
    await store.save_thread(Thread(id="thr_1", created_at=T0, title="t"), ALICE)

    loaded = await store.load_thread("thr_1", ALICE)

    assert loaded == ThreadMetadata(id="thr_1", created_at=T0, title="t")


async def test_naive_timestamps_are_stored_as_utc(store: Store[Any]) -> None:
    thread = thread_at("thr_1")
    thread.created_at = datetime(2026, 3, 4, 5, 6, 7, 891011)  # assignment skips validation
    await store.save_thread(thread, ALICE)
    item = message("thr_1", "msg_1")
    item.created_at = datetime(2026, 3, 4, 5, 6, 8)
    await store.add_thread_item("thr_1", item, ALICE)

    loaded_thread = await store.load_thread("thr_1", ALICE)
    loaded_item = await store.load_item("thr_1", "msg_1", ALICE)

    assert loaded_thread.created_at == datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=timezone.utc)
    assert loaded_item.created_at == datetime(2026, 3, 4, 5, 6, 8, tzinfo=timezone.utc)


async def test_timestamps_with_other_offsets_keep_the_same_instant(store: Store[Any]) -> None:
    plus_two = timezone(timedelta(hours=2))
    await store.save_thread(
        ThreadMetadata(id="thr_1", created_at=datetime(2026, 1, 1, 12, tzinfo=plus_two)), ALICE
    )

    loaded = await store.load_thread("thr_1", ALICE)

    assert loaded.created_at == datetime(2026, 1, 1, 10, tzinfo=timezone.utc)
    assert loaded.created_at.tzinfo is not None


async def test_loading_a_missing_thread_raises_not_found(store: Store[Any]) -> None:
    with pytest.raises(NotFoundError, match="thr_missing"):
        await store.load_thread("thr_missing", ALICE)


async def test_threads_are_listed_by_created_at_in_both_orders(store: Store[Any]) -> None:
    for thread_id, minutes in [("thr_b", 2), ("thr_a", 1), ("thr_c", 3), ("thr_a2", 1)]:
        await store.save_thread(thread_at(thread_id, minutes), ALICE)

    asc = await store.load_threads(10, None, "asc", ALICE)
    desc = await store.load_threads(10, None, "desc", ALICE)

    assert [t.id for t in asc.data] == ["thr_a", "thr_a2", "thr_b", "thr_c"]  # ties: creation order
    assert [t.id for t in desc.data] == ["thr_c", "thr_b", "thr_a2", "thr_a"]
    assert (asc.has_more, asc.after) == (False, "thr_c")


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_thread_pages_follow_the_after_cursor(store: Store[Any], order: Any) -> None:
    for n in range(5):
        await store.save_thread(thread_at(f"thr_{n}", n), ALICE)
    expected = [f"thr_{n}" for n in range(5)]
    if order == "desc":
        expected.reverse()

    first = await store.load_threads(2, None, order, ALICE)
    second = await store.load_threads(2, first.after, order, ALICE)
    third = await store.load_threads(2, second.after, order, ALICE)

    assert [t.id for t in first.data] == expected[:2]
    assert first.has_more
    assert [t.id for t in second.data] == expected[2:4]
    assert second.has_more
    assert [t.id for t in third.data] == expected[4:]
    assert not third.has_more
    assert third.after == expected[4]


async def test_listing_threads_after_an_unknown_thread_raises_not_found(store: Store[Any]) -> None:
    await store.save_thread(thread_at("thr_1"), ALICE)
    with pytest.raises(NotFoundError):
        await store.load_threads(10, "thr_unknown", "asc", ALICE)


async def test_an_empty_thread_list_has_no_cursor(store: Store[Any]) -> None:
    page = await store.load_threads(5, None, "desc", ALICE)
    assert (page.data, page.has_more, page.after) == ([], False, None)


async def test_deleting_a_thread_deletes_its_items(store: Store[Any]) -> None:
    await thread_with_items(store, 3)
    await store.delete_thread("thr_1", ALICE)

    with pytest.raises(NotFoundError):
        await store.load_thread("thr_1", ALICE)
    await store.save_thread(thread_at("thr_1"), ALICE)
    assert await all_item_ids(store) == []


async def test_deleting_a_missing_thread_is_a_no_op(store: Store[Any]) -> None:
    await store.delete_thread("thr_missing", ALICE)
    assert (await store.load_threads(10, None, "asc", ALICE)).data == []


# -- items --------------------------------------------------------------------------------------------


def one_item_of_each_type(thread_id: str) -> list[ThreadItem]:
    base: dict[str, Any] = {"thread_id": thread_id, "created_at": T0}
    source = URLSource(url="https://example.com/a", title="A", attribution="ex")
    return [
        message(thread_id, "msg_user", "Hi ünïcode \u0000 \U0001f600"),
        AssistantMessageItem(
            id="msg_assistant",
            content=[
                AssistantMessageContent(text="Answer", annotations=[Annotation(source=source, index=3)])
            ],
            **base,
        ),
        ClientToolCallItem(
            id="tc_1", call_id="call_1", name="pick", arguments={"a": [1, {"b": None}]}, **base
        ),
        WidgetItem(id="wdg_1", widget=Card(children=[Text(value="w")]), copy_text="w", **base),
        GeneratedImageItem(
            id="img_1", image=GeneratedImage(id="gi_1", url="https://example.com/i.png"), **base
        ),
        StructuredInputItem(id="si_1", inputs=[StructuredInputFreeform(id="q1", question="Why?")], **base),
        WorkflowItem(
            id="wf_1",
            workflow=Workflow(
                type="reasoning",
                tasks=[ThoughtTask(content="hmm"), SearchTask(queries=["q"], sources=[source])],
                summary=DurationSummary(duration=4),
            ),
            **base,
        ),
        WorkflowItem(
            id="wf_2",
            workflow=Workflow(type="custom", tasks=[], summary=CustomSummary(title="Done"), expanded=True),
            **base,
        ),
        TaskItem(id="tsk_1", task=CustomTask(title="t", status_indicator="loading"), **base),
        TaskItem(id="tsk_2", task=CustomTask(title="files"), **base),
        HiddenContextItem(id="hcx_1", content={"anything": [1, 2]}, **base),
        SDKHiddenContextItem(id="shcx_1", content="sdk context", **base),
        EndOfTurnItem(id="eot_1", **base),
    ]


async def test_every_item_type_loads_back_equal_and_of_the_same_class(store: Store[Any]) -> None:
    await store.save_thread(thread_at("thr_1"), ALICE)
    items = one_item_of_each_type("thr_1")
    for item in items:
        await store.add_thread_item("thr_1", item, ALICE)

    page = await store.load_thread_items("thr_1", None, 100, "asc", ALICE)

    assert page.data == items
    assert [type(item) for item in page.data] == [type(item) for item in items]
    for item in items:
        loaded = await store.load_item("thr_1", item.id, ALICE)
        assert loaded == item
        assert loaded.created_at.tzinfo is not None


async def test_file_sources_in_tasks_survive_the_round_trip(store: Store[Any]) -> None:
    from chatkit_agents.types import FileTask

    await store.save_thread(thread_at("thr_1"), ALICE)
    item = TaskItem(
        id="tsk_1",
        thread_id="thr_1",
        created_at=T0,
        task=FileTask(sources=[FileSource(filename="a.txt", title="A")]),
    )
    await store.add_thread_item("thr_1", item, ALICE)
    assert await store.load_item("thr_1", "tsk_1", ALICE) == item


async def test_items_are_ordered_by_insertion_not_by_created_at(store: Store[Any]) -> None:
    await store.save_thread(thread_at("thr_1"), ALICE)
    for n, minutes in enumerate([30, 10, 20]):
        await store.add_thread_item("thr_1", message("thr_1", f"msg_{n}", minutes=minutes), ALICE)

    assert await all_item_ids(store) == ["msg_0", "msg_1", "msg_2"]
    desc = await store.load_thread_items("thr_1", None, 10, "desc", ALICE)
    assert [item.id for item in desc.data] == ["msg_2", "msg_1", "msg_0"]


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("limit", [1, 2, 3, 5, 6])
async def test_item_pages_cover_every_item_once_in_order(store: Store[Any], order: Any, limit: int) -> None:
    ids = await thread_with_items(store, 5)
    expected = ids if order == "asc" else ids[::-1]

    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        page = await store.load_thread_items("thr_1", after, limit, order, ALICE)
        pages += 1
        assert len(page.data) <= limit
        seen += [item.id for item in page.data]
        assert page.after == (page.data[-1].id if page.data else None)
        assert page.has_more == (len(seen) < len(expected))
        if not page.has_more:
            break
        after = page.after

    assert seen == expected
    assert pages == max(1, -(-len(expected) // limit))


async def test_a_page_that_ends_exactly_at_the_last_item_has_no_more(store: Store[Any]) -> None:
    ids = await thread_with_items(store, 4)

    page = await store.load_thread_items("thr_1", ids[1], 2, "asc", ALICE)
    past_end = await store.load_thread_items("thr_1", ids[-1], 2, "asc", ALICE)
    before_start = await store.load_thread_items("thr_1", ids[0], 2, "desc", ALICE)

    assert ([i.id for i in page.data], page.has_more, page.after) == (ids[2:], False, ids[3])
    assert (past_end.data, past_end.has_more, past_end.after) == ([], False, None)
    assert (before_start.data, before_start.has_more) == ([], False)


async def test_item_pages_after_an_unknown_item_raise_not_found(store: Store[Any]) -> None:
    await thread_with_items(store, 2)
    await store.save_thread(thread_at("thr_2"), ALICE)
    await store.add_thread_item("thr_2", message("thr_2", "msg_other"), ALICE)

    with pytest.raises(NotFoundError):
        await store.load_thread_items("thr_1", "msg_unknown", 10, "asc", ALICE)
    with pytest.raises(NotFoundError):  # an item of another thread is no cursor here
        await store.load_thread_items("thr_1", "msg_other", 10, "asc", ALICE)


async def test_items_of_a_missing_thread_raise_not_found(store: Store[Any]) -> None:
    with pytest.raises(NotFoundError):
        await store.load_thread_items("thr_missing", None, 10, "asc", ALICE)


@pytest.mark.parametrize("limit", [0, -1])
async def test_a_limit_below_one_is_rejected_with_a_clear_error(store: Store[Any], limit: int) -> None:
    await thread_with_items(store, 1)
    with pytest.raises(ValueError, match="limit must be >= 1"):
        await store.load_thread_items("thr_1", None, limit, "asc", ALICE)
    with pytest.raises(ValueError, match="limit must be >= 1"):
        await store.load_threads(limit, None, "desc", ALICE)


async def test_an_unknown_order_is_rejected(store: Store[Any]) -> None:
    await thread_with_items(store, 1)
    with pytest.raises(ValueError, match="order must be"):
        await store.load_thread_items("thr_1", None, 10, "newest", ALICE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="order must be"):
        await store.load_threads(10, None, "up", ALICE)  # type: ignore[arg-type]


async def test_adding_an_existing_item_id_replaces_it_in_place(store: Store[Any]) -> None:
    await thread_with_items(store, 3)

    await store.add_thread_item("thr_1", message("thr_1", "msg_1", text="retried"), ALICE)

    assert await all_item_ids(store) == ["msg_0", "msg_1", "msg_2"]
    loaded = await store.load_item("thr_1", "msg_1", ALICE)
    assert isinstance(loaded, UserMessageItem)
    assert loaded.content == [UserMessageTextContent(text="retried")]


async def test_save_item_replaces_in_place_and_may_change_the_item_type(store: Store[Any]) -> None:
    await thread_with_items(store, 3)
    replacement = AssistantMessageItem(
        id="msg_1", thread_id="thr_1", created_at=T0, content=[AssistantMessageContent(text="x")]
    )

    await store.save_item("thr_1", replacement, ALICE)

    assert await all_item_ids(store) == ["msg_0", "msg_1", "msg_2"]
    assert await store.load_item("thr_1", "msg_1", ALICE) == replacement


async def test_save_item_appends_a_new_item(store: Store[Any]) -> None:
    await thread_with_items(store, 2)
    await store.save_item("thr_1", message("thr_1", "msg_new"), ALICE)
    assert await all_item_ids(store) == ["msg_0", "msg_1", "msg_new"]


async def test_the_same_item_id_in_two_threads_is_two_items(store: Store[Any]) -> None:
    await thread_with_items(store, 1, "thr_1")
    await thread_with_items(store, 1, "thr_2")
    await store.save_item("thr_2", message("thr_2", "msg_0", text="second"), ALICE)

    first = await store.load_item("thr_1", "msg_0", ALICE)
    assert isinstance(first, UserMessageItem)
    assert first.content == [UserMessageTextContent(text="msg_0")]


async def test_adding_an_item_to_a_missing_thread_raises_not_found(store: Store[Any]) -> None:
    with pytest.raises(NotFoundError):
        await store.add_thread_item("thr_missing", message("thr_missing", "msg_1"), ALICE)
    with pytest.raises(NotFoundError):
        await store.save_item("thr_missing", message("thr_missing", "msg_1"), ALICE)


async def test_an_item_naming_another_thread_is_refused(store: Store[Any]) -> None:
    await thread_with_items(store, 0)
    with pytest.raises(ValueError, match="belongs to thread"):
        await store.add_thread_item("thr_1", message("thr_other", "msg_1"), ALICE)
    assert await all_item_ids(store) == []


async def test_loading_a_missing_item_raises_not_found(store: Store[Any]) -> None:
    await thread_with_items(store, 1)
    with pytest.raises(NotFoundError, match="msg_missing"):
        await store.load_item("thr_1", "msg_missing", ALICE)
    with pytest.raises(NotFoundError):
        await store.load_item("thr_missing", "msg_0", ALICE)


async def test_deleting_an_item_removes_only_that_item(store: Store[Any]) -> None:
    await thread_with_items(store, 3)
    await store.delete_thread_item("thr_1", "msg_1", ALICE)
    await store.delete_thread_item("thr_1", "msg_missing", ALICE)
    await store.delete_thread_item("thr_missing", "msg_0", ALICE)

    assert await all_item_ids(store) == ["msg_0", "msg_2"]


async def test_deleting_items_after_an_item_keeps_it_and_everything_before(store: Store[Any]) -> None:
    await thread_with_items(store, 5)
    await thread_with_items(store, 2, "thr_2")

    await store.delete_thread_items_after("thr_1", "msg_2", ALICE)

    assert await all_item_ids(store) == ["msg_0", "msg_1", "msg_2"]
    assert await all_item_ids(store, "thr_2") == ["msg_0", "msg_1"]
    await store.delete_thread_items_after("thr_1", "msg_2", ALICE)  # nothing left after it: no-op
    assert await all_item_ids(store) == ["msg_0", "msg_1", "msg_2"]


async def test_items_added_after_a_truncation_go_to_the_end(store: Store[Any]) -> None:
    await thread_with_items(store, 4)
    await store.delete_thread_items_after("thr_1", "msg_1", ALICE)
    await store.add_thread_item("thr_1", message("thr_1", "msg_3"), ALICE)
    await store.add_thread_item("thr_1", message("thr_1", "msg_9"), ALICE)

    assert await all_item_ids(store) == ["msg_0", "msg_1", "msg_3", "msg_9"]


async def test_deleting_items_after_an_unknown_item_raises_not_found(store: Store[Any]) -> None:
    await thread_with_items(store, 2)
    with pytest.raises(NotFoundError):
        await store.delete_thread_items_after("thr_1", "msg_missing", ALICE)
    with pytest.raises(NotFoundError):
        await store.delete_thread_items_after("thr_missing", "msg_0", ALICE)
    assert await all_item_ids(store) == ["msg_0", "msg_1"]


# -- attachments --------------------------------------------------------------------------------------


async def test_attachments_are_saved_loaded_replaced_and_deleted(store: Store[Any]) -> None:
    file = FileAttachment(id="atc_1", name="a.pdf", mime_type="application/pdf", metadata={"path": "/x"})
    image = ImageAttachment(
        id="atc_2",
        name="i.png",
        mime_type="image/png",
        preview_url="https://example.com/i.png",
        thread_id="thr_1",
    )
    await store.save_attachment(file, ALICE)
    await store.save_attachment(image, ALICE)

    assert await store.load_attachment("atc_1", ALICE) == file
    loaded_image = await store.load_attachment("atc_2", ALICE)
    assert loaded_image == image
    assert isinstance(loaded_image, ImageAttachment)

    renamed = file.model_copy(update={"name": "b.pdf"})
    await store.save_attachment(renamed, ALICE)
    assert await store.load_attachment("atc_1", ALICE) == renamed

    await store.delete_attachment("atc_1", ALICE)
    await store.delete_attachment("atc_1", ALICE)
    with pytest.raises(NotFoundError, match="atc_1"):
        await store.load_attachment("atc_1", ALICE)
    assert await store.load_attachment("atc_2", ALICE) == image


# -- isolation between users --------------------------------------------------------------------------


async def test_another_users_data_behaves_like_missing_data(store: Store[Any]) -> None:
    await thread_with_items(store, 2)
    await store.save_attachment(FileAttachment(id="atc_1", name="a", mime_type="text/plain"), ALICE)

    with pytest.raises(NotFoundError):
        await store.load_thread("thr_1", BOB)
    with pytest.raises(NotFoundError):
        await store.load_thread_items("thr_1", None, 10, "asc", BOB)
    with pytest.raises(NotFoundError):
        await store.load_item("thr_1", "msg_0", BOB)
    with pytest.raises(NotFoundError):
        await store.load_attachment("atc_1", BOB)
    with pytest.raises(NotFoundError):
        await store.add_thread_item("thr_1", message("thr_1", "msg_bob"), BOB)
    with pytest.raises(NotFoundError):
        await store.save_item("thr_1", message("thr_1", "msg_0", "overwritten"), BOB)
    with pytest.raises(NotFoundError):
        await store.delete_thread_items_after("thr_1", "msg_0", BOB)
    assert (await store.load_threads(10, None, "asc", BOB)).data == []


async def test_another_user_cannot_delete_or_change_data(store: Store[Any]) -> None:
    await thread_with_items(store, 2)
    attachment = FileAttachment(id="atc_1", name="a", mime_type="text/plain")
    await store.save_attachment(attachment, ALICE)

    await store.delete_thread_item("thr_1", "msg_0", BOB)
    await store.delete_thread("thr_1", BOB)
    await store.delete_attachment("atc_1", BOB)
    await store.save_thread(thread_at("thr_1", title="bob's"), BOB)  # Bob's own thread, same id
    await store.add_thread_item("thr_1", message("thr_1", "msg_0", "bob"), BOB)

    assert (await store.load_thread("thr_1", ALICE)).title is None
    assert await all_item_ids(store) == ["msg_0", "msg_1"]
    alice_first = await store.load_item("thr_1", "msg_0", ALICE)
    assert isinstance(alice_first, UserMessageItem)
    assert alice_first.content == [UserMessageTextContent(text="msg_0")]
    assert await store.load_attachment("atc_1", ALICE) == attachment
    assert (await store.load_thread("thr_1", BOB)).title == "bob's"
    assert await all_item_ids(store, context=BOB) == ["msg_0"]
    assert [t.id for t in (await store.load_threads(10, None, "asc", ALICE)).data] == ["thr_1"]


async def test_a_thread_cursor_of_another_user_is_unknown(store: Store[Any]) -> None:
    await store.save_thread(thread_at("thr_alice"), ALICE)
    await store.save_thread(thread_at("thr_bob"), BOB)
    with pytest.raises(NotFoundError):
        await store.load_threads(10, "thr_alice", "asc", BOB)


async def test_a_custom_scope_function_decides_the_owner(backend: Backend) -> None:
    store = backend.new_store()
    store._scope_fn = lambda context: context["tenant"]  # what Store(scope=...) sets

    await store.save_thread(thread_at("thr_1"), {"tenant": "t1", "user_id": "a"})

    assert (await store.load_thread("thr_1", {"tenant": "t1", "user_id": "b"})).id == "thr_1"
    with pytest.raises(NotFoundError):
        await store.load_thread("thr_1", {"tenant": "t2", "user_id": "a"})


# -- concurrency and durability -----------------------------------------------------------------------


async def test_many_concurrent_writers_on_one_thread_keep_every_item(store: Store[Any]) -> None:
    await store.save_thread(thread_at("thr_1"), ALICE)
    ids = [f"msg_{n:03}" for n in range(60)]

    async with anyio.create_task_group() as tg:
        for item_id in ids:
            tg.start_soon(store.add_thread_item, "thr_1", message("thr_1", item_id), ALICE)

    stored = await all_item_ids(store)
    assert sorted(stored) == ids
    desc = await store.load_thread_items("thr_1", None, 100, "desc", ALICE)
    assert [item.id for item in desc.data] == stored[::-1]


async def test_concurrent_retries_of_one_item_store_it_once(store: Store[Any]) -> None:
    await thread_with_items(store, 1)

    async with anyio.create_task_group() as tg:
        for n in range(20):
            tg.start_soon(
                store.add_thread_item, "thr_1", message("thr_1", "msg_retry", text=f"try {n}"), ALICE
            )

    assert await all_item_ids(store) == ["msg_0", "msg_retry"]


async def test_concurrent_writes_from_two_store_objects_keep_every_item(backend: Backend) -> None:
    first, second = backend.new_store(), backend.new_store()
    await first.save_thread(thread_at("thr_1"), ALICE)

    async with anyio.create_task_group() as tg:
        for n in range(20):
            writer = first if n % 2 else second
            tg.start_soon(writer.add_thread_item, "thr_1", message("thr_1", f"msg_{n:02}"), ALICE)

    assert sorted(await all_item_ids(first)) == [f"msg_{n:02}" for n in range(20)]
    assert await all_item_ids(first) == await all_item_ids(second)


async def test_a_reopened_store_shows_the_same_data(backend: Backend) -> None:
    if not backend.persistent:
        pytest.skip("memory stores keep nothing once the object is gone")
    store = backend.new_store()
    ids = await thread_with_items(store, 3)
    await store.save_attachment(FileAttachment(id="atc_1", name="a", mime_type="text/plain"), ALICE)
    await store.close()

    reopened = backend.new_store()

    assert (await reopened.load_thread("thr_1", ALICE)).created_at == T0
    assert await all_item_ids(reopened) == ids
    assert (await reopened.load_attachment("atc_1", ALICE)).name == "a"
    await reopened.add_thread_item("thr_1", message("thr_1", "msg_late"), ALICE)
    assert await all_item_ids(reopened) == [*ids, "msg_late"]


async def test_a_closed_store_refuses_further_use(backend: Backend) -> None:
    if backend.name == "memory":
        pytest.skip("a memory store holds no resources to close")
    store = backend.new_store()
    await store.save_thread(thread_at("thr_1"), ALICE)
    await store.close()
    with pytest.raises(RuntimeError, match="closed"):
        await store.load_thread("thr_1", ALICE)


async def test_generated_ids_are_collision_safe_and_prefixed(store: Store[Any]) -> None:
    thread = thread_at("thr_1")
    thread_ids = {store.generate_thread_id(ALICE) for _ in range(200)}
    item_ids = {store.generate_item_id("message", thread, ALICE) for _ in range(200)}

    assert len(thread_ids) == len(item_ids) == 200
    assert all(i.startswith("thr_") and len(i) >= 4 + 24 for i in thread_ids)
    assert all(i.startswith("msg_") for i in item_ids)
    assert store.generate_attachment_id("image/png", ALICE).startswith("atc_")
