// Plain rendering of ChatKit widgets (every root and component of `chatkit_agents.widgets`), built with DOM
// APIs and textContent only. Unknown component types are shown as their JSON. Styling props are mapped to a
// few safe CSS values (numbers and plain colour names); nothing from a widget can load a resource from
// another host or run script.

import { link, renderMarkdown } from "./markdown.js";

const ICON_GLYPHS = {
  check: "✓",
  "check-circle": "✓",
  "check-circle-filled": "✓",
  close: "✕",
  plus: "+",
  search: "⌕",
  star: "★",
  "star-filled": "★",
  info: "ⓘ",
  warning: "⚠",
  calendar: "▦",
  "chevron-right": "›",
  "chevron-left": "‹",
  "arrow-right": "→",
  "arrow-left": "←",
  sparkle: "✦",
  lightbulb: "✱",
  globe: "◍",
  mail: "✉",
  phone: "☎",
  user: "☺",
  document: "▤",
  "external-link": "↗",
  bolt: "ϟ",
  keys: "⚷",
  clock: "◷",
  "circle-question": "?",
  book: "▯",
  compass: "◈",
  bug: "✲",
};

/** A short glyph for a ChatKit icon name (the name itself is kept as the accessible label). */
export function iconElement(name) {
  const span = document.createElement("span");
  span.className = "icon";
  span.setAttribute("role", "img");
  span.setAttribute("aria-label", String(name));
  span.title = String(name);
  span.textContent = ICON_GLYPHS[name] ?? "•";
  return span;
}

const SAFE_COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}(-[0-9]{2,3})?)$/;

function color(value) {
  if (typeof value === "string" && SAFE_COLOR.test(value)) {
    // ChatKit palette names such as "blue-500" or "secondary" become CSS variables with a fallback.
    if (value.startsWith("#")) return value;
    return `var(--ck-${value}, ${value.replace(/-[0-9]+$/, "")})`;
  }
  if (value && typeof value === "object" && typeof value.light === "string") return color(value.light);
  return null;
}

function length(value) {
  if (typeof value === "number" && Number.isFinite(value)) return `${value * 4}px`;
  if (typeof value === "string" && /^-?\d+(\.\d+)?(px|%|rem|em|vh|vw)?$|^auto$/.test(value)) return value;
  return null;
}

function spacing(value) {
  if (value && typeof value === "object") {
    const pick = (side, axis) => length(value[side] ?? value[axis] ?? 0) ?? "0";
    return `${pick("top", "y")} ${pick("right", "x")} ${pick("bottom", "y")} ${pick("left", "x")}`;
  }
  return length(value);
}

const ALIGN = { start: "flex-start", center: "center", end: "flex-end", baseline: "baseline", stretch: "stretch" };
const JUSTIFY = {
  start: "flex-start",
  center: "center",
  end: "flex-end",
  between: "space-between",
  around: "space-around",
  evenly: "space-evenly",
  stretch: "stretch",
};

function boxStyle(el, node, direction) {
  el.classList.add("w-box");
  el.style.flexDirection = direction;
  const gap = length(node.gap);
  if (gap) el.style.gap = gap;
  const padding = spacing(node.padding);
  if (padding) el.style.padding = padding;
  if (node.align && ALIGN[node.align]) el.style.alignItems = ALIGN[node.align];
  if (node.justify && JUSTIFY[node.justify]) el.style.justifyContent = JUSTIFY[node.justify];
  if (node.wrap) el.style.flexWrap = ["wrap", "nowrap", "wrap-reverse"].includes(node.wrap) ? node.wrap : "";
  if (typeof node.flex === "number") el.style.flex = String(node.flex);
  const bg = color(node.background);
  if (bg) el.style.background = bg;
  if (node.border !== undefined) el.classList.add("w-bordered");
  for (const prop of ["width", "height", "minWidth", "minHeight", "maxWidth", "maxHeight"]) {
    const value = length(node[prop]);
    if (value) el.style[prop] = value;
  }
}

