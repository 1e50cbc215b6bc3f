/*
 * Livechat agent console: plain JavaScript, no framework, no build step.
 *
 * Stable hooks for browser tests
 *   Login      #login-view, #login-form, #login-email, #login-password, #login-submit, #login-error
 *   Top bar    #app, #connection-status (data-state="ok" | "warn"), #agent-name, #logout,
 *              #enable-notifications (shown while the browser's notifications are not yet allowed)
 *   Inbox      #inbox-pane, #filter-status (active | mine | unassigned | ended), #filter-department,
 *              #inbox-status, #inbox > li > button.inbox-item[data-session-id]
 *                (.visitor-name, .preview, .unread when the count is > 0; aria-current="true" when open),
 *              #load-more
 *   Chat       #chat, #chat-empty, #chat-view, #back, #chat-title, #chat-meta,
 *              #assign-me, #assign-to, #transfer-to, #end-chat, #chat-error, #chat-ended, #chat-status
 *   Messages   #messages (role="log") > .message[data-id][data-seq][data-sender-type]
 *                (.mine for the agent's own; .text; .file-link | audio.file-audio | img.file-image | .file-name;
 *                 .receipt "Sent" / "Seen" on the agent's own),
 *              #messages > .system-line, #outbox > li.pending[data-client-id], #typing
 *   Composer   #composer, #composer-input, #composer-send, #composer-attach, #composer-file,
 *              #composer-note (checked: the next messages are private notes; #composer gets .note-mode)
 *   Notes      #messages > .message.note[data-type="note"] (agents only; never sent to the visitor)
 *   Settings   #open-settings (business admins only), #settings-view, #settings-form, #settings-name,
 *              #settings-greeting, #settings-offline, #settings-prechat-name, #settings-prechat-email,
 *              #settings-origins, #settings-auto-assign, #settings-retention, #settings-save,
 *              #settings-status, #settings-error, #settings-close,
 *              #canned-list > li[data-id] (.canned-shortcut, .canned-text, button.canned-delete),
 *              #canned-form, #canned-shortcut, #canned-content, #canned-add, #canned-error
 *   Agents     #team-list > li[data-id] (.team-name, .team-state, button.team-admin, button.team-active), #team-form,
 *              #team-name, #team-email, #team-password, #team-department, #team-admin, #team-add, #team-error
 *   Departments #department-list > li[data-id], #department-form, #department-name, #department-add, #department-error
 *   Privacy    #export-visitor, #erase-visitor (business admins, on an open chat; erasing asks to confirm), #chat-status says what happened
 *   Webhooks   #webhook-list > li[data-id] (.webhook-url, button.webhook-log-open, button.webhook-delete), #webhook-form,
 *              #webhook-url, #webhook-form input[name="event"], #webhook-add, #webhook-error,
 *              #webhook-secret (the new webhook's secret, shown once), #webhook-log, #webhook-log-rows > tr[data-state]
 *   Reports    #open-reports, #reports-view, #reports-form, #reports-from, #reports-to, #reports-load, #reports-error,
 *              #reports-figures > div[data-figure] (dt, dd), #reports-chart > svg > rect.bar[data-date][data-count], #reports-close
 *   Search     #search-form, #search-input, #search-submit, #search-panel (shown instead of the inbox while searching),
 *              #search-status, #search-clear, #search-more,
 *              #search-results > li > button.search-result[data-session-id][data-message-id] (.snippet with <mark> on
 *              the matching words, .private-tag on a note); opening one marks the message .found in #messages
 *   Picker     #canned-picker (role="listbox") > li[role="option"][data-shortcut] (aria-selected on the active one):
 *              opened by typing "/" first in #composer-input; arrows move, Enter or a click inserts, Escape closes
 */

const TITLE = "Livechat console";
const TOKEN_KEY = "livechat.agent.token";
const AGENT_KEY = "livechat.agent.profile";
const MEDIA_PREFIX = "/media/chat_attachments/";
const IMAGE_NAME = /\.(png|jpe?g|gif|webp)$/i;
const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
const HISTORY_PAGE = 1000;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;
const FINAL_CHAT_CLOSES = new Set([4002, 4003, 4006]);

const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  agent: null,
  sessions: [],
  nextCursor: null,
  inboxTicket: 0,
  reloading: false,
  reloadTimer: null,
  agents: new Map(),
  departments: [],
  feed: null,
  chat: null,
  search: null,
  inboxNotice: "",
  outboxes: new Map(),
  alerts: new Map(),
  canned: [],
  picker: { items: [], active: 0 },
};

/* ---------- small helpers ---------- */

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function parseFrame(raw) {
  try {
    const frame = JSON.parse(raw);
    return frame && typeof frame === "object" ? frame : {};
  } catch {
    return {};
  }
}

function socketUrl(path) {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}

function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "c-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The URL of an uploaded file of this server, or null: only those become links or media. */
function mediaUrl(raw) {
  if (typeof raw !== "string") return null;
  try {
    const url = new URL(raw, location.href);
    return url.origin === location.origin && url.pathname.startsWith(MEDIA_PREFIX) ? url.href : null;
  } catch {
    return null;
  }
}

function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString([], { day: "numeric", month: "short" });
}

function timeElement(iso) {
  const time = el("time", "time", formatTime(iso));
  time.dateTime = iso;
  time.title = new Date(iso).toLocaleString();
  return time;
}

function nextDelay(delay) {
  return Math.min(delay * 2, RETRY_MAX_MS);
}

/* ---------- HTTP ---------- */

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function errorText(payload, status) {
  const message = typeof payload.message === "string" ? payload.message : `The request failed (${status}).`;
  const errors = payload.errors && typeof payload.errors === "object" ? payload.errors : {};
  const details = Object.values(errors).flat().filter((detail) => typeof detail === "string");
  return details.length ? `${message} ${details.join(" ")}` : message;
}

async function api(path, { method = "GET", json, form } = {}) {
  const token = state.token;
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body = form;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError("The server cannot be reached. Check your connection and try again.", 0);
  }
  const payload = (await response.json().catch(() => null)) || {};
  if (response.ok) return payload;
  if (response.status === 401 && token && token === state.token) showLogin("Your session has expired. Please log in again.");
  throw new ApiError(errorText(payload, response.status), response.status);
}

/* ---------- login and logout ---------- */

function setLoginError(message) {
  $("login-error").textContent = message;
  $("login-error").hidden = !message;
}

async function onLoginSubmit(event) {
  event.preventDefault();
  setLoginError("");
  $("login-submit").disabled = true;
  try {
    const { data } = await api("/auth/login/", {
      method: "POST",
      json: { email: $("login-email").value.trim(), password: $("login-password").value },
    });
    sessionStorage.setItem(TOKEN_KEY, data.token);
    sessionStorage.setItem(AGENT_KEY, JSON.stringify(data.agent));
    startConsole(data.token, data.agent);
  } catch (error) {
    setLoginError(error.message);
  } finally {
    $("login-submit").disabled = false;
  }
}

function startConsole(token, agent) {
  state.token = token;
  state.agent = agent;
  $("login-password").value = "";
  $("login-view").hidden = true;
  $("app").hidden = false;
  $("agent-name").textContent = agent.name;
  $("open-settings").hidden = agent.is_admin !== true;
  updateNotificationButton();
  // The console opens on the chats that need an answer, whatever filter the last sign-in left.
  $("filter-status").value = "active";
  $("filter-department").value = "";
  state.seedAlerts = true;
  connectFeed();
  loadTeam();
  loadCanned();
  reloadInbox();
}

/** Stops everything and shows the login form, with `message` when given. */
function showLogin(message = "") {
  closeChat();
  stopFeed();
  clearTimeout(state.reloadTimer);
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(AGENT_KEY);
  Object.assign(state, { token: null, agent: null, sessions: [], nextCursor: null, agents: new Map(), departments: [], canned: [] });
  state.inboxTicket += 1;
  state.reloading = false;
  state.outboxes.clear();
  state.alerts.clear();
  updateTitle();
  $("inbox").replaceChildren();
  closeSettings();
  closeReports();
  $("app").hidden = true;
  $("login-view").hidden = false;
  setLoginError(message);
  $("login-email").focus();
}

/** After a socket refused the token: a 401 from the API sends the agent back to the login form. */
function checkToken() {
  api("/chat/departments/").catch(() => {});
}

/* ---------- team: agents and departments ---------- */

