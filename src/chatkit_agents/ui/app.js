// chatkit-agents offline chat page: speaks the ChatKit protocol (JSON requests, SSE event streams) to this
// app's own endpoint, renders every thread item kind, and lists each stream event in an inspector pane.
// Everything the model, a tool or a widget sends is rendered as text (textContent), never as HTML.

import { insertMarkers, link, renderMarkdown, stripMarkers } from "./markdown.js";
import { UPDATE_NAMES as SHORT_UPDATES, renderEvents } from "./snapshot.js";
import { iconElement, imageElement, renderWidget, walkWidget } from "./widgets.js";

const $ = (id) => document.getElementById(id);
const ENDPOINT = document.querySelector('meta[name="chatkit-endpoint"]')?.content || "/chatkit";
const HIDDEN_ITEMS = new Set(["hidden_context_item", "sdk_hidden_context", "end_of_turn"]);
const THREAD_PAGE = 20;
const MAX_ITEM_PAGES = 50;

// --- state --------------------------------------------------------------------------------------------

const state = {
  threads: new Map(), // id -> thread metadata (wire JSON)
  threadsAfter: null,
  thread: null, // current thread metadata, null for a new chat
  items: new Map(), // id -> item (wire JSON), kept up to date by stream events
  order: [], // item ids in thread order
  done: new Set(), // ids of items that are complete
  stopped: new Set(), // ids of items cut short by Stop
  feedback: new Map(), // item id -> "positive" | "negative"
  progress: null,
  streaming: null, // { controller, allowCancel, pendingToolCalls: [] }
  renameId: null,
  deleteId: null,
};

// --- browser-side tools and effects -------------------------------------------------------------------

const clientTools = new Map();
const effectHandlers = new Map();

/** Register a browser-side tool: when the assistant calls `name`, `fn(arguments)` answers it. */
function registerClientTool(name, fn) {
  clientTools.set(String(name), fn);
}

/** Register a handler for `client_effect` events named `name`. */
function registerEffect(name, fn) {
  effectHandlers.set(String(name), fn);
}

// The demo's browser tool: facts only the browser knows.
registerClientTool("get_browser_info", () => ({
  language: navigator.language,
  time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  local_time: new Date().toString(),
  viewport: { width: window.innerWidth, height: window.innerHeight },
}));

// --- inspector ----------------------------------------------------------------------------------------

const inspector = {
  streams: [], // { id, request, started, events: [{ at, event, size }] }
  selected: null,
};

function startInspectorStream(request) {
  const stream = { id: inspector.streams.length + 1, request, started: performance.now(), events: [] };
  inspector.streams.push(stream);
  const header = document.createElement("li");
  header.className = "event-group";
  header.dataset.stream = String(stream.id);
  const label = document.createElement("span");
  label.textContent = `#${stream.id} ${request.type}`;
  const copy = document.createElement("button");
  copy.type = "button";
  copy.className = "btn btn-small";
  copy.textContent = "Copy";
  copy.title = "Copy this stream as a snapshot";
  copy.addEventListener("click", () => copySnapshot(stream));
  header.append(label, copy);
  $("event-list").append(header);
  return stream;
}

// Item updates are shown by their short name under the item (as in the snapshot format).
function describeEvent(event) {
  if (event.type === "thread.item.updated") {
    const kind = event.update?.type ?? "?";
    return `↳ ${SHORT_UPDATES[kind] ?? kind}`;
  }
  return String(event.type);
}

function eventItemId(event) {
  return event.item?.id ?? event.item_id ?? event.thread?.id ?? "";
}

function recordEvent(stream, event, size) {
  const at = performance.now() - stream.started;
  const entry = { at, event, size };
  stream.events.push(entry);
  const row = document.createElement("li");
  row.className = "event-row";
  row.tabIndex = 0;
  row.dataset.type = event.type;
  row.dataset.stream = String(stream.id);
  const cells = [
    [`+${Math.round(at)} ms`, "ev-time"],
    [describeEvent(event), "ev-type"],
    [eventItemId(event), "ev-item"],
    [`${size} B`, "ev-size"],
  ];
  for (const [text, cls] of cells) {
    const span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    row.append(span);
  }
  const show = () => {
    for (const el of document.querySelectorAll(".event-row.selected")) el.classList.remove("selected");
    row.classList.add("selected");
    $("event-detail-title").textContent = `${describeEvent(event)} · +${Math.round(at)} ms · ${size} B`;
    $("event-detail").textContent = JSON.stringify(event, null, 2);
  };
  row.addEventListener("click", show);
  row.addEventListener("keydown", (e) => {
    if (e.key === "Enter") show();
  });
  const list = $("event-list");
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  list.append(row);
  if (atBottom) list.scrollTop = list.scrollHeight;
  $("inspector-count").textContent = String(inspector.streams.reduce((n, s) => n + s.events.length, 0));
}