function textStyle(el, node) {
  const c = color(node.color);
  if (c) el.style.color = c;
  if (node.weight) el.dataset.weight = String(node.weight);
  if (node.size) el.dataset.size = String(node.size);
  if (node.textAlign && ["start", "center", "end"].includes(node.textAlign)) el.style.textAlign = node.textAlign;
  if (node.italic) el.style.fontStyle = "italic";
  if (node.lineThrough) el.style.textDecoration = "line-through";
  if (node.truncate) el.classList.add("w-truncate");
}

function element(tag, className, node) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (node && node.type) el.dataset.widget = String(node.type);
  if (node && typeof node.id === "string") el.dataset.componentId = node.id;
  return el;
}

function unknown(node) {
  const pre = element("pre", "w-unknown", null);
  pre.dataset.widget = "unknown";
  pre.textContent = JSON.stringify(node, null, 2);
  return pre;
}

function children(el, list, ctx) {
  if (!Array.isArray(list)) return;
  for (const child of list) el.append(renderNode(child, ctx));
}

/** Values of the named controls of the form (Form component or Card asForm) around `el`. */
export function formValues(el) {
  const form = el.closest("form");
  if (!form) return {};
  const values = {};
  for (const control of form.querySelectorAll("input[name], textarea[name], select[name]")) {
    if (control.type === "checkbox") values[control.name] = control.checked;
    else if (control.type === "radio") {
      if (control.checked) values[control.name] = control.value;
    } else values[control.name] = control.value;
  }
  return values;
}

function fire(ctx, action, el, extra) {
  if (!action || typeof action !== "object") return;
  ctx.onAction(action, el, { ...formValues(el), ...(extra || {}) });
}

function imageAllowed(src) {
  const value = String(src ?? "");
  if (/^data:image\/(png|jpeg|gif|webp|avif);/i.test(value)) return true;
  try {
    return new URL(value, document.baseURI).origin === location.origin;
  } catch {
    return false;
  }
}

/** An <img> for data: or same-origin sources; anything else stays a link (no request to other hosts). */
export function imageElement(src, alt, className) {
  if (!imageAllowed(src)) {
    const holder = element("div", `${className || ""} w-image-external`.trim(), null);
    holder.append("external image not loaded: ");
    holder.append(link(src, String(alt || src)));
    return holder;
  }
  const img = document.createElement("img");
  if (className) img.className = className;
  img.src = String(src);
  img.alt = String(alt ?? "");
  img.loading = "lazy";
  img.referrerPolicy = "no-referrer";
  return img;
}