async function loadTeam() {
  const token = state.token;
  try {
    const [agents, departments] = await Promise.all([api("/chat/agents/"), api("/chat/departments/")]);
    if (token !== state.token) return;
    state.agents = new Map(agents.data.map((agent) => [agent.id, agent]));
    state.departments = departments.data;
    renderDepartmentFilter();
    renderTeamSelects();
  } catch (error) {
    if (token === state.token) setInboxStatus(error.message);
  }
}

function option(value, text) {
  const node = el("option", "", text);
  node.value = value;
  return node;
}

function renderDepartmentFilter() {
  const select = $("filter-department");
  const chosen = select.value;
  select.replaceChildren(option("", "All departments"), ...state.departments.map((d) => option(d.id, d.name)));
  select.value = state.departments.some((d) => d.id === chosen) ? chosen : "";
}

function renderTeamSelects() {
  const agents = [...state.agents.values()].map((agent) => {
    const who = agent.id === state.agent.id ? `${agent.name} (you)` : agent.name;
    return option(agent.id, `${who}, ${agent.online ? "online" : "offline"}`);
  });
  $("assign-to").replaceChildren(option("", "Assign to…"), ...agents);
  $("transfer-to").replaceChildren(option("", "Transfer to…"), ...state.departments.map((d) => option(d.id, d.name)));
}

function setAgentOnline(agentId, online) {
  const agent = state.agents.get(agentId);
  if (!agent) {
    loadTeam();
    return;
  }
  agent.online = online;
  for (const session of [...state.sessions, state.chat?.summary]) {
    if (session?.assigned_agent?.id === agentId) session.assigned_agent.online = online;
  }
  renderTeamSelects();
  renderInbox();
  renderChatHeader();
}

/* ---------- inbox ---------- */

function setInboxStatus(text) {
  $("inbox-status").textContent = text;
}

function inboxQuery(cursor, limit) {
  const filter = $("filter-status").value;
  const params = new URLSearchParams({ active: filter === "ended" ? "false" : "true", limit: String(limit) });
  if (filter === "mine") params.set("assigned", "me");
  if (filter === "unassigned") params.set("assigned", "none");
  if ($("filter-department").value) params.set("department", $("filter-department").value);
  if (cursor) params.set("cursor", cursor);
  return `/chat/sessions/?${params}`;
}

/** Reloads the first page (as long as what is shown, so "Load more" pages stay). */
async function reloadInbox() {
  const ticket = ++state.inboxTicket;
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, state.sessions.length));
  if (!state.sessions.length) setInboxStatus("Loading conversations…");
  state.reloading = true;
  try {
    const page = await api(inboxQuery(null, limit));
    if (ticket !== state.inboxTicket) return;
    state.reloading = false;
    state.sessions = page.data;
    state.nextCursor = page.next_cursor || null;
    if (state.chat) state.chat.summary = findSession(state.chat.id) || state.chat.summary;
    if (state.seedAlerts) {
      // What came in while nobody watched counts in the tab's title from the first look.
      state.seedAlerts = false;
      for (const session of state.sessions) {
        if (session.unread_count > 0 && !assignedToSomeoneElse(session.session_id)) state.alerts.set(session.session_id, session.unread_count);
      }
      updateTitle();
    }
    renderInbox();
    renderChatHeader();
  } catch (error) {
    if (ticket !== state.inboxTicket) return;
    state.reloading = false;
    setInboxStatus(error.message);
  }
}

async function loadMore() {
  const ticket = state.inboxTicket;
  $("load-more").disabled = true;
  try {
    const page = await api(inboxQuery(state.nextCursor, PAGE_SIZE));
    if (ticket !== state.inboxTicket) return;
    const known = new Set(state.sessions.map((s) => s.session_id));
    state.sessions.push(...page.data.filter((s) => !known.has(s.session_id)));
    state.nextCursor = page.next_cursor || null;
    renderInbox();
  } catch (error) {
    setInboxStatus(error.message);
  } finally {
    $("load-more").disabled = false;
  }
}

function scheduleReload() {
  clearTimeout(state.reloadTimer);
  state.reloadTimer = setTimeout(reloadInbox, 250);
}

function onFilterChange() {
  state.inboxNotice = "";
  state.sessions = [];
  state.nextCursor = null;
  renderInbox();
  reloadInbox();
}

function findSession(id) {
  return state.sessions.find((session) => session.session_id === id) || null;
}

/** Applies `change` to the session's summary (inbox and open chat), then redraws. */
function patchSession(id, change) {
  const targets = new Set([findSession(id), state.chat?.id === id ? state.chat.summary : null]);
  targets.delete(null);
  targets.forEach(change);
  if (!targets.size) return;
  renderInbox();
  renderChatHeader();
}

/** Puts a summary returned by the server in place of the one shown. */
function storeSummary(summary) {
  const index = state.sessions.findIndex((s) => s.session_id === summary.session_id);
  if (index >= 0) state.sessions[index] = summary;
  if (state.chat?.id === summary.session_id) state.chat.summary = summary;
  renderInbox();
  renderChatHeader();
}

function visitorName(summary) {
  const visitor = summary?.visitor;
  return visitor?.name || visitor?.external_customer_id || `Visitor ${String(visitor?.id || "").slice(0, 8)}`.trim();
}

function agentLabel(agent) {
  if (agent.id === state.agent.id) return "you";
  return `${agent.name} (${agent.online ? "online" : "offline"})`;
}

function previewText(message) {
  if (!message) return "No messages yet";
  if (message.type === "note") return `Note: ${message.content || ""}`;
  if (message.type === "file") return `File: ${message.file_name || "attachment"}`;
  return message.content || "";
}

/**
 * Redraws the inbox in place: each session keeps its <li> and button for as long as it is listed
 * (only their contents and order change), so focus and references to the elements survive updates.
 */
function renderInbox() {
  const list = $("inbox");
  const focused = document.activeElement;
  const current = new Map([...list.children].map((item) => [item.firstElementChild.dataset.sessionId, item]));
  state.sessions.forEach((session, index) => {
    const item = current.get(session.session_id) || inboxItem(session.session_id);
    fillInboxItem(item.firstElementChild, session);
    if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
  });
  while (list.children.length > state.sessions.length) list.lastElementChild.remove();
  if (focused?.isConnected && document.activeElement !== focused) focused.focus();
  $("load-more").hidden = !state.nextCursor || Boolean(state.search);
  // A notice (the erasure of a visitor) stays until the agent moves on, whatever reloads the list.
  setInboxStatus(state.inboxNotice || (state.sessions.length ? "" : "No conversations here."));
}

function inboxItem(sessionId) {
  const button = el("button", "inbox-item");
  button.type = "button";
  button.dataset.sessionId = sessionId;
  const item = el("li");
  item.append(button);
  return item;
}

function fillInboxItem(button, session) {
  if (state.chat?.id === session.session_id) button.setAttribute("aria-current", "true");
  else button.removeAttribute("aria-current");

  const top = el("span", "inbox-top");
  top.append(el("span", "visitor-name", visitorName(session)), timeElement(session.last_message?.timestamp || session.started_at));

  const meta = el("span", "inbox-meta", inboxMetaText(session));

  const bottom = el("span", "inbox-bottom");
  const line = el("span", "preview-line");
  if (session.last_message?.sender_id === state.agent.id) line.append(el("span", "preview-author", "You: "));
  line.append(el("span", "preview", previewText(session.last_message)));
  bottom.append(line);
  const unread = state.chat?.id === session.session_id ? 0 : session.unread_count;
  if (unread > 0) bottom.append(el("span", "unread", String(unread)), el("span", "visually-hidden", " unread"));

  button.replaceChildren(top, meta, bottom);
}

function onInboxClick(event) {
  const button = event.target.closest(".inbox-item");
  if (button) openChat(button.dataset.sessionId);
}

function ratingText(session) {
  return session.rating ? `Rated ${session.rating.score}/5` : "";
}

function inboxMetaText(session) {
  const parts = [session.department?.name || "No department"];
  parts.push(session.assigned_agent ? `Assigned to ${agentLabel(session.assigned_agent)}` : "Unassigned");
  if (!session.active) parts.push("Ended");
  if (session.rating) parts.push(ratingText(session));
  return parts.join(" · ");
}

/* ---------- title badge and beep ---------- */

let audioContext = null;
let lastBeep = 0;

function unlockAudio() {
  if (!audioContext && window.AudioContext) audioContext = new AudioContext();
  if (audioContext?.state === "suspended") audioContext.resume();
}

