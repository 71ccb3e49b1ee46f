// Compact text rendering of a ChatKit event stream, line for line the same as the Python testing kit's
// `chatkit_agents.testing.render_events` (see its module docstring for the format), so a stream seen in the
// browser can be pasted into an inline-snapshot test. Pure functions: no DOM, runs in node too.

const COLUMN = 24;
const UPDATE_COLUMN = COLUMN - 2;
const DETAIL = "    ";

export const UPDATE_NAMES = {
  "assistant_message.content_part.added": "content_part.added",
  "assistant_message.content_part.text_delta": "text_delta",
  "assistant_message.content_part.annotation_added": "annotation_added",
  "assistant_message.content_part.done": "content_part.done",
  "widget.streaming_text.value_delta": "widget.text_delta",
  "widget.root.updated": "widget.root_updated",
  "widget.component.updated": "component_updated",
  "workflow.task.added": "task.added",
  "workflow.task.updated": "task.updated",
  "generated_image.updated": "image.updated",
};

// A field that is null counts as absent: the server leaves `None` model fields out (`exclude_none`), so a
// null can only come from free-form JSON (tool arguments, effect data), which is rendered as is.
function has(obj, key) {
  return (
    obj !== null &&
    typeof obj === "object" &&
    Object.prototype.hasOwnProperty.call(obj, key) &&
    obj[key] !== null &&
    obj[key] !== undefined
  );
}

function codePoints(value) {
  return Array.from(value);
}

function padEnd(value, width) {
  const length = codePoints(value).length;
  return length >= width ? value : value + " ".repeat(width - length);
}

// Python's str.rstrip() without arguments strips every whitespace character, as trimEnd() does.
function rstrip(value) {
  return value.trimEnd();
}

/** `json.dumps(value, sort_keys=True, ensure_ascii=False)` with compact separators. */
export function pyJson(value) {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return "[" + value.map(pyJson).join(",") + "]";
  if (typeof value === "object") {
    const keys = Object.keys(value).sort();
    return "{" + keys.map((key) => JSON.stringify(key) + ":" + pyJson(value[key])).join(",") + "}";
  }
  if (typeof value === "number") return pyNumber(value);
  return JSON.stringify(value);
}

function pyNumber(value) {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  const text = String(value);
  // Python writes exponents with at least two digits: 1e-07, 1e+21.
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

/** JSON string quoting; single quotes instead when that avoids escaping double quotes (as Python's `_quote`). */
function quote(value) {
  const quoted = JSON.stringify(value);
  if (value.includes('"') && !value.includes("'")) {
    return "'" + quoted.slice(1, -1).replaceAll('\\"', '"') + "'";
  }
  return quoted;
}

/** Python's `f"{value:.2f}"`: round half to even on exact ties, as `format()` does. */
function fixed2(value) {
  const scaled = value * 100;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5 && floor / 100 + 0.005 === value) {
    const even = floor % 2 === 0 ? floor : floor + 1;
    return (even / 100).toFixed(2);
  }
  return value.toFixed(2);
}

class Renderer {
  constructor(width) {
    this.width = width;
  }

  text(value) {
    const chars = codePoints(value);
    if (chars.length <= this.width) return quote(value);
    return quote(chars.slice(0, this.width).join("")) + `...(+${chars.length - this.width})`;
  }

  raw(value) {
    const chars = codePoints(String(value));
    if (chars.length <= this.width) return String(value);
    return chars.slice(0, this.width).join("") + `...(+${chars.length - this.width})`;
  }

  json(value) {
    return this.raw(pyJson(value));
  }

  static head(kind, body) {
    return rstrip(`${padEnd(kind, COLUMN - 1)} ${body}`);
  }

  static updateLine(name, itemId, body) {
    return rstrip(`  ${padEnd(name, UPDATE_COLUMN - 1)} ${itemId} ${body}`);
  }

  event(event) {
    const kind = event.type;
    if (kind === "thread.item.added" || kind === "thread.item.done" || kind === "thread.item.replaced") {
      const [first, ...details] = this.item(event.item);
      return [Renderer.head(kind, first), ...details];
    }
    if (kind === "thread.item.updated") return this.update(event.item_id, event.update);
    if (kind === "thread.item.removed") return [Renderer.head(kind, event.item_id)];
    if (kind === "thread.created" || kind === "thread.updated") {
      return [Renderer.head(kind, this.thread(event.thread))];
    }
    if (kind === "error") {
      const retry = String(Boolean(event.allow_retry));
      const message = has(event, "message") ? ` ${this.text(event.message)}` : "";
      return [Renderer.head(kind, `${event.code ?? "custom"} allow_retry=${retry}${message}`)];
    }
    if (kind === "notice") {
      const title = has(event, "title") ? `${this.text(event.title)}: ` : "";
      return [Renderer.head(kind, `${event.level} ${title}${this.text(event.message)}`)];
    }
    if (kind === "progress_update") {
      const icon = has(event, "icon") ? `${event.icon} ` : "";
      return [Renderer.head(kind, `${icon}${this.text(event.text)}`)];
    }
    if (kind === "client_effect") {
      const data = event.data || {};
      const filled = Object.keys(data).length > 0;
      return [Renderer.head(kind, filled ? `${event.name} ${this.json(data)}` : event.name)];
    }
    if (kind === "stream_options") {
      const options = event.stream_options;
      const keys = Object.keys(options).sort();
      return [Renderer.head(kind, keys.map((key) => `${key}=${this.json(options[key])}`).join(" "))];
    }
    const rest = {};
    for (const [key, value] of Object.entries(event)) if (key !== "type") rest[key] = value;
    return [Renderer.head(kind, this.json(rest))];
  }

