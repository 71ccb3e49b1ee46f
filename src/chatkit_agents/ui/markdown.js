// A small, safe markdown subset rendered straight to DOM nodes. Every piece of text becomes a text node
// (textContent), never HTML; links keep only http(s) and mailto targets; images are never loaded (they
// would reach other hosts), they show as links. Annotation markers (private-use characters inserted by the
// caller at citation offsets) become numbered superscripts.

export const MARKER_BASE = 0xe000;
const MARKER_LIMIT = 0xe8ff;
const MARKER_RE = /[\ue000-\ue8ff]/g;

/** Remove characters the page uses as citation markers, so model text can never forge one. */
export function stripMarkers(text) {
  return String(text ?? "").replace(MARKER_RE, "");
}

/** Insert citation marker `n` (1-based) at each code-unit offset of `citations` ([{index, number}]). */
export function insertMarkers(text, citations) {
  const clean = stripMarkers(text);
  const sorted = [...citations].sort((a, b) => a.index - b.index);
  let out = "";
  let last = 0;
  for (const { index, number } of sorted) {
    const at = Math.max(last, Math.min(clean.length, index));
    out += clean.slice(last, at) + String.fromCharCode(Math.min(MARKER_BASE + number, MARKER_LIMIT));
    last = at;
  }
  return out + clean.slice(last);
}

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The URL if it is an absolute http(s)/mailto link, otherwise null (javascript:, data:, relative...). */
export function safeHref(url) {
  const value = String(url ?? "").trim();
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    return null;
  }
  return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
}

/** An <a> to a safe external URL (opens in a new tab, no referrer), or a plain <span> if unsafe. */
export function link(url, label) {
  const href = safeHref(url);
  if (href === null) {
    const span = document.createElement("span");
    span.className = "unsafe-link";
    span.textContent = label;
    span.title = "link not followed: " + String(url ?? "");
    return span;
  }
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  a.textContent = label;
  return a;
}

const INLINE = new RegExp(
  [
    "(?<code>`+)(?<codeText>[^`]|[^`][\\s\\S]*?[^`])\\k<code>(?!`)",
    "!\\[(?<imgAlt>[^\\]\\n]*)\\]\\((?<imgUrl>[^)\\s]+)(?:\\s+\"[^\"]*\")?\\)",
    "\\[(?<linkText>[^\\]\\n]+)\\]\\((?<linkUrl>[^)\\s]+)(?:\\s+\"[^\"]*\")?\\)",
    "\\*\\*(?<bold>[^\\n]+?)\\*\\*",
    "(?<![\\w])__(?<bold2>[^\\n]+?)__(?![\\w])",
    "~~(?<strike>[^\\n]+?)~~",
    "\\*(?<em>[^*\\s](?:[^*\\n]*[^*\\s])?)\\*",
    "(?<![\\w])_(?<em2>[^_\\s](?:[^_\\n]*[^_\\s])?)_(?![\\w])",
    "(?<auto>https?:\\/\\/[^\\s<>()\\[\\]]*[^\\s<>()\\[\\].,;:!?'\"])",
    "(?<marker>[\\ue000-\\ue8ff])",
  ].join("|"),
  "gu",
);

// Longer lines are shown as plain text: the inline patterns are cheap on normal text but not on
// pathological input (thousands of `*` in one line), and this runs again on every streamed delta.
const MAX_INLINE = 4000;