function beep() {
  const now = Date.now();
  if (!audioContext || audioContext.state !== "running" || now - lastBeep < 1500) return;
  lastBeep = now;
  const start = audioContext.currentTime;
  const oscillator = audioContext.createOscillator();
  const gain = audioContext.createGain();
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.08, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
  oscillator.connect(gain).connect(audioContext.destination);
  oscillator.start(start);
  oscillator.stop(start + 0.3);
}

function updateTitle() {
  let total = 0;
  state.alerts.forEach((count) => (total += count));
  document.title = total ? `(${total}) ${TITLE}` : TITLE;
}

function addAlert(sessionId, text) {
  state.alerts.set(sessionId, (state.alerts.get(sessionId) || 0) + 1);
  updateTitle();
  beep();
  notify(sessionId, text);
}

/* ---------- browser notifications (once the agent allows them) ---------- */

function updateNotificationButton() {
  const supported = "Notification" in window;
  $("enable-notifications").hidden = !supported || Notification.permission === "granted" || Notification.permission === "denied";
}

async function enableNotifications() {
  if (!("Notification" in window)) return;
  await Notification.requestPermission();
  updateNotificationButton();
}

/** A notification for a chat that calls for attention while its tab or its chat is not in view. */
function notify(sessionId, text) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const summary = findSession(sessionId);
  const notification = new Notification(summary ? visitorName(summary) : "New chat", { body: text || "New message", tag: sessionId });
  notification.onclick = () => {
    window.focus();
    openChat(sessionId);
    notification.close();
  };
}

function clearAlerts(sessionId) {
  state.alerts.delete(sessionId);
  updateTitle();
}

/** A chat that another agent handles does not call for this agent's attention. */
/** Whether another agent who is online has the chat (a chat whose agent is offline alerts
 *  everyone, as an unassigned one does). */
function assignedToSomeoneElse(sessionId) {
  const summary = state.chat?.id === sessionId ? state.chat.summary : findSession(sessionId);
  const assigned = summary?.assigned_agent;
  if (!assigned || assigned.id === state.agent.id) return false;
  return (state.agents.get(assigned.id)?.online ?? assigned.online) !== false;
}

function onVisibilityChange() {
  if (document.hidden || !state.chat) return;
  clearAlerts(state.chat.id);
  sendRead(state.chat);
}

/* ---------- connection status ---------- */

/** Socket phases: "connecting", "open", "retrying", and for a chat also "loading" and "closed". */
function statusText() {
  const feed = state.feed;
  const chat = state.chat?.ended ? null : state.chat;
  if (feed?.phase === "retrying") return "Offline, reconnecting…";
  if (feed?.phase !== "open") return "Connecting…";
  if (chat?.phase === "retrying") return "Chat offline, reconnecting…";
  if (chat?.phase === "connecting") return "Connecting to chat…";
  return "Connected";
}

function updateStatus() {
  const text = statusText();
  $("connection-status").textContent = text;
  $("connection-status").dataset.state = text === "Connected" ? "ok" : "warn";
}

/* ---------- live feed (/ws/agent/) ---------- */

function connectFeed() {
  state.feed = { socket: null, cursor: null, delay: RETRY_FIRST_MS, timer: null, phase: "connecting" };
  openFeedSocket(state.feed);
}

function openFeedSocket(feed) {
  const query = feed.cursor === null ? "" : `?cursor=${feed.cursor}`;
  const socket = new WebSocket(socketUrl(`/ws/agent/${query}`), ["Bearer", state.token]);
  feed.socket = socket;
  socket.addEventListener("message", (event) => {
    if (state.feed === feed) onFeedFrame(feed, parseFrame(event.data));
  });
  socket.addEventListener("close", (event) => {
    if (state.feed === feed) onFeedClose(feed, event);
  });
  updateStatus();
}

function stopFeed() {
  const feed = state.feed;
  if (!feed) return;
  state.feed = null;
  clearTimeout(feed.timer);
  feed.socket?.close(1000);
}

function onFeedClose(feed, event) {
  feed.phase = "retrying";
  if (event.code === 4003) checkToken();
  feed.timer = setTimeout(() => openFeedSocket(feed), feed.delay);
  feed.delay = nextDelay(feed.delay);
  updateStatus();
}

function onFeedFrame(feed, frame) {
  if (Number.isInteger(frame.cursor)) feed.cursor = frame.cursor;
  switch (frame.type) {
    case "connection_established":
      feed.phase = "open";
      feed.delay = RETRY_FIRST_MS;
      updateStatus();
      scheduleReload();
      break;
    case "message":
      onFeedMessage(frame.session_id, frame.message || {});
      break;
    case "session_ended":
      onFeedSessionEnded(frame);
      break;
    case "session_assigned":
      noteAssigned(frame);
      scheduleReload();
      break;
    case "session_transferred":
      noteTransferred(frame);
      scheduleReload();
      break;
    case "agent_presence":
      setAgentOnline(frame.agent_id, frame.online === true);
      break;
    case "session_rated":
      patchSession(frame.session_id, (session) => (session.rating = { ...(frame.rating || {}), rated_at: frame.timestamp }));
      break;
    case "session_started":
      if (frame.session_id) notify(frame.session_id, "A new chat has started.");
      scheduleReload();
      break;
    case "error":
      scheduleReload();
      break;
  }
}

function onFeedMessage(sessionId, message) {
  const fromVisitor = message.sender_type === "visitor";
  const isOpen = state.chat?.id === sessionId;
  // A list being fetched may predate this message: fetch it again once it arrives.
  if (state.reloading) scheduleReload();
  patchSession(sessionId, (session) => {
    session.last_message = message;
    if (fromVisitor && !isOpen) session.unread_count += 1;
  });
  if (fromVisitor && (!isOpen || document.hidden) && !assignedToSomeoneElse(sessionId)) addAlert(sessionId, previewText(message));
}

function onFeedSessionEnded(frame) {
  patchSession(frame.session_id, (session) => {
    session.active = false;
    session.ended_at = frame.timestamp;
  });
  if (state.chat?.id === frame.session_id) markEnded(state.chat);
  scheduleReload();
}

function noteAssigned(frame) {
  const online = frame.agent_id === state.agent.id || state.agents.get(frame.agent_id)?.online === true;
  patchSession(frame.session_id, (session) => {
    session.assigned_agent = { id: frame.agent_id, name: frame.agent_name, online };
  });
}

function noteTransferred(frame) {
  patchSession(frame.session_id, (session) => {
    session.department = { id: frame.department, name: frame.department_name };
    session.assigned_agent = null;
  });
}

/* ---------- open chat ---------- */

function isPhoneLayout() {
  return window.matchMedia("(max-width: 720px)").matches;
}

async function openChat(id, focusMessageId = null) {
  state.inboxNotice = "";
  if (state.chat?.id === id) {
    if (focusMessageId) focusMessage(focusMessageId);
    return;
  }
  closeChat();
  const summary = findSession(id);
  const chat = {
    id,
    summary,
    socket: null,
    phase: "loading",
    delay: RETRY_FIRST_MS,
    timer: null,
    ended: summary ? !summary.active : false,
    messages: new Map(),
    lastSeq: 0,
    newestIncoming: null,
    readSent: 0,
    seenSeq: 0,
    outbox: state.outboxes.get(id) || new Map(),
    typingSentAt: 0,
    idleTimer: null,
    visitorTypingTimer: null,
    readTimer: null,
    busy: false,
  };
  state.outboxes.set(id, chat.outbox);
  state.chat = chat;
  clearAlerts(id);
  showChatView(chat);
  await loadHistory(chat);
  if (state.chat !== chat) return;
  if (focusMessageId) focusMessage(focusMessageId);
  if (chat.ended) markEnded(chat);
  else connectChat(chat);
}

function showChatView(chat) {
  $("chat-empty").hidden = true;
  $("chat-view").hidden = false;
  document.body.classList.add("chat-open");
  $("chat-ended").hidden = true;
  renderInbox();
  renderChatHeader();
  renderOutbox(chat);
  if (isPhoneLayout()) $("chat-title").focus();
}

function closeChat() {
  const chat = state.chat;
  if (!chat) return;
  stopTyping(chat);
  state.chat = null;
  [chat.timer, chat.idleTimer, chat.visitorTypingTimer, chat.readTimer].forEach(clearTimeout);
  chat.socket?.close(1000);
  if (!chat.outbox.size) state.outboxes.delete(chat.id);
  $("messages").replaceChildren();
  $("outbox").replaceChildren();
  $("composer-input").value = "";
  $("typing").hidden = true;
  setChatStatus("");
  showChatError("");
  $("chat-view").hidden = true;
  $("chat-empty").hidden = false;
  document.body.classList.remove("chat-open");
  renderInbox();
  updateStatus();
}

