/*
 * Livechat API reference: renders /openapi.json (OpenAPI 3.1) and /asyncapi.json (AsyncAPI 3.0)
 * of this server. Plain JavaScript, no framework, no build step. Every piece of document text goes
 * into the page as text (textContent / text nodes), never as HTML.
 *
 * Stable hooks for browser tests
 *   Page      #docs[data-state="loading" | "ready" | "error"], #docs-status, #docs-error (role="alert"),
 *             #docs-version, #no-match
 *   Filter    #filter, #filter-status, #expand-all, #collapse-all, #toc (links to the anchors below)
 *   HTTP      #http > section.tag-group[data-tag] >
 *               details.endpoint#op-<operationId>[data-method][data-path]
 *                 > summary (.method, .path, .op-summary, .auth[data-auth="bearer" | "none"]),
 *                 table.params, .request-body, .responses (.status[data-status])
 *   Sockets   #sockets > section.channel#channel-<key>[data-channel]
 *               (.address, table.query-params, table.close-codes (tr[data-code]),
 *                .client-sends, .server-sends > details.message[data-message] (.message-name, .message-summary))
 *   Schemas   .schema > ul.fields > li.field (.field-name, .type, .format, .flag, .enum, .required | .optional)
 */

const OPENAPI_URL = "/openapi.json";
const ASYNCAPI_URL = "/asyncapi.json";
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/** How deep a schema's nested fields are drawn; deeper ones point to the raw document. */
const MAX_DEPTH = 8;
/** How many `$ref` hops are followed before a reference counts as broken. */
const MAX_REF_HOPS = 20;

const $ = (id) => document.getElementById(id);

/** What the filter matches: one entry per endpoint and per socket message. */
const entries = [];
/** Sections hidden when none of their entries match (tag groups, channels, message lists). */
const groups = [];
const usedIds = new Set();

/* ---------- small helpers ---------- */

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A unique element id made of `parts` (letters, digits, `-` and `_` only). */
function anchorId(...parts) {
  const base = parts.join("-").replace(/[^A-Za-z0-9_-]+/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "") || "item";
  let id = base;
  for (let n = 2; usedIds.has(id); n++) id = `${base}-${n}`;
  usedIds.add(id);
  return id;
}

/** Text with `code` spans (a small subset of Markdown: backticks and blank-line paragraphs). */
function richText(text, className = "prose") {
  const box = el("div", className);
  for (const paragraph of String(text).split(/\n\s*\n/)) {
    if (!paragraph.trim()) continue;
    box.append(inlineText("p", paragraph));
  }
  return box;
}

function inlineText(tag, text, className) {
  const node = el(tag, className);
  String(text).split("`").forEach((part, index) => {
    if (!part) return;
    node.append(index % 2 ? el("code", null, part) : document.createTextNode(part));
  });
  return node;
}

function heading(level, text, id) {
  const node = el(`h${level}`, null, text);
  if (id) node.id = id;
  return node;
}

function json(value) {
  return JSON.stringify(value);
}

/** A path in a narrow column: it may break after each slash. */
function breakablePath(path) {
  const node = el("span", "toc-path");
  String(path).split("/").forEach((part, index, parts) => {
    if (part) node.append(part);
    if (index < parts.length - 1) node.append("/", document.createElement("wbr"));
  });
  return node;
}

/* ---------- references ---------- */