async function copySnapshot(stream) {
  const target = stream ?? inspector.streams.at(-1);
  const text = target ? renderEvents(target.events.map((e) => e.event)) : "";
  const output = $("snapshot-output");
  output.hidden = false;
  output.value = text;
  try {
    await navigator.clipboard.writeText(text);
    $("event-detail-title").textContent = `Copied stream #${target?.id ?? "-"} as a snapshot.`;
  } catch {
    output.select();
    $("event-detail-title").textContent = "Clipboard unavailable: the snapshot is selected below.";
  }
  return text;
}

// --- protocol -----------------------------------------------------------------------------------------

class RequestFailed extends Error {}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body?.error?.message || body?.detail || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

/** A non-streaming request: returns the decoded JSON answer. */
async function call(type, params) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ type, params }),
  });
  if (!response.ok) throw new RequestFailed(await errorMessage(response));
  return response.json();
}

/** Split an SSE byte stream into `data:` payloads (joined across lines), per the EventSource rules. */
async function* sseMessages(body, signal) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let data = [];
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        if (newline === buffer.length - 1 && buffer[newline] === "\r") break; // maybe half of "\r\n"
        const line = buffer.slice(0, newline);
        const width = buffer.startsWith("\r\n", newline) ? 2 : 1;
        buffer = buffer.slice(newline + width);
        if (line === "") {
          if (data.length) yield data.join("\n");
          data = [];
        } else if (line.startsWith("data:")) {
          data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
        }
        // comments (":...") and other fields (event:, id:, retry:) are ignored
      }
      if (signal?.aborted) break;
    }
    if (data.length) yield data.join("\n");
  } finally {
    reader.releaseLock();
  }
}

const encoder = new TextEncoder();

/** A streaming request: every event goes to the inspector and then to `onEvent`. */
async function stream(type, params, onEvent) {
  const request = { type, params };
  const controller = new AbortController();
  state.streaming = { controller, allowCancel: true, pendingToolCalls: [], request };
  setBusy(true);
  const record = startInspectorStream(request);
  try {
    const response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(request),
      signal: controller.signal,
    });
    if (!response.ok) throw new RequestFailed(await errorMessage(response));
    for await (const payload of sseMessages(response.body, controller.signal)) {
      let event;
      try {
        event = JSON.parse(payload);
      } catch {
        banner("danger", "The server sent an event that is not JSON.");
        continue;
      }
      // The inspector keeps its own copy: applying events mutates the page's item objects.
      recordEvent(record, JSON.parse(payload), encoder.encode(payload).length);
      try {
        onEvent(event);
      } catch (error) {
        // One event the page cannot apply must not lose the rest of the stream (the inspector has it).
        console.error("could not apply a ChatKit event", event.type, error);
      }
    }
    return { aborted: false };
  } catch (error) {
    if (controller.signal.aborted) return { aborted: true };
    throw error;
  } finally {
    const pending = state.streaming?.pendingToolCalls ?? [];
    state.streaming = null;
    setBusy(false);
    setProgress(null);
    if (!controller.signal.aborted && pending.length) queueMicrotask(() => answerClientTools(pending));
  }
}

// --- applying events ----------------------------------------------------------------------------------

function applyEvent(event) {
  switch (event.type) {
    case "thread.created":
    case "thread.updated":
      setThread(event.thread, { render: false });
      upsertThreadInList(event.thread, event.type === "thread.created");
      return;
    case "thread.item.added":
    case "thread.item.done":
    case "thread.item.replaced":
      putItem(event.item, event.type !== "thread.item.added");
      if (event.type === "thread.item.added") setProgress(null);
      if (event.type === "thread.item.done") noteClientToolCall(event.item);
      return;
    case "thread.item.updated":
      updateItem(event.item_id, event.update);
      return;
    case "thread.item.removed":
      removeItem(event.item_id);
      return;
    case "stream_options":
      if (state.streaming) state.streaming.allowCancel = Boolean(event.stream_options?.allow_cancel);
      setBusy(true);
      return;
    case "progress_update":
      setProgress(event);
      return;
    case "client_effect": {
      const handler = effectHandlers.get(event.name);
      if (handler) handler(event.data ?? {});
      return;
    }
    case "error":
      showError(event);
      return;
    case "notice":
      banner(event.level, event.message, event.title);
      return;
    default:
      console.warn("unknown ChatKit event", event.type);
  }
}

function putItem(item, done) {
  if (!item || typeof item.id !== "string") return;
  if (!state.items.has(item.id)) state.order.push(item.id);
  state.items.set(item.id, item);
  if (done) state.done.add(item.id);
  renderItem(item.id);
  if (item.type === "user_message" && state.thread && !state.thread.title) {
    $("thread-title").textContent = headerTitle();
    const entry = document.querySelector(`#thread-list [data-thread-id="${CSS.escape(state.thread.id)}"] .thread-open`);
    if (entry) entry.textContent = entry.title = headerTitle();
  }
}

function removeItem(id) {
  state.items.delete(id);
  state.done.delete(id);
  state.stopped.delete(id);
  state.order = state.order.filter((x) => x !== id);
  document.querySelector(`#items > [data-item-id="${CSS.escape(id)}"]`)?.remove();
}