function onBack() {
  const id = state.chat?.id;
  closeChat();
  if (id) $("inbox").querySelector(`[data-session-id="${CSS.escape(id)}"]`)?.focus();
}

function renderChatHeader() {
  const chat = state.chat;
  if (!chat) return;
  const summary = chat.summary;
  $("chat-title").textContent = summary ? visitorName(summary) : "Conversation";
  $("chat-meta").textContent = summary ? chatMetaText(summary) : "";
  updateControls();
}

function chatMetaText(summary) {
  const parts = summary.visitor?.email ? [summary.visitor.email] : [];
  parts.push(summary.department?.name || "No department");
  parts.push(summary.assigned_agent ? `Assigned to ${agentLabel(summary.assigned_agent)}` : "Unassigned");
  parts.push(summary.active ? `Started ${formatTime(summary.started_at)}` : "Ended");
  if (summary.rating) {
    parts.push(ratingText(summary) + (summary.rating.comment ? `: “${summary.rating.comment}”` : ""));
  }
  return parts.join(" · ");
}

const ACTION_CONTROLS = ["assign-me", "assign-to", "transfer-to", "end-chat"];
const CHAT_CONTROLS = [...ACTION_CONTROLS, "composer-input", "composer-send", "composer-attach", "composer-file", "composer-note"];

function updateControls() {
  const locked = !state.chat || state.chat.ended;
  for (const id of CHAT_CONTROLS) $(id).disabled = locked;
  const privacy = state.agent?.is_admin === true && Boolean(state.chat?.summary?.visitor?.id);
  $("export-visitor").hidden = !privacy;
  $("erase-visitor").hidden = !privacy;
}

/** While an action runs its controls look and read as unavailable but keep the keyboard focus. */
function setActionsBusy(busy) {
  for (const id of ACTION_CONTROLS) {
    if (busy) $(id).setAttribute("aria-disabled", "true");
    else $(id).removeAttribute("aria-disabled");
  }
}

let statusTimer = null;

/** A short note under the conversation (upload progress, action results); `fade` clears it after 6 s. */
function setChatStatus(text, fade = false) {
  clearTimeout(statusTimer);
  $("chat-status").textContent = text;
  if (fade) statusTimer = setTimeout(() => ($("chat-status").textContent = ""), 6000);
}

function showChatError(message) {
  $("chat-error").textContent = message;
  $("chat-error").hidden = !message;
}

function markEnded(chat) {
  chat.ended = true;
  if (chat.summary) chat.summary.active = false;
  [chat.idleTimer, chat.visitorTypingTimer].forEach(clearTimeout);
  $("typing").hidden = true;
  $("chat-ended").hidden = false;
  renderChatHeader();
  renderInbox();
  updateStatus();
  const focus = document.activeElement;
  if (!focus || focus === document.body || CHAT_CONTROLS.includes(focus.id)) $("chat-ended").focus();
}

async function loadHistory(chat) {
  const list = $("messages");
  list.setAttribute("aria-busy", "true");
  try {
    let after = null;
    for (;;) {
      const params = new URLSearchParams({ limit: String(HISTORY_PAGE) });
      if (after) params.set("after", after);
      const { data } = await api(`/chat/history/${encodeURIComponent(chat.id)}/?${params}`);
      if (state.chat !== chat) return;
      const messages = data.filter((item) => item.type === "message").map((item) => item.data);
      messages.forEach((message) => showMessage(chat, message));
      if (messages.length < HISTORY_PAGE) break;
      after = messages[messages.length - 1].id;
    }
  } catch (error) {
    if (state.chat === chat) showChatError(error.message);
  } finally {
    list.removeAttribute("aria-busy");
    scrollToEnd();
  }
}

/* ---------- chat socket (/ws/visitor-chat/) ---------- */

function connectChat(chat) {
  const params = new URLSearchParams({ session_id: chat.id, last_seq: String(chat.lastSeq) });
  const socket = new WebSocket(socketUrl(`/ws/visitor-chat/?${params}`), ["Bearer", state.token]);
  chat.socket = socket;
  chat.phase = "connecting";
  socket.addEventListener("message", (event) => {
    if (state.chat === chat && chat.socket === socket) onChatFrame(chat, parseFrame(event.data));
  });
  socket.addEventListener("close", (event) => {
    if (state.chat === chat && chat.socket === socket) onChatClose(chat, event);
  });
  updateStatus();
}

function onChatClose(chat, event) {
  chat.socket = null;
  chat.phase = "closed";
  if (event.code === 4006) markEnded(chat);
  if (event.code === 4002) showChatError("This chat cannot be found.");
  if (event.code === 4003) {
    showChatError("You are not allowed to join this chat.");
    checkToken();
  }
  if (!chat.ended && !FINAL_CHAT_CLOSES.has(event.code)) {
    chat.phase = "retrying";
    chat.timer = setTimeout(() => connectChat(chat), chat.delay);
    chat.delay = nextDelay(chat.delay);
    renderOutbox(chat);
  }
  updateStatus();
}

function sendFrame(chat, frame) {
  if (chat.phase !== "open" || chat.socket?.readyState !== WebSocket.OPEN) return false;
  chat.socket.send(JSON.stringify(frame));
  return true;
}

function onChatFrame(chat, frame) {
  switch (frame.type) {
    case "connection_established":
      chat.phase = "open";
      chat.delay = RETRY_FIRST_MS;
      updateStatus();
      flushOutbox(chat);
      scheduleRead(chat);
      break;
    case "text":
    case "file":
    case "note":
      showMessage(chat, frame);
      break;
    case "typing":
      if (frame.sender_type === "visitor") showVisitorTyping(chat, frame.is_typing === true);
      break;
    case "read":
      if (frame.reader_type === "visitor") markSeen(chat, frame.seq);
      break;
    case "participant_joined":
    case "participant_left":
      addSystemLine(participantText(chat, frame), frame.timestamp);
      break;
    case "session_assigned":
      noteAssigned(frame);
      addSystemLine(`Assigned to ${frame.agent_id === state.agent.id ? "you" : frame.agent_name}`, frame.timestamp);
      break;
    case "session_transferred":
      noteTransferred(frame);
      addSystemLine(`Transferred to ${frame.department_name}`, frame.timestamp);
      break;
    case "session_ended":
      addSystemLine("Chat ended", frame.timestamp);
      markEnded(chat);
      break;
    case "error":
      showChatError(frame.message || "Something went wrong.");
      failOutbox(chat);
      break;
  }
}

function participantText(chat, frame) {
  const verb = frame.type === "participant_joined" ? "joined" : "left";
  if (frame.participant_type === "visitor") return `${visitorName(chat.summary)} ${verb} the chat`;
  if (frame.participant_id === state.agent.id) return `You ${verb} the chat in another tab`;
  return `${state.agents.get(frame.participant_id)?.name || "An agent"} ${verb} the chat`;
}

/* ---------- messages ---------- */