  thread(thread) {
    const parts = [thread.id];
    if (has(thread, "title")) parts.push(this.text(thread.title));
    const status = thread.status || { type: "active" };
    parts.push(status.type);
    if (has(status, "reason")) parts.push(this.text(status.reason));
    return parts.join(" ");
  }

  update(itemId, update) {
    const kind = update.type;
    const name = UPDATE_NAMES[kind] ?? kind;
    let body;
    if (kind === "assistant_message.content_part.added" || kind === "assistant_message.content_part.done") {
      body = `[${update.content_index}] ${this.content(update.content)}`;
    } else if (kind === "assistant_message.content_part.text_delta") {
      body = `[${update.content_index}] ${this.text(update.delta)}`;
    } else if (kind === "assistant_message.content_part.annotation_added") {
      body = `[${update.content_index}] #${update.annotation_index} ${this.annotation(update.annotation)}`;
    } else if (kind === "workflow.task.added" || kind === "workflow.task.updated") {
      body = `[${update.task_index}] ${this.task(update.task)}`;
    } else if (kind === "generated_image.updated") {
      body = this.image(update.image);
      if (has(update, "progress")) body += ` progress=${fixed2(update.progress)}`;
    } else if (kind === "widget.streaming_text.value_delta") {
      body = `${update.component_id} ${this.text(update.delta)}${update.done ? " done" : ""}`;
    } else if (kind === "widget.root.updated") {
      body = this.widget(update.widget);
    } else if (kind === "widget.component.updated") {
      const component = update.component;
      body = `${update.component_id} ${component.type ?? "?"} ${this.json(component)}`;
    } else {
      const rest = {};
      for (const [key, value] of Object.entries(update)) if (key !== "type") rest[key] = value;
      body = this.json(rest);
    }
    return [Renderer.updateLine(name, itemId, body)];
  }

  item(item) {
    const [summary, details] = this.itemSummary(item.type, item);
    return [rstrip(`${item.id} ${item.type} ${summary}`), ...details];
  }

  itemSummary(kind, item) {
    if (kind === "assistant_message") {
      const parts = item.content || [];
      if (parts.length === 1) return [this.content(parts[0]), []];
      return ["", parts.map((part, i) => `${DETAIL}[${i}] ${this.content(part)}`)];
    }
    if (kind === "user_message") return [this.userMessage(item), []];
    if (kind === "workflow") return this.workflow(item.workflow);
    if (kind === "task") return [this.task(item.task), []];
    if (kind === "client_tool_call") {
      let summary = `${item.name} ${item.status ?? "pending"} ${item.call_id}`;
      summary += ` args=${this.json(item.arguments ?? {})}`;
      if (has(item, "output")) summary += ` output=${this.json(item.output)}`;
      return [summary, []];
    }
    if (kind === "generated_image") return [this.image(item.image), []];
    if (kind === "widget") {
      let summary = this.widget(item.widget);
      if (has(item, "copy_text")) summary += ` copy_text=${this.text(item.copy_text)}`;
      return [summary, []];
    }
    if (kind === "structured_input") {
      const details = (item.inputs || []).map(
        (input) => `${DETAIL}${input.id} ${input.type} ${this.text(input.question)}`,
      );
      return [item.status ?? "pending", details];
    }
    if (kind === "hidden_context_item") {
      const content = item.content;
      return [typeof content === "string" ? this.text(content) : this.json(content), []];
    }
    if (kind === "sdk_hidden_context") return [this.text(item.content), []];
    if (kind === "end_of_turn") return ["", []];
    const rest = {};
    for (const [key, value] of Object.entries(item)) {
      if (!["id", "type", "thread_id", "created_at"].includes(key)) rest[key] = value;
    }
    return [this.json(rest), []];
  }

  userMessage(item) {
    const pieces = [];
    for (const part of item.content || []) {
      pieces.push(part.type === "input_tag" ? `@${part.text}` : (part.text ?? ""));
    }
    let summary = this.text(pieces.join(""));
    const attachments = item.attachments || [];
    if (attachments.length) {
      summary += ` attachments=[${attachments.map((a) => `${a.type}:${this.raw(a.name)}`).join(", ")}]`;
    }
    if (has(item, "quoted_text")) summary += ` quoted=${this.text(item.quoted_text)}`;
    const options = item.inference_options || {};
    if (options.model) summary += ` model=${options.model}`;
    if (options.tool_choice) summary += ` tool_choice=${options.tool_choice.id}`;
    return summary;
  }