function updateItem(id, update) {
  const item = state.items.get(id);
  if (!item || !update) return;
  switch (update.type) {
    case "assistant_message.content_part.added":
      item.content = item.content ?? [];
      item.content[update.content_index] = update.content;
      break;
    case "assistant_message.content_part.text_delta": {
      item.content = item.content ?? [];
      const part = (item.content[update.content_index] ??= { type: "output_text", text: "", annotations: [] });
      part.text = (part.text ?? "") + update.delta;
      break;
    }
    case "assistant_message.content_part.annotation_added": {
      const part = item.content?.[update.content_index];
      if (part) (part.annotations ??= [])[update.annotation_index] = update.annotation;
      break;
    }
    case "assistant_message.content_part.done":
      item.content = item.content ?? [];
      item.content[update.content_index] = update.content;
      break;
    case "workflow.task.added":
      item.workflow.tasks.splice(update.task_index, 0, update.task);
      break;
    case "workflow.task.updated":
      item.workflow.tasks[update.task_index] = update.task;
      break;
    case "generated_image.updated":
      item.image = update.image;
      item.progress = update.progress;
      break;
    case "widget.root.updated":
      item.widget = update.widget;
      break;
    case "widget.component.updated":
      walkWidget(item.widget, (node, parent, key) => {
        if (node.id === update.component_id && parent) {
          parent[key] = update.component;
          return true;
        }
        return false;
      });
      break;
    case "widget.streaming_text.value_delta":
      walkWidget(item.widget, (node) => {
        if (node.id === update.component_id) {
          node.value = String(node.value ?? "") + update.delta;
          node.streaming = !update.done;
          return true;
        }
        return false;
      });
      break;
    default:
      console.warn("unknown item update", update.type);
  }
  scheduleRender(id);
}

const renderQueue = new Set();
let renderScheduled = false;

// Text deltas can arrive faster than frames: re-render each touched item once per animation frame.
function scheduleRender(id) {
  renderQueue.add(id);
  if (renderScheduled) return;
  renderScheduled = true;
  requestAnimationFrame(() => {
    renderScheduled = false;
    const ids = [...renderQueue];
    renderQueue.clear();
    for (const queued of ids) renderItem(queued);
  });
}

function noteClientToolCall(item) {
  if (item.type === "client_tool_call" && item.status === "pending" && state.streaming) {
    state.streaming.pendingToolCalls.push(item);
  }
}

// --- rendering items ----------------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function renderItem(id) {
  const item = state.items.get(id);
  const list = $("items");
  const existing = list.querySelector(`:scope > [data-item-id="${CSS.escape(id)}"]`);
  if (!item) {
    existing?.remove();
    return;
  }
  if (HIDDEN_ITEMS.has(item.type)) {
    existing?.remove();
    return;
  }
  const node = el("li", `item item-${item.type}`);
  node.dataset.itemId = id;
  node.dataset.type = item.type;
  node.dataset.done = String(state.done.has(id));
  if (state.stopped.has(id)) node.classList.add("stopped");
  try {
    node.append(renderItemBody(item));
  } catch (error) {
    console.warn("render failed", error);
    node.append(el("pre", "json", JSON.stringify(item, null, 2)));
  }
  const box = $("messages");
  const following = box.scrollTop + box.clientHeight >= box.scrollHeight - 48; // reader is at the end
  if (existing) {
    existing.replaceWith(node);
    if (following) scrollToEnd();
  } else {
    const index = state.order.indexOf(id);
    const nextId = state.order.slice(index + 1).find((x) => list.querySelector(`[data-item-id="${CSS.escape(x)}"]`));
    const next = nextId ? list.querySelector(`:scope > [data-item-id="${CSS.escape(nextId)}"]`) : null;
    list.insertBefore(node, next);
    scrollToEnd();
  }
}

function scrollToEnd() {
  const box = $("messages");
  box.scrollTop = box.scrollHeight;
}

function renderItemBody(item) {
  switch (item.type) {
    case "user_message":
      return renderUserMessage(item);
    case "assistant_message":
      return renderAssistantMessage(item);
    case "workflow":
      return renderWorkflow(item);
    case "task":
      return renderTask(item.task, true);
    case "client_tool_call":
      return renderClientToolCall(item);
    case "widget":
      return renderWidgetItem(item);
    case "generated_image":
      return renderGeneratedImage(item);
    case "structured_input":
      return renderStructuredInput(item);
    default: {
      const pre = el("pre", "json", JSON.stringify(item, null, 2));
      pre.dataset.unknownItem = "true";
      return pre;
    }
  }
}