function isNearEnd() {
  const box = $("conversation");
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

function scrollToEnd() {
  const box = $("conversation");
  box.scrollTop = box.scrollHeight;
}

function showMessage(chat, message) {
  if (!message.id || chat.messages.has(message.id)) return;
  chat.messages.set(message.id, message);
  chat.lastSeq = Math.max(chat.lastSeq, message.seq);
  const mine = message.sender_id === state.agent.id;
  if (mine && message.client_id) acknowledge(chat, message.client_id);
  if (!mine && message.seq > (chat.newestIncoming?.seq || 0)) chat.newestIncoming = message;
  if (message.sender_type === "visitor") showVisitorTyping(chat, false);
  const follow = mine || isNearEnd();
  insertBySeq($("messages"), messageElement(chat, message));
  if (follow) scrollToEnd();
  if (!mine) scheduleRead(chat);
}

/** Keeps messages in `seq` order; live system lines stay where they were added. */
function insertBySeq(list, node) {
  const seq = Number(node.dataset.seq);
  let before = null;
  let cursor = list.lastElementChild;
  while (cursor?.classList.contains("message") && Number(cursor.dataset.seq) > seq) {
    before = cursor;
    cursor = cursor.previousElementSibling;
  }
  list.insertBefore(node, before);
}

function authorName(chat, message) {
  if (message.sender_id === state.agent.id) return "You";
  if (message.sender_type === "visitor") return visitorName(chat.summary);
  return state.agents.get(message.sender_id)?.name || "Agent";
}

function messageElement(chat, message) {
  const mine = message.sender_id === state.agent.id;
  const note = message.type === "note";
  const item = el("div", `message from-${message.sender_type === "visitor" ? "visitor" : "agent"}${mine ? " mine" : ""}${note ? " note" : ""}`);
  item.dataset.id = message.id;
  item.dataset.type = message.type;
  item.dataset.seq = String(message.seq);
  item.dataset.senderType = message.sender_type;

  const meta = el("p", "meta");
  meta.append(el("span", "author", authorName(chat, message)), " ", timeElement(message.timestamp));

  const bubble = el("div", "bubble");
  bubble.append(message.type === "file" ? fileContent(message) : el("p", "text", message.content || ""));

  item.append(meta, bubble);
  if (mine && !note) item.append(el("p", "receipt", message.seq <= chat.seenSeq ? "Seen" : "Sent"));
  return item;
}

function fileContent(message) {
  const name = message.file_name || "File";
  const url = mediaUrl(message.file);
  if (!url) return el("span", "file-name", name);
  if (message.is_audio) {
    const audio = el("audio", "file-audio");
    audio.controls = true;
    audio.preload = "metadata";
    audio.src = url;
    audio.setAttribute("aria-label", `Voice message: ${name}`);
    return audio;
  }
  if (IMAGE_NAME.test(name)) {
    const link = el("a", "file-image-link");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener";
    const image = el("img", "file-image");
    image.src = url;
    image.alt = name;
    image.loading = "lazy";
    link.append(image);
    return link;
  }
  const link = el("a", "file-link", name);
  link.href = url;
  link.target = "_blank";
  link.rel = "noopener";
  return link;
}

function addSystemLine(text, timestamp) {
  const follow = isNearEnd();
  const line = el("p", "system-line");
  line.append(el("span", "", text));
  if (timestamp) line.append(" · ", timeElement(timestamp));
  $("messages").append(line);
  if (follow) scrollToEnd();
}

function markSeen(chat, seq) {
  if (!Number.isInteger(seq) || seq <= chat.seenSeq) return;
  chat.seenSeq = seq;
  for (const item of $("messages").querySelectorAll(".message.mine:not(.note)")) {
    if (Number(item.dataset.seq) <= seq) item.querySelector(".receipt").textContent = "Seen";
  }
}

function showVisitorTyping(chat, isTyping) {
  clearTimeout(chat.visitorTypingTimer);
  $("typing").hidden = !isTyping || chat.ended;
  if (isTyping) chat.visitorTypingTimer = setTimeout(() => ($("typing").hidden = true), 5000);
}

/* ---------- read receipts ---------- */

function scheduleRead(chat) {
  if (chat.readTimer) return;
  chat.readTimer = setTimeout(() => {
    chat.readTimer = null;
    sendRead(chat);
  }, 150);
}

/** Marks everything shown as read, up to the newest message not sent by this agent. */
function sendRead(chat) {
  const newest = chat.newestIncoming;
  if (document.hidden || !newest || newest.seq <= chat.readSent) return;
  if (sendFrame(chat, { type: "read", message_id: newest.id })) chat.readSent = newest.seq;
  patchSession(chat.id, (session) => (session.unread_count = 0));
}

/* ---------- sending: outbox, typing, uploads ---------- */

function queueOutgoing(chat, frame, label) {
  chat.outbox.set(frame.client_id, { frame, label, failed: false });
  sendFrame(chat, frame);
  renderOutbox(chat);
  scrollToEnd();
}

function flushOutbox(chat) {
  chat.outbox.forEach((entry) => {
    entry.failed = false;
    sendFrame(chat, entry.frame);
  });
  renderOutbox(chat);
}

function acknowledge(chat, clientId) {
  if (chat.outbox.delete(clientId)) renderOutbox(chat);
}

function failOutbox(chat) {
  if (!chat.outbox.size) return;
  chat.outbox.forEach((entry) => (entry.failed = true));
  renderOutbox(chat);
}

function retryOutgoing(chat, clientId) {
  const entry = chat.outbox.get(clientId);
  if (!entry) return;
  entry.failed = false;
  sendFrame(chat, entry.frame);
  renderOutbox(chat);
}

function discardOutgoing(chat, clientId) {
  chat.outbox.delete(clientId);
  renderOutbox(chat);
  $("composer-input").focus();
}

function renderOutbox(chat) {
  const items = [...chat.outbox.entries()].map(([clientId, entry]) => pendingItem(chat, clientId, entry));
  $("outbox").replaceChildren(...items);
}

function pendingItem(chat, clientId, entry) {
  const item = el("li", `pending${entry.failed ? " failed" : ""}`);
  item.dataset.clientId = clientId;
  item.append(el("p", "pending-text", entry.label));
  const status = el("p", "pending-status");
  if (entry.failed) {
    status.append("Not sent. ");
    status.append(smallButton("Retry", () => retryOutgoing(chat, clientId)), " ");
    status.append(smallButton("Discard", () => discardOutgoing(chat, clientId)));
  } else {
    status.textContent = chat.phase === "open" ? "Sending…" : "Waiting for the connection…";
  }
  item.append(status);
  return item;
}

function smallButton(text, onClick) {
  const button = el("button", "link-button", text);
  button.type = "button";
  button.addEventListener("click", onClick);
  return button;
}

function onComposerSubmit(event) {
  event.preventDefault();
  const chat = state.chat;
  const input = $("composer-input");
  const content = input.value.trim();
  if (!chat || chat.ended || !content) return;
  stopTyping(chat);
  const note = $("composer-note").checked;
  queueOutgoing(chat, { type: note ? "note" : "text", content, client_id: newClientId() }, note ? `Note: ${content}` : content);
  input.value = "";
  closePicker();
  resizeComposer();
  input.focus();
}

function onComposerKeydown(event) {
  if (pickerKeydown(event)) return;
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
}

function onComposerInput() {
  resizeComposer();
  updatePicker();
  const chat = state.chat;
  if (!chat || chat.ended) return;
  const now = Date.now();
  if (now - chat.typingSentAt >= 2000 && sendFrame(chat, { type: "typing", is_typing: true })) chat.typingSentAt = now;
  clearTimeout(chat.idleTimer);
  chat.idleTimer = setTimeout(() => stopTyping(chat), 3000);
}

function stopTyping(chat) {
  clearTimeout(chat.idleTimer);
  if (!chat.typingSentAt) return;
  chat.typingSentAt = 0;
  sendFrame(chat, { type: "typing", is_typing: false });
}

function resizeComposer() {
  const input = $("composer-input");
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  input.style.overflowY = input.scrollHeight > 160 ? "auto" : "hidden";
}

async function onFileChosen() {
  const input = $("composer-file");
  const file = input.files[0];
  input.value = "";
  const chat = state.chat;
  if (!file || !chat || chat.ended) return;
  showChatError("");
  setChatStatus(`Uploading ${file.name}…`);
  const form = new FormData();
  form.append("file", file);
  form.append("session_id", chat.id);
  try {
    const { data } = await api("/chat/upload-file/", { method: "POST", form });
    if (state.chat !== chat) return;
    setChatStatus("");
    queueOutgoing(chat, { type: "file", file: data.file, is_audio: false, client_id: newClientId() }, `File: ${data.file_name}`);
  } catch (error) {
    if (state.chat !== chat) return;
    setChatStatus("");
    showChatError(error.status === 0 ? "The upload failed: the file may be too large, or the connection dropped." : error.message);
  }
}

/* ---------- chat actions ---------- */

async function chatAction(action, body) {
  const chat = state.chat;
  if (!chat || chat.ended || chat.busy) return;
  showChatError("");
  chat.busy = true;
  setActionsBusy(true);
  try {
    const reply = await api(`/chat/sessions/${encodeURIComponent(chat.id)}/${action}/`, { method: "POST", json: body });
    if (state.chat !== chat) return;
    setChatStatus(reply.message || "", true);
    if (action === "end") markEnded(chat);
    else storeSummary(reply.data);
    scheduleReload();
  } catch (error) {
    if (state.chat === chat) showChatError(error.message);
  } finally {
    chat.busy = false;
    setActionsBusy(false);
    $("assign-to").value = "";
    $("transfer-to").value = "";
  }
}

/** Assigning to an agent who is offline says so first: Cancel keeps the chat in the queue. */
function onAssignTo() {
  const agentId = $("assign-to").value;
  if (!agentId) return;
  const agent = state.agents.get(agentId);
  if (agent && agent.online === false && agentId !== state.agent.id
      && !confirm(`${agent.name} is offline: the chat would wait for them, and the visitor with it. Assign anyway? (Cancel keeps it in the queue.)`)) {
    $("assign-to").value = "";
    return;
  }
  chatAction("assign", { agent_id: agentId });
}

function onTransferTo() {
  const department = $("transfer-to").value;
  if (department) chatAction("transfer", { department });
}

function onEndChat() {
  if (state.chat && confirm("End this chat? The visitor will not be able to send more messages.")) chatAction("end", {});
}

/* ---------- business settings (business admins) ---------- */

function setSettingsError(message) {
  $("settings-error").textContent = message;
  $("settings-error").hidden = !message;
}

async function openSettings() {
  closeReports();
  setSettingsError("");
  $("settings-status").textContent = "Loading…";
  document.querySelector(".workspace").hidden = true;
  $("settings-view").hidden = false;
  $("open-settings").setAttribute("aria-expanded", "true");
  $("settings-title").focus();
  try {
    const { data } = await api("/chat/settings/");
    fillSettings(data);
    loadCanned();
    loadWebhooks();
    loadTeamSettings();
    $("settings-status").textContent = "";
  } catch (error) {
    $("settings-status").textContent = "";
    setSettingsError(error.message);
  }
}

function closeSettings() {
  $("settings-view").hidden = true;
  if ($("reports-view").hidden) document.querySelector(".workspace").hidden = false;
  $("open-settings").setAttribute("aria-expanded", "false");
}

function fillSettings(data) {
  $("settings-name").value = data.name || "";
  $("settings-greeting").value = data.greeting || "";
  $("settings-offline").value = data.offline_message || "";
  $("settings-prechat-name").value = data.prechat?.name || "off";
  $("settings-prechat-email").value = data.prechat?.email || "off";
  $("settings-origins").value = (data.allowed_origins || []).join("\n");
  $("settings-auto-assign").checked = data.auto_assign === true;
  $("settings-retention").value = data.retention_days == null ? "" : String(data.retention_days);
}

async function onSettingsSubmit(event) {
  event.preventDefault();
  setSettingsError("");
  $("settings-status").textContent = "";
  const retention = $("settings-retention").value.trim();
  const body = {
    name: $("settings-name").value.trim(),
    greeting: $("settings-greeting").value.trim() || null,
    offline_message: $("settings-offline").value.trim() || null,
    prechat: { name: $("settings-prechat-name").value, email: $("settings-prechat-email").value },
    allowed_origins: $("settings-origins").value.split("\n").map((line) => line.trim()).filter(Boolean),
    auto_assign: $("settings-auto-assign").checked,
    retention_days: retention ? Number(retention) : null,
  };
  $("settings-save").disabled = true;
  try {
    const reply = await api("/chat/settings/", { method: "PATCH", json: body });
    fillSettings(reply.data);
    $("settings-status").textContent = "Settings saved.";
  } catch (error) {
    setSettingsError(error.message);
  } finally {
    $("settings-save").disabled = false;
  }
}

/* ---------- reports ---------- */

const SVG_NS = "http://www.w3.org/2000/svg";

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function openReports() {
  closeSettings();
  document.querySelector(".workspace").hidden = true;
  $("reports-view").hidden = false;
  if (!$("reports-to").value) {
    const today = new Date();
    $("reports-to").value = isoDay(today);
    $("reports-from").value = isoDay(new Date(today.getTime() - 29 * 86400000));
  }
  $("reports-title").focus();
  loadReport();
}

function closeReports() {
  $("reports-view").hidden = true;
  if ($("settings-view").hidden) document.querySelector(".workspace").hidden = false;
}

async function loadReport(event) {
  event?.preventDefault();
  $("reports-error").hidden = true;
  const params = new URLSearchParams({ from: $("reports-from").value, to: $("reports-to").value });
  try {
    const { data } = await api(`/chat/reports/?${params}`);
    renderReport(data);
  } catch (error) {
    $("reports-error").textContent = error.message;
    $("reports-error").hidden = false;
  }
}

function seconds(value) {
  if (value == null) return "–";
  if (value < 90) return `${Math.round(value)} s`;
  if (value < 5400) return `${Math.round(value / 60)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}

function renderReport(data) {
  const figures = [
    ["sessions_started", "Chats started", String(data.sessions_started)],
    ["sessions_ended", "Chats ended", String(data.sessions_ended)],
    ["messages", "Messages", String(data.messages)],
    ["median_first_response_s", "Median first response", seconds(data.median_first_response_s)],
    ["median_duration_s", "Median chat length", seconds(data.median_duration_s)],
    ["rating_average", "Average rating", data.rating_average == null ? "–" : `${data.rating_average.toFixed(2)} / 5 (${data.ratings})`],
  ];
  $("reports-figures").replaceChildren(...figures.map(([key, label, value]) => {
    const item = el("div");
    item.dataset.figure = key;
    item.append(el("dt", "", label), el("dd", "", value));
    return item;
  }));
  $("reports-chart").replaceChildren(chart(data.days || []));
}

/** Bars of sessions started per day, drawn as SVG here (no library). */
function chart(days) {
  const width = 800;
  const height = 220;
  const top = 10;
  const bottom = 28;
  const left = 32;
  const max = Math.max(1, ...days.map((day) => day.sessions_started));
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  const total = days.reduce((sum, day) => sum + day.sessions_started, 0);
  svg.setAttribute("aria-label", `Sessions started per day: ${total} in ${days.length} days, at most ${max} in a day`);
  const plot = height - top - bottom;
  const step = (width - left) / Math.max(1, days.length);
  const line = (x1, y1, x2, y2) => {
    const node = document.createElementNS(SVG_NS, "line");
    Object.entries({ x1, y1, x2, y2 }).forEach(([key, value]) => node.setAttribute(key, String(value)));
    node.setAttribute("class", "axis");
    return node;
  };
  const label = (x, y, text, anchor) => {
    const node = document.createElementNS(SVG_NS, "text");
    node.setAttribute("x", String(x));
    node.setAttribute("y", String(y));
    node.setAttribute("text-anchor", anchor);
    node.textContent = text;
    return node;
  };
  svg.append(line(left, top + plot, width, top + plot), line(left, top, left, top + plot));
  svg.append(label(left - 4, top + 8, String(max), "end"), label(left - 4, top + plot, "0", "end"));
  days.forEach((day, index) => {
    const barHeight = (day.sessions_started / max) * plot;
    const bar = document.createElementNS(SVG_NS, "rect");
    bar.setAttribute("class", "bar");
    bar.setAttribute("x", (left + index * step + step * 0.15).toFixed(1));
    bar.setAttribute("y", (top + plot - barHeight).toFixed(1));
    bar.setAttribute("width", Math.max(1, step * 0.7).toFixed(1));
    bar.setAttribute("height", barHeight.toFixed(1));
    bar.dataset.date = day.date;
    bar.dataset.count = String(day.sessions_started);
    const title = document.createElementNS(SVG_NS, "title");
    title.textContent = `${day.date}: ${day.sessions_started}`;
    bar.append(title);
    svg.append(bar);
    const every = Math.ceil(days.length / 8);
    if (index % every === 0) svg.append(label(left + index * step + step / 2, height - 10, day.date.slice(5), "middle"));
  });
  return svg;
}

/* ---------- private notes ---------- */

function onNoteToggle() {
  const note = $("composer-note").checked;
  $("composer").classList.toggle("note-mode", note);
  $("composer-input").placeholder = note ? "Write a private note (only agents see it)…" : "Write a reply… (/ for canned responses)";
  $("composer-input").focus();
}

/* ---------- canned responses: the "/" picker and their management ---------- */

async function loadCanned() {
  const token = state.token;
  try {
    const { data } = await api("/chat/canned-responses/");
    if (token !== state.token) return;
    state.canned = data;
    renderCannedList();
  } catch {
    /* the picker stays empty; the chat works without it */
  }
}

/** The canned responses a "/query" in the reply box asks for, or null when it does not ask. */
function pickerMatches() {
  const match = /^\/([^\s]*)$/.exec($("composer-input").value);
  if (!match) return null;
  const query = match[1].toLowerCase();
  return state.canned
    .filter((item) => item.shortcut.startsWith(query) || (query && item.content.toLowerCase().includes(query)))
    .slice(0, 8);
}

function updatePicker() {
  const items = pickerMatches();
  if (!items || !items.length) {
    closePicker();
    return;
  }
  state.picker.items = items;
  state.picker.active = Math.min(state.picker.active, items.length - 1);
  renderPicker();
}

function renderPicker() {
  const picker = $("canned-picker");
  const options = state.picker.items.map((item, index) => {
    const option = el("li");
    option.id = `canned-option-${index}`;
    option.setAttribute("role", "option");
    option.dataset.shortcut = item.shortcut;
    option.setAttribute("aria-selected", String(index === state.picker.active));
    option.append(el("span", "canned-shortcut", `/${item.shortcut}`), " ", el("span", "muted", item.content));
    option.addEventListener("mousedown", (event) => {
      event.preventDefault();
      insertCanned(item);
    });
    return option;
  });
  picker.replaceChildren(...options);
  picker.hidden = false;
  $("composer-input").setAttribute("aria-expanded", "true");
  $("composer-input").setAttribute("aria-activedescendant", `canned-option-${state.picker.active}`);
}

function closePicker() {
  state.picker = { items: [], active: 0 };
  $("canned-picker").hidden = true;
  $("canned-picker").replaceChildren();
  $("composer-input").setAttribute("aria-expanded", "false");
  $("composer-input").removeAttribute("aria-activedescendant");
}

function insertCanned(item) {
  const input = $("composer-input");
  input.value = item.content;
  closePicker();
  resizeComposer();
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

/** The picker's keys; true when the key was the picker's. */
function pickerKeydown(event) {
  if ($("canned-picker").hidden || !state.picker.items.length) return false;
  const count = state.picker.items.length;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    state.picker.active = (state.picker.active + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
    renderPicker();
  } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
    insertCanned(state.picker.items[state.picker.active]);
  } else if (event.key === "Escape") {
    closePicker();
  } else {
    return false;
  }
  event.preventDefault();
  return true;
}

function renderCannedList() {
  const items = state.canned.map((item) => {
    const row = el("li");
    row.dataset.id = item.id;
    const text = el("div", "canned-text");
    text.append(el("span", "canned-shortcut", `/${item.shortcut}`), el("br"), item.content);
    const remove = el("button", "canned-delete link-button", "Delete");
    remove.type = "button";
    remove.setAttribute("aria-label", `Delete /${item.shortcut}`);
    remove.addEventListener("click", () => deleteCanned(item));
    row.append(text, remove);
    return row;
  });
  $("canned-list").replaceChildren(...items);
}

function setCannedError(message) {
  $("canned-error").textContent = message;
  $("canned-error").hidden = !message;
}

async function onCannedSubmit(event) {
  event.preventDefault();
  setCannedError("");
  $("canned-add").disabled = true;
  try {
    await api("/chat/canned-responses/", {
      method: "POST",
      json: { shortcut: $("canned-shortcut").value.trim(), content: $("canned-content").value },
    });
    $("canned-shortcut").value = "";
    $("canned-content").value = "";
    await loadCanned();
    $("canned-shortcut").focus();
  } catch (error) {
    setCannedError(error.message);
  } finally {
    $("canned-add").disabled = false;
  }
}

async function deleteCanned(item) {
  setCannedError("");
  try {
    await api(`/chat/canned-responses/${encodeURIComponent(item.id)}/`, { method: "DELETE" });
    await loadCanned();
  } catch (error) {
    setCannedError(error.message);
  }
}

/* ---------- agents and departments (settings) ---------- */

function businessPath(rest) {
  return `/admin/businesses/${encodeURIComponent(state.agent.business)}/${rest}`;
}

function setFormError(id, message) {
  $(id).textContent = message;
  $(id).hidden = !message;
}

async function loadTeamSettings() {
  try {
    const [agents, departments] = await Promise.all([api(businessPath("agents/")), api(businessPath("departments/"))]);
    const names = new Map(departments.data.map((department) => [department.id, department.name]));
    $("team-list").replaceChildren(...agents.data.map((agent) => {
      const row = el("li");
      row.dataset.id = agent.id;
      const text = el("div", "canned-text");
      const me = agent.id === state.agent.id;
      text.append(el("span", "team-name", agent.name + (me ? " (you)" : "")), el("br"),
        `${agent.email || "no email"} · ${names.get(agent.department) || "no department"} · `,
        el("span", "team-state", `${agent.is_admin ? "admin" : "agent"}, ${agent.active === false ? "deactivated" : "active"}`));
      row.append(text);
      if (!me) {
        const admin = el("button", "team-admin link-button", agent.is_admin ? "Remove admin" : "Make admin");
        admin.type = "button";
        admin.addEventListener("click", () => updateTeamAgent(agent, { is_admin: !agent.is_admin }));
        const active = el("button", "team-active link-button", agent.active === false ? "Reactivate" : "Deactivate");
        active.type = "button";
        active.addEventListener("click", () => updateTeamAgent(agent, { active: agent.active === false }));
        row.append(admin, active);
      }
      return row;
    }));
    $("department-list").replaceChildren(...departments.data.map((department) => {
      const row = el("li", "", department.name);
      row.dataset.id = department.id;
      return row;
    }));
    $("team-department").replaceChildren(option("", "None"), ...departments.data.map((d) => option(d.id, d.name)));
  } catch (error) {
    setFormError("team-error", error.message);
  }
}

async function updateTeamAgent(agent, change) {
  setFormError("team-error", "");
  try {
    await api(businessPath(`agents/${encodeURIComponent(agent.id)}/`), { method: "PATCH", json: change });
    await loadTeamSettings();
  } catch (error) {
    setFormError("team-error", error.message);
  }
}

async function onTeamSubmit(event) {
  event.preventDefault();
  setFormError("team-error", "");
  $("team-add").disabled = true;
  const body = { name: $("team-name").value.trim(), email: $("team-email").value.trim(), password: $("team-password").value,
    is_admin: $("team-admin").checked };
  if ($("team-department").value) body.department = $("team-department").value;
  try {
    await api(businessPath("agents/"), { method: "POST", json: body });
    for (const id of ["team-name", "team-email", "team-password"]) $(id).value = "";
    $("team-admin").checked = false;
    await loadTeamSettings();
    loadTeam();
  } catch (error) {
    setFormError("team-error", error.message);
  } finally {
    $("team-add").disabled = false;
  }
}

async function onDepartmentSubmit(event) {
  event.preventDefault();
  setFormError("department-error", "");
  try {
    await api(businessPath("departments/"), { method: "POST", json: { name: $("department-name").value.trim() } });
    $("department-name").value = "";
    await loadTeamSettings();
    loadTeam();
  } catch (error) {
    setFormError("department-error", error.message);
  }
}

/* ---------- privacy (an open chat's visitor) ---------- */

async function exportVisitor() {
  const visitor = state.chat?.summary?.visitor;
  if (!visitor?.id) return;
  try {
    const { data } = await api(`/chat/visitors/${encodeURIComponent(visitor.id)}/export/`);
    const link = el("a");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
    link.download = `visitor-${visitor.id}.json`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    setChatStatus("Visitor data exported.", true);
  } catch (error) {
    showChatError(error.message);
  }
}

async function eraseVisitor() {
  const chat = state.chat;
  const visitor = chat?.summary?.visitor;
  if (!visitor?.id) return;
  if (!window.confirm("Erase this visitor? Every chat, message and file of theirs is deleted for good.")) return;
  try {
    await api(`/chat/visitors/${encodeURIComponent(visitor.id)}/`, { method: "DELETE" });
    state.sessions = state.sessions.filter((session) => session.visitor?.id !== visitor.id);
    state.inboxNotice = "The visitor and their chats were erased.";
    closeChat();
  } catch (error) {
    showChatError(error.message);
  }
}

/* ---------- webhooks (settings) ---------- */

function setWebhookError(message) {
  $("webhook-error").textContent = message;
  $("webhook-error").hidden = !message;
}

async function loadWebhooks() {
  try {
    const { data } = await api("/chat/webhooks/");
    const items = data.map((hook) => {
      const row = el("li");
      row.dataset.id = hook.id;
      const text = el("div", "canned-text");
      text.append(el("span", "webhook-url", hook.url), el("br"), hook.events.join(", "));
      const log = el("button", "webhook-log-open link-button", "Deliveries");
      log.type = "button";
      log.addEventListener("click", () => showWebhookLog(hook));
      const remove = el("button", "webhook-delete link-button", "Delete");
      remove.type = "button";
      remove.setAttribute("aria-label", `Delete the webhook to ${hook.url}`);
      remove.addEventListener("click", () => deleteWebhook(hook));
      row.append(text, log, remove);
      return row;
    });
    $("webhook-list").replaceChildren(...items);
  } catch (error) {
    setWebhookError(error.message);
  }
}

async function onWebhookSubmit(event) {
  event.preventDefault();
  setWebhookError("");
  $("webhook-secret").hidden = true;
  $("webhook-add").disabled = true;
  const events = [...document.querySelectorAll('#webhook-form input[name="event"]:checked')].map((box) => box.value);
  try {
    const { data } = await api("/chat/webhooks/", { method: "POST", json: { url: $("webhook-url").value.trim(), events } });
    $("webhook-url").value = "";
    $("webhook-secret").textContent = `Signing secret (shown once, keep it): ${data.secret}`;
    $("webhook-secret").hidden = false;
    await loadWebhooks();
  } catch (error) {
    setWebhookError(error.message);
  } finally {
    $("webhook-add").disabled = false;
  }
}

async function deleteWebhook(hook) {
  setWebhookError("");
  try {
    await api(`/chat/webhooks/${encodeURIComponent(hook.id)}/`, { method: "DELETE" });
    if ($("webhook-log").dataset.id === hook.id) $("webhook-log").hidden = true;
    await loadWebhooks();
  } catch (error) {
    setWebhookError(error.message);
  }
}

async function showWebhookLog(hook) {
  setWebhookError("");
  try {
    const { data } = await api(`/chat/webhooks/${encodeURIComponent(hook.id)}/deliveries/`);
    const rows = data.map((attempt) => {
      const row = el("tr");
      row.dataset.state = attempt.state;
      const time = el("td");
      time.append(timeElement(attempt.attempted_at));
      row.append(time, el("td", "", attempt.event), el("td", "", attempt.status_code === null ? attempt.error || "No answer"
        : `HTTP ${attempt.status_code}`), el("td", "", attempt.state));
      return row;
    });
    if (!rows.length) {
      const row = el("tr");
      const cell = el("td", "muted", "No delivery yet.");
      cell.colSpan = 4;
      row.append(cell);
      rows.push(row);
    }
    $("webhook-log-rows").replaceChildren(...rows);
    $("webhook-log-title").textContent = `Recent deliveries to ${hook.url}`;
    $("webhook-log").dataset.id = hook.id;
    $("webhook-log").hidden = false;
  } catch (error) {
    setWebhookError(error.message);
  }
}

/* ---------- search ---------- */

const SEARCH_PAGE = 20;

function focusMessage(messageId) {
  const node = [...$("messages").querySelectorAll(".message")].find((item) => item.dataset.id === messageId);
  if (!node) return;
  document.querySelectorAll("#messages .found").forEach((item) => item.classList.remove("found"));
  node.classList.add("found");
  node.scrollIntoView({ block: "center" });
}

function decodeEntities(text) {
  const named = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name) => named[name]);
}

/* The server's snippet is escaped text with <mark> around the matches: built here as text
   nodes and <mark> elements, so nothing in it is ever read as HTML. */
function snippetNodes(snippet) {
  const nodes = [];
  snippet.split(/(<mark>[^<]*<\/mark>)/).forEach((part) => {
    const match = part.match(/^<mark>([^<]*)<\/mark>$/);
    if (match) nodes.push(el("mark", "", decodeEntities(match[1])));
    else if (part) nodes.push(document.createTextNode(decodeEntities(part)));
  });
  return nodes;
}

function searchResultItem(result) {
  const item = el("li");
  const button = el("button", "search-result");
  button.type = "button";
  button.dataset.sessionId = result.session_id;
  button.dataset.messageId = result.message_id;
  const head = el("span", "search-meta");
  head.append(el("span", "", result.sender_type === "agent" ? "Agent" : "Visitor"), " · ", timeElement(result.timestamp));
  if (result.private) head.append(" ", el("span", "private-tag", "Note"));
  const snippet = el("span", "snippet");
  snippet.append(...snippetNodes(result.snippet));
  button.append(head, snippet);
  item.append(button);
  return item;
}

async function runSearch(more = false) {
  const search = state.search;
  if (!search) return;
  const params = new URLSearchParams({ q: search.query, limit: String(SEARCH_PAGE) });
  if (more && search.cursor) params.set("cursor", search.cursor);
  $("search-status").textContent = "Searching…";
  $("search-more").hidden = true;
  try {
    const reply = await api(`/chat/search/?${params}`);
    if (state.search !== search) return;
    if (!more) $("search-results").replaceChildren();
    search.count += reply.data.length;
    reply.data.forEach((result) => $("search-results").append(searchResultItem(result)));
    search.cursor = reply.next_cursor;
    $("search-more").hidden = !search.cursor;
    $("search-status").textContent = search.count === 0 ? `No message matches “${search.query}”.`
      : `${search.count}${search.cursor ? "+" : ""} ${search.count === 1 ? "message matches" : "messages match"} “${search.query}”.`;
  } catch (error) {
    if (state.search === search) $("search-status").textContent = error.message;
  }
}

function onSearchSubmit(event) {
  event.preventDefault();
  const query = $("search-input").value.trim();
  if (!query) return clearSearch();
  state.search = { query, cursor: null, count: 0 };
  $("search-panel").hidden = false;
  for (const id of ["inbox", "inbox-status", "load-more"]) $(id).hidden = true;
  runSearch();
}

function clearSearch() {
  state.search = null;
  $("search-input").value = "";
  $("search-results").replaceChildren();
  $("search-panel").hidden = true;
  $("inbox").hidden = false;
  $("inbox-status").hidden = false;
  $("load-more").hidden = !state.nextCursor;
}

function onSearchResultClick(event) {
  const button = event.target.closest(".search-result");
  if (button) openChat(button.dataset.sessionId, button.dataset.messageId);
}

/* ---------- start ---------- */

function restoreSession() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  let agent = null;
  try {
    agent = JSON.parse(sessionStorage.getItem(AGENT_KEY) || "null");
  } catch {
    agent = null;
  }
  if (token && agent?.id) startConsole(token, agent);
  else showLogin();
}

function bind() {
  $("login-form").addEventListener("submit", onLoginSubmit);
  $("logout").addEventListener("click", () => showLogin());
  $("open-settings").addEventListener("click", openSettings);
  $("settings-close").addEventListener("click", closeSettings);
  $("settings-form").addEventListener("submit", onSettingsSubmit);
  $("canned-form").addEventListener("submit", onCannedSubmit);
  $("webhook-form").addEventListener("submit", onWebhookSubmit);
  $("team-form").addEventListener("submit", onTeamSubmit);
  $("department-form").addEventListener("submit", onDepartmentSubmit);
  $("export-visitor").addEventListener("click", exportVisitor);
  $("erase-visitor").addEventListener("click", eraseVisitor);
  $("open-reports").addEventListener("click", openReports);
  $("enable-notifications").addEventListener("click", enableNotifications);
  $("reports-close").addEventListener("click", closeReports);
  $("reports-form").addEventListener("submit", loadReport);
  $("composer-note").addEventListener("change", onNoteToggle);
  $("composer-input").addEventListener("blur", () => setTimeout(closePicker, 0));
  $("filter-status").addEventListener("change", onFilterChange);
  $("filter-department").addEventListener("change", onFilterChange);
  $("inbox").addEventListener("click", onInboxClick);
  $("search-form").addEventListener("submit", onSearchSubmit);
  $("search-clear").addEventListener("click", clearSearch);
  $("search-more").addEventListener("click", () => runSearch(true));
  $("search-results").addEventListener("click", onSearchResultClick);
  $("load-more").addEventListener("click", loadMore);
  $("back").addEventListener("click", onBack);
  $("assign-me").addEventListener("click", () => chatAction("assign", {}));
  $("assign-to").addEventListener("change", onAssignTo);
  $("transfer-to").addEventListener("change", onTransferTo);
  $("end-chat").addEventListener("click", onEndChat);
  $("composer").addEventListener("submit", onComposerSubmit);
  $("composer-input").addEventListener("keydown", onComposerKeydown);
  $("composer-input").addEventListener("input", onComposerInput);
  $("composer-attach").addEventListener("click", () => $("composer-file").click());
  $("composer-file").addEventListener("change", onFileChosen);
  document.addEventListener("visibilitychange", onVisibilityChange);
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);
}

bind();
restoreSession();