const RENDERERS = {
  Card(node, ctx) {
    const el = element(node.asForm ? "form" : "div", "w-card", node);
    if (node.size) el.dataset.size = String(node.size);
    const padding = spacing(node.padding);
    if (padding) el.style.padding = padding;
    const bg = color(node.background);
    if (bg) el.style.background = bg;
    if (node.status) el.append(statusLine(node.status));
    const body = element("div", "w-card-body", null);
    children(body, node.children, ctx);
    if (node.collapsed) {
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = "Show";
      details.append(summary, body);
      el.append(details);
    } else {
      el.append(body);
    }
    if (node.confirm || node.cancel) {
      const row = element("div", "w-card-actions", null);
      for (const [key, primary] of [["cancel", false], ["confirm", true]]) {
        const spec = node[key];
        if (!spec) continue;
        const button = element("button", primary ? "btn btn-primary" : "btn", null);
        button.type = "button";
        button.dataset.widget = `Card.${key}`;
        button.textContent = String(spec.label ?? key);
        button.addEventListener("click", () => fire(ctx, spec.action, button));
        row.append(button);
      }
      el.append(row);
    }
    if (node.asForm) el.addEventListener("submit", (event) => event.preventDefault());
    return el;
  },
  ListView(node, ctx) {
    const el = element("div", "w-listview", node);
    if (node.status) el.append(statusLine(node.status));
    const items = Array.isArray(node.children) ? node.children : [];
    const limit = typeof node.limit === "number" ? node.limit : items.length;
    items.forEach((child, i) => {
      const row = renderNode(child, ctx);
      if (i >= limit) row.hidden = true;
      el.append(row);
    });
    if (items.length > limit) {
      const more = element("button", "btn btn-link", null);
      more.type = "button";
      more.textContent = `Show ${items.length - limit} more`;
      more.addEventListener("click", () => {
        for (const row of el.children) row.hidden = false;
        more.remove();
      });
      el.append(more);
    }
    return el;
  },
  ListViewItem(node, ctx) {
    const el = element("div", "w-listview-item", node);
    boxStyle(el, node, "row");
    children(el, node.children, ctx);
    if (node.onClickAction) {
      el.classList.add("w-clickable");
      el.tabIndex = 0;
      el.setAttribute("role", "button");
      el.addEventListener("click", () => fire(ctx, node.onClickAction, el));
    }
    return el;
  },
  Basic(node, ctx) {
    const el = element("div", "w-basic", node);
    boxStyle(el, node, node.direction === "row" ? "row" : "column");
    children(el, node.children, ctx);
    return el;
  },
  Box(node, ctx) {
    const el = element("div", "", node);
    boxStyle(el, node, node.direction === "row" ? "row" : "column");
    children(el, node.children, ctx);
    return el;
  },
  Row(node, ctx) {
    const el = element("div", "", node);
    boxStyle(el, node, "row");
    children(el, node.children, ctx);
    return el;
  },
  Col(node, ctx) {
    const el = element("div", "", node);
    boxStyle(el, node, "column");
    children(el, node.children, ctx);
    return el;
  },
  Form(node, ctx) {
    const el = element("form", "", node);
    boxStyle(el, node, node.direction === "row" ? "row" : "column");
    children(el, node.children, ctx);
    el.addEventListener("submit", (event) => {
      event.preventDefault();
      fire(ctx, node.onSubmitAction, el);
    });
    return el;
  },
  Spacer(node) {
    const el = element("div", "w-spacer", node);
    const min = length(node.minSize);
    if (min) el.style.minWidth = el.style.minHeight = min;
    return el;
  },
  Divider(node) {
    const el = element("hr", "w-divider", node);
    const c = color(node.color);
    if (c) el.style.borderColor = c;
    return el;
  },
  Transition(node, ctx) {
    const el = element("div", "w-transition", node);
    if (node.children) el.append(renderNode(node.children, ctx));
    return el;
  },
  Title(node) {
    const el = element("div", "w-title", node);
    textStyle(el, node);
    el.textContent = String(node.value ?? "");
    return el;
  },
  Caption(node) {
    const el = element("div", "w-caption", node);
    textStyle(el, node);
    el.textContent = String(node.value ?? "");
    return el;
  },
  Text(node) {
    if (node.editable && typeof node.editable === "object") {
      const input = element("input", "w-input", node);
      input.name = String(node.editable.name ?? "");
      input.value = String(node.value ?? "");
      if (node.editable.placeholder) input.placeholder = String(node.editable.placeholder);
      input.required = Boolean(node.editable.required);
      return input;
    }
    const el = element("p", "w-text", node);
    textStyle(el, node);
    el.textContent = String(node.value ?? "");
    if (node.streaming) el.classList.add("streaming");
    return el;
  },
  Markdown(node) {
    const el = element("div", "w-markdown markdown", node);
    el.append(renderMarkdown(node.value));
    if (node.streaming) el.classList.add("streaming");
    return el;
  },
  Badge(node) {
    const el = element("span", "w-badge", node);
    el.dataset.color = String(node.color ?? "secondary");
    el.dataset.variant = String(node.variant ?? "soft");
    el.textContent = String(node.label ?? "");
    return el;
  },
  Icon(node) {
    const el = iconElement(node.name);
    el.dataset.widget = "Icon";
    const c = color(node.color);
    if (c) el.style.color = c;
    return el;
  },
  Image(node) {
    const el = imageElement(node.src, node.alt, "w-image");
    el.dataset.widget = "Image";
    for (const prop of ["width", "height", "size"]) {
      const value = length(node[prop]);
      if (value) el.style[prop === "size" ? "width" : prop] = value;
    }
    return el;
  },
  Button(node, ctx) {
    const el = element("button", `btn${node.style === "primary" ? " btn-primary" : ""}`, node);
    el.type = node.submit ? "submit" : "button";
    if (node.iconStart) el.append(iconElement(node.iconStart));
    if (node.label !== undefined) el.append(String(node.label));
    if (node.iconEnd) el.append(iconElement(node.iconEnd));
    el.disabled = Boolean(node.disabled);
    el.addEventListener("click", (event) => {
      if (node.submit) {
        const form = el.closest("form");
        if (form && !form.reportValidity()) return;
        event.preventDefault();
        if (form && form.dataset.widget === "Form" && !node.onClickAction) {
          form.requestSubmit();
          return;
        }
      }
      fire(ctx, node.onClickAction, el);
    });
    return el;
  },
  Table(node, ctx) {
    const el = element("table", "w-table", node);
    const body = document.createElement("tbody");
    children(body, node.children, ctx);
    el.append(body);
    return el;
  },
  "Table.Row"(node, ctx) {
    const el = element("tr", "", node);
    for (const cell of Array.isArray(node.children) ? node.children : []) {
      const td = renderNode(cell, { ...ctx, header: Boolean(node.header) });
      el.append(td);
    }
    return el;
  },
  "Table.Cell"(node, ctx) {
    const el = element(ctx.header ? "th" : "td", "", node);
    if (typeof node.colSpan === "number") el.colSpan = node.colSpan;
    if (typeof node.rowSpan === "number") el.rowSpan = node.rowSpan;
    if (["start", "center", "end"].includes(node.align)) el.style.textAlign = node.align;
    children(el, node.children, ctx);
    return el;
  },
  Chart(node) {
    // Plain rendering: the chart's data as a table, one column per series.
    const el = element("table", "w-table w-chart", node);
    const xKey = typeof node.xAxis === "string" ? node.xAxis : node.xAxis?.dataKey;
    const series = Array.isArray(node.series) ? node.series : [];
    const caption = document.createElement("caption");
    caption.textContent = `Chart (${series.map((s) => s.type).join(", ") || "no series"})`;
    el.append(caption);
    const head = document.createElement("tr");
    for (const label of [xKey, ...series.map((s) => s.label ?? s.dataKey)]) {
      const th = document.createElement("th");
      th.textContent = String(label ?? "");
      head.append(th);
    }
    el.append(head);
    for (const row of Array.isArray(node.data) ? node.data : []) {
      const tr = document.createElement("tr");
      for (const key of [xKey, ...series.map((s) => s.dataKey)]) {
        const td = document.createElement("td");
        td.textContent = row && key in row ? String(row[key]) : "";
        tr.append(td);
      }
      el.append(tr);
    }
    return el;
  },
  Input(node) {
    const el = element("input", "w-input", node);
    const allowed = ["number", "email", "text", "password", "tel", "url"];
    el.type = allowed.includes(node.inputType) ? node.inputType : "text";
    el.name = String(node.name ?? "");
    if (node.defaultValue !== undefined) el.value = String(node.defaultValue);
    if (node.placeholder) el.placeholder = String(node.placeholder);
    if (node.pattern) el.pattern = String(node.pattern);
    el.required = Boolean(node.required);
    el.disabled = Boolean(node.disabled);
    return el;
  },
  Textarea(node) {
    const el = element("textarea", "w-input", node);
    el.name = String(node.name ?? "");
    if (node.defaultValue !== undefined) el.value = String(node.defaultValue);
    if (node.placeholder) el.placeholder = String(node.placeholder);
    if (typeof node.rows === "number") el.rows = node.rows;
    el.required = Boolean(node.required);
    el.disabled = Boolean(node.disabled);
    return el;
  },
  Select(node, ctx) {
    const el = element("select", "w-input", node);
    el.name = String(node.name ?? "");
    const placeholder = document.createElement("option");
    placeholder.value = "";
    placeholder.textContent = String(node.placeholder ?? "Select…");
    el.append(placeholder);
    for (const option of Array.isArray(node.options) ? node.options : []) {
      const opt = document.createElement("option");
      opt.value = String(option.value ?? "");
      opt.textContent = String(option.label ?? option.value ?? "");
      el.append(opt);
    }
    if (node.defaultValue !== undefined) el.value = String(node.defaultValue);
    el.disabled = Boolean(node.disabled);
    el.addEventListener("change", () => fire(ctx, node.onChangeAction, el, { [el.name]: el.value }));
    return el;
  },
  DatePicker(node, ctx) {
    const el = element("input", "w-input", node);
    el.type = "date";
    el.name = String(node.name ?? "");
    if (node.defaultValue !== undefined) el.value = String(node.defaultValue).slice(0, 10);
    if (node.min) el.min = String(node.min).slice(0, 10);
    if (node.max) el.max = String(node.max).slice(0, 10);
    el.disabled = Boolean(node.disabled);
    el.addEventListener("change", () => fire(ctx, node.onChangeAction, el, { [el.name]: el.value }));
    return el;
  },
  Checkbox(node, ctx) {
    const el = element("label", "w-check", node);
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = String(node.name ?? "");
    box.checked = Boolean(node.defaultChecked);
    box.disabled = Boolean(node.disabled);
    box.addEventListener("change", () => fire(ctx, node.onChangeAction, box, { [box.name]: box.checked }));
    el.append(box, String(node.label ?? ""));
    return el;
  },
  RadioGroup(node, ctx) {
    const el = element("fieldset", "w-radio", node);
    if (node.ariaLabel) el.setAttribute("aria-label", String(node.ariaLabel));
    for (const option of Array.isArray(node.options) ? node.options : []) {
      const label = document.createElement("label");
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = String(node.name ?? "");
      radio.value = String(option.value ?? "");
      radio.checked = node.defaultValue !== undefined && radio.value === String(node.defaultValue);
      radio.disabled = Boolean(node.disabled || option.disabled);
      radio.addEventListener("change", () =>
        fire(ctx, node.onChangeAction, radio, { [radio.name]: radio.value }),
      );
      label.append(radio, String(option.label ?? option.value ?? ""));
      el.append(label);
    }
    return el;
  },
  Label(node) {
    const el = element("label", "w-label", node);
    textStyle(el, node);
    el.htmlFor = String(node.fieldName ?? "");
    el.textContent = String(node.value ?? "");
    return el;
  },
};