function renderUserMessage(item) {
  const bubble = el("div", "bubble user");
  if (item.quoted_text) bubble.append(el("blockquote", "quoted", item.quoted_text));
  const text = el("div", "text");
  for (const part of item.content ?? []) {
    if (part.type === "input_tag") text.append(el("span", "tag", `@${part.text}`));
    else text.append(String(part.text ?? ""));
  }
  bubble.append(text);
  for (const attachment of item.attachments ?? []) {
    bubble.append(el("div", "attachment", `Attachment: ${attachment.name ?? attachment.id}`));
  }
  return bubble;
}

function renderAssistantMessage(item) {
  const wrap = el("div", "bubble assistant");
  const sources = [];
  for (const part of item.content ?? []) {
    const citations = [];
    for (const annotation of part?.annotations ?? []) {
      if (!annotation) continue;
      const number = sources.push(annotation.source);
      if (typeof annotation.index === "number") citations.push({ index: annotation.index, number });
    }
    const body = el("div", "markdown");
    body.append(renderMarkdown(insertMarkers(part?.text ?? "", citations)));
    wrap.append(body);
  }
  if (sources.length) wrap.append(renderSources(sources));
  if (!state.done.has(item.id)) {
    wrap.classList.add("streaming");
    return wrap;
  }
  wrap.append(messageActions(item));
  return wrap;
}

function sourceLabel(source) {
  return String(source?.title || source?.url || source?.filename || source?.label || source?.id || "source");
}

function renderSource(source) {
  if (source?.type === "url") return link(source.url, sourceLabel(source));
  const span = el("span", "source-text", sourceLabel(source));
  if (source?.type === "file" && source.filename && source.filename !== source.title) {
    span.textContent += ` (${source.filename})`;
  }
  return span;
}

function renderSources(sources) {
  const box = el("div", "sources");
  box.append(el("div", "sources-title", "Sources"));
  const list = el("ol", "source-list");
  sources.forEach((source, i) => {
    const li = el("li");
    li.dataset.source = String(i + 1);
    li.append(renderSource(source));
    if (source?.description) li.append(el("span", "muted", ` — ${source.description}`));
    list.append(li);
  });
  box.append(list);
  return box;
}

function messageActions(item) {
  const row = el("div", "message-actions");
  const given = state.feedback.get(item.id);
  for (const [kind, label] of [
    ["positive", "▲ Good"],
    ["negative", "▼ Bad"],
  ]) {
    const button = el("button", "btn btn-icon", label);
    button.type = "button";
    button.dataset.feedback = kind;
    button.title = kind === "positive" ? "Good reply" : "Bad reply";
    button.setAttribute("aria-pressed", String(given === kind));
    button.addEventListener("click", () => sendFeedback(item, kind));
    row.append(button);
  }
  const copy = el("button", "btn btn-icon", "Copy");
  copy.type = "button";
  copy.addEventListener("click", () =>
    navigator.clipboard?.writeText((item.content ?? []).map((p) => stripMarkers(p.text)).join("\n\n")),
  );
  row.append(copy);
  const retry = el("button", "btn btn-icon", "Retry");
  retry.type = "button";
  retry.dataset.action = "retry";
  retry.addEventListener("click", () => retryAfter(precedingUserMessage(item.id)));
  row.append(retry);
  return row;
}

function statusIndicator(status) {
  const span = el("span", `status status-${status ?? "none"}`);
  span.dataset.status = status ?? "none";
  if (status === "loading") span.setAttribute("aria-label", "in progress");
  if (status === "complete") {
    span.textContent = "✓";
    span.setAttribute("aria-label", "complete");
  }
  return span;
}

const TASK_TITLES = { thought: "Thought", web_search: "Web search", file: "Files", image: "Image", custom: "Task" };

function renderTask(task, standalone) {
  const box = el("div", `task task-${task?.type ?? "unknown"}`);
  box.dataset.taskType = task?.type ?? "unknown";
  if (standalone) box.classList.add("standalone");
  const head = el("div", "task-head");
  head.append(statusIndicator(task?.status_indicator));
  if (task?.icon) head.append(iconElement(task.icon));
  const title = task?.title ?? (task?.title_query ? `Searching “${task.title_query}”` : TASK_TITLES[task?.type]);
  head.append(el("span", "task-title", title ?? "Task"));
  box.append(head);
  if (task?.type === "web_search") {
    if (task.queries?.length) {
      const queries = el("ul", "queries");
      for (const query of task.queries) queries.append(el("li", "", query));
      box.append(queries);
    }
    if (task.sources?.length) box.append(renderSources(task.sources));
  } else if (task?.type === "file" && task.sources?.length) {
    box.append(renderSources(task.sources));
  }
  if (typeof task?.content === "string" && task.content) {
    const content = el("div", "markdown task-content");
    content.append(renderMarkdown(task.content));
    box.append(content);
  }
  if (!["thought", "custom", "web_search", "file", "image"].includes(task?.type)) {
    box.append(el("pre", "json", JSON.stringify(task, null, 2)));
  }
  return box;
}