/** Inline markdown (code, links, bold, italic, strike, autolinks, citation markers) as DOM nodes. */
export function renderInline(text, parent) {
  const source = String(text ?? "");
  if (source.length > MAX_INLINE) {
    parent.append(document.createTextNode(stripMarkers(source)));
    return parent;
  }
  let last = 0;
  INLINE.lastIndex = 0;
  const matches = [...source.matchAll(INLINE)];
  for (const match of matches) {
    if (match.index > last) parent.append(document.createTextNode(source.slice(last, match.index)));
    last = match.index + match[0].length;
    const g = match.groups;
    if (g.code !== undefined) {
      const code = document.createElement("code");
      code.textContent = g.codeText;
      parent.append(code);
    } else if (g.imgUrl !== undefined) {
      parent.append(link(g.imgUrl, `[image: ${g.imgAlt || g.imgUrl}]`));
    } else if (g.linkUrl !== undefined) {
      const a = link(g.linkUrl, "");
      renderInline(g.linkText, a);
      parent.append(a);
    } else if (g.bold !== undefined || g.bold2 !== undefined) {
      const strong = document.createElement("strong");
      renderInline(g.bold ?? g.bold2, strong);
      parent.append(strong);
    } else if (g.strike !== undefined) {
      const del = document.createElement("del");
      renderInline(g.strike, del);
      parent.append(del);
    } else if (g.em !== undefined || g.em2 !== undefined) {
      const em = document.createElement("em");
      renderInline(g.em ?? g.em2, em);
      parent.append(em);
    } else if (g.auto !== undefined) {
      parent.append(link(g.auto, g.auto));
    } else if (g.marker !== undefined) {
      const number = g.marker.charCodeAt(0) - MARKER_BASE;
      const sup = document.createElement("sup");
      sup.className = "cite";
      sup.dataset.source = String(number);
      sup.textContent = `[${number}]`;
      parent.append(sup);
    }
  }
  if (last < source.length) parent.append(document.createTextNode(source.slice(last)));
  return parent;
}

function appendLines(parent, lines) {
  lines.forEach((line, i) => {
    if (i > 0) parent.append(document.createElement("br"));
    renderInline(line, parent);
  });
}

const FENCE = /^\s*(```|~~~)\s*([\w+-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^(\s*)[-*+]\s+(.*)$/;
const ORDERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s*>\s?(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const TABLE_RULE = /^\s*\|(\s*:?-+:?\s*\|)+\s*$/;

function tableCells(line) {
  return line.trim().slice(1, -1).split("|").map((cell) => cell.trim());
}

function renderTable(lines) {
  const table = document.createElement("table");
  const [head, , ...body] = lines;
  for (const [cells, tag] of [[tableCells(head), "th"], ...body.map((l) => [tableCells(l), "td"])]) {
    const tr = document.createElement("tr");
    for (const cell of cells) tr.append(renderInline(cell, document.createElement(tag)));
    table.append(tr);
  }
  return table;
}

/** Block markdown (paragraphs, headings, lists, quotes, fenced code, rules) into a new fragment. */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) {
      const p = document.createElement("p");
      appendLines(p, paragraph);
      fragment.append(p);
      paragraph = [];
    }
  };
  while (i < lines.length) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i += 1; // closing fence (or end of a still-streaming block)
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      if (fence[2]) code.dataset.lang = fence[2];
      code.textContent = body.join("\n");
      pre.append(code);
      fragment.append(pre);
      continue;
    }
    if (!line.trim()) {
      flush();
      i += 1;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const h = document.createElement(`h${Math.min(6, heading[1].length + 2)}`);
      renderInline(heading[2], h);
      fragment.append(h);
      i += 1;
      continue;
    }
    if (RULE.test(line)) {
      flush();
      fragment.append(document.createElement("hr"));
      i += 1;
      continue;
    }
    if (TABLE_ROW.test(line) && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1])) {
      flush();
      const rows = [];
      while (i < lines.length && TABLE_ROW.test(lines[i])) rows.push(lines[i++]);
      fragment.append(renderTable(rows));
      continue;
    }
    if (QUOTE.test(line)) {
      flush();
      const quoted = [];
      while (i < lines.length && QUOTE.test(lines[i])) quoted.push(QUOTE.exec(lines[i++])[1]);
      const blockquote = document.createElement("blockquote");
      blockquote.append(renderMarkdown(quoted.join("\n")));
      fragment.append(blockquote);
      continue;
    }
    if (BULLET.test(line) || ORDERED.test(line)) {
      flush();
      const ordered = !BULLET.test(line);
      const list = document.createElement(ordered ? "ol" : "ul");
      if (ordered) list.start = Number(ORDERED.exec(line)[2]);
      let current = null;
      while (i < lines.length) {
        const item = ordered ? ORDERED.exec(lines[i]) : BULLET.exec(lines[i]);
        if (item) {
          current = document.createElement("li");
          renderInline(item[ordered ? 3 : 2], current);
          list.append(current);
          i += 1;
        } else if (current && lines[i].trim() && /^\s+/.test(lines[i])) {
          current.append(document.createElement("br"));
          renderInline(lines[i].trim(), current);
          i += 1;
        } else {
          break;
        }
      }
      fragment.append(list);
      continue;
    }
    paragraph.push(line);
    i += 1;
  }
  flush();
  return fragment;
}