  content(part) {
    const text = this.text(part.text ?? "");
    const annotations = part.annotations || [];
    if (!annotations.length) return text;
    const noun = annotations.length === 1 ? "annotation" : "annotations";
    const listed = annotations.map((a) => this.annotation(a)).join(", ");
    return `${text} [${annotations.length} ${noun}: ${listed}]`;
  }

  annotation(annotation) {
    const where = has(annotation, "index") ? `@${annotation.index}` : "";
    return `${this.source(annotation.source)}${where}`;
  }

  source(source) {
    const kind = source.type;
    if (kind === "url") return `url:${this.raw(source.url)}`;
    if (kind === "file") return `file:${this.raw(source.filename)}`;
    if (kind === "entity") return `entity:${this.raw(source.id)}`;
    return `${kind}:${this.raw(source.title ?? "")}`;
  }

  sources(sources) {
    return "[" + sources.map((s) => this.source(s)).join(", ") + "]";
  }

  workflow(workflow) {
    const parts = [workflow.type];
    const summary = workflow.summary;
    if (summary !== undefined && summary !== null) {
      if (has(summary, "duration")) {
        parts.push(`summary=${summary.duration}s`);
      } else {
        const icon = has(summary, "icon") ? ` icon=${summary.icon}` : "";
        parts.push(`summary=${this.text(summary.title)}${icon}`);
      }
    }
    if (workflow.expanded) parts.push("expanded");
    const tasks = workflow.tasks || [];
    return [parts.join(" "), tasks.map((task, i) => `${DETAIL}[${i}] ${this.task(task)}`)];
  }

  task(task) {
    const parts = [task.type, task.status_indicator ?? "none"];
    if (has(task, "title")) parts.push(this.text(task.title));
    if (has(task, "icon")) parts.push(`icon=${task.icon}`);
    if (has(task, "title_query")) parts.push(`query=${this.text(task.title_query)}`);
    if (task.queries && task.queries.length) parts.push(`queries=${this.json(task.queries)}`);
    if (task.sources && task.sources.length) parts.push(`sources=${this.sources(task.sources)}`);
    if (has(task, "content")) parts.push(`content=${this.text(task.content)}`);
    return parts.join(" ");
  }

  image(image) {
    if (image === undefined || image === null) return "(no image)";
    return `${image.id} ${this.raw(image.url)}`;
  }

  widget(widget) {
    const kind = widget.type ?? "?";
    const children = Array.isArray(widget.children) ? widget.children : [];
    if (!children.length) return kind;
    return `${kind} (${children.length} ${children.length === 1 ? "child" : "children"})`;
  }
}

class JoinedDelta {
  constructor(itemId, kind, key, text, done) {
    this.itemId = itemId;
    this.kind = kind;
    this.key = key;
    this.text = text;
    this.done = done;
    this.count = 1;
  }

  static start(event) {
    if (event.type !== "thread.item.updated") return null;
    const update = event.update;
    if (update.type === "assistant_message.content_part.text_delta") {
      return new JoinedDelta(event.item_id, update.type, String(update.content_index), update.delta, false);
    }
    if (update.type === "widget.streaming_text.value_delta") {
      return new JoinedDelta(event.item_id, update.type, update.component_id, update.delta, update.done);
    }
    return null;
  }

  accepts(other) {
    const same = this.itemId === other.itemId && this.kind === other.kind && this.key === other.key;
    return same && !this.done;
  }

  extend(other) {
    this.text += other.text;
    this.done = other.done;
    this.count += 1;
  }

  render(r) {
    const suffix = this.count > 1 ? ` (${this.count} deltas)` : "";
    const body =
      this.kind === "assistant_message.content_part.text_delta"
        ? `[${this.key}] ${r.text(this.text)}${suffix}`
        : `${this.key} ${r.text(this.text)}${suffix}${this.done ? " done" : ""}`;
    return Renderer.updateLine(UPDATE_NAMES[this.kind], this.itemId, body);
  }
}

/**
 * Render wire events (decoded JSON objects, or their JSON text) one line per event, like Python's
 * `render_events(events, join_deltas=..., width=...)`.
 */
export function renderEvents(events, { joinDeltas = true, width = 60 } = {}) {
  const renderer = new Renderer(width);
  const lines = [];
  let pending = null;
  for (const raw of events) {
    const event = typeof raw === "string" ? JSON.parse(raw) : raw;
    const delta = joinDeltas ? JoinedDelta.start(event) : null;
    if (pending !== null && delta !== null && pending.accepts(delta)) {
      pending.extend(delta);
      continue;
    }
    if (pending !== null) {
      lines.push(pending.render(renderer));
      pending = null;
    }
    if (delta !== null) {
      pending = delta;
      continue;
    }
    lines.push(...renderer.event(event));
  }
  if (pending !== null) lines.push(pending.render(renderer));
  return lines.join("\n");
}