function workflowSummaryText(item) {
  const workflow = item.workflow;
  const summary = workflow.summary;
  if (summary && typeof summary.duration === "number") {
    return `Worked for ${summary.duration} second${summary.duration === 1 ? "" : "s"}`;
  }
  if (summary?.title) return summary.title;
  if (!state.done.has(item.id)) return workflow.type === "reasoning" ? "Thinking…" : "Working…";
  return workflow.type === "reasoning" ? "Thought" : `${workflow.tasks.length} steps`;
}

const openWorkflows = new Map(); // item id -> open state chosen by the user

function renderWorkflow(item) {
  const details = el("details", `workflow workflow-${item.workflow?.type}`);
  const streaming = !state.done.has(item.id);
  details.open = openWorkflows.get(item.id) ?? (Boolean(item.workflow?.expanded) || streaming);
  details.addEventListener("toggle", () => openWorkflows.set(item.id, details.open));
  const summary = el("summary", "workflow-summary");
  const icon = item.workflow?.summary?.icon;
  if (icon && !streaming) summary.append(iconElement(icon));
  else summary.append(statusIndicator(streaming ? "loading" : "complete"));
  summary.append(" ", workflowSummaryText(item));
  details.append(summary);
  const tasks = el("ol", "tasks");
  for (const task of item.workflow?.tasks ?? []) {
    const li = el("li");
    li.append(renderTask(task, false));
    tasks.append(li);
  }
  details.append(tasks);
  return details;
}

function renderClientToolCall(item) {
  const box = el("div", "tool-call");
  box.dataset.status = item.status ?? "pending";
  const head = el("div", "tool-head");
  head.append(statusIndicator(item.status === "completed" ? "complete" : "loading"));
  head.append(el("span", "tool-title", `Browser tool: ${item.name}`));
  head.append(el("span", "badge", item.status ?? "pending"));
  box.append(head);
  box.append(el("pre", "json tool-args", JSON.stringify(item.arguments ?? {}, null, 2)));
  if (item.status === "completed") {
    box.append(el("div", "muted", "Output:"));
    box.append(el("pre", "json tool-output", JSON.stringify(item.output ?? null, null, 2)));
  } else if (state.done.has(item.id) && !clientTools.has(item.name) && !state.streaming) {
    box.append(manualToolAnswer(item));
  }
  return box;
}

function manualToolAnswer(item) {
  const form = el("form", "manual-tool");
  form.append(el("div", "muted", `This page has no browser tool named “${item.name}”. Answer with JSON:`));
  const input = el("textarea", "");
  input.rows = 2;
  input.value = "null";
  const send = el("button", "btn", "Send output");
  send.type = "submit";
  form.append(input, send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let result;
    try {
      result = JSON.parse(input.value);
    } catch {
      banner("warning", "The output must be JSON.");
      return;
    }
    sendClientToolOutput(result);
  });
  return form;
}

function renderWidgetItem(item) {
  const box = el("div", "widget-item");
  box.append(
    renderWidget(item.widget, {
      onAction: (action, source, values) => widgetAction(item, action, source, values),
    }),
  );
  if (item.copy_text) {
    const copy = el("button", "btn btn-icon", "Copy");
    copy.type = "button";
    copy.addEventListener("click", () => navigator.clipboard?.writeText(item.copy_text));
    box.append(copy);
  }
  return box;
}

function renderGeneratedImage(item) {
  const box = el("figure", "generated-image");
  if (item.image?.url) box.append(imageElement(item.image.url, "Generated image", "gen-img"));
  else box.append(el("div", "image-placeholder", "Generating image…"));
  const done = state.done.has(item.id);
  if (!done) {
    const bar = el("progress");
    bar.max = 1;
    if (typeof item.progress === "number") bar.value = item.progress;
    box.append(bar);
    const caption = el("figcaption", "muted");
    caption.textContent =
      typeof item.progress === "number" ? `Generating… ${Math.round(item.progress * 100)}%` : "Generating…";
    box.append(caption);
  }
  return box;
}

function renderStructuredInput(item) {
  const form = el("form", "structured-input");
  const pending = (item.status ?? "pending") === "pending";
  for (const input of item.inputs ?? []) {
    const field = el("fieldset");
    field.append(el("legend", "", input.question));
    if (input.type === "multiple_choice") {
      for (const option of input.options ?? []) {
        const label = el("label");
        const box = el("input");
        box.type = input.multiple ? "checkbox" : "radio";
        box.name = input.id;
        box.value = option.value;
        box.disabled = !pending;
        box.checked = Boolean(input.answer?.values?.includes(option.value));
        label.append(box, ` ${option.value}`);
        field.append(label);
      }
    } else {
      if (input.description) field.append(el("div", "muted", input.description));
      const text = el("textarea");
      text.name = input.id;
      text.rows = 2;
      text.disabled = !pending;
      text.value = input.answer?.values?.join("\n") ?? "";
      field.append(text);
    }
    form.append(field);
  }
  if (pending) {
    const send = el("button", "btn btn-primary", "Submit");
    send.type = "submit";
    form.append(send);
  } else {
    form.append(el("div", "muted", item.status));
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const answers = {};
    for (const input of item.inputs ?? []) {
      const values = [...form.querySelectorAll(`[name="${CSS.escape(input.id)}"]`)]
        .filter((c) => (c.type === "checkbox" || c.type === "radio" ? c.checked : c.value.trim()))
        .map((c) => c.value);
      answers[input.id] = { values, skipped: values.length === 0 };
    }
    runStream(
      "threads.add_structured_input",
      { thread_id: state.thread.id, item_id: item.id, input: { status: "answered", answers } },
    );
  });
  return form;
}

