/*! livechat widget: one script, no dependencies.
 *  <script src="https://HOST/widget.js" data-business="BUSINESS_ID" async></script>
 *  Optional: data-department="DEPARTMENT_ID", data-customer-token="JWT signed by the merchant",
 *  data-title="Chat with us".
 *  API: window.LiveChat.open(), .close(), .send(text), .on(event, handler)
 *  Events: "ready" (session info), "message" (the broadcast object), "session_ended".
 *  The business's settings (GET /chat/widget-config/) give the greeting, the away banner shown
 *  while no agent is online, and the pre-chat form asked before a new chat.
 *  No word is lost: what the visitor types waits in an outbox kept in localStorage until the
 *  server has stored it (a refused start, a required field, a dropped socket or a reload in
 *  between), and is sent once it can be, once (client_id). A chat starts with the first message
 *  (or the pre-chat form), never by opening the widget.
 */
(function () {
  "use strict";
  if (window.LiveChat && window.LiveChat.__livechat) return;

  var script = document.currentScript || document.querySelector("script[data-business][src*='widget.js']");
  if (!script) return;
  var BASE = new URL(script.src, location.href).origin;
  var MEDIA = BASE + "/media/chat_attachments/";
  var BUSINESS = script.getAttribute("data-business");
  var DEPARTMENT = script.getAttribute("data-department");
  var CUSTOMER_TOKEN = script.getAttribute("data-customer-token");
  var TITLE = script.getAttribute("data-title") || "Chat with us";
  var STORE_KEY = "livechat:" + BASE + ":" + BUSINESS;

  var handlers = { ready: [], message: [], session_ended: [] };
  var state = {
    token: null, sessionId: null, visitorId: null, lastSeq: 0,
    socket: null, connected: false, retry: 0, retryTimer: null, ended: false, starting: null,
    shown: {}, outbox: [], agentReadSeq: 0, typingTimer: null, typingSentAt: 0, open: false,
    config: null, profile: null, rated: false, deliverTimer: null, deliverRetry: 0, leftTimer: null
  };

  // ---------------------------------------------------------------- storage

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE_KEY) || "{}"); } catch (e) { return {}; }
  }
  function save() {
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({ token: state.token, sessionId: state.sessionId, visitorId: state.visitorId,
        outbox: state.outbox }));
    } catch (e) { /* storage may be disabled: the chat still works for this page */ }
  }

  function emit(name, value) {
    (handlers[name] || []).forEach(function (fn) { try { fn(value); } catch (e) { /* a merchant's handler must not break the chat */ } });
  }

  // ---------------------------------------------------------------- HTTP

  function api(path, options) {
    options = options || {};
    var headers = options.headers || {};
    if (state.token) headers["Authorization"] = "Bearer " + state.token;
    return fetch(BASE + path, { method: options.method || "GET", headers: headers, body: options.body })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var details = [];
            Object.keys(body.errors || {}).forEach(function (key) { details = details.concat(body.errors[key]); });
            var error = new Error([body.message || ("HTTP " + response.status)].concat(details).join(" "));
            error.status = response.status;
            error.fields = body.errors || {};
            throw error;
          }
          return body;
        });
      });
  }

  function loadConfig() {
    return api("/chat/widget-config/?business=" + encodeURIComponent(BUSINESS)).then(function (reply) {
      state.config = reply.data || null;
      showConfig();
      return state.config;
    }).catch(function () { return state.config; /* the chat works without its settings */ });
  }

  function asksPrechat() {
    var prechat = state.config && state.config.prechat;
    return !!prechat && (prechat.name !== "off" || prechat.email !== "off");
  }

  /** A new visitor's first chat waits for the pre-chat form when the business asks for it (a
   *  returning visitor's answers are known to the server, which asks again only if it lacks one). */
  function needsPrechat() {
    return asksPrechat() && !state.profile && !state.token;
  }

  function startSession() {
    if (state.starting) return state.starting;
    if (needsPrechat()) {
      showPrechat("");
      var waiting = new Error("The pre-chat form comes first.");
      waiting.status = 0;
      waiting.form = true;  // not a failure to retry: the form's submit starts the chat
      return Promise.reject(waiting);
    }
    var body = { business: BUSINESS };
    if (DEPARTMENT) body.department = DEPARTMENT;
    if (CUSTOMER_TOKEN) body.customer_token = CUSTOMER_TOKEN;
    if (state.profile && state.profile.name) body.name = state.profile.name;
    if (state.profile && state.profile.email) body.email = state.profile.email;
    state.starting = api("/chat/start-session/", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).catch(function (error) {
      if (error.status === 401 && state.token) {  // a stale token: start over as a new visitor
        state.token = null;
        return api("/chat/start-session/", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
        });
      }
      throw error;
    }).then(function (reply) {
      var data = reply.data;
      if (data.session_id !== state.sessionId) { resetTimeline(); }
      state.token = data.token;
      state.sessionId = data.session_id;
      state.visitorId = data.visitor_id;
      state.ended = false;
      save();
      setEnded(false);
      emit("ready", { session_id: data.session_id, visitor_id: data.visitor_id });
      return loadHistory().then(connect);
    }).catch(function (error) {
      if (error.status === 400 && (error.fields.name || error.fields.email)) {
        // The form's answers were refused or are missing: ask, every field's problem at once.
        state.profile = null;
        showPrechat(fieldProblems(error.fields), error.fields);
      } else if (state.outbox.length) {
        status("Not sent yet: " + error.message + (retryable(error) ? " We will try again." : ""));
      } else {
        status("Chat unavailable: " + error.message);
      }
      throw error;
    }).finally(function () { state.starting = null; });
    return state.starting;
  }

  function loadHistory() {
    return api("/chat/history/" + state.sessionId + "/").then(function (reply) {
      (reply.data || []).forEach(function (item) { if (item.type === "message") showMessage(item.data); });
    });
  }

  function upload(file, isAudio) {
    var form = new FormData();
    form.append("file", file, file.name || "voice-note.webm");
    if (state.visitorId) form.append("uploaded_by_end_user", state.visitorId);
    status(isAudio ? "Sending voice note…" : "Uploading " + (file.name || "file") + "…");
    return ensureSession().then(function () {
      return api("/chat/upload-file/", { method: "POST", body: form });
    }).then(function (reply) {
      status("");
      sendFrame({ type: "file", file: reply.data.file, is_audio: !!isAudio, client_id: clientId() });
    }).catch(function (error) { status(error.message); });
  }

  function ensureSession() {
    return state.sessionId && !state.ended ? Promise.resolve() : startSession();
  }

  /** A refusal worth trying again by itself: the network, a rate limit, the server. */
  function retryable(error) { return !error.form && (!error.status || error.status === 429 || error.status >= 500); }

  function fieldProblems(fields) {
    var labels = { name: "Your name", email: "Your email" };
    return Object.keys(fields || {}).filter(function (key) { return labels[key]; }).map(function (key) {
      return labels[key] + ": " + [].concat(fields[key]).join(" ");
    }).join(" ");
  }

  /** Sends what the outbox holds: starts the chat first when there is none (the pre-chat form
   *  may come first); a refusal worth retrying is tried again with a growing pause. */
  function deliver() {
    clearTimeout(state.deliverTimer);
    if (!state.outbox.length) return Promise.resolve();
    return ensureSession().then(function () {
      state.deliverRetry = 0;
      flush();
    }).catch(function (error) {
      if (retryable(error) && state.outbox.length) {
        var delay = Math.min(30000, 2000 * Math.pow(2, state.deliverRetry));
        state.deliverRetry += 1;
        state.deliverTimer = setTimeout(deliver, delay);
      }
    });
  }

  /** The outbox over the open socket; a resend is harmless (client_id). */
  function flush() {
    if (!state.connected || !state.socket) return;
    state.outbox.forEach(function (frame) { state.socket.send(JSON.stringify(frame)); });
  }

  // ---------------------------------------------------------------- socket

  function connect() {
    if (!state.sessionId || state.ended) return;
    clearTimeout(state.retryTimer);
    var url = BASE.replace(/^http/, "ws") + "/ws/visitor-chat/?session_id=" + encodeURIComponent(state.sessionId) +
      "&last_seq=" + state.lastSeq;
    var socket;
    try { socket = new WebSocket(url, ["Bearer", state.token]); } catch (e) { scheduleReconnect(); return; }
    state.socket = socket;
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      receive(frame);
    };
    socket.onclose = function (event) {
      if (state.socket !== socket) return;
      state.connected = false;
      state.socket = null;
      if (event.code === 4006) { setEnded(true); return; }
      if (event.code === 4002 || event.code === 4003) {  // the session is gone for this visitor
        state.sessionId = null;
        save();
        status("Connection lost. Send a message to start again.");
        return;
      }
      status("Reconnecting…");
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    var delay = Math.min(30000, 1000 * Math.pow(2, state.retry)) * (0.75 + Math.random() * 0.5);
    state.retry += 1;
    state.retryTimer = setTimeout(connect, delay);
  }

  /** A message into the outbox (kept until the server has stored it), then on its way. */
  function sendFrame(frame) {
    state.outbox.push(frame);
    save();
    showPending(frame);
    return deliver();
  }

  function receive(frame) {
    switch (frame.type) {
      case "connection_established":
        state.connected = true;
        state.retry = 0;
        status("");
        endButton.hidden = false;
        // Resend what the server has not confirmed yet; client_id makes it idempotent.
        flush();
        loadConfig();  // whether an agent is online now
        break;
      case "text":
      case "file":
        showMessage(frame);
        emit("message", frame);
        if (frame.sender_type !== "visitor") agentIsHere();
        if (frame.sender_type !== "visitor" && state.open && !document.hidden) markRead(frame);
        break;
      case "typing":
        if (frame.sender_type === "agent") { showTyping(frame.is_typing); agentIsHere(); }
        break;
      case "read":
        if (frame.reader_type === "agent" && frame.seq > state.agentReadSeq) { state.agentReadSeq = frame.seq; refreshTicks(); }
        break;
      case "participant_joined":
        if (frame.participant_type !== "agent") break;
        agentIsHere();
        // An agent's console reconnecting leaves and joins again within seconds: no line for that.
        if (state.leftTimer) { clearTimeout(state.leftTimer); state.leftTimer = null; break; }
        systemLine("An agent joined the chat.");
        break;
      case "participant_left":
        if (frame.participant_type !== "agent") break;
        clearTimeout(state.leftTimer);
        state.leftTimer = setTimeout(function () { state.leftTimer = null; systemLine("The agent left the chat."); }, 5000);
        break;
      case "session_ended":
        setEnded(true);
        emit("session_ended", frame);
        break;
      case "error":
        // An ended chat says so in its banner (the socket's preface before 4006 repeats it).
        if (!/^This session has ended/.test(frame.message || "")) status(frame.message || "Something went wrong.");
        break;
    }
  }

  function markRead(message) {
    if (state.socket && state.connected) state.socket.send(JSON.stringify({ type: "read", message_id: message.id }));
  }

  function clientId() {
    return "w-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  // ---------------------------------------------------------------- view

  var host = document.createElement("div");
  host.setAttribute("data-livechat", "");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = document.createElement("style");
  style.textContent = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".launcher{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;background:#1f4fd1;color:#fff;",
    "cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.25);z-index:2147483646;display:flex;align-items:center;justify-content:center}",
    ".launcher svg{width:28px;height:28px}",
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,label:focus-within{outline:3px solid #ffbf47;outline-offset:2px}",
    ".panel{position:fixed;right:20px;bottom:92px;width:360px;max-width:calc(100vw - 24px);height:520px;max-height:calc(100vh - 112px);",
    "background:#fff;color:#1b1f24;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.28);display:flex;flex-direction:column;",
    "overflow:hidden;z-index:2147483647}",
    ".panel[hidden]{display:none}",
    "header{background:#1f4fd1;color:#fff;padding:12px 14px;display:flex;align-items:center;justify-content:space-between}",
    "header h2{font-size:16px;margin:0;font-weight:600}",
    "header button{background:transparent;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1}",
    "header .tools{display:flex;gap:8px;align-items:center}",
    "header .end{font-size:13px;border:1px solid rgba(255,255,255,.75);border-radius:8px;padding:4px 8px}",
    "header .end[hidden]{display:none}",
    ".log{flex:1;min-height:140px;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f4f6f9}",
    ".msg{max-width:80%;padding:8px 11px;border-radius:12px;font-size:14px;line-height:1.4;white-space:pre-wrap;word-wrap:break-word}",
    ".msg.mine{align-self:flex-end;background:#1f4fd1;color:#fff;border-bottom-right-radius:4px}",
    ".msg.theirs{align-self:flex-start;background:#fff;color:#1b1f24;border:1px solid #d5dbe3;border-bottom-left-radius:4px}",
    ".msg.pending{opacity:.65}",
    ".msg a{color:inherit;text-decoration:underline}",
    ".msg img{max-width:100%;border-radius:8px;display:block}",
    ".msg audio{max-width:100%}",
    ".tick{font-size:11px;margin-left:6px;opacity:.85}",
    ".system{align-self:center;font-size:12px;color:#4a5563}",
    ".typing{font-size:12px;color:#4a5563;padding:0 14px 4px;min-height:18px}",
    ".status{font-size:12px;color:#8a1c1c;padding:0 14px;min-height:0}",
    ".ended{padding:10px 14px;background:#fff4e5;color:#5c3b00;font-size:13px;display:flex;gap:8px;align-items:center;justify-content:space-between}",
    ".ended[hidden]{display:none}",
    ".ended button{background:#1f4fd1;color:#fff;border:0;border-radius:8px;padding:6px 10px;cursor:pointer}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #d5dbe3;align-items:flex-end}",
    "textarea{flex:1;resize:none;border:1px solid #9aa5b4;border-radius:10px;padding:8px 10px;font-size:14px;min-height:38px;max-height:110px;color:#1b1f24}",
    ".icon{background:#eef1f5;border:0;border-radius:10px;width:38px;height:38px;cursor:pointer;font-size:18px;color:#1b1f24;display:inline-flex;align-items:center;justify-content:center}",
    ".icon.recording{background:#c62828;color:#fff}",
    ".send{background:#1f4fd1;color:#fff;border:0;border-radius:10px;height:38px;padding:0 14px;font-size:14px;cursor:pointer}",
    ".send:disabled,textarea:disabled,.icon:disabled{opacity:.5;cursor:not-allowed}",
    ".greeting{align-self:flex-start;max-width:85%;padding:8px 11px;border-radius:12px;font-size:14px;background:#fff;border:1px solid #d5dbe3;white-space:pre-wrap}",
    ".away{padding:8px 14px;background:#eef1f5;color:#1b1f24;font-size:13px;border-bottom:1px solid #d5dbe3;white-space:pre-wrap}",
    ".away[hidden],.prechat[hidden],form.compose[hidden]{display:none}",
    ".prechat{display:flex;flex-direction:column;gap:6px;padding:12px 14px;border-top:1px solid #d5dbe3}",
    ".prechat p{margin:0;font-size:13px;color:#1b1f24}",
    ".prechat label{font-size:13px;font-weight:600;color:#1b1f24}",
    ".prechat input{border:1px solid #9aa5b4;border-radius:8px;padding:7px 9px;font-size:14px;color:#1b1f24}",
    ".prechat .error{color:#8a1c1c;font-size:12px}",
    ".prechat button{align-self:flex-start;background:#1f4fd1;color:#fff;border:0;border-radius:10px;height:36px;padding:0 14px;font-size:14px;cursor:pointer}",
    "@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100vh;height:100dvh;max-height:100dvh;border-radius:0}}",
    ".rate{padding:10px 14px;border-top:1px solid #d5dbe3;display:flex;flex-direction:column;gap:6px;font-size:13px;color:#1b1f24}",
    ".rate[hidden],.rate [hidden]{display:none}",
    ".rate p{margin:0}",
    ".stars{display:flex;gap:4px}",
    ".star{background:transparent;border:0;font-size:24px;line-height:1;color:#9aa5b4;cursor:pointer;padding:2px}",
    ".star[aria-pressed=true]{color:#c77700}",
    ".rate textarea{min-height:48px}",
    ".rate-send{align-self:flex-start;background:#1f4fd1;color:#fff;border:0;border-radius:10px;height:34px;padding:0 12px;font-size:14px;cursor:pointer}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
  ].join("");
  root.appendChild(style);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text != null) node.textContent = text;
    return node;
  }

  var SVG = "http://www.w3.org/2000/svg";
  function icon(d, filled) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "22");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", filled ? "currentColor" : "none");
    path.setAttribute("stroke", filled ? "none" : "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.appendChild(path);
    return svg;
  }
  var ICON_CHAT = "M4 5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9l-5 4V6a1 1 0 0 1 1-1z";
  var ICON_CLIP = "M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9";
  var ICON_MIC = "M12 15a3 3 0 0 0 3-3V6a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zM6 11a6 6 0 0 0 12 0M12 17v4M9 21h6";

  var launcher = el("button", { "class": "launcher", type: "button", "aria-label": "Open chat", "aria-expanded": "false", part: "launcher" });
  launcher.appendChild(icon(ICON_CHAT, true));
  var panel = el("section", { "class": "panel", role: "dialog", "aria-label": TITLE, hidden: "" });
  var header = el("header");
  var heading = el("h2", null, TITLE);
  var closeButton = el("button", { type: "button", "aria-label": "Close chat" }, "×");
  var endButton = el("button", { type: "button", "class": "end", hidden: "" }, "End chat");
  var tools = el("div", { "class": "tools" });
  tools.appendChild(endButton);
  tools.appendChild(closeButton);
  header.appendChild(heading);
  header.appendChild(tools);
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Messages" });
  var typing = el("div", { "class": "typing", "aria-live": "polite" });
  var statusLine = el("div", { "class": "status", role: "status" });
  var ended = el("div", { "class": "ended", hidden: "" });
  var endedText = el("span", null, "This chat has ended.");
  var restart = el("button", { type: "button" }, "Start a new chat");
  ended.appendChild(endedText);
  ended.appendChild(restart);
  var away = el("div", { "class": "away", role: "note", hidden: "" });
  var prechat = el("form", { "class": "prechat", "aria-label": "Before we start", hidden: "", novalidate: "" });
  var prechatIntro = el("p", null, "Before we start, please tell us:");
  var prechatNameLabel = el("label", { "for": "livechat-prechat-name" }, "Your name");
  var prechatName = el("input", { id: "livechat-prechat-name", name: "name", maxlength: "100", autocomplete: "name" });
  var prechatEmailLabel = el("label", { "for": "livechat-prechat-email" }, "Your email");
  var prechatEmail = el("input", { id: "livechat-prechat-email", name: "email", type: "email", maxlength: "254", autocomplete: "email" });
  var prechatError = el("p", { "class": "error", role: "alert" });
  var prechatStart = el("button", { type: "submit" }, "Start the chat");
  [prechatIntro, prechatNameLabel, prechatName, prechatEmailLabel, prechatEmail, prechatError, prechatStart].forEach(function (node) {
    prechat.appendChild(node);
  });
  var rate = el("div", { "class": "rate", hidden: "" });
  var rateAsk = el("p", null, "How was this chat?");
  var stars = el("div", { "class": "stars", role: "group", "aria-label": "Your rating" });
  var starButtons = [1, 2, 3, 4, 5].map(function (score) {
    var star = el("button", { type: "button", "class": "star", "data-score": String(score), "aria-pressed": "false",
      "aria-label": score + (score === 1 ? " star" : " stars") }, "★");
    stars.appendChild(star);
    return star;
  });
  var rateComment = el("textarea", { "class": "rate-comment", rows: "2", maxlength: "1000", placeholder: "A comment (optional)",
    "aria-label": "A comment (optional)" });
  var rateSend = el("button", { type: "button", "class": "rate-send", disabled: "" }, "Send rating");
  var rateDone = el("p", { "class": "rate-done", role: "status" });
  [rateAsk, stars, rateComment, rateSend, rateDone].forEach(function (node) { rate.appendChild(node); });
  var form = el("form", { "class": "compose", "aria-label": "Send a message" });
  var input = el("textarea", { rows: "1", placeholder: "Type your message…", "aria-label": "Message", maxlength: "5000" });
  var fileLabel = el("label", { "class": "icon", title: "Attach a file" });
  var fileInput = el("input", { type: "file", "class": "sr", "aria-label": "Attach a file" });
  fileLabel.appendChild(icon(ICON_CLIP, false));
  fileLabel.appendChild(fileInput);
  var voice = el("button", { type: "button", "class": "icon", "aria-label": "Record a voice note", title: "Record a voice note" });
  voice.appendChild(icon(ICON_MIC, false));
  var send = el("button", { type: "submit", "class": "send" }, "Send");
  form.appendChild(input);
  form.appendChild(fileLabel);
  if (window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) form.appendChild(voice);
  form.appendChild(send);
  [header, away, log, typing, statusLine, ended, rate, prechat, form].forEach(function (node) { panel.appendChild(node); });
  root.appendChild(launcher);
  root.appendChild(panel);

  function status(text) { statusLine.textContent = text || ""; }

  function resetTimeline() {
    state.shown = {};
    state.lastSeq = 0;
    state.agentReadSeq = 0;
    while (log.firstChild) log.removeChild(log.firstChild);
    showConfig();
    state.outbox.forEach(showPending);  // what waits to be sent stays in sight
  }

  /** An agent wrote or typed: someone is online, whatever the last config said. */
  function agentIsHere() {
    if (state.config && !state.config.online) { state.config.online = true; showConfig(); }
  }

  /** The greeting first in the log, and the away banner while no agent is online. */
  function showConfig() {
    var config = state.config;
    var greeting = log.querySelector(".greeting");
    if (config && config.greeting) {
      if (!greeting) { greeting = el("div", { "class": "greeting" }); log.insertBefore(greeting, log.firstChild); }
      greeting.textContent = config.greeting;
    } else if (greeting) {
      log.removeChild(greeting);
    }
    var offline = config && !config.online;
    away.textContent = offline ? (config.offline_message || "No one is online right now: leave a message and we will answer here.") : "";
    away.hidden = !offline;
  }

  /** The pre-chat form with `error`; a field the server found a problem with (`problems`) is
   *  asked even when the settings were not loaded yet. */
  function showPrechat(error, problems) {
    var configured = (state.config && state.config.prechat) || { name: "off", email: "off" };
    var asks = { name: configured.name, email: configured.email };
    Object.keys(problems || {}).forEach(function (key) { if (asks[key] === "off" || !asks[key]) asks[key] = "required"; });
    state.asks = asks;
    [[prechatNameLabel, prechatName, asks.name, "Your name"], [prechatEmailLabel, prechatEmail, asks.email, "Your email"]].forEach(function (field) {
      field[0].hidden = field[2] === "off";
      field[1].hidden = field[2] === "off";
      field[0].textContent = field[3] + (field[2] === "required" ? " (required)" : " (optional)");
      if (field[2] === "required") field[1].setAttribute("required", ""); else field[1].removeAttribute("required");
    });
    prechatError.textContent = error || "";
    prechat.hidden = false;
    form.hidden = true;
    setTimeout(function () { (asks.name !== "off" ? prechatName : prechatEmail).focus(); }, 0);
  }

  /** After the end, the visitor may rate the chat once (1 to 5 stars and a comment). */
  function showRating(isEnded) {
    rate.hidden = !isEnded || !state.sessionId;
    if (!isEnded) {
      state.rated = false;
      state.score = 0;
      rateComment.value = "";
      rateDone.textContent = "";
    }
    [rateAsk, stars, rateComment, rateSend].forEach(function (node) { node.hidden = state.rated; });
    starButtons.forEach(function (star) { star.setAttribute("aria-pressed", String(Number(star.getAttribute("data-score")) <= (state.score || 0))); });
    rateSend.disabled = !state.score;
  }

  function sendRating() {
    if (!state.score || !state.sessionId) return;
    rateSend.disabled = true;
    var body = { score: state.score };
    if (rateComment.value.trim()) body.comment = rateComment.value.trim();
    api("/chat/sessions/" + encodeURIComponent(state.sessionId) + "/rating/", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function () {
      state.rated = true;
      rateDone.textContent = "Thank you for your feedback!";
      showRating(true);
    }).catch(function (error) {
      if (error.status === 409 && /already/.test(error.message)) { state.rated = true; rateDone.textContent = "Thank you for your feedback!"; }
      else rateDone.textContent = error.message;
      showRating(true);
    });
  }

  function hidePrechat() {
    prechat.hidden = true;
    form.hidden = false;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function isOurMedia(url) {
    return typeof url === "string" && url.indexOf(MEDIA) === 0 && url.indexOf("..") === -1;
  }

  function fillBody(node, message) {
    while (node.firstChild) node.removeChild(node.firstChild);
    if (message.type === "file") {
      var name = message.file_name || "file";
      if (!isOurMedia(message.file)) { node.appendChild(el("span", null, name)); return; }
      if (message.is_audio) {
        var audio = el("audio", { controls: "", preload: "none", "aria-label": "Voice note" });
        audio.src = message.file;
        node.appendChild(audio);
      } else if (/\.(png|jpe?g|gif|webp)$/i.test(message.file)) {
        var image = el("img", { alt: name });
        // The list grows when the image arrives: it stays at its bottom if it was there.
        var atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
        image.addEventListener("load", function () { if (atBottom) scrollDown(); });
        image.src = message.file;
        node.appendChild(image);
      } else {
        var link = el("a", { target: "_blank", rel: "noopener noreferrer" }, name);
        link.href = message.file;
        node.appendChild(link);
      }
    } else {
      node.appendChild(el("span", { "class": "text" }, message.content || ""));
    }
  }

  function showPending(frame) {
    if (root.querySelector && root.querySelector("[data-client-id='" + cssEscape(frame.client_id) + "']")) return;
    var bubble = el("div", { "class": "msg mine pending", "data-client-id": frame.client_id });
    fillBody(bubble, frame.type === "file" ? { type: "file", file: frame.file, file_name: "Sending file…" } : frame);
    log.appendChild(bubble);
    scrollDown();
  }

  function cssEscape(value) { return String(value).replace(/[^a-zA-Z0-9_-]/g, "_"); }

  function showMessage(message) {
    if (!message || !message.id) return;
    var mine = message.sender_type === "visitor";
    var bubble = null;
    if (mine && message.client_id) {
      // Stored: out of the outbox (a resend's answer may come after the message was shown).
      var before = state.outbox.length;
      state.outbox = state.outbox.filter(function (frame) { return frame.client_id !== message.client_id; });
      if (state.outbox.length !== before) save();
      bubble = root.querySelector("[data-client-id='" + cssEscape(message.client_id) + "']");
    }
    if (state.shown[message.id]) {
      if (bubble && bubble.classList.contains("pending")) bubble.parentNode.removeChild(bubble);
      return;
    }
    state.shown[message.id] = true;
    if (message.seq > state.lastSeq) state.lastSeq = message.seq;
    if (!bubble) {
      bubble = el("div");
      // Keep the log in seq order even when catch-up and live frames interleave.
      var after = null;
      Array.prototype.forEach.call(log.querySelectorAll("[data-seq]"), function (node) {
        if (!after && Number(node.getAttribute("data-seq")) > message.seq) after = node;
      });
      log.insertBefore(bubble, after);
    }
    bubble.className = "msg " + (mine ? "mine" : "theirs");
    bubble.setAttribute("data-id", message.id);
    bubble.setAttribute("data-seq", String(message.seq));
    bubble.setAttribute("data-sender-type", message.sender_type || "");
    fillBody(bubble, message);
    if (mine) {
      var tick = el("span", { "class": "tick", "aria-label": "Sent" }, "✓");
      bubble.appendChild(tick);
    }
    refreshTicks();
    if (!mine) showTyping(false);
    scrollDown();
  }

  function refreshTicks() {
    Array.prototype.forEach.call(log.querySelectorAll(".msg.mine[data-seq]"), function (node) {
      var tick = node.querySelector(".tick");
      if (!tick) return;
      var read = Number(node.getAttribute("data-seq")) <= state.agentReadSeq;
      tick.textContent = read ? "✓✓" : "✓";
      tick.setAttribute("aria-label", read ? "Read" : "Sent");
    });
  }

  function systemLine(text) {
    log.appendChild(el("div", { "class": "system" }, text));
    scrollDown();
  }

  function showTyping(on) {
    clearTimeout(state.typingTimer);
    typing.textContent = on ? "Agent is typing…" : "";
    if (on) state.typingTimer = setTimeout(function () { typing.textContent = ""; }, 6000);
  }

  function setEnded(isEnded) {
    state.ended = isEnded;
    ended.hidden = !isEnded;
    // An ended chat has no composer (its "Start a new chat" brings it back): the messages keep the room.
    if (isEnded) form.hidden = true; else if (prechat.hidden) form.hidden = false;
    input.disabled = isEnded;
    send.disabled = isEnded;
    fileInput.disabled = isEnded;
    voice.disabled = isEnded;
    showRating(isEnded);
    endButton.hidden = isEnded || !state.sessionId;
    if (isEnded) {
      showTyping(false);
      if (state.socket) { try { state.socket.close(); } catch (e) { /* already closing */ } }
      // Words written after the end (a reload before a new chat could start) go to a new chat.
      if (state.outbox.length) deliver();
    }
  }

  // ---------------------------------------------------------------- actions

  function open() {
    if (!document.body.contains(host)) document.body.appendChild(host);
    state.open = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", "Close chat");
    // Opening starts no chat: the first message (or the pre-chat form) does.
    var ready = (state.config ? Promise.resolve() : loadConfig()).then(function () {
      if (state.sessionId) { loadConfig(); return null; }  // refreshes whether an agent is online
      if (needsPrechat()) { showPrechat(""); return Promise.reject(new Error("waiting for the pre-chat form")); }
      return null;
    });
    clearInterval(state.configTimer);
    state.configTimer = setInterval(function () { if (state.open && !document.hidden) loadConfig(); }, 20000);
    ready.then(function () {
      var last = log.querySelectorAll(".msg.theirs[data-id]");
      if (last.length) markRead({ id: last[last.length - 1].getAttribute("data-id") });
    }).catch(function () { /* shown in the status line */ });
    setTimeout(function () { input.focus(); }, 0);
  }

  function close() {
    state.open = false;
    clearInterval(state.configTimer);
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", "Open chat");
    launcher.focus();
  }

  function sendText(text) {
    var content = String(text == null ? "" : text).trim();
    if (!content) return Promise.resolve();
    return sendFrame({ type: "text", content: content, client_id: clientId() });
  }

  /** The visitor ends the chat: a second click within 4 s confirms. */
  function endChat() {
    if (!state.sessionId || state.ended) return;
    if (!endButton.hasAttribute("data-confirm")) {
      endButton.setAttribute("data-confirm", "");
      endButton.textContent = "End the chat?";
      setTimeout(function () { endButton.removeAttribute("data-confirm"); endButton.textContent = "End chat"; }, 4000);
      return;
    }
    endButton.removeAttribute("data-confirm");
    endButton.textContent = "End chat";
    api("/chat/sessions/" + encodeURIComponent(state.sessionId) + "/end/", { method: "POST" }).then(function () {
      setEnded(true);
    }).catch(function (error) {
      if (error.status === 409) setEnded(true); else status(error.message);
    });
  }

  launcher.addEventListener("click", function () { panel.hidden ? open() : close(); });
  starButtons.forEach(function (star) {
    star.addEventListener("click", function () {
      state.score = Number(star.getAttribute("data-score"));
      showRating(true);
    });
  });
  rateSend.addEventListener("click", sendRating);
  prechat.addEventListener("submit", function (event) {
    event.preventDefault();
    var asks = state.asks || (state.config && state.config.prechat) || {};
    var name = prechatName.value.trim();
    var email = prechatEmail.value.trim();
    // Every problem at once, the first field at fault focused.
    var problems = [];
    var first = null;
    if (asks.name === "required" && !name) { problems.push("Please enter your name."); first = first || prechatName; }
    if (asks.email === "required" && !email) { problems.push("Please enter your email."); first = first || prechatEmail; }
    else if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) { problems.push("Please enter a valid email address."); first = first || prechatEmail; }
    if (problems.length) {
      prechatError.textContent = problems.join(" ");
      first.focus();
      return;
    }
    state.profile = { name: asks.name !== "off" ? name : "", email: asks.email !== "off" ? email : "" };
    hidePrechat();
    startSession().then(function () { input.focus(); deliver(); }).catch(function () { /* shown in the form or the status line */ });
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") close(); });
  // A new chat starts with its first message: the composer comes back, empty of the old chat.
  restart.addEventListener("click", function () {
    state.sessionId = null;
    save();
    resetTimeline();
    setEnded(false);
    status("");
    if (needsPrechat()) showPrechat(""); else { hidePrechat(); input.focus(); }
  });
  endButton.addEventListener("click", endChat);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    typingStopped();
    sendText(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  input.addEventListener("input", function () {
    if (!state.connected || Date.now() - state.typingSentAt < 2000) return;
    state.typingSentAt = Date.now();
    state.socket.send(JSON.stringify({ type: "typing", is_typing: true }));
    clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(typingStopped, 3000);
  });
  function typingStopped() {
    clearTimeout(state.idleTimer);
    if (state.typingSentAt && state.connected) state.socket.send(JSON.stringify({ type: "typing", is_typing: false }));
    state.typingSentAt = 0;
  }
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (file) upload(file, false);
  });
  var recorder = null;
  voice.addEventListener("click", function () {
    if (recorder) { recorder.stop(); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (event) { if (event.data.size) chunks.push(event.data); };
      recorder.onstop = function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        voice.classList.remove("recording");
        voice.setAttribute("aria-label", "Record a voice note");
        var type = recorder.mimeType || "audio/webm";
        recorder = null;
        var blob = new Blob(chunks, { type: type });
        var name = "voice-note." + (type.indexOf("ogg") >= 0 ? "ogg" : "webm");
        upload(new File([blob], name, { type: type }), true);
      };
      recorder.start();
      voice.classList.add("recording");
      voice.setAttribute("aria-label", "Stop recording and send");
    }).catch(function () { status("The microphone is not available."); });
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && state.open) {
      var last = log.querySelectorAll(".msg.theirs[data-id]");
      if (last.length) markRead({ id: last[last.length - 1].getAttribute("data-id") });
    }
  });

  // ---------------------------------------------------------------- boot

  var stored = load();
  state.token = stored.token || null;
  state.sessionId = stored.sessionId || null;
  state.visitorId = stored.visitorId || null;
  state.outbox = (Array.isArray(stored.outbox) ? stored.outbox : []).filter(function (frame) {
    return frame && typeof frame.client_id === "string" && (frame.type === "text" || frame.type === "file");
  });

  /** A returning visitor sees their chat again (history, then the socket, which says whether it
   *  has ended), with what still waits to be sent at the end, and that is sent: no new chat is
   *  started just because a page loaded. */
  function boot() {
    document.body.appendChild(host);
    var resumed = loadConfig().then(function () {
      if (!state.token || !state.sessionId) return null;
      return loadHistory().then(connect, function (error) {
        if (error.status === 401 || error.status === 403 || error.status === 404) { state.sessionId = null; save(); }
      });
    });
    resumed.then(function () {
      state.outbox.forEach(showPending);
      if (state.outbox.length) deliver();
    });
  }
  if (document.body) boot(); else document.addEventListener("DOMContentLoaded", boot);

  window.LiveChat = {
    __livechat: true,
    open: open,
    close: close,
    send: sendText,
    on: function (event, handler) {
      if (handlers[event] && typeof handler === "function") handlers[event].push(handler);
      return window.LiveChat;
    }
  };
})();