function statusLine(status) {
  const el = element("div", "w-status", null);
  if (status.icon) el.append(iconElement(status.icon), " ");
  if (status.favicon) el.append(imageElement(status.favicon, "", "w-favicon"), " ");
  el.append(String(status.text ?? ""));
  return el;
}

/** Render any widget node; `ctx.onAction(actionConfig, element, values)` is called when an action fires. */
export function renderNode(node, ctx) {
  if (!node || typeof node !== "object" || Array.isArray(node)) return unknown(node);
  const render = Object.prototype.hasOwnProperty.call(RENDERERS, node.type) ? RENDERERS[node.type] : null;
  if (!render) return unknown(node);
  try {
    return render(node, ctx);
  } catch (error) {
    console.warn("widget render failed", error);
    return unknown(node);
  }
}

/** Render a widget root (Card, ListView, Basic) inside a container that marks it as a widget. */
export function renderWidget(widget, ctx) {
  const holder = element("div", "widget", null);
  holder.append(renderNode(widget, ctx));
  return holder;
}

/** Walk a widget tree, calling `visit(node, parent, key)` for every object node; stops when it returns true. */
export function walkWidget(node, visit, parent = null, key = null) {
  if (!node || typeof node !== "object") return false;
  if (Array.isArray(node)) {
    return node.some((child, i) => walkWidget(child, visit, node, i));
  }
  if (visit(node, parent, key)) return true;
  for (const field of ["children", "confirm", "cancel"]) {
    if (field in node && walkWidget(node[field], visit, node, field)) return true;
  }
  return false;
}