// --- actions ------------------------------------------------------------------------------------------

function precedingUserMessage(id) {
  const index = state.order.indexOf(id);
  for (let i = index; i >= 0; i -= 1) {
    const item = state.items.get(state.order[i]);
    if (item?.type === "user_message") return item.id;
  }
  return null;
}

async function sendFeedback(item, kind) {
  if (!state.thread) return;
  try {
    await call("items.feedback", { thread_id: state.thread.id, item_ids: [item.id], kind });
    state.feedback.set(item.id, kind);
    renderItem(item.id);
  } catch (error) {
    banner("danger", `Feedback failed: ${error.message}`);
  }
}

function retryAfter(userMessageId) {
  if (!userMessageId || !state.thread) return;
  const index = state.order.indexOf(userMessageId);
  for (const id of state.order.slice(index + 1)) removeItem(id);
  runStream("threads.retry_after_item", { thread_id: state.thread.id, item_id: userMessageId });
}

function widgetAction(item, action, source, values) {
  const payload = { ...(action.payload ?? {}), ...values };
  if (action.handler === "client") {
    const handler = effectHandlers.get(action.type);
    if (handler) handler(payload);
    else banner("info", `Client action “${action.type}” has no handler on this page.`);
    return;
  }
  if (!state.thread || state.streaming) return;
  for (const button of document.querySelectorAll(`[data-item-id="${CSS.escape(item.id)}"] button`)) {
    button.disabled = true;
  }
  runStream("threads.custom_action", {
    thread_id: state.thread.id,
    item_id: item.id,
    action: { type: action.type, payload },
  }).then(() => renderItem(item.id)); // buttons come back unless the reply replaced or removed the widget
}

async function answerClientTools(calls) {
  const call = calls.at(-1);
  const fn = clientTools.get(call.name);
  if (!fn) {
    renderItem(call.id);
    return;
  }
  let result;
  try {
    result = await fn(call.arguments ?? {});
  } catch (error) {
    result = { error: String(error?.message ?? error) };
  }
  await sendClientToolOutput(result === undefined ? null : result);
}

// The server stores the output on the pending call without an event: show it completed here at once.
async function sendClientToolOutput(result) {
  if (!state.thread) return;
  const pendingId = [...state.order]
    .reverse()
    .find((id) => state.items.get(id)?.type === "client_tool_call" && state.items.get(id).status !== "completed");
  const call = pendingId ? state.items.get(pendingId) : null;
  if (call) {
    call.status = "completed";
    call.output = result;
    renderItem(call.id);
  }
  const ok = await runStream("threads.add_client_tool_output", { thread_id: state.thread.id, result });
  if (!ok && call) {
    call.status = "pending";
    delete call.output;
    renderItem(call.id);
  }
}

/** Run a streaming request; false if it could not be made (the error is shown as a banner). */
async function runStream(type, params) {
  if (state.streaming) return false;
  clearBanners();
  let ok = true;
  try {
    const { aborted } = await stream(type, params, applyEvent);
    if (aborted) markStopped();
  } catch (error) {
    ok = false;
    banner("danger", error instanceof RequestFailed ? error.message : `Request failed: ${error.message}`);
  }
  refreshItemsNeedingIdle();
  return ok;
}

// Items whose rendering depends on whether a stream is running (manual tool answers) are redrawn after it.
function refreshItemsNeedingIdle() {
  for (const id of state.order) {
    const item = state.items.get(id);
    if (item?.type === "client_tool_call" && item.status !== "completed") renderItem(id);
  }
}

function markStopped() {
  for (const id of state.order) {
    if (!state.done.has(id)) {
      state.done.add(id);
      state.stopped.add(id);
      renderItem(id);
    }
  }
  banner("info", "Stopped.");
}

async function sendMessage(text) {
  const input = { content: [{ type: "input_text", text }], attachments: [], inference_options: {} };
  if (state.thread) {
    await runStream("threads.add_user_message", { thread_id: state.thread.id, input });
  } else {
    await runStream("threads.create", { input });
  }
}

// --- threads ------------------------------------------------------------------------------------------

// An untitled thread is named after its first message when it is open (the server may set a title
// later), otherwise after when it was created.
function threadTitle(thread) {
  if (thread?.title) return thread.title;
  if (thread?.id && thread.id === state.thread?.id) {
    const first = state.order.map((id) => state.items.get(id)).find((item) => item?.type === "user_message");
    const text = (first?.content ?? []).map((part) => part.text ?? "").join("").trim();
    if (text) return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  }
  const created = new Date(thread?.created_at ?? NaN);
  return Number.isNaN(created.getTime()) ? "Untitled chat" : `Chat of ${created.toLocaleString()}`;
}