/** The node a local JSON pointer (`#/components/schemas/Error`) names in `doc`, or undefined. */
function pointer(doc, ref) {
  if (typeof ref !== "string" || !ref.startsWith("#")) return undefined;
  const path = ref.slice(1);
  if (path === "") return doc;
  if (!path.startsWith("/")) return undefined;
  let node = doc;
  for (const raw of path.slice(1).split("/")) {
    let key;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (node === null || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** The last segment of a reference: the component's (or message's) name. */
function refName(ref) {
  const last = String(ref).split("/").pop() || ref;
  try {
    return decodeURIComponent(last).replace(/~1/g, "/").replace(/~0/g, "~");
  } catch {
    return last;
  }
}

/**
 * Follows `$ref`s: { node, ref (the first reference followed, or null), broken (a reference that
 * names nothing, or a loop of references) }. Sibling keywords of a `$ref` (3.1) are kept on top.
 */
function deref(doc, value) {
  let node = value;
  let first = null;
  const seen = new Set();
  const siblings = {};
  for (let hop = 0; isObject(node) && typeof node.$ref === "string"; hop++) {
    if (hop >= MAX_REF_HOPS || seen.has(node.$ref)) return { node: {}, ref: first || node.$ref, broken: true, missing: node.$ref };
    seen.add(node.$ref);
    first = first || node.$ref;
    for (const [key, item] of Object.entries(node)) if (key !== "$ref" && !(key in siblings)) siblings[key] = item;
    const target = pointer(doc, node.$ref);
    if (target === undefined) return { node: siblings, ref: first, broken: true, missing: node.$ref };
    node = target;
  }
  if (first && isObject(node) && Object.keys(siblings).length) node = { ...node, ...siblings };
  return { node, ref: first, broken: false };
}

/* ---------- schemas ---------- */

/**
 * What a schema says, resolved: { schema, ref, broken, types (without "null"), nullable,
 * combinator: ["oneOf" | "anyOf" | "allOf", variants] or null }.
 */
function analyse(doc, raw, hops = 0) {
  if (hops > MAX_REF_HOPS) return { schema: {}, ref: null, broken: true, types: [], nullable: false, combinator: null };
  if (raw === true || raw === undefined) return { schema: {}, ref: null, broken: false, types: [], nullable: false, combinator: null, any: true };
  if (raw === false) return { schema: {}, ref: null, broken: false, types: [], nullable: false, combinator: null, never: true };
  const { node, ref, broken, missing } = deref(doc, raw);
  const schema = isObject(node) ? node : {};
  let types = Array.isArray(schema.type) ? schema.type.slice() : typeof schema.type === "string" ? [schema.type] : [];
  let nullable = schema.nullable === true || types.includes("null");
  // `type: "null"` alone is the null type, not a nullable anything.
  if (types.length && types.every((type) => type === "null")) nullable = false;
  else types = types.filter((type) => type !== "null");
  let combinator = null;
  for (const key of ["oneOf", "anyOf", "allOf"]) {
    if (!Array.isArray(schema[key])) continue;
    let variants = schema[key];
    // `anyOf: [X, {type: null}]` is how a nullable X (often a reference) is written in 3.1.
    const nulls = variants.filter((variant) => isObject(variant) && variant.type === "null" && Object.keys(variant).length === 1);
    if (nulls.length && key !== "allOf") {
      nullable = true;
      variants = variants.filter((variant) => !nulls.includes(variant));
    }
    if (variants.length === 1 && !types.length) {
      const inner = analyse(doc, variants[0], hops + 1);
      return { ...inner, nullable: nullable || inner.nullable, ref: inner.ref || ref, schema: { ...schema, ...inner.schema } };
    }
    if (variants.length) combinator = [key, variants];
    break;
  }
  if (!types.length && !combinator) {
    if (isObject(schema.properties) || isObject(schema.additionalProperties)) types = ["object"];
    else if (schema.items !== undefined) types = ["array"];
    else if (Array.isArray(schema.enum) && schema.enum.length) types = [...new Set(schema.enum.filter((v) => v !== null).map(jsonType))];
    else if ("const" in schema) types = [jsonType(schema.const)];
  }
  return { schema, ref, broken, missing, types, nullable, combinator, any: !types.length && !combinator && !broken };
}

function jsonType(value) {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** "string", "array of string", "object", "string | integer"… */
function typeLabel(doc, info, depth = 0) {
  if (info.never) return "never";
  if (info.broken) return "unresolved reference";
  if (info.combinator) return { oneOf: "one of", anyOf: "any of", allOf: "all of" }[info.combinator[0]];
  if (!info.types.length) return "any";
  return info.types
    .map((type) => {
      if (type !== "array") return type;
      if (depth >= MAX_DEPTH || info.schema.items === undefined) return "array";
      const items = analyse(doc, info.schema.items);
      const name = items.ref ? refName(items.ref) : typeLabel(doc, items, depth + 1);
      return `array of ${name}`;
    })
    .join(" | ");
}

function range(min, max, exclusiveMin, exclusiveMax, unit) {
  const suffix = unit ? ` ${unit}` : "";
  if (min !== undefined && max !== undefined && !exclusiveMin && !exclusiveMax) return `${min}–${max}${suffix}`;
  const parts = [];
  if (min !== undefined) parts.push(`${exclusiveMin ? ">" : "≥"} ${min}${suffix}`);
  if (max !== undefined) parts.push(`${exclusiveMax ? "<" : "≤"} ${max}${suffix}`);
  return parts.join(", ");
}

/** The constraints worth a reader's eye, as short strings. */
function constraints(schema) {
  const out = [];
  const num = (value) => (typeof value === "number" ? value : undefined);
  // 3.1 writes exclusive bounds as numbers; 3.0 as booleans beside minimum / maximum.
  const exMin = num(schema.exclusiveMinimum), exMax = num(schema.exclusiveMaximum);
  const numbers = range(exMin ?? num(schema.minimum), exMax ?? num(schema.maximum),
                        exMin !== undefined || schema.exclusiveMinimum === true, exMax !== undefined || schema.exclusiveMaximum === true);
  if (numbers) out.push(numbers);
  const length = range(num(schema.minLength), num(schema.maxLength), false, false, "chars");
  if (length) out.push(length);
  const items = range(num(schema.minItems), num(schema.maxItems), false, false, "items");
  if (items) out.push(items);
  const props = range(num(schema.minProperties), num(schema.maxProperties), false, false, "fields");
  if (props) out.push(props);
  if (schema.uniqueItems === true) out.push("unique items");
  if (typeof schema.multipleOf === "number") out.push(`multiple of ${schema.multipleOf}`);
  if (typeof schema.pattern === "string") out.push(`pattern ${schema.pattern}`);
  if (typeof schema.contentEncoding === "string") out.push(`encoding ${schema.contentEncoding}`);
  if (typeof schema.contentMediaType === "string") out.push(schema.contentMediaType);
  if ("default" in schema) out.push(`default ${json(schema.default)}`);
  if (schema.readOnly === true) out.push("read-only");
  if (schema.writeOnly === true) out.push("write-only");
  return out;
}

/** The chips of one schema: type, format, nullable, enum / const, constraints, reference. */
function describe(doc, info) {
  const line = document.createDocumentFragment();
  const { schema } = info;
  line.append(el("span", "type", typeLabel(doc, info)));
  if (typeof schema.format === "string") line.append(el("span", "format", schema.format));
  if (info.ref && !info.broken) line.append(el("span", "ref", refName(info.ref)));
  else if (typeof schema.title === "string" && schema.title) line.append(el("span", "ref", schema.title));
  if (info.broken) line.append(el("span", "flag flag-bad", `broken $ref ${info.missing || info.ref || ""}`));
  if (info.nullable) line.append(el("span", "flag", "nullable"));
  if (schema.deprecated === true) line.append(el("span", "flag flag-bad", "deprecated"));
  if ("const" in schema) line.append(enumChip([schema.const]));
  else if (Array.isArray(schema.enum)) line.append(enumChip(schema.enum));
  for (const text of constraints(schema)) line.append(el("span", "constraint", text));
  return line;
}

function enumChip(values) {
  const chip = el("span", "enum");
  chip.append(el("span", "enum-label", values.length === 1 ? "=" : "one of"));
  values.forEach((value) => chip.append(el("code", "enum-value", json(value))));
  return chip;
}

/**
 * The nested fields of a schema: its properties (and the values of a map), the fields of its
 * array's items, or its variants. `trail` holds the references being drawn, so a recursive schema
 * stops at its second appearance; `names` collects the field names for the filter.
 */
function fields(doc, info, depth, trail, names) {
  if (info.broken || info.any || info.never) return [];
  if (depth >= MAX_DEPTH) return [el("li", "field field-note muted", `… nested deeper than ${MAX_DEPTH} levels: see the raw document.`)];
  const { schema } = info;
  const out = [];
  if (info.combinator) {
    const [kind, variants] = info.combinator;
    variants.forEach((variant, index) => out.push(field(doc, `${kind === "allOf" ? "part" : "option"} ${index + 1}`, variant, null, depth, trail, names, true)));
    return out;
  }
  if (info.types.includes("object")) {
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    if (isObject(schema.properties)) {
      for (const [name, property] of discriminatorFirst(doc, schema.properties)) {
        names.push(name);
        out.push(field(doc, name, property, required.has(name), depth, trail, names));
      }
    }
    if (isObject(schema.patternProperties)) {
      for (const [pattern, property] of Object.entries(schema.patternProperties)) {
        out.push(field(doc, `/${pattern}/`, property, null, depth, trail, names, true));
      }
    }
    if (isObject(schema.additionalProperties) || schema.additionalProperties === true) {
      out.push(field(doc, "‹any name›", schema.additionalProperties, null, depth, trail, names, true));
    }
  }
  if (info.types.includes("array") && schema.items !== undefined) {
    const items = analyse(doc, schema.items);
    out.push(...withTrail(items, trail, (next) => fields(doc, items, depth + 1, next, names)));
  }
  return out;
}

/** The properties in document order, except a `type` of one value (a frame's kind), which leads. */
function discriminatorFirst(doc, properties) {
  const list = Object.entries(properties);
  const index = list.findIndex(([name, property]) => {
    if (name !== "type") return false;
    const { schema } = analyse(doc, property);
    return "const" in schema || (Array.isArray(schema.enum) && schema.enum.length === 1);
  });
  if (index > 0) list.unshift(...list.splice(index, 1));
  return list;
}

/** Runs `draw` with the schema's reference added to the trail, or notes the recursion. */
function withTrail(info, trail, draw) {
  if (!info.ref) return draw(trail);
  if (trail.includes(info.ref)) return [el("li", "field field-note muted", `… ${refName(info.ref)} again (recursive).`)];
  return draw([...trail, info.ref]);
}

/** One field: its name, its chips, required / optional (null: neither), its description and fields. */
function field(doc, name, raw, required, depth, trail, names, synthetic = false) {
  const info = analyse(doc, raw);
  const item = el("li", "field");
  const line = el("div", "field-line");
  line.append(el(synthetic ? "span" : "code", synthetic ? "field-name synthetic" : "field-name", name));
  line.append(describe(doc, info));
  if (required === true) line.append(el("span", "required", "required"));
  else if (required === false) line.append(el("span", "optional", "optional"));
  item.append(line);
  if (typeof info.schema.description === "string" && info.schema.description) {
    item.append(inlineText("p", info.schema.description, "field-description"));
  }
  const nested = withTrail(info, trail, (next) => fields(doc, info, depth + 1, next, names));
  if (nested.length) {
    const list = el("ul", "fields");
    list.append(...nested);
    item.append(list);
  }
  return item;
}

/** A whole schema: its root line (type, reference name…) and its nested field list. */
function schemaView(doc, raw, names) {
  const info = analyse(doc, raw);
  const box = el("div", "schema");
  const line = el("div", "schema-root");
  line.append(describe(doc, info));
  box.append(line);
  if (typeof info.schema.description === "string" && info.schema.description) {
    box.append(inlineText("p", info.schema.description, "field-description"));
  }
  const nested = withTrail(info, [], (trail) => fields(doc, info, 0, trail, names));
  if (nested.length) {
    const list = el("ul", "fields");
    list.append(...nested);
    box.append(list);
  }
  return box;
}

/* ---------- the filter's bookkeeping ---------- */

/** Registers what `node` is found by (and the TOC link that follows it). */
function addEntry(node, words, tocItem = null) {
  const entry = { node, text: words.filter(Boolean).join(" \u0000 ").toLowerCase(), tocItem };
  entries.push(entry);
  return entry;
}

/** A section (and its TOC item) that is shown while any of `children` (entries or groups) is. */
function addGroup(node, children, tocItem = null) {
  const group = { node, children, tocItem, visible: true };
  groups.push(group);
  return group;
}

/* ---------- HTTP ---------- */

function methodBadge(method, small = false) {
  const badge = el("span", `method method-${method}${small ? " small" : ""}`, method.toUpperCase());
  return badge;
}

function statusOrder(status) {
  if (/^\d{3}$/.test(status)) return Number(status);
  if (/^\dXX$/i.test(status)) return Number(status[0]) * 100 + 99.5;
  return 1000;
}

function statusClass(status) {
  const first = String(status)[0];
  return first === "4" || first === "5" ? "status-error" : first === "1" || first === "2" || first === "3" ? "status-ok" : "status-other";
}

/** The operation's security requirements (its own, else the document's). */
function securityOf(doc, operation) {
  const requirements = Array.isArray(operation.security) ? operation.security : Array.isArray(doc.security) ? doc.security : [];
  return requirements.filter(isObject);
}

function authChip(doc, requirements) {
  if (!requirements.length) {
    const chip = el("span", "auth auth-none", "No token");
    chip.dataset.auth = "none";
    return chip;
  }
  const schemes = isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  const labels = new Set();
  let optional = false;
  for (const requirement of requirements) {
    const keys = Object.keys(requirement);
    if (!keys.length) optional = true;
    for (const key of keys) {
      const scheme = deref(doc, schemes[key]).node;
      if (isObject(scheme) && scheme.type === "http" && String(scheme.scheme).toLowerCase() === "bearer") labels.add("Bearer token");
      else labels.add(key);
    }
  }
  const text = [...labels].join(" or ") + (optional ? " (optional)" : "");
  const chip = el("span", "auth auth-required", text || "Token");
  chip.dataset.auth = labels.has("Bearer token") ? "bearer" : "other";
  chip.title = "The Authorization: Bearer <token> header";
  return chip;
}

function parametersTable(doc, parameters, names) {
  const table = el("table", "params");
  const head = el("thead");
  const headRow = el("tr");
  const described = parameters.some((parameter) => parameter.description || parameter.deprecated);
  for (const title of ["Name", "In", "Type", "Required", ...(described ? ["Description"] : [])]) {
    const cell = el("th", null, title);
    cell.scope = "col";
    headRow.append(cell);
  }
  head.append(headRow);
  const body = el("tbody");
  for (const parameter of parameters) {
    const row = el("tr");
    const name = el("td");
    name.append(el("code", "param-name", parameter.name));
    names.push(parameter.name);
    const type = el("td", "param-type");
    const info = analyse(doc, parameter.schema ?? firstContentSchema(parameter.content));
    type.append(describe(doc, info));
    const nested = withTrail(info, [], (trail) => fields(doc, info, 0, trail, names));
    if (nested.length) {
      const list = el("ul", "fields");
      list.append(...nested);
      type.append(list);
    }
    const required = el("td", null);
    required.append(parameter.required ? el("span", "required", "required") : el("span", "optional", "optional"));
    const description = el("td", "param-description");
    if (parameter.description) description.append(inlineText("span", parameter.description));
    if (parameter.deprecated) description.append(el("span", "flag flag-bad", "deprecated"));
    row.append(name, el("td", "param-in", parameter.in), type, required);
    if (described) row.append(description);
    body.append(row);
  }
  table.append(head, body);
  return table;
}

function firstContentSchema(content) {
  if (!isObject(content)) return undefined;
  const first = Object.values(content)[0];
  return isObject(first) ? first.schema : undefined;
}

/** The parameters of an operation: the path item's, overridden by the operation's (by name and place). */
function parametersOf(doc, pathItem, operation) {
  const merged = new Map();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const parameter = deref(doc, raw).node;
      if (!isObject(parameter) || typeof parameter.name !== "string") continue;
      merged.set(`${parameter.in}:${parameter.name}`, parameter);
    }
  }
  const order = { path: 0, query: 1, header: 2, cookie: 3 };
  return [...merged.values()].sort((a, b) => (order[a.in] ?? 9) - (order[b.in] ?? 9));
}

function contentView(doc, content, names) {
  const box = el("div", "content-types");
  for (const [type, raw] of Object.entries(content)) {
    const media = deref(doc, raw).node;
    const block = el("div", "media");
    block.append(el("p", "media-type", type));
    if (isObject(media) && media.schema !== undefined) block.append(schemaView(doc, media.schema, names));
    else block.append(el("p", "muted small", "No schema given."));
    box.append(block);
  }
  return box;
}

function requestBodyView(doc, raw, names) {
  const { node: body } = deref(doc, raw);
  const box = el("div", "request-body");
  box.append(heading(4, "Request body"));
  if (!isObject(body)) return box;
  const meta = el("p", "muted small");
  meta.append(body.required ? el("span", "required", "required") : el("span", "optional", "optional"));
  if (typeof body.description === "string") meta.append(" ", inlineText("span", body.description));
  box.append(meta);
  if (isObject(body.content) && Object.keys(body.content).length) box.append(contentView(doc, body.content, names));
  return box;
}

/** The responses, those with the same body (e.g. every error envelope) drawn once under their statuses. */
function responsesView(doc, responses, names) {
  const box = el("div", "responses");
  box.append(heading(4, "Responses"));
  const statuses = Object.keys(responses).sort((a, b) => statusOrder(a) - statusOrder(b));
  const bundles = [];
  const byBody = new Map();
  for (const status of statuses) {
    const response = deref(doc, responses[status]).node;
    if (!isObject(response)) continue;
    const content = isObject(response.content) ? response.content : {};
    const key = json(content);
    let bundle = byBody.get(key);
    if (!bundle) {
      bundle = { content, rows: [] };
      byBody.set(key, bundle);
      bundles.push(bundle);
    }
    bundle.rows.push({ status, response });
  }
  for (const bundle of bundles) {
    const group = el("div", "response-group");
    const list = el("ul", "statuses");
    for (const { status, response } of bundle.rows) {
      const row = el("li", "status-row");
      const code = el("span", `status ${statusClass(status)}`, status);
      code.dataset.status = status;
      row.append(code, inlineText("span", response.description ?? "", "status-description"));
      if (isObject(response.headers)) {
        for (const [name, rawHeader] of Object.entries(response.headers)) {
          const header = deref(doc, rawHeader).node;
          const line = el("div", "response-header");
          line.append(el("span", "muted", "Header "), el("code", "field-name", name));
          if (isObject(header)) {
            line.append(describe(doc, analyse(doc, header.schema)));
            if (header.required) line.append(el("span", "required", "required"));
            if (header.description) line.append(inlineText("span", header.description, "header-description"));
          }
          row.append(line);
        }
      }
      list.append(row);
    }
    group.append(list);
    if (Object.keys(bundle.content).length) group.append(contentView(doc, bundle.content, names));
    else group.append(el("p", "muted small no-body", "No body described."));
    box.append(group);
  }
  return box;
}

function endpointView(doc, path, pathItem, method, operation) {
  const id = anchorId("op", operation.operationId || `${method}-${path}`);
  const names = [];
  const details = el("details", "endpoint");
  details.id = id;
  details.dataset.method = method;
  details.dataset.path = path;

  const summary = el("summary");
  const pathCode = el("code", "path", path);
  const requirements = securityOf(doc, operation);
  summary.append(methodBadge(method), pathCode, el("span", "op-summary", operation.summary || ""), authChip(doc, requirements));
  details.append(summary);

  const body = el("div", "endpoint-body");
  if (operation.description) body.append(richText(operation.description));
  const meta = el("p", "endpoint-meta muted small");
  if (operation.operationId) meta.append("Operation id ", el("code", null, operation.operationId));
  if (operation.deprecated) meta.append(" ", el("span", "flag flag-bad", "deprecated"));
  if (meta.childNodes.length) body.append(meta);

  const parameters = parametersOf(doc, pathItem, operation);
  if (parameters.length) {
    body.append(heading(4, "Parameters"));
    const wrap = el("div", "table-wrap");
    wrap.append(parametersTable(doc, parameters, names));
    body.append(wrap);
  }
  if (operation.requestBody !== undefined) body.append(requestBodyView(doc, operation.requestBody, names));
  if (isObject(operation.responses)) body.append(responsesView(doc, operation.responses, names));
  details.append(body);

  const tocItem = el("li", "toc-op");
  const link = el("a");
  link.href = `#${id}`;
  link.append(methodBadge(method, true), breakablePath(path));
  tocItem.append(link);

  const tags = Array.isArray(operation.tags) ? operation.tags : [];
  const entry = addEntry(details, [method, path, `${method} ${path}`, operation.summary, operation.operationId, ...tags, ...names], tocItem);
  return { details, tocItem, entry };
}

function renderHTTP(doc) {
  const section = $("http");
  const info = isObject(doc.info) ? doc.info : {};
  section.append(heading(2, "HTTP API", "http-title"));
  const meta = el("p", "part-meta muted");
  meta.append(`${info.title || "API"} ${info.version ? "v" + info.version : ""} · OpenAPI ${doc.openapi || "?"} · `);
  const raw = el("a", null, "openapi.json");
  raw.href = OPENAPI_URL;
  raw.download = "openapi.json";
  meta.append(raw);
  section.append(meta);
  const intro = el("div", "part-intro");
  if (info.description) intro.append(richText(info.description));
  intro.append(securityView(doc));
  section.append(intro);

  // Operations, grouped by tag in the order of the document's `tags`; untagged ones last.
  const tagOrder = Array.isArray(doc.tags) ? doc.tags.filter((tag) => isObject(tag) && typeof tag.name === "string") : [];
  const byTag = new Map(tagOrder.map((tag) => [tag.name, []]));
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const pathItem = deref(doc, rawItem).node;
    if (!isObject(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      const tag = Array.isArray(operation.tags) && operation.tags.length ? operation.tags[0] : "Other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, pathItem, method, operation });
    }
  }

  const toc = el("ul", "toc-list");
  let count = 0;
  for (const [name, operations] of byTag) {
    if (!operations.length) continue;
    const tag = tagOrder.find((item) => item.name === name) || {};
    const id = anchorId("tag", name);
    const group = el("section", "tag-group");
    group.id = id;
    group.dataset.tag = name;
    group.setAttribute("aria-labelledby", `${id}-title`);
    const title = heading(3, name, `${id}-title`);
    title.append(el("span", "count", String(operations.length)));
    group.append(title);
    if (tag.description) group.append(richText(tag.description));

    const tocItem = el("li", "toc-group");
    const link = el("a", null, name);
    link.href = `#${id}`;
    const tocOps = el("ul", "toc-ops");
    tocItem.append(link, tocOps);
    toc.append(tocItem);

    const children = [];
    for (const { path, pathItem, method, operation } of operations) {
      const view = endpointView(doc, path, pathItem, method, operation);
      group.append(view.details);
      tocOps.append(view.tocItem);
      children.push(view.entry);
      count++;
    }
    addGroup(group, children, tocItem);
    section.append(group);
  }
  if (!count) section.append(el("p", "muted", "The document has no operations."));
  section.hidden = false;
  return { title: "HTTP API", href: "#http", list: toc };
}

function securityView(doc) {
  const schemes = isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  const box = el("div", "security");
  if (!Object.keys(schemes).length) return box;
  box.append(heading(3, "Authentication", anchorId("authentication")));
  const list = el("dl", "schemes");
  for (const [name, raw] of Object.entries(schemes)) {
    const scheme = deref(doc, raw).node;
    if (!isObject(scheme)) continue;
    const term = el("dt");
    term.append(el("code", null, name));
    const kind = [scheme.type, scheme.scheme, scheme.bearerFormat && `(${scheme.bearerFormat})`, scheme.in && `in ${scheme.in}`, scheme.name]
      .filter(Boolean).join(" ");
    term.append(el("span", "muted", ` ${kind}`));
    const definition = el("dd");
    if (scheme.type === "http" && String(scheme.scheme).toLowerCase() === "bearer") {
      definition.append(inlineText("p", "Send `Authorization: Bearer <token>`. Endpoints marked Bearer token need it."));
    }
    if (scheme.description) definition.append(inlineText("p", scheme.description));
    list.append(term, definition);
  }
  box.append(list);
  return box;
}

function renderSchemas(doc) {
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  if (!Object.keys(schemas).length) return null;
  const section = $("schemas");
  section.append(heading(2, "Schemas", "schemas-title"));
  section.append(el("p", "muted", "The shared schemas that operations reference (#/components/schemas/…)."));
  const toc = el("ul", "toc-list");
  for (const [name, schema] of Object.entries(schemas)) {
    const id = anchorId("schema", name);
    const block = el("section", "component");
    block.id = id;
    block.append(heading(3, name));
    block.append(schemaView(doc, schema, []));
    section.append(block);
    const item = el("li", "toc-group");
    const link = el("a", null, name);
    link.href = `#${id}`;
    item.append(link);
    toc.append(item);
  }
  section.hidden = false;
  return { title: "Schemas", href: "#schemas", list: toc };
}

/* ---------- sockets ---------- */

/** The channel key a `#/channels/<key>` reference names. */
function channelKey(ref) {
  const match = /^#\/channels\/([^/]+)$/.exec(String(ref));
  return match ? refName(`#/${match[1]}`) : null;
}

function objectTable(doc, raw, className, caption, names) {
  const info = analyse(doc, raw);
  const properties = isObject(info.schema.properties) ? info.schema.properties : {};
  if (!Object.keys(properties).length) return null;
  const required = new Set(Array.isArray(info.schema.required) ? info.schema.required : []);
  const table = el("table", className);
  table.append(el("caption", null, caption));
  const head = el("thead");
  const headRow = el("tr");
  const described = Object.values(properties).some((property) => {
    const { schema } = analyse(doc, property);
    return typeof schema.description === "string" && schema.description;
  });
  for (const title of ["Name", "Type", "Required", ...(described ? ["Description"] : [])]) {
    const cell = el("th", null, title);
    cell.scope = "col";
    headRow.append(cell);
  }
  head.append(headRow);
  const body = el("tbody");
  for (const [name, property] of Object.entries(properties)) {
    names.push(name);
    const row = el("tr");
    const nameCell = el("td");
    nameCell.append(el("code", "param-name", name));
    const type = el("td", "param-type");
    const propertyInfo = analyse(doc, property);
    type.append(describe(doc, propertyInfo));
    const requiredCell = el("td");
    requiredCell.append(required.has(name) ? el("span", "required", "required") : el("span", "optional", "optional"));
    const description = el("td", "param-description");
    if (propertyInfo.schema.description) description.append(inlineText("span", propertyInfo.schema.description));
    row.append(nameCell, type, requiredCell);
    if (described) row.append(description);
    body.append(row);
  }
  table.append(head, body);
  const wrap = el("div", "table-wrap");
  wrap.append(table);
  return wrap;
}

function closeCodesTable(codes) {
  const rows = Object.entries(codes).sort(([a], [b]) => Number(a) - Number(b) || a.localeCompare(b));
  const table = el("table", "close-codes");
  table.append(el("caption", null, "Close codes"));
  const head = el("thead");
  const headRow = el("tr");
  for (const title of ["Code", "Reason"]) {
    const cell = el("th", null, title);
    cell.scope = "col";
    headRow.append(cell);
  }
  head.append(headRow);
  const body = el("tbody");
  for (const [code, reason] of rows) {
    const row = el("tr");
    row.dataset.code = code;
    const codeCell = el("td");
    codeCell.append(el("code", `close-code ${Number(code) >= 4000 ? "close-app" : "close-transport"}`, code));
    row.append(codeCell, inlineText("td", typeof reason === "string" ? reason : json(reason)));
    body.append(row);
  }
  table.append(head, body);
  const wrap = el("div", "table-wrap");
  wrap.append(table);
  return wrap;
}

function messageView(doc, channel, key, id, message) {
  const details = el("details", "message");
  details.id = anchorId("msg", key, id);
  details.dataset.message = id;
  details.dataset.channel = key;
  const summary = el("summary");
  const name = typeof message.name === "string" && message.name ? message.name : id;
  summary.append(el("code", "message-name", name));
  const text = message.summary || message.title || "";
  if (text) summary.append(inlineText("span", text, "message-summary"));
  details.append(summary);

  const body = el("div", "message-body");
  if (message.description) body.append(richText(message.description));
  const meta = el("p", "muted small");
  meta.append("Message id ", el("code", null, id));
  if (message.contentType) meta.append(" · ", el("code", null, message.contentType));
  body.append(meta);
  const names = [];
  if (message.payload !== undefined) {
    body.append(heading(5, "Payload"));
    // An AsyncAPI multi-format schema ({schemaFormat, schema}) carries its schema one level down.
    const payload = isObject(message.payload) && message.payload.schemaFormat && message.payload.schema !== undefined
      ? message.payload.schema : message.payload;
    body.append(schemaView(doc, payload, names));
  } else {
    body.append(el("p", "muted small", "No payload schema."));
  }
  details.append(body);
  const entry = addEntry(details, [name, id, text, channel.address, channel.title, key, ...names]);
  return { details, entry };
}

function renderSockets(doc) {
  const section = $("sockets");
  const info = isObject(doc.info) ? doc.info : {};
  section.append(heading(2, "Sockets", "sockets-title"));
  const meta = el("p", "part-meta muted");
  meta.append(`${info.title || "Sockets"} ${info.version ? "v" + info.version : ""} · AsyncAPI ${doc.asyncapi || "?"}`);
  if (doc.defaultContentType) meta.append(` · ${doc.defaultContentType} · `);
  else meta.append(" · ");
  const raw = el("a", null, "asyncapi.json");
  raw.href = ASYNCAPI_URL;
  raw.download = "asyncapi.json";
  meta.append(raw);
  section.append(meta);
  if (info.description) {
    const intro = el("div", "part-intro");
    intro.append(richText(info.description));
    section.append(intro);
  }

  const channels = isObject(doc.channels) ? doc.channels : {};
  const operations = isObject(doc.operations) ? doc.operations : {};
  const toc = el("ul", "toc-list");

  for (const [key, rawChannel] of Object.entries(channels)) {
    const channel = deref(doc, rawChannel).node;
    if (!isObject(channel)) continue;
    const id = anchorId("channel", key);
    const block = el("section", "channel");
    block.id = id;
    block.dataset.channel = key;
    block.setAttribute("aria-labelledby", `${id}-title`);
    const title = heading(3, "", `${id}-title`);
    title.append(el("code", "address", channel.address ?? `(${key})`));
    if (channel.title) title.append(el("span", "channel-title", channel.title));
    block.append(title);
    if (channel.description) block.append(richText(channel.description));

    const names = [];
    const ws = isObject(channel.bindings) && isObject(channel.bindings.ws) ? channel.bindings.ws : null;
    if (ws) {
      const how = el("p", "muted small");
      how.append(`WebSocket: ${ws.method || "GET"} `, el("code", null, channel.address ?? ""), " then one JSON object per text message.");
      block.append(how);
      const query = ws.query !== undefined && objectTable(doc, ws.query, "query-params", "Query parameters", names);
      if (query) block.append(query);
      const headers = ws.headers !== undefined && objectTable(doc, ws.headers, "header-params", "Headers", names);
      if (headers) block.append(headers);
    }
    const closeCodes = isObject(channel["x-close-codes"]) ? channel["x-close-codes"] : {};
    if (Object.keys(closeCodes).length) block.append(closeCodesTable(closeCodes));

    // The messages, by the operations of this channel: `send` is what the client sends.
    const messages = isObject(channel.messages) ? channel.messages : {};
    const lists = { send: { title: "Client sends", className: "client-sends", ops: [], ids: [] },
                    receive: { title: "Server sends", className: "server-sends", ops: [], ids: [] } };
    const placed = new Set();
    for (const operation of Object.values(operations)) {
      if (!isObject(operation) || !isObject(operation.channel)) continue;
      if (channelKey(operation.channel.$ref) !== key) continue;
      const list = lists[operation.action];
      if (!list) continue;
      list.ops.push(operation);
      const refs = Array.isArray(operation.messages) && operation.messages.length
        ? operation.messages
        : Object.keys(messages).map((messageId) => ({ $ref: `#/channels/${key}/messages/${messageId}` }));
      for (const ref of refs) {
        const messageId = isObject(ref) && typeof ref.$ref === "string" ? refName(ref.$ref) : null;
        if (!messageId || list.ids.includes(messageId)) continue;
        list.ids.push(messageId);
        placed.add(messageId);
      }
    }
    const unplaced = Object.keys(messages).filter((messageId) => !placed.has(messageId));
    const sublists = [lists.send, lists.receive];
    if (unplaced.length) sublists.push({ title: "Other messages (no operation)", className: "other-messages", ops: [], ids: unplaced });

    const channelChildren = [];
    for (const list of sublists) {
      if (!list.ids.length) continue;
      const part = el("div", `message-list ${list.className}`);
      part.append(heading(4, list.title));
      for (const operation of list.ops) if (operation.summary) part.append(inlineText("p", operation.summary, "muted small operation-summary"));
      const listEntries = [];
      for (const messageId of list.ids) {
        const message = deref(doc, messages[messageId] ?? { $ref: `#/channels/${key}/messages/${messageId}` });
        if (!isObject(message.node) || message.broken) {
          part.append(el("p", "flag flag-bad", `Unresolved message ${messageId}`));
          continue;
        }
        const view = messageView(doc, channel, key, messageId, message.node);
        part.append(view.details);
        listEntries.push(view.entry);
      }
      block.append(part);
      channelChildren.push(addGroup(part, listEntries));
    }

    const tocItem = el("li", "toc-group");
    const link = el("a");
    link.href = `#${id}`;
    link.append(breakablePath(channel.address ?? key));
    tocItem.append(link);
    toc.append(tocItem);
    // The channel itself is found by its address, title, query parameters and close codes.
    const own = addEntry(block, [channel.address, channel.title, key, ...names, ...Object.entries(closeCodes).flat().map(String)]);
    own.container = true;
    addGroup(block, [own, ...channelChildren], tocItem);
    section.append(block);
  }
  if (!Object.keys(channels).length) section.append(el("p", "muted", "The document has no channels."));
  section.hidden = false;
  return { title: "Sockets", href: "#sockets", list: toc };
}

/* ---------- overview, contents ---------- */

function renderOverview(openapi, asyncapi) {
  const section = $("overview");
  section.append(heading(2, "Overview", "overview-title"));
  const intro = el("p");
  intro.append("This page is drawn from the server's own documents: ");
  const http = el("a", null, "the HTTP API");
  http.href = "#http";
  const sockets = el("a", null, "the two WebSockets");
  sockets.href = "#sockets";
  intro.append(http, " (", el("code", null, OPENAPI_URL), ") and ", sockets, " (", el("code", null, ASYNCAPI_URL), ").");
  section.append(intro);
  const legend = el("p", "legend muted small");
  legend.append("In the field lists, ", el("span", "required", "required"), " fields are always present (in a response) or must be sent (in a request); ",
                el("span", "optional", "optional"), " ones may be missing. ", el("span", "flag", "nullable"), " fields may be null.");
  section.append(legend);
  const version = (openapi && openapi.info && openapi.info.version) || (asyncapi && asyncapi.info && asyncapi.info.version);
  if (version) {
    $("docs-version").textContent = `v${version}`;
    $("docs-version").hidden = false;
  }
  section.hidden = false;
}

function renderToc(parts) {
  const nav = $("toc");
  const list = el("ul", "toc-root");
  const overview = el("li", "toc-part");
  const link = el("a", null, "Overview");
  link.href = "#overview";
  overview.append(link);
  list.append(overview);
  for (const part of parts) {
    if (!part) continue;
    const item = el("li", "toc-part");
    const partLink = el("a", null, part.title);
    partLink.href = part.href;
    item.append(partLink, part.list);
    list.append(item);
  }
  nav.append(list);
}

/* ---------- filter ---------- */

function applyFilter() {
  const query = $("filter").value.trim().toLowerCase();
  const terms = query.split(/\s+/).filter(Boolean);
  const matches = (entry) => terms.every((term) => entry.text.includes(term));
  let endpoints = 0, endpointsShown = 0, messages = 0, messagesShown = 0;
  for (const entry of entries) {
    entry.visible = !terms.length || matches(entry);
    if (entry.container) continue;
    const isEndpoint = entry.node.classList.contains("endpoint");
    if (isEndpoint) { endpoints++; if (entry.visible) endpointsShown++; } else { messages++; if (entry.visible) messagesShown++; }
  }
  for (const entry of entries) {
    if (entry.container) continue;
    entry.node.hidden = !entry.visible;
    if (entry.tocItem) entry.tocItem.hidden = !entry.visible;
  }
  // Groups in order: message lists come before their channel, so children are settled first.
  for (const group of groups) {
    group.visible = group.children.some((child) => child.visible);
    group.node.hidden = !group.visible;
    if (group.tocItem) group.tocItem.hidden = !group.visible;
  }
  // While filtering, only the parts with a match are shown, without their introductions.
  const anyChannel = groups.some((group) => group.node.classList.contains("channel") && group.visible);
  $("docs").classList.toggle("filtering", terms.length > 0);
  $("http").classList.toggle("filtered-out", terms.length > 0 && !endpointsShown);
  $("sockets").classList.toggle("filtered-out", terms.length > 0 && !messagesShown && !anyChannel);

  const status = $("filter-status");
  const noMatch = $("no-match");
  if (!terms.length) {
    status.textContent = "";
    noMatch.hidden = true;
  } else if (!endpointsShown && !messagesShown && !anyChannel) {
    status.textContent = "Nothing matches.";
    noMatch.textContent = `No endpoint or message matches “${$("filter").value.trim()}”.`;
    noMatch.hidden = false;
  } else {
    status.textContent = `${endpointsShown} of ${endpoints} endpoints, ${messagesShown} of ${messages} messages.`;
    noMatch.hidden = true;
  }
}

function onFilterKeydown(event) {
  if (event.key === "Escape" && $("filter").value) {
    $("filter").value = "";
    applyFilter();
    event.preventDefault();
  }
}

function onDocumentKeydown(event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  if ($("filter").disabled) return;
  event.preventDefault();
  $("filter").focus();
  $("filter").select();
}

function setAllOpen(open) {
  for (const details of document.querySelectorAll("#content details")) {
    if (!details.closest("[hidden]")) details.open = open;
  }
}

/** Opens the `<details>` the location's hash names (or holds) and brings it into view. */
function revealHash(scroll) {
  let id;
  try {
    id = decodeURIComponent(location.hash.slice(1));
  } catch {
    return;
  }
  if (!id) return;
  const target = document.getElementById(id);
  if (!target) return;
  for (let node = target; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
  }
  if (scroll) target.scrollIntoView();
}

/* ---------- loading ---------- */

async function load(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-cache" });
  } catch {
    throw new Error(`${url} could not be fetched: the server cannot be reached.`);
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}${response.statusText ? " " + response.statusText : ""}.`);
  try {
    const doc = await response.json();
    if (!isObject(doc)) throw new Error("not an object");
    return doc;
  } catch {
    throw new Error(`${url} is not a JSON document.`);
  }
}

function showError(messages) {
  const box = $("docs-error");
  box.replaceChildren(el("p", "docs-error-title", messages.length > 1 ? "The API documents could not be loaded." : "An API document could not be loaded."));
  const list = el("ul");
  for (const message of messages) list.append(el("li", null, message));
  box.append(list, el("p", null, "Reload the page to try again; the raw documents are linked at the top."));
  box.hidden = false;
}

async function main() {
  document.addEventListener("keydown", onDocumentKeydown);
  const [openapi, asyncapi] = await Promise.allSettled([load(OPENAPI_URL), load(ASYNCAPI_URL)]);
  const errors = [];
  const parts = [];
  const docs = { openapi: openapi.status === "fulfilled" ? openapi.value : null, asyncapi: asyncapi.status === "fulfilled" ? asyncapi.value : null };
  renderOverview(docs.openapi, docs.asyncapi);
  for (const [result, render, url] of [[openapi, renderHTTP, OPENAPI_URL], [asyncapi, renderSockets, ASYNCAPI_URL]]) {
    if (result.status !== "fulfilled") {
      errors.push(result.reason instanceof Error ? result.reason.message : `${url} could not be loaded.`);
      continue;
    }
    try {
      parts.push(render(result.value));
    } catch (error) {
      console.warn(error);
      errors.push(`${url} could not be drawn: ${error instanceof Error ? error.message : error}.`);
    }
  }
  if (docs.openapi) {
    try {
      parts.push(renderSchemas(docs.openapi));
    } catch (error) {
      console.warn(error);
    }
  }
  renderToc(parts);

  $("docs-status").hidden = true;
  if (errors.length) showError(errors);
  const ready = parts.some(Boolean);
  for (const id of ["filter", "expand-all", "collapse-all"]) $(id).disabled = !ready;
  $("filter").addEventListener("input", applyFilter);
  $("filter").addEventListener("keydown", onFilterKeydown);
  $("expand-all").addEventListener("click", () => setAllOpen(true));
  $("collapse-all").addEventListener("click", () => setAllOpen(false));
  window.addEventListener("hashchange", () => revealHash(false));
  if ($("filter").value) applyFilter(); // a value the browser restored
  $("docs").dataset.state = errors.length ? "error" : "ready";
  revealHash(true);
}

main();