function headerTitle() {
  return state.thread ? threadTitle(state.thread) : "New chat";
}

function setThread(thread, { render = true } = {}) {
  state.thread = thread;
  if (thread) {
    state.threads.set(thread.id, { ...state.threads.get(thread.id), ...thread, items: undefined });
    if (location.hash !== `#thread=${thread.id}`) history.replaceState(null, "", `#thread=${encodeURIComponent(thread.id)}`);
  }
  $("thread-title").textContent = headerTitle();
  updateComposerLock();
  if (render) renderThreadList();
  else highlightCurrentThread();
}

function upsertThreadInList(thread, isNew) {
  const known = state.threads.has(thread.id);
  state.threads.set(thread.id, { ...state.threads.get(thread.id), ...thread, items: undefined });
  if (isNew && known) {
    const entry = state.threads.get(thread.id);
    state.threads.delete(thread.id);
    state.threads = new Map([[thread.id, entry], ...state.threads]);
  } else if (!known) {
    state.threads = new Map([[thread.id, state.threads.get(thread.id)], ...[...state.threads].filter(([id]) => id !== thread.id)]);
  }
  renderThreadList();
}

function highlightCurrentThread() {
  for (const li of $("thread-list").children) {
    li.classList.toggle("current", li.dataset.threadId === state.thread?.id);
  }
}

function renderThreadList() {
  const list = $("thread-list");
  list.replaceChildren();
  for (const thread of state.threads.values()) {
    const li = el("li", "thread");
    li.dataset.threadId = thread.id;
    if (thread.id === state.thread?.id) li.classList.add("current");
    if (state.renameId === thread.id) {
      const form = el("form", "rename");
      const input = el("input");
      input.value = thread.title ?? "";
      input.setAttribute("aria-label", "Thread title");
      const save = el("button", "btn btn-small", "Save");
      save.type = "submit";
      form.append(input, save);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        renameThread(thread.id, input.value.trim());
      });
      input.addEventListener("keydown", (event) => {
        if (event.key === "Escape") {
          state.renameId = null;
          renderThreadList();
        }
      });
      li.append(form);
      list.append(li);
      queueMicrotask(() => input.focus());
      continue;
    }
    const open = el("button", "thread-open", threadTitle(thread));
    open.type = "button";
    open.title = threadTitle(thread);
    open.addEventListener("click", () => openThread(thread.id));
    const rename = el("button", "btn btn-icon", "✎");
    rename.type = "button";
    rename.title = "Rename";
    rename.dataset.action = "rename";
    rename.addEventListener("click", () => {
      state.renameId = thread.id;
      renderThreadList();
    });
    const confirming = state.deleteId === thread.id;
    const remove = el("button", `btn btn-icon${confirming ? " btn-danger" : ""}`, confirming ? "Delete?" : "✕");
    remove.type = "button";
    remove.title = "Delete";
    remove.dataset.action = "delete";
    remove.addEventListener("click", () => {
      if (state.deleteId === thread.id) deleteThread(thread.id);
      else {
        state.deleteId = thread.id;
        renderThreadList();
      }
    });
    li.append(open, rename, remove);
    list.append(li);
  }
}

async function loadThreads(more = false) {
  try {
    const page = await call("threads.list", {
      limit: THREAD_PAGE,
      order: "desc",
      ...(more && state.threadsAfter ? { after: state.threadsAfter } : {}),
    });
    for (const thread of page.data ?? []) {
      state.threads.set(thread.id, { ...thread, items: undefined });
    }
    state.threadsAfter = page.after ?? null;
    $("threads-more").hidden = !page.has_more;
    renderThreadList();
  } catch (error) {
    banner("danger", `Could not load threads: ${error.message}`);
  }
}

async function renameThread(id, title) {
  state.renameId = null;
  if (!title) {
    renderThreadList();
    return;
  }
  try {
    const thread = await call("threads.update", { thread_id: id, title });
    state.threads.set(id, { ...state.threads.get(id), ...thread, items: undefined });
    if (state.thread?.id === id) setThread({ ...state.thread, title: thread.title ?? title }, { render: false });
  } catch (error) {
    banner("danger", `Rename failed: ${error.message}`);
  }
  renderThreadList();
}

async function deleteThread(id) {
  state.deleteId = null;
  try {
    await call("threads.delete", { thread_id: id });
    state.threads.delete(id);
    if (state.thread?.id === id) newChat();
  } catch (error) {
    banner("danger", `Delete failed: ${error.message}`);
  }
  renderThreadList();
}

function resetItems() {
  state.items.clear();
  state.order = [];
  state.done.clear();
  state.stopped.clear();
  $("items").replaceChildren();
  setProgress(null);
}

function newChat() {
  if (state.streaming) return;
  resetItems();
  clearBanners();
  state.thread = null;
  history.replaceState(null, "", location.pathname + location.search);
  setThread(null);
  $("composer-input").focus();
}

async function openThread(id) {
  if (state.streaming) return;
  clearBanners();
  try {
    const thread = await call("threads.get_by_id", { thread_id: id });
    resetItems();
    setThread(thread);
    let page = thread.items ?? { data: [], has_more: false };
    for (let n = 0; ; n += 1) {
      for (const item of page.data ?? []) putItem(item, true);
      if (!page.has_more || !page.after || n >= MAX_ITEM_PAGES) break;
      page = await call("items.list", { thread_id: id, after: page.after, limit: 50, order: "asc" });
    }
    refreshItemsNeedingIdle();
    scrollToEnd();
  } catch (error) {
    banner("danger", `Could not open the thread: ${error.message}`);
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  }
}

// --- chrome: banners, progress, composer --------------------------------------------------------------

function banner(level, message, title) {
  const box = el("div", `banner banner-${level}`);
  box.setAttribute("role", level === "danger" ? "alert" : "status");
  if (title) box.append(el("strong", "", `${title}: `));
  const text = el("span", "markdown-inline");
  const rendered = renderMarkdown(String(message ?? ""));
  // A notice is one short line: unwrap a lone paragraph so it stays inline.
  if (rendered.childNodes.length === 1 && rendered.firstChild.nodeName === "P") {
    text.append(...rendered.firstChild.childNodes);
  } else {
    text.append(rendered);
  }
  box.append(text);
  const close = el("button", "btn btn-icon", "✕");
  close.type = "button";
  close.title = "Dismiss";
  close.addEventListener("click", () => box.remove());
  box.append(close);
  $("banners").append(box);
  return box;
}

function clearBanners() {
  $("banners").replaceChildren();
}

function showError(event) {
  const message =
    event.code === "stream.error" || !event.message ? "Something went wrong. Please try again." : event.message;
  const box = banner("danger", message);
  box.dataset.error = event.code ?? "custom";
  if (event.allow_retry) {
    const retry = el("button", "btn btn-small", "Retry");
    retry.type = "button";
    retry.dataset.action = "retry";
    retry.addEventListener("click", () => {
      const last = [...state.order].reverse().find((id) => state.items.get(id)?.type === "user_message");
      retryAfter(last ?? null);
    });
    box.insertBefore(retry, box.lastChild);
  }
}

function setProgress(event) {
  const box = $("progress");
  state.progress = event;
  if (!event) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.replaceChildren();
  if (event.icon) box.append(iconElement(event.icon), " ");
  box.append(el("span", "shimmer", event.text ?? ""));
  box.hidden = false;
  scrollToEnd();
}

function setBusy(busy) {
  const streaming = state.streaming;
  $("send").disabled = busy || isLocked();
  $("stop").hidden = !busy;
  $("stop").disabled = Boolean(streaming && !streaming.allowCancel);
  $("new-thread").disabled = busy;
  $("app").dataset.busy = String(busy);
}

function isLocked() {
  const status = state.thread?.status?.type;
  return status === "locked" || status === "closed";
}

function updateComposerLock() {
  const lock = $("composer-lock");
  const status = state.thread?.status;
  if (status && status.type !== "active") {
    lock.hidden = false;
    lock.textContent = status.reason || (status.type === "closed" ? "This chat is closed." : "This chat is locked.");
  } else {
    lock.hidden = true;
    lock.textContent = "";
  }
  $("composer-input").disabled = isLocked();
  $("send").disabled = Boolean(state.streaming) || isLocked();
}

function setupComposer() {
  const input = $("composer-input");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || state.streaming || isLocked()) return;
    input.value = "";
    sendMessage(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("stop").addEventListener("click", () => state.streaming?.controller.abort());
  $("new-thread").addEventListener("click", newChat);
  $("threads-more").addEventListener("click", () => loadThreads(true));
  $("copy-snapshot").addEventListener("click", () => copySnapshot(null));
  $("clear-inspector").addEventListener("click", () => {
    inspector.streams.length = 0;
    $("event-list").replaceChildren();
    $("event-detail").textContent = "";
    $("snapshot-output").hidden = true;
    $("inspector-count").textContent = "0";
  });
  $("toggle-inspector").addEventListener("click", (event) => {
    const hidden = $("inspector").classList.toggle("hidden");
    event.currentTarget.setAttribute("aria-pressed", String(!hidden));
  });
}

// --- start --------------------------------------------------------------------------------------------

window.chatkitAgents = {
  registerClientTool,
  registerEffect,
  inspector,
  state,
  renderEvents,
  snapshot: () => renderEvents(inspector.streams.at(-1)?.events.map((e) => e.event) ?? []),
};

async function start() {
  setupComposer();
  setBusy(false);
  await loadThreads();
  const match = /^#thread=(.+)$/.exec(location.hash);
  if (match) await openThread(decodeURIComponent(match[1]));
  $("app").dataset.ready = "true";
}

start();
