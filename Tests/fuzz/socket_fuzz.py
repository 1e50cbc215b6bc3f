#!/usr/bin/env python3
"""WebSocket fuzz test for the livechat server (stdlib only).

    python3 Tests/fuzz/socket_fuzz.py --url http://127.0.0.1:18123 --secret "$LIVECHAT_JWT_SECRET" \
        [--seed N] [--sockets 40] [--seconds 20] [--slot I] [--pid PID] [--verbose]

Against a running server, for --seconds:
- a witness chat: a visitor socket and an agent socket on a session of their own, plus an agent
  feed socket of that business. Visitor and agent exchange messages (with typing, read receipts
  and client_id resends) the whole time; every message must reach all three, once, in seq order,
  within --hang seconds, and be in GET /chat/history/ afterwards (and in a last_seq catch-up);
- --sockets fuzz slots, each a thread that opens connection after connection (chat sockets, agent
  feeds, refused handshakes, broken handshakes) and sends frames by hand-made framing: random
  JSON, edge-case JSON, invalid UTF-8, binary, fragments with control frames inside (legal) and
  data frames inside (illegal), pings/pongs up to and over 125 bytes, reserved opcodes and RSV
  bits, unmasked frames, oversized frames and messages, lying lengths, bursts over the rate,
  close frames with odd codes, abrupt TCP resets mid-frame, half-sent handshakes;
- lookalike input, in frames (strings, numbers, types, keys, ids, file URLs, texts) and in the
  handshake's query (last_seq, the feed's cursor, session_id): every Unicode decimal-digit set
  (Arabic-Indic, Devanagari, Thai, full-width, mathematical bold outside the BMP, ...), signs
  (+, -, U+2212), leading zeros, exponents, 10,000-digit runs, confusable letters (full-width,
  Cyrillic, Greek, Kelvin sign, long s, dotless i), lookalike slashes and dots (U+2044, U+FF0F,
  U+2024), combining marks, zero-width and bidi characters, BOM, NUL, lone surrogate escapes.
Checks: every answer the protocol promises (pong payloads, error frames, close codes, seq order;
to a lookalike handshake query an accept or a documented close code), no 1011, no hang over
--hang seconds, the server's own frames well-formed, /health during and after, and a fresh
session that still chats. Each slot's frames follow from --seed (and the slot
number): `--seed S --slot I` replays one slot. The last line is
`socket fuzz: N checks passed, M failed`; the exit status is 1 when anything failed.
"""

import argparse
import base64
import collections
import hashlib
import hmac
import http.client
import json
import os
import random
import socket
import string
import struct
import sys
import threading
import time
import unicodedata
import urllib.parse
import uuid

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
HANG = 10.0
# Codes a fuzz socket may end with (1001 only while the server shuts down or a socket was silent).
ALLOWED_CLOSE = {1000, 1002, 1003, 1007, 1008, 1009, 4001, 4002, 4003, 4006}
ENDED_ERROR = "This session has ended. No further communication is allowed."
RATE_ERROR = "Too many messages"


def sendable(code):
    """Close codes an endpoint may put in a close frame (RFC 6455 7.4)."""
    return code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1014 or 3000 <= code <= 4999


def now():
    return time.monotonic()


# --------------------------------------------------------------------------- results

class Report:
    def __init__(self, verbose):
        self.lock = threading.Lock()
        self.passed = 0
        self.failures = []          # (category, detail)
        self.notes = collections.Counter()
        self.stats = collections.Counter()
        self.closes = collections.Counter()
        self.verbose = verbose
        self.slow = []              # (seconds, what) of answers slower than 1 s

    def ok(self, n=1):
        with self.lock:
            self.passed += n

    def fail(self, category, detail):
        with self.lock:
            self.failures.append((category, detail))
        if self.verbose:
            print(f"  FAIL [{category}] {detail}", flush=True)

    def check(self, cond, category, detail):
        if cond:
            self.ok()
        else:
            self.fail(category, detail)
        return cond

    def latency(self, seconds, what):
        if seconds >= 1.0:
            with self.lock:
                self.slow.append((seconds, what))

    def note(self, text):
        with self.lock:
            self.notes[text] += 1

    def count(self, key, n=1):
        with self.lock:
            self.stats[key] += n


# --------------------------------------------------------------------------- tokens and HTTP

def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Env:
    def __init__(self, args, report):
        url = urllib.parse.urlsplit(args.url)
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or 80
        self.secret = args.secret
        self.report = report
        self.args = args
        self.hang = args.hang
        self.fuzz_deadline = 0.0

    # tokens ------------------------------------------------------------------------------
    def jwt(self, claims, alg="HS256", secret=None, header=None):
        head = {"alg": alg, "typ": "JWT"}
        head.update(header or {})
        signing = f"{b64u(json.dumps(head).encode())}.{b64u(json.dumps(claims).encode())}"
        if alg == "none":
            return signing + "."
        digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
        key = (secret if secret is not None else self.secret).encode()
        return signing + "." + b64u(hmac.new(key, signing.encode(), digest).digest())

    def claims(self, role, business=None, sub=None, ttl=3600, iat_shift=0):
        t = int(time.time())
        c = {"sub": sub or str(uuid.uuid4()), "role": role, "exp": t + ttl, "iat": t + iat_shift}
        if business:
            c["business"] = business
        return c

    def token(self, role, business=None, sub=None, **kw):
        return self.jwt(self.claims(role, business, sub, **kw))

    # HTTP --------------------------------------------------------------------------------
    def http(self, method, path, body=None, token=None, headers=None, timeout=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout or self.hang)
        h = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=h)
            resp = conn.getresponse()
            raw = resp.read()
            try:
                data = json.loads(raw) if raw else None
            except ValueError:
                data = raw
            return resp.status, data, dict((k.lower(), v) for k, v in resp.getheaders())
        finally:
            conn.close()

    def start_session(self, business, origin=None):
        """POST /chat/start-session/, waiting out a short 429 (new sessions are rate limited per address)."""
        for _ in range(3):
            status, data, headers = self.http("POST", "/chat/start-session/", {"business": business},
                                              headers={"Origin": origin} if origin else None)
            if status in (200, 201):
                return data["data"]
            if status == 429:
                wait = float(headers.get("retry-after", "5"))
                if wait > 8:
                    return None
                time.sleep(wait + 0.2)
                continue
            raise RuntimeError(f"start-session answered {status}: {data!r}")
        return None


# --------------------------------------------------------------------------- raw WebSocket

class Frame:
    __slots__ = ("fin", "rsv", "op", "masked", "payload")

    def __init__(self, fin, rsv, op, masked, payload):
        self.fin, self.rsv, self.op, self.masked, self.payload = fin, rsv, op, masked, payload


def frame_bytes(op, payload=b"", fin=True, rsv=0, mask=True, key=None, length=None, form=None):
    """One WebSocket frame; `length` may lie about the payload, `form` forces the length encoding."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | ((rsv & 7) << 4) | (op & 15)
    m = 0x80 if mask else 0
    if form is None:
        form = "7" if n < 126 else ("16" if n < 65536 else "64")
    if form == "7":
        head = bytes([b0, m | (n & 127)])
    elif form == "16":
        head = bytes([b0, m | 126]) + struct.pack(">H", n & 0xFFFF)
    else:
        head = bytes([b0, m | 127]) + struct.pack(">Q", n & 0xFFFFFFFFFFFFFFFF)
    if mask:
        key = key or os.urandom(4)
        head += key
        payload = bytes(b ^ key[i & 3] for i, b in enumerate(payload)) if len(payload) < 4096 else _mask_fast(payload, key)
    return head + payload


def _mask_fast(payload, key):
    n = len(payload)
    k = int.from_bytes((key * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(payload, "big") ^ k).to_bytes(n, "big")


class RawWS:
    def __init__(self, env, rng):
        self.env = env
        self.rng = rng
        self.sock = socket.create_connection((env.host, env.port), timeout=env.hang)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.wlock = threading.Lock()
        self.sent = collections.deque(maxlen=8)   # what we sent last, for failure reports
        self.write_failed = False
        self.messages_sent = 0     # complete text messages (the feed answers each with one error)
        self.frag_open = False

    def key(self):
        return bytes(self.rng.getrandbits(8) for _ in range(4))

    def send_raw(self, data, desc):
        self.sent.append(desc)
        self.env.report.count("bytes sent", len(data))
        try:
            with self.wlock:
                self.sock.settimeout(self.env.hang)
                self.sock.sendall(data)
            return True
        except OSError:
            self.write_failed = True
            return False

    def send_frame(self, op, payload=b"", desc=None, **kw):
        self.env.report.count("frames sent")
        if kw.get("mask", True) and "key" not in kw:
            kw["key"] = self.key()
        fin = kw.get("fin", True)
        if op == 1:
            self.messages_sent += fin
            self.frag_open = not fin
        elif op == 0 and fin and self.frag_open:
            self.messages_sent += 1
            self.frag_open = False
        return self.send_raw(frame_bytes(op, payload, **kw), desc or f"op={op} len={len(payload)} {kw_desc(kw)}")

    def read_head(self, timeout):
        """The HTTP response head: (status, headers) or (None, reason) on EOF/timeout."""
        deadline = now() + timeout
        while b"\r\n\r\n" not in self.buf:
            left = deadline - now()
            if left <= 0:
                return None, "timeout"
            try:
                self.sock.settimeout(left)
                data = self.sock.recv(65536)
            except socket.timeout:
                return None, "timeout"
            except OSError as e:
                return None, f"reset ({e.__class__.__name__})"
            if not data:
                return None, "eof"
            self.buf += data
        head, _, rest = bytes(self.buf).partition(b"\r\n\r\n")
        self.buf = bytearray(rest)
        lines = head.decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split()[1])
        except (IndexError, ValueError):
            return None, f"bad status line {lines[0]!r}"
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        return status, headers

    def recv_frame(self, timeout):
        deadline = now() + timeout
        while True:
            f = self._parse()
            if f is not None:
                return f
            left = deadline - now()
            if left <= 0:
                return None
            try:
                self.sock.settimeout(left)
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError as e:
                raise EOFError(f"reset ({e.__class__.__name__})")
            if not data:
                raise EOFError("eof")
            self.buf += data

    def _parse(self):
        b = self.buf
        if len(b) < 2:
            return None
        n = b[1] & 127
        i = 2
        if n == 126:
            if len(b) < 4:
                return None
            n = struct.unpack(">H", b[2:4])[0]
            i = 4
        elif n == 127:
            if len(b) < 10:
                return None
            n = struct.unpack(">Q", b[2:10])[0]
            i = 10
        masked = bool(b[1] & 0x80)
        key = None
        if masked:
            if len(b) < i + 4:
                return None
            key = bytes(b[i:i + 4])
            i += 4
        if len(b) < i + n:
            return None
        payload = bytes(b[i:i + n])
        if key:
            payload = bytes(x ^ key[j & 3] for j, x in enumerate(payload))
        f = Frame(bool(b[0] & 0x80), (b[0] >> 4) & 7, b[0] & 15, masked, payload)
        del b[:i + n]
        return f

    def abort(self):
        """Drop the TCP connection with a reset."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def kw_desc(kw):
    parts = []
    for k in ("fin", "rsv", "mask", "length", "form"):
        if k in kw and kw[k] not in (None,):
            if (k, kw[k]) in (("fin", True), ("rsv", 0), ("mask", True)):
                continue
            parts.append(f"{k}={kw[k]}")
    return " ".join(parts)


def handshake_request(env, path, key, token=None, how="proto", origin=None, extra=(), version="13"):
    lines = [f"GET {path} HTTP/1.1", f"Host: {env.host}:{env.port}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", f"Sec-WebSocket-Version: {version}"]
    if how == "proto" and token is not None:
        lines.append(f"Sec-WebSocket-Protocol: Bearer, {token}")
    elif how == "lower" and token is not None:
        lines.append(f"Sec-WebSocket-Protocol: bearer, {token}")
    elif how == "bearer-only":
        lines.append("Sec-WebSocket-Protocol: Bearer")
    elif how == "swapped" and token is not None:
        lines.append(f"Sec-WebSocket-Protocol: {token}, Bearer")
    elif how == "auth" and token is not None:
        lines.append(f"Authorization: Bearer {token}")
    if origin:
        lines.append(f"Origin: {origin}")
    lines.extend(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Ev:
    __slots__ = ("kind", "data", "code", "t")

    def __init__(self, kind, data=None, code=None):
        self.kind, self.data, self.code, self.t = kind, data, code, now()

    def __repr__(self):
        if self.kind == "json":
            return "json " + json.dumps(self.data, ensure_ascii=True)[:160]
        if self.kind == "close":
            return f"close {self.code}"
        return f"{self.kind} {self.data!r}"[:160]


class Conn:
    """One socket with the protocol's bookkeeping: validates what the server sends, answers pings,
    answers and finishes close handshakes, checks seq order (chat) and cursor contiguity (feed)."""

    def __init__(self, env, rng, label, kind="chat"):
        self.env = env
        self.r = env.report
        self.rng = rng
        self.label = label
        self.kind = kind
        self.ws = None
        self.done = False
        self.terminal = None
        self.close_code = None
        self.sent_close = False
        self.garbled = False      # we sent bytes the server may read as a close frame of ours
        self.auto_pong = True
        self.assembling = None
        self.last_seq = 0
        self.seen = {}            # message id -> seq
        self.resent = set()       # client_ids this socket sent again on purpose
        self.cursor = None
        self.cursor_from = None   # ?cursor=N asked for ("either": a value the server may or may not read as N)
        self.session_ended = False
        self.errors = []
        self.events = []          # kept for the witness
        self.keep_events = False
        self.server_pings = 0
        self.status = None
        self.headers = {}

    # opening ---------------------------------------------------------------------------
    def open(self, path, token=None, how="proto", origin=None, extra=(), version="13"):
        self.r.count("connections")
        try:
            self.ws = RawWS(self.env, self.rng)
        except OSError as e:
            self.r.fail("connect", f"{self.label}: cannot connect: {e}")
            self.done = True
            return None
        key = base64.b64encode(bytes(self.rng.getrandbits(8) for _ in range(16))).decode()
        req = handshake_request(self.env, path, key, token, how, origin, extra, version)
        self.ws.send_raw(req, f"handshake GET {path[:80]} how={how}")
        status, headers = self.ws.read_head(self.env.hang)
        self.status, self.headers = status, headers
        if status is None:
            self.done = True
            self.terminal = Ev("eof", headers)
            return None
        if status == 101:
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            self.r.check(headers.get("sec-websocket-accept", [""])[0] == accept, "handshake",
                         f"{self.label}: wrong Sec-WebSocket-Accept {headers.get('sec-websocket-accept')}")
        else:
            self.done = True
            self.r.check(status < 500, "http-5xx", f"{self.label}: handshake answered HTTP {status} for {path[:80]}")
        return status

    # sending ---------------------------------------------------------------------------
    def send_json_text(self, text, desc=None):
        data = text.encode("utf-8") if isinstance(text, str) else text
        return self.ws.send_frame(1, data, desc or f"text {data[:70]!r}{'...' if len(data) > 70 else ''} ({len(data)} B)")

    def send_close(self, payload, desc=None):
        self.sent_close = True
        self.close_sent_desc = desc or f"close {payload[:8].hex()}"
        return self.ws.send_frame(8, payload, self.close_sent_desc)

    # receiving -------------------------------------------------------------------------
    def pump(self, timeout):
        """The next event (json / pong / close / eof), or None on timeout."""
        if self.done:
            return None
        deadline = now() + timeout
        while True:
            try:
                f = self.ws.recv_frame(max(0.0, deadline - now()))
            except EOFError as e:
                return self._end(Ev("eof", str(e)))
            if f is None:
                return None
            ev = self._frame(f)
            if ev is not None:
                if self.keep_events:
                    self.events.append(ev)
                return ev

    def _frame(self, f):
        where = f"{self.label}: server frame"
        bad = []
        if f.masked:
            bad.append("masked")
        if f.rsv:
            bad.append(f"rsv={f.rsv}")
        if f.op not in (0, 1, 2, 8, 9, 10):
            bad.append(f"opcode {f.op}")
        if f.op >= 8 and (len(f.payload) > 125 or not f.fin):
            bad.append("bad control frame")
        if bad:
            self.r.fail("server-frame", f"{where} is invalid: {', '.join(bad)}")
        if f.op == 9:
            self.server_pings += 1
            if self.auto_pong and not self.sent_close:
                self.ws.send_frame(10, f.payload, "pong (answer)")
            return None
        if f.op == 10:
            return Ev("pong", f.payload)
        if f.op == 8:
            return self._closed(f.payload)
        if f.op == 2:
            self.r.fail("server-frame", f"{where}: binary frame from the server")
            return None
        if f.op == 1:
            if not f.fin:
                self.assembling = bytearray(f.payload)
                return None
            data = f.payload
        else:
            if self.assembling is None:
                self.r.fail("server-frame", f"{where}: continuation without a start")
                return None
            self.assembling += f.payload
            if not f.fin:
                return None
            data, self.assembling = bytes(self.assembling), None
        try:
            obj = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.r.fail("server-frame", f"{where}: text that is not UTF-8 JSON: {data[:80]!r}")
            return None
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            self.r.fail("server-frame", f"{where}: JSON without a string type: {data[:80]!r}")
            return None
        self._json(obj)
        return Ev("json", obj)

    def _json(self, obj):
        t = obj["type"]
        if t == "error":
            self.errors.append(obj.get("message"))
        elif t == "session_ended":
            self.session_ended = True
        if self.kind == "feed":
            if t == "connection_established":
                latest = obj.get("cursor")
                # With ?cursor=N the stored events after N come first.
                self.cursor = min(self.cursor_from, latest) if isinstance(self.cursor_from, int) and isinstance(latest, int) else latest
                if self.cursor_from == "either":      # replayed or not: the first event sets the count
                    self.cursor = None
            elif "cursor" in obj:
                c = obj["cursor"]
                if isinstance(c, int) and isinstance(self.cursor, int):
                    self.r.check(c == self.cursor + 1, "feed-order",
                                 f"{self.label}: feed cursor {c} after {self.cursor} (a gap or a repeat)")
                self.cursor = c
            return
        if t in ("text", "file") and "seq" in obj:
            mid, seq = obj.get("id"), obj.get("seq")
            if mid in self.seen:
                if self.seen[mid] != seq:
                    self.r.fail("seq", f"{self.label}: message {mid} came again with seq {seq}, first {self.seen[mid]}")
                elif obj.get("client_id") not in self.resent:
                    self.r.fail("duplicate", f"{self.label}: message {mid} (seq {seq}) delivered twice")
                return
            if not isinstance(seq, int) or seq <= self.last_seq:
                self.r.fail("seq", f"{self.label}: seq {seq} after {self.last_seq} (out of order)")
            else:
                self.last_seq = seq
            self.seen[mid] = seq

    def _closed(self, payload):
        code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
        if len(payload) == 1:
            self.r.fail("server-frame", f"{self.label}: close frame with a 1-byte payload")
        if code is not None and not sendable(code):
            self.r.fail("rfc-close-code", f"{self.label}: server sent close code {code}, which no endpoint may send "
                        f"(RFC 6455 7.4.1/7.4.2); we had sent: {getattr(self, 'close_sent_desc', list(self.ws.sent)[-2:])}")
        try:
            payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            self.r.fail("server-frame", f"{self.label}: close reason not UTF-8")
        self.close_code = code
        if self.sent_close:
            self.r.count("close echoes")
        else:
            self.r.closes[code] += 1
        if not self.sent_close and not self.garbled and code not in ALLOWED_CLOSE | {1001, 1011}:
            self.r.fail("bad-close-code", f"{self.label}: server closed with {code}, not one of {sorted(ALLOWED_CLOSE)}; "
                        f"last sent: {list(self.ws.sent)}")
        if code == 1011 and not self.sent_close:
            self.r.fail("server-error-1011", f"{self.label}: closed with 1011; last sent: {list(self.ws.sent)}")
        if not self.sent_close:
            echo = code if code is not None and sendable(code) else 1000
            self.send_close(struct.pack(">H", echo), "close (answer)")
        # The server closes TCP once the close handshake is complete.
        deadline = now() + self.env.hang
        closed = False
        while now() < deadline:
            try:
                if self.ws.recv_frame(deadline - now()) is None:
                    break
            except EOFError:
                closed = True
                break
        self.r.check(closed, "close-handshake", f"{self.label}: TCP still open {self.env.hang:.0f} s after the close handshake ({code})")
        return self._end(Ev("close", payload[2:], code))

    def _end(self, ev):
        self.done = True
        self.terminal = ev
        if self.keep_events:
            self.events.append(ev)
        if self.ws:
            self.ws.close()
        return ev

    def wait(self, pred, timeout=None):
        """Events until `pred` holds: that event, a close/eof event, or Ev('timeout')."""
        if self.done:
            return self.terminal or Ev("eof", "closed")
        deadline = now() + (timeout or self.env.hang)
        while True:
            left = deadline - now()
            if left <= 0:
                return Ev("timeout")
            ev = self.pump(left)
            if ev is None:
                return Ev("timeout")
            if ev.kind in ("close", "eof") or pred(ev):
                return ev

    def close_politely(self, code=1000):
        if self.done:
            return
        self.send_close(struct.pack(">H", code), f"close {code}")
        ev = self.wait(lambda e: False)
        if ev.kind == "close":
            # 4006 crosses our close when another slot of the session ended it meanwhile (the
            # server's own close, not an answer to ours).
            self.r.check(ev.code in (code, 1000, 4006), "close-echo", f"{self.label}: our close {code} answered with {ev.code}")
        elif ev.kind == "timeout":
            self.r.fail("hang", f"{self.label}: no answer to our close frame within {self.env.hang:.0f} s")
            self.ws.abort()
            self.done = True
        self.finish()

    def finish(self):
        if self.ws:
            self.ws.close()
        self.done = True


def is_json(t=None, **match):
    def pred(ev):
        if ev.kind != "json" or (t and ev.data.get("type") != t):
            return False
        return all(ev.data.get(k) == v for k, v in match.items())
    return pred


# --------------------------------------------------------------------------- fuzz data

UNICODE = ["é", "ß", "漢", "字", "😀", "👩‍💻", "🇫🇷", "ש", "ل", "\u200b", "\u00a0x", "e\u0301", "\ufeff", "\uffff",
           "Ω", "€", "𝄞", "\u2028", "ǅ", "ﬁ"]


def rand_word(rng, n=None):
    n = n or rng.randint(1, 12)
    out = []
    for _ in range(n):
        r = rng.random()
        out.append(rng.choice(string.ascii_letters + string.digits) if r < 0.7 else rng.choice(UNICODE) if r < 0.92 else tricky_char(rng))
    return "".join(out)


def rand_content(rng):
    """Text a valid message may carry: starts and ends with a letter, whitespace only inside."""
    words = [rand_word(rng) for _ in range(rng.randint(1, 8))]
    return "a" + " ".join(words) + "z"


def pad(rng, text):
    ws = " \t\n\r"
    return "".join(rng.choice(ws) for _ in range(rng.randint(0, 3))) + text + \
        "".join(rng.choice(ws) for _ in range(rng.randint(0, 3)))


def j_string(rng, maxlen=24, valid=False):
    if rng.random() < 0.1:
        return j_tricky(rng)
    parts = []
    for _ in range(rng.randint(0, maxlen)):
        r = rng.random()
        if r < 0.4:
            c = rng.choice(string.ascii_letters + string.digits + " -_.:/'<>&%$#@!?")
            parts.append(c)
        elif r < 0.45:
            parts.append(tricky_char(rng))
        elif r < 0.6:
            parts.append(rng.choice(UNICODE))
        elif r < 0.68:
            cp = rng.choice([rng.randint(0x20, 0x7e), rng.randint(0x80, 0xd7ff), rng.randint(0xe000, 0xfffd)])
            parts.append("\\u%04x" % cp if rng.random() < 0.5 else "\\u%04X" % cp)
        elif r < 0.73:
            cp = rng.randint(0x10000, 0x10ffff) - 0x10000
            parts.append("\\u%04x\\u%04x" % (0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)))
        elif r < 0.78:
            parts.append("\\u%04x" % rng.randint(0xd800, 0xdfff))        # lone surrogate
        elif r < 0.82:
            parts.append("\\u0000")
        elif r < 0.92:
            parts.append(rng.choice(["\\n", "\\t", "\\/", "\\b", "\\f", "\\r", "\\\\", '\\"']))
        elif not valid:
            parts.append(rng.choice(["\\x", "\\u12", "\\", "\x01", "\x1f", "\t", "\\U0001F600", "\\'"]))
    return '"' + "".join(parts) + '"'


def j_number(rng):
    if rng.random() < 0.15:
        return j_tricky_number(rng)
    return rng.choice([
        "0", "-0", str(rng.randint(-10**6, 10**6)), str(10 ** rng.randint(18, 400)), "-" + str(10 ** rng.randint(18, 60)),
        "1e309", "-1e309", "1E-400", "0.1", "3.14e+2", "2.2250738585072014e-308", "9007199254740993",
        "18446744073709551616", "1.0e", "01", ".5", "NaN", "Infinity", "-", "1e99999", "0x10", "+1",
    ])


def j_value(rng, depth=0):
    r = rng.random()
    if depth > 5 or r < 0.5:
        return rng.choice([lambda: "null", lambda: "true", lambda: "false", lambda: j_number(rng),
                           lambda: j_string(rng), lambda: j_string(rng), lambda: j_tricky(rng)])()
    if r < 0.75:
        return "[" + ",".join(j_value(rng, depth + 1) for _ in range(rng.randint(0, 4))) + "]"
    return "{" + ",".join(f"{j_string(rng, 8)}:{j_value(rng, depth + 1)}" for _ in range(rng.randint(0, 4))) + "}"


CLIENT_TYPES = ["text", "text", "text", "file", "typing", "typing", "read", "session_ended", "connection_established",
                "error", "participant_joined", "session_assigned", "TEXT", "Text", "", "text ", "end session",
                "message", "ping"]


def j_message(rng, nonce):
    """A random frame shaped like a client message (never end_session)."""
    fields = []
    r = rng.random()
    if r < 0.85:
        t = rng.choice(CLIENT_TYPES)
        if rng.random() < 0.15:          # a lookalike of a type: never the type itself
            t = lookalike_word(rng, t or "text")
        fields.append(('"type"', json.dumps(t, ensure_ascii=rng.random() < 0.5)))
    elif r < 0.95:
        fields.append(('"type"', j_value(rng, 3)))
    for name in ("content", "client_id", "file", "is_audio", "is_typing", "message_id"):
        if rng.random() < 0.45:
            if name == "client_id" and rng.random() < 0.7:
                v = '"' + nonce + '"' if rng.random() < 0.5 else j_string(rng, 12, valid=True)[:-1] + nonce + '"'
            elif name == "content" and rng.random() < 0.6:
                v = j_string(rng, 40)
            elif name in ("is_audio", "is_typing") and rng.random() < 0.5:
                v = rng.choice(["true", "false"]) if rng.random() < 0.75 else \
                    rng.choice([json.dumps(lookalike_word(rng, "true")), j_tricky_number(rng), '"1"', '"\uff11"'])
            elif name == "message_id" and rng.random() < 0.5:
                mid = str(uuid.UUID(int=rng.getrandbits(128)))
                v = json.dumps(mid if rng.random() < 0.7 else confusable_uuid(rng, mid), ensure_ascii=rng.random() < 0.5)
            elif name == "file" and rng.random() < 0.3:
                v = json.dumps(confusable_url(rng), ensure_ascii=rng.random() < 0.5)
            else:
                v = j_value(rng, 2)
            key = json.dumps(name) if rng.random() < 0.94 else json.dumps(lookalike_word(rng, name), ensure_ascii=rng.random() < 0.5)
            fields.append((key, v))
    for _ in range(rng.choice([0, 0, 1, 2])):
        fields.append((j_string(rng, 10), j_value(rng)))
    rng.shuffle(fields)
    sp = lambda: rng.choice(["", "", " ", "\n", "\t", "  \r\n"])
    text = "{" + sp() + ("," + sp()).join(f"{k}{sp()}:{sp()}{v}" for k, v in fields) + sp() + "}"
    r = rng.random()
    if r < 0.06:
        text = text[:rng.randint(0, len(text))]
    elif r < 0.1:
        text += rng.choice(["x", "}", " ,", "{}", "\u0000", "//c"])
    elif r < 0.15:
        text = j_value(rng)
    return text


# --------------------------------------------------------------------------- lookalike input classes
# Inputs that trip parsers which accept more than they handle: `\d`, isNumber and friends take
# every script's digits, Int() takes a sign and leading zeros, case and width folding map
# lookalikes onto ASCII, and a length in characters is not one in bytes.

def _digit_zeros():
    """The zero of every Unicode decimal-digit set (category Nd: each runs zero to nine in a row):
    ASCII, Arabic-Indic ٠, extended Arabic-Indic ۰, Devanagari ०, Bengali ০, Thai ๐, full-width ０,
    mathematical bold 𝟎 (outside the BMP) and some sixty more."""
    return [cp for cp in range(0x110000) if unicodedata.decimal(chr(cp), -1) == 0 and unicodedata.category(chr(cp)) == "Nd"]


DIGIT_ZEROS = _digit_zeros()
KEY_ZEROS = [0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0xFF10, 0x1D7CE]      # the sets named in docs and bug reports
# Digit-like characters that are not decimal digits: superscript, circled, Roman, fraction, ideographic.
NUMBER_LIKE = ["\u00b2", "\u2460", "\u216b", "\u00bd", "\u3007", "\u4e00", "\u0f33", "\u2469"]
# Signs: plus, hyphen-minus, minus sign U+2212, full-width and small forms, super/subscript, hyphens.
SIGNS = ["+", "-", "\u2212", "\uff0b", "\uff0d", "\ufe62", "\ufe63", "\u207a", "\u208b", "\u2010", "\u2013"]
# Lookalikes: full-width Latin, Cyrillic а е о р с, Greek omicron and Alpha, fraction slash U+2044,
# full-width solidus U+FF0F, division slash, one-dot leader U+2024, full-width full stop, Kelvin
# sign U+212A, Angstrom sign, long s U+017F, dotless i U+0131, dotted I, sharp s, the fi ligature.
LOOKALIKES = ["\uff48\uff54\uff54\uff50\uff53", "\u0430", "\u0435", "\u043e", "\u0440", "\u0441", "\u03bf", "\u0391",
              "\u2044", "\uff0f", "\u2215", "\u2024", "\uff0e", "\u212a", "\u212b", "\u017f", "\u0131", "\u0130",
              "\u00df", "\ufb01"]
# Invisible and layout characters: combining marks, zero-width space/joiners, word joiner, soft
# hyphen, RTL/LTR overrides and isolates, RLM, BOM, ideographic and no-break spaces, NEL, LS.
INVISIBLES = ["\u0301", "\u0338", "\u20dd", "\u0345", "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u202e",
              "\u202d", "\u2066", "\u2069", "\u200f", "\ufeff", "\u3000", "\u00a0", "\u0085", "\u2028"]
# Lookalike letters, one for one (ASCII → Cyrillic/Greek/other), for words that read as ASCII ones.
LOOKALIKE_OF = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "x": "\u0445", "y": "\u0443",
                "i": "\u0131", "s": "\u017f", "k": "\u212a", "K": "\u212a", "A": "\u0391", "O": "\u039f", "-": "\u2212",
                "/": "\u2044", ".": "\u2024", "0": "\u039f", "1": "\u0406", "d": "\u0501", "t": "\u0442"}


def in_digits(text, zero):
    """`text` with its ASCII digits written in the set whose zero is `zero`."""
    return "".join(chr(zero + ord(ch) - 48) if "0" <= ch <= "9" else ch for ch in text)


def full_width(text):
    """`text` with its printable ASCII written full-width (ｈｔｔｐｓ, ０-９)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def tricky_number(rng):
    """A number as a lenient parser half-takes it: another script's digits, digits of several sets,
    a sign, leading zeros, an exponent, 10,000 digits, a lookalike, invisible character or NUL inside."""
    zero = rng.choice(KEY_ZEROS) if rng.random() < 0.5 else rng.choice(DIGIT_ZEROS)
    n = rng.choice(["0", "1", "3", "5", "7", "12", "42", "100", "2026", str(rng.randint(0, 10**6)), "9223372036854775807",
                    "9223372036854775808", "18446744073709551616", "99999999999999999999"])
    r = rng.random()
    if r < 0.28:
        return in_digits(n, zero)
    if r < 0.36:
        return "".join(in_digits(ch, rng.choice(DIGIT_ZEROS)) for ch in n)
    if r < 0.48:
        return rng.choice(SIGNS) + (n if rng.random() < 0.6 else in_digits(n, zero))
    if r < 0.56:
        return "0" * rng.choice([1, 2, 5, 30]) + n
    if r < 0.62:
        run = rng.choice(["9" * 10000, "0" * 9999 + "5", "1" + "0" * 9999, "7" * 10000])
        return run if rng.random() < 0.6 else in_digits(run, zero)
    if r < 0.72:
        return rng.choice(["1e3", "1E+2", "1e-1", "0x10", "0o7", "0b1", "1_000", "1,000", "1.0", "1.", ".5", "-0", "+0",
                           "00", "Infinity", "NaN", "1 2", "3\u066b5", "1\u066c000", "\u0661e\u0663"])
    if r < 0.88:
        at = rng.randint(0, len(n))
        return n[:at] + rng.choice(INVISIBLES + ["\x00", "\u2212", "\uff0e"]) + n[at:]
    return rng.choice(NUMBER_LIKE) + (n if rng.random() < 0.5 else "")


def lookalike_word(rng, word):
    """`word` spelled so that it reads the same: full-width, lookalike letters, an invisible
    character or combining mark inside, a BOM or an RTL override in front, another case."""
    r = rng.random()
    if r < 0.2:
        return full_width(word)
    if r < 0.45:
        spots = [i for i, ch in enumerate(word) if ch in LOOKALIKE_OF]
        if spots:
            i = rng.choice(spots)
            return word[:i] + LOOKALIKE_OF[word[i]] + word[i + 1:]
        return "\u0430" + word
    if r < 0.75:
        at = rng.randint(0, len(word))
        return word[:at] + rng.choice(INVISIBLES) + word[at:]
    if r < 0.85:
        return rng.choice(["\ufeff", "\u202e", "\u200b", " ", "\u3000"]) + word
    if r < 0.92:
        return word.upper() if word.islower() else word.swapcase()
    return word + "\x00"


def confusable_uuid(rng, base):
    """A UUID (`base`) written another way: another script's digits, lookalike letters and hyphens,
    invisible characters, braces, upper case, no hyphens, a URN, 10,000 characters."""
    r = rng.random()
    if r < 0.15:
        return in_digits(base, rng.choice(KEY_ZEROS + [rng.choice(DIGIT_ZEROS)]))
    if r < 0.25:
        return full_width(base)
    if r < 0.4:
        return "".join(LOOKALIKE_OF.get(ch, ch) if rng.random() < 0.3 else ch for ch in base)
    if r < 0.5:
        return base.replace("-", rng.choice(["\u2212", "\u2010", "\u2011", "\uff0d", "\ufe63", "\u2013"]))
    if r < 0.65:
        at = rng.randint(0, len(base))
        return base[:at] + rng.choice(INVISIBLES + ["\x00", "%", "+"]) + base[at:]
    if r < 0.75:
        return rng.choice(["{%s}", "urn:uuid:%s", " %s", "%s ", "%s\x00", "+%s"]) % base
    if r < 0.85:
        return base.upper() if rng.random() < 0.5 else base.replace("-", "")
    return base + "0" * (10000 - len(base))


def confusable_url(rng):
    """A file URL whose scheme, slashes or dots are lookalikes."""
    url = "http://127.0.0.1/media/chat_attachments/" + rng.choice(["a.pdf", "x.png", "../../etc/passwd", "a" * 30 + ".txt"])
    r = rng.random()
    if r < 0.25:
        return full_width("https") + url[4:]
    if r < 0.5:
        return url.replace("/", rng.choice(["\u2044", "\uff0f", "\u2215"]))
    if r < 0.65:
        return url.replace(".", rng.choice(["\u2024", "\uff0e"]))
    if r < 0.8:
        at = rng.randint(0, len(url))
        return url[:at] + rng.choice(INVISIBLES + ["\x00"]) + url[at:]
    return in_digits(url, rng.choice(KEY_ZEROS))


def tricky_text(rng):
    """A string of one of the lookalike classes (a Python str: NUL may be in it, a surrogate never)."""
    r = rng.random()
    if r < 0.35:
        return tricky_number(rng)
    if r < 0.55:
        return lookalike_word(rng, rng.choice(CLIENT_TYPES[:7] + ["true", "false", "null", "https", "admin", "visitor"]))
    if r < 0.65:
        return confusable_uuid(rng, str(uuid.UUID(int=rng.getrandbits(128))))
    if r < 0.73:
        return confusable_url(rng)
    if r < 0.83:
        return rng.choice("aeo1") + "".join(rng.choice(INVISIBLES[:4]) for _ in range(rng.choice([1, 3, 50, 3000])))
    return "".join(rng.choice(LOOKALIKES + INVISIBLES + NUMBER_LIKE) for _ in range(rng.randint(1, 8)))


def tricky_char(rng):
    """One foreign digit, sign, lookalike or invisible character (never a control character)."""
    r = rng.random()
    if r < 0.4:
        return chr(rng.choice(DIGIT_ZEROS) + rng.randint(0, 9))
    if r < 0.5:
        return rng.choice(SIGNS + NUMBER_LIKE)
    if r < 0.8:
        return rng.choice(LOOKALIKES)
    return rng.choice(INVISIBLES)


def j_tricky(rng):
    """A JSON string of one of the lookalike classes, escaped or raw; now and then with a lone
    surrogate escape ("\\ud800") before or after it."""
    text = tricky_text(rng)
    lit = json.dumps(text, ensure_ascii=len(text) < 1000 and rng.random() < 0.4)
    if rng.random() < 0.12:
        lone = "\\u%04x" % rng.choice([0xd800, 0xdbff, 0xdc00, 0xdfff])
        lit = lit[:1] + lone + lit[1:] if rng.random() < 0.5 else lit[:-1] + lone + lit[-1:]
    return lit


def j_tricky_number(rng):
    """A bare JSON number as lenient readers take it (most are not JSON: the frame is then refused)."""
    zero = rng.choice(KEY_ZEROS)
    return rng.choice([
        in_digits(str(rng.randint(0, 999)), zero), "\u2212" + "1", "+5", "007", "-007", "00", "9" * 10000, "-" + "9" * 10000,
        "1" + "0" * 9999, "0." + "0" * 9998 + "1", "1e" + "0" * 9999 + "1", "1e-" + "9" * 10000, "1.5e" + "9" * 30,
        in_digits("12", rng.choice(DIGIT_ZEROS)), "1" + chr(zero + 2), "1\u200b2", "\ufeff1", "1\u0301",
    ])


# Numbers for last_seq and cursor in a handshake's query; ("raw", text) goes in as it is (a "+"
# is then a space, %ED%A0%80 a lone surrogate, which is not UTF-8), anything else percent-encoded.
QUERY_NUMBERS = ["\uff11\uff12", "\u0663", "\u06f3", "\u0967", "\u09e9", "\u0e53", "\U0001D7D1", "+5", ("raw", "+5"), "007", "-1",
                 "-0", "+0", "1e3", "\u22121", "9" * 10000, "0" * 9999 + "5", "\u0661" * 2000, "9223372036854775807",
                 "9223372036854775808", "99999999999999999999", "5\x00", "\u200b5", "5\u200d", "\ufeff5", "\u202e21", "5\u0301",
                 " 5", "5 ", "0x10", "1.0", ("raw", "%ED%A0%80"), ("raw", "%FF"), ("raw", "%")]


def query_value(value):
    """(what goes in the URL, what the server reads: `+` a space, %XX decoded, None when not UTF-8)."""
    if isinstance(value, tuple):
        sent = value[1]
        try:
            seen = urllib.parse.unquote_to_bytes(sent.replace("+", " ")).decode("utf-8")
        except UnicodeDecodeError:
            seen = None
        return sent, seen
    return urllib.parse.quote(value, safe=""), value


def invalid_utf8(rng):
    bad = rng.choice([b"\xff", b"\xfe", b"\xc0\x80", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf4\x90\x80\x80",
                      b"\xf8\x88\x80\x80\x80", b"\x80", b"\xe2\x82", b"\xc3", b"\xe0\x80\xaf", b"\xf0\x82\x82\xac"])
    return bad


# --------------------------------------------------------------------------- targets

class Target:
    def __init__(self, session, business, visitor_token, visitor_id, agent_tokens, label):
        self.session = session
        self.business = business
        self.visitor_token = visitor_token
        self.visitor_id = visitor_id
        self.agent_tokens = agent_tokens
        self.label = label
        self.ended = False
        self.endable = False

    def path(self):
        return f"/ws/visitor-chat/?session_id={self.session}"


class World:
    """Businesses, sessions and tokens made at start."""

    def __init__(self, env, seed):
        self.env = env
        rng = random.Random(f"{seed}:world")
        tag = f"{seed}-{os.getpid()}-{int(time.time())}"
        admin = env.token("admin")
        self.admin = admin

        def business(name, **extra):
            status, data, _ = env.http("POST", "/admin/businesses/", dict({"name": name}, **extra), token=admin)
            if status != 201:
                raise RuntimeError(f"POST /admin/businesses/ answered {status}: {data!r} (is --secret right?)")
            return data["data"]["id"]

        self.witness_business = business(f"fuzz-witness {tag}")
        self.other_business = business(f"fuzz-other {tag}")
        self.origin_business = business(f"fuzz-origin {tag}", allowed_origins=["https://shop.fuzz.example"])
        self.agents = {b: [env.token("agent", b) for _ in range(3)] for b in (self.witness_business, self.other_business)}
        for tokens in self.agents.values():      # provision the agents (first sight)
            for t in tokens:
                env.http("GET", "/chat/agents/", token=t)
        self.witness_session = env.start_session(self.witness_business)
        if not self.witness_session:
            raise RuntimeError("cannot start the witness session (429: too many new sessions from this address; wait a minute)")
        ended = env.start_session(self.witness_business)
        self.ended = None
        if ended:
            status, _, _ = env.http("POST", f"/chat/sessions/{ended['session_id']}/end/", token=self.agents[self.witness_business][0])
            if status == 200:
                self.ended = Target(ended["session_id"], self.witness_business, ended["token"], ended["visitor_id"],
                                    self.agents[self.witness_business], "ended")
                self.ended.ended = True
        o = env.start_session(self.origin_business, origin="https://shop.fuzz.example")
        self.origin_target = Target(o["session_id"], self.origin_business, o["token"], o["visitor_id"], [], "origin") if o else None
        self.targets = []
        n = max(2, min(env.args.sessions, env.args.sockets))
        for i in range(n):
            b = self.witness_business if i % 2 == 0 else self.other_business
            s = env.start_session(b)
            if s is None:
                env.report.note("start-session rate limit reached: fuzz slots share fewer sessions")
                break
            t = Target(s["session_id"], b, s["token"], s["visitor_id"], self.agents[b], f"s{i}")
            t.endable = rng.random() < 0.25
            self.targets.append(t)
        if len(self.targets) < 2:
            raise RuntimeError("could not start enough fuzz sessions (429?); wait a minute and retry")


# --------------------------------------------------------------------------- fuzz slot

class Slot(threading.Thread):
    def __init__(self, env, world, idx, seed):
        super().__init__(daemon=True, name=f"slot{idx}")
        self.env, self.world, self.idx = env, world, idx
        self.r = env.report
        self.rng = random.Random(f"{seed}:slot:{idx}")
        self.target = world.targets[idx % len(world.targets)]
        self.life = 0
        self.msg = 0

    def label(self, what):
        return f"slot {self.idx} life {self.life} [{what}] ({self.target.label})"

    def run(self):
        try:
            while now() < self.env.fuzz_deadline:
                self.life += 1
                if self.target.ended and self.rng.random() < 0.8:   # mostly move on to a live session
                    live = [t for t in self.world.targets if not t.ended]
                    if live:
                        self.target = live[self.idx % len(live)]
                kind = self.rng.choices(["chat", "feed", "refusal", "handshake", "query"], [62, 10, 16, 12, 8])[0]
                getattr(self, "life_" + kind)()
                time.sleep(self.rng.uniform(0, 0.15))
        except OSError as e:
            self.r.fail("server-unreachable", f"slot {self.idx} life {self.life}: {e!r}")
        except Exception as e:  # a bug in the fuzzer itself: report it, never hide it
            import traceback
            self.r.fail("fuzzer", f"slot {self.idx} life {self.life}: {e!r}\n{traceback.format_exc()}")

    # helpers -------------------------------------------------------------------------
    def nonce(self):
        self.msg += 1
        return f"f{self.idx}.{self.life}.{self.msg}.{self.rng.getrandbits(24):x}"

    def unexpected(self, c, ev, what):
        """A close/eof/timeout while waiting for the answer to a legal frame."""
        if ev.kind == "close" and ev.code == 4006 and c.session_ended:
            self.target.ended = True      # a sibling ended the session: fine
            self.r.ok()
            return
        if ev.kind == "timeout":
            self.r.fail("hang", f"{c.label}: no answer within {self.env.hang:.0f} s to {what}; last sent: {list(c.ws.sent)}")
            c.ws.abort()
            c.done = True
            return
        detail = f"close {ev.code}" if ev.kind == "close" else f"connection dropped ({ev.data})"
        self.r.fail("unexpected-close", f"{c.label}: {detail} in answer to {what}; last sent: {list(c.ws.sent)}")

    def expect(self, c, pred, what):
        t0 = now()
        ev = c.wait(pred)
        self.r.latency(now() - t0, f"{c.label}: {what}")
        if ev.kind == "json" or ev.kind == "pong":
            self.r.ok()
            return ev
        self.unexpected(c, ev, what)
        return None

    @staticmethod
    def feed_answered(c):
        """The feed answers every text message with one error: all of ours are answered."""
        return lambda e: e.kind == "json" and e.data.get("type") == "error" and len(c.errors) >= c.ws.messages_sent

    def probe(self, c, what):
        """A frame every socket must answer, after the frames before it: proves the socket is alive."""
        if c.done:
            return None
        n = self.nonce()
        if c.kind == "feed":
            c.send_json_text(json.dumps({"type": "probe", "n": n}))
            ev = self.expect(c, self.feed_answered(c), f"a probe after {what}")
            if ev:
                self.r.check("read-only" in (ev.data.get("message") or ""), "wrong-answer",
                             f"{c.label}: the feed answered {ev.data.get('message')!r} to a text message")
            return ev
        c.send_json_text(json.dumps({"type": "fz-probe-" + n}))
        return self.expect(c, lambda e: e.kind == "json" and e.data.get("type") == "error"
                           and ("fz-probe-" + n) in (e.data.get("message") or ""), f"a probe after {what}")

    def expect_error(self, c, substr, what):
        """The next error frame answers `what` (frames of one socket are answered in order)."""
        if c.kind == "feed":
            substr = "read-only"
        t0 = now()
        ev = c.wait(self.feed_answered(c) if c.kind == "feed" else is_json("error"))
        self.r.latency(now() - t0, f"{c.label}: {what}")
        if ev.kind != "json":
            self.unexpected(c, ev, what)
            return
        msg = ev.data.get("message") or ""
        self.r.check(substr is None or substr in msg, "wrong-answer",
                     f"{c.label}: {what} answered {msg!r}, expected an error containing {substr!r}")

    def expect_close(self, c, codes, what, drop_ok=True, preface=None):
        ev = c.wait(lambda e: False)
        if ev.kind == "close":
            if ev.code == 4006 and c.session_ended:
                self.target.ended = True
                self.r.ok()
                return
            self.r.check(ev.code in codes, "wrong-close-code",
                         f"{c.label}: {what} closed with {ev.code}, expected {sorted(codes)}; sent: {list(c.ws.sent)}")
            if preface:
                self.r.check(any(preface in (m or "") for m in c.errors), "wrong-answer",
                             f"{c.label}: {what}: no error frame {preface!r} before the close (got {c.errors[-3:]})")
        elif ev.kind == "eof":
            self.r.check(drop_ok, "wrong-close-code", f"{c.label}: {what}: TCP dropped without the close {sorted(codes)}")
        else:
            self.r.fail("hang", f"{c.label}: {what}: no close within {self.env.hang:.0f} s (expected {sorted(codes)}); "
                        f"sent: {list(c.ws.sent)}")
            c.ws.abort()
            c.done = True

    def identity(self):
        if self.rng.random() < 0.5:
            return self.target.visitor_token, "visitor"
        return self.rng.choice(self.target.agent_tokens), "agent"

    # lives ---------------------------------------------------------------------------
    def life_chat(self, feed=False):
        token, who = self.identity()
        kind = "feed" if feed else "chat"
        if feed:
            token, who = self.rng.choice(self.target.agent_tokens), "agent"
        c = Conn(self.env, self.rng, self.label(f"{kind} {who}"), kind)
        how = "auth" if self.rng.random() < 0.1 else ("lower" if self.rng.random() < 0.05 else "proto")
        path = "/ws/agent/" if feed else self.target.path()
        cursor_from = None
        if feed and self.rng.random() < 0.2:
            cursor_from = self.rng.choice([0, 1, 5, -1, 'x', 10**30])
            path += f"?cursor={cursor_from}"
            if not (isinstance(cursor_from, int) and 0 <= cursor_from < 2**63):
                cursor_from = None
        c.cursor_from = cursor_from
        if not feed and self.rng.random() < 0.1:
            path += f"&last_seq={self.rng.choice([0, 3, 10**6, -2, 'abc', 2**63 - 1, 10**25])}"
        was_ended = self.target.ended
        status = c.open(path, token, how)
        if status != 101:
            self.r.fail("handshake", f"{c.label}: valid upgrade answered {status or c.terminal}")
            return
        proto = c.headers.get("sec-websocket-protocol")
        if how in ("proto", "lower"):
            self.r.check(proto and proto[0].lower() == "bearer", "handshake", f"{c.label}: subprotocol answered {proto}, expected Bearer")
        else:
            self.r.check(not proto, "handshake", f"{c.label}: subprotocol {proto} answered though none was offered")
        if was_ended and not feed:
            # Catch-up (last_seq) sends session_ended instead of the error: either way 4006.
            ev = c.wait(lambda e: False)
            ok = ev.kind == "close" and ev.code == 4006 and (ENDED_ERROR in c.errors or c.session_ended)
            self.r.check(ok, "wrong-answer", f"{c.label}: ended session: expected the ended error then 4006, got {ev} {c.errors}")
            return
        ev = c.wait(is_json("connection_established"))
        if ev.kind != "json":
            if ev.kind == "close" and ev.code == 4006 and not feed:
                self.target.ended = True
                self.r.check(ENDED_ERROR in c.errors or c.session_ended, "wrong-answer", f"{c.label}: 4006 without the ended error")
                return
            self.unexpected(c, ev, "the upgrade (connection_established)")
            return
        self.r.ok()
        for _ in range(self.rng.randint(1, 12)):
            if c.done or now() > self.env.fuzz_deadline:
                break
            action = self.rng.choices(LEGAL, LEGAL_WEIGHTS)[0]
            action(self, c)
            if self.rng.random() < 0.5:
                time.sleep(self.rng.uniform(0, 0.12))
        if c.done:
            return
        if self.rng.random() < 0.55:
            terminal = self.rng.choices(TERMINAL, TERMINAL_WEIGHTS)[0]
            terminal(self, c)
        elif self.target.endable and not feed and self.rng.random() < 0.15:
            self.t_end_session(c)
        else:
            c.close_politely(self.rng.choice([1000, 1000, 1001, 3000, 4000, 4999]))
        c.finish()

    def life_feed(self):
        self.life_chat(feed=True)

    # legal actions ---------------------------------------------------------------------
    def a_text(self, c):
        content = rand_content(self.rng)
        cid = self.nonce()
        body = json.dumps({"type": "text", "content": pad(self.rng, content), "client_id": cid},
                          ensure_ascii=self.rng.random() < 0.5)
        c.send_json_text(body)
        if c.kind == "feed":
            return self.expect_error(c, "read-only", "a text on the feed")
        ev = self.expect(c, is_json(client_id=cid), f"text {cid}")
        if not ev:
            return
        d = ev.data
        self.r.check(d.get("content") == content and d.get("type") == "text" and isinstance(d.get("seq"), int)
                     and d.get("sender_type") in ("visitor", "agent") and d.get("session_id") == self.target.session,
                     "wrong-answer", f"{c.label}: broadcast of {cid} is wrong: {json.dumps(d)[:300]} (sent {content!r})")
        if self.rng.random() < 0.2:       # the same client_id again: the stored message comes back, once
            c.resent.add(cid)
            c.send_json_text(json.dumps({"type": "text", "content": "other " + content, "client_id": cid}))
            ev2 = self.expect(c, is_json(client_id=cid), f"a resend of {cid}")
            if ev2:
                self.r.check(ev2.data.get("id") == d.get("id") and ev2.data.get("seq") == d.get("seq")
                             and ev2.data.get("content") == content, "wrong-answer",
                             f"{c.label}: resend of {cid} answered {json.dumps(ev2.data)[:200]}, expected the stored message")

    def a_random_json(self, c):
        text = j_message(self.rng, self.nonce())
        if len(text.encode("utf-8", "surrogatepass")) > 60000:
            text = text[:1000]
        c.send_json_text(text.encode("utf-8", "surrogatepass") if _has_surrogate(text) else text)
        self.probe(c, "random JSON")

    def a_edge_json(self, c):
        name, text, expect = self.rng.choice(edge_cases(self.rng, self.nonce()))
        c.send_json_text(text, f"edge {name} ({len(text)} B)")
        what = f"edge JSON '{name}'"
        if expect == "probe":
            self.probe(c, what)
        elif expect == "broadcast":
            if c.kind == "feed":
                self.expect_error(c, "read-only", what)
            else:
                cid = json.loads(text)["client_id"]
                self.expect(c, is_json(client_id=cid), what)
        elif isinstance(expect, tuple):    # ("broadcast or", substr): within the documented limit, or refused by a tighter one
            if c.kind == "feed":
                return self.expect_error(c, "read-only", what)
            cid = json.loads(text)["client_id"]
            ev = self.expect(c, lambda e: is_json(client_id=cid)(e) or is_json("error")(e), what)
            if ev and ev.data.get("type") == "error":
                msg = ev.data.get("message") or ""
                self.r.check(expect[1] in msg, "wrong-answer", f"{c.label}: {what} answered {msg!r}, expected the broadcast "
                             f"or an error containing {expect[1]!r}")
                self.r.note(f"edge JSON '{name}': refused ({msg[:80]})")
        else:
            self.expect_error(c, expect, what)

    def a_ping(self, c):
        payload = bytes(self.rng.getrandbits(8) for _ in range(self.rng.choice([0, 1, 8, 64, 125, self.rng.randint(0, 125)])))
        c.ws.send_frame(9, payload, f"ping {len(payload)} B")
        ev = self.expect(c, lambda e: e.kind == "pong" and e.data == payload, f"a ping of {len(payload)} B")
        if ev:
            self.r.ok()

    def a_pong(self, c):
        c.ws.send_frame(10, bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(0, 125))), "unsolicited pong")
        self.probe(c, "an unsolicited pong")

    def a_fragmented(self, c):
        """A message in fragments, split anywhere (inside UTF-8 sequences too), with control frames between."""
        if c.kind == "chat" and self.rng.random() < 0.6:
            content = rand_content(self.rng)
            cid = self.nonce()
            data = json.dumps({"type": "text", "content": content, "client_id": cid}, ensure_ascii=False).encode()
            pred = is_json(client_id=cid)
        else:
            n = self.nonce()
            data = json.dumps({"type": "fz-probe-" + n, "pad": rand_content(self.rng)}, ensure_ascii=False).encode()
            pred = self.feed_answered(c) if c.kind == "feed" else \
                (lambda e: e.kind == "json" and ("fz-probe-" + n) in (e.data.get("message") or ""))
        k = self.rng.randint(1, 6)
        cuts = sorted(self.rng.randint(0, len(data)) for _ in range(k))
        pieces = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
        pings = []
        for i, piece in enumerate(pieces):
            c.ws.send_frame(1 if i == 0 else 0, piece, f"fragment {i}/{len(pieces)} {len(piece)} B", fin=(i == len(pieces) - 1))
            if i < len(pieces) - 1 and self.rng.random() < 0.4:
                if self.rng.random() < 0.7:
                    p = f"mid{i}".encode()
                    pings.append(p)
                    c.ws.send_frame(9, p, "ping inside a fragmented message")
                else:
                    c.ws.send_frame(10, b"", "pong inside a fragmented message")
        got_pongs = []
        ev = c.wait(lambda e: (e.kind == "pong" and got_pongs.append(e.data) and False) or pred(e))
        if ev.kind != "json":
            return self.unexpected(c, ev, f"a message in {len(pieces)} fragments")
        self.r.ok()
        missing = [p for p in pings if p not in got_pongs]
        if missing:    # a pong may come after the answer
            ev = c.wait(lambda e: e.kind == "pong" and e.data == missing[-1])
        self.r.check(not missing or ev.kind == "pong", "wrong-answer",
                     f"{c.label}: pings inside fragments not answered within {self.env.hang:.0f} s: {missing} ({ev})")

    def a_typing_read(self, c):
        if self.rng.random() < 0.5:
            c.send_json_text(json.dumps({"type": "typing", "is_typing": self.rng.random() < 0.8}))
        else:
            mid = self.rng.choice(list(c.seen)) if c.seen else str(uuid.UUID(int=self.rng.getrandbits(128)))
            c.send_json_text(json.dumps({"type": "read", "message_id": mid}))
        self.probe(c, "typing/read")

    def a_probe(self, c):
        self.probe(c, "nothing")

    def a_coalesced(self, c):
        """Several frames in one TCP write, answered in order."""
        names = [self.nonce() for _ in range(self.rng.randint(2, 6))]
        if c.kind == "feed":
            data = b"".join(frame_bytes(1, json.dumps({"type": n}).encode(), key=c.ws.key()) for n in names)
            c.ws.send_raw(data, f"{len(names)} frames in one write")
            c.ws.messages_sent += len(names)
            return self.expect_error(c, "read-only", "coalesced frames")
        data = b"".join(frame_bytes(1, json.dumps({"type": "fz-probe-" + n}).encode(), key=c.ws.key()) for n in names)
        c.ws.send_raw(data, f"{len(names)} frames in one write")
        for n in names:
            ev = c.wait(is_json("error"))
            if ev.kind != "json":
                return self.unexpected(c, ev, "coalesced frames")
            self.r.check(("fz-probe-" + n) in (ev.data.get("message") or ""), "order",
                         f"{c.label}: coalesced frames answered out of order: {ev.data.get('message')!r} for {n}")

    def a_trickle(self, c):
        """One legal frame sent a few bytes at a time."""
        n = self.nonce()
        data = frame_bytes(1, json.dumps({"type": "fz-probe-" + n}).encode(), key=c.ws.key())
        i = 0
        while i < len(data):
            step = self.rng.randint(1, 5)
            c.ws.send_raw(data[i:i + step], f"trickle {i}+{step}")
            i += step
            time.sleep(self.rng.uniform(0, 0.03))
        if c.kind == "feed":
            c.ws.messages_sent += 1
            return self.expect_error(c, "read-only", "a trickled frame")
        self.expect(c, lambda e: e.kind == "json" and ("fz-probe-" + n) in (e.data.get("message") or ""), "a trickled frame")

    def a_exact_limit(self, c):
        """A message of exactly 64 KiB (one frame or fragments): allowed."""
        n = self.nonce()
        head = json.dumps({"type": "fz-probe-" + n, "pad": ""})[:-2].encode()
        data = head + b"x" * (65536 - len(head) - 2) + b'"}'
        assert len(data) == 65536
        if self.rng.random() < 0.5:
            c.ws.send_frame(1, data, "64 KiB text frame")
        else:
            cut = self.rng.randint(1, len(data) - 1)
            c.ws.send_frame(1, data[:cut], f"64 KiB message, fragment 1 ({cut} B)", fin=False)
            c.ws.send_frame(0, data[cut:], "64 KiB message, fragment 2", fin=True)
        if c.kind == "feed":
            return self.expect_error(c, "read-only", "a 64 KiB message")
        self.expect(c, lambda e: e.kind == "json" and ("fz-probe-" + n) in (e.data.get("message") or ""),
                    "a message of exactly 65536 bytes")

    def a_nonminimal_length(self, c):
        """A small payload with a 16- or 64-bit length field (RFC: minimal encoding; servers may accept)."""
        n = self.nonce()
        c.ws.send_frame(1, json.dumps({"type": "fz-probe-" + n}).encode(), "non-minimal length", form=self.rng.choice(["16", "64"]))
        ev = c.wait(self.feed_answered(c) if c.kind == "feed" else is_json("error"))
        if ev.kind == "json" or (ev.kind == "close" and ev.code == 1002) or ev.kind == "eof":
            self.r.ok()
        else:
            self.unexpected(c, ev, "a frame with a non-minimal length")

    # terminal actions: each should end the connection ------------------------------------
    def t_invalid_utf8(self, c):
        good = json.dumps({"type": "text", "content": rand_content(self.rng)}).encode()
        at = self.rng.randint(0, len(good))
        data = good[:at] + invalid_utf8(self.rng) + good[at:]
        if self.rng.random() < 0.4:
            cut = self.rng.randint(0, len(data))
            c.ws.send_frame(1, data[:cut], "invalid UTF-8 message, fragment 1", fin=False)
            c.ws.send_frame(0, data[cut:], f"invalid UTF-8 message, fragment 2 {data[cut:][:20]!r}")
        else:
            c.ws.send_frame(1, data, f"invalid UTF-8 text {data[:40]!r}")
        self.expect_close(c, {1007}, "invalid UTF-8")

    def t_binary(self, c):
        r = self.rng.random()
        if r < 0.5:
            c.ws.send_frame(2, os.urandom(self.rng.randint(0, 300)), "binary frame")
            self.expect_close(c, {1003}, "a binary frame")
        elif r < 0.75:
            c.ws.send_frame(2, b"ab", "binary fragment", fin=False)
            c.ws.send_frame(0, b"cd", "continuation")
            self.expect_close(c, {1003}, "a fragmented binary message")
        else:
            c.ws.send_frame(1, b'{"type":', "text fragment", fin=False)
            c.ws.send_frame(2, b"x", "binary inside a text message")
            self.expect_close(c, {1002, 1003}, "a binary frame inside a fragmented text")

    def t_bad_fragments(self, c):
        r = self.rng.random()
        if r < 0.35:
            c.ws.send_frame(0, b'{"type":"x"}', "continuation without a start", fin=self.rng.random() < 0.5)
            self.expect_close(c, {1002}, "a continuation without a start")
        elif r < 0.7:
            c.ws.send_frame(1, b'{"type":', "text fragment", fin=False)
            c.ws.send_frame(1, b'{"type":"x"}', "a new text message inside a fragmented one")
            self.expect_close(c, {1002}, "a text frame inside a fragmented message")
        else:
            c.ws.send_frame(self.rng.choice([9, 10, 8]), b"x", "fragmented control frame", fin=False)
            self.expect_close(c, {1002}, "a control frame with FIN=0")

    def t_big_control(self, c):
        op = self.rng.choice([9, 9, 10, 8])
        n = self.rng.choice([126, 127, 200, 1000, 65535, 65537])
        payload = (struct.pack(">H", 1000) if op == 8 else b"") + b"p" * n
        c.ws.send_frame(op, payload, f"control op={op} with {len(payload)} B")
        # Over 64 KiB it is also an oversized frame: 1009 is as right as 1002.
        self.expect_close(c, {1002} if len(payload) <= 65536 else {1002, 1009}, f"a control frame (op {op}) of {len(payload)} bytes")

    def t_bad_opcode(self, c):
        op = self.rng.choice([3, 4, 5, 6, 7, 11, 12, 13, 14, 15])
        c.ws.send_frame(op, b"xyz", f"reserved opcode {op}", fin=self.rng.random() < 0.8)
        self.expect_close(c, {1002}, f"reserved opcode {op}")

    def t_rsv(self, c):
        rsv = self.rng.randint(1, 7)
        c.ws.send_frame(1, json.dumps({"type": "fz-rsv"}).encode(), f"text with RSV={rsv}", rsv=rsv)
        self.rfc_close(c, f"a frame with RSV bits {rsv:03b} (no extension negotiated; RFC 6455 5.2)", "rfc-rsv", "fz-rsv")

    def t_unmasked(self, c):
        op = self.rng.choice([1, 9])
        c.ws.send_frame(op, json.dumps({"type": "fz-unmasked"}).encode(), f"unmasked {'text' if op == 1 else 'ping'}", mask=False)
        self.rfc_close(c, f"an unmasked client {'text' if op == 1 else 'ping'} frame (RFC 6455 5.1)", "rfc-unmasked", "fz-unmasked")

    def rfc_close(self, c, what, category, tag):
        """`what` must fail the connection; an answer to it (its error, or the pong) means it was accepted."""
        def answer(e):
            if e.kind == "pong":
                return tag.encode() in e.data
            if e.kind != "json" or e.data.get("type") != "error":
                return False
            return self.feed_answered(c)(e) if c.kind == "feed" else tag in (e.data.get("message") or "")
        ev = c.wait(answer)
        if ev.kind == "close":
            self.r.check(ev.code == 1002, "wrong-close-code", f"{c.label}: {what} closed with {ev.code}, expected 1002")
        elif ev.kind == "eof":
            self.r.ok()
        elif ev.kind == "timeout":
            self.r.fail("hang", f"{c.label}: {what}: no answer within {self.env.hang:.0f} s")
            c.ws.abort()
        else:
            self.r.fail(category, f"{c.label}: {what} was accepted and answered ({ev}); it must fail the connection (1002)")
            c.close_politely()

    def t_oversize(self, c):
        r = self.rng.random()
        if r < 0.35:
            n = self.rng.choice([65537, 70000, 1 << 20, 1 << 31, (1 << 63) - 1, (1 << 64) - 1, 1 << 63])
            c.ws.send_frame(1, b"", f"header claiming {n} B", length=n)
            self.expect_close(c, {1009} if n < (1 << 63) else {1009, 1002}, f"a frame header claiming {n} bytes")
        elif r < 0.65:
            n = self.rng.randint(65537, 80000)
            c.ws.send_frame(self.rng.choice([1, 1, 2]), b"{" + b"a" * (n - 1), f"{n} B frame")
            self.expect_close(c, {1009, 1003}, f"a {n}-byte frame")
        else:
            total = 65537 + self.rng.randint(0, 20000)
            k = self.rng.randint(2, 5)
            size = total // k + 1
            for i in range(k):
                if c.ws.write_failed:
                    break
                c.ws.send_frame(1 if i == 0 else 0, b"a" * size, f"fragment {i} of a {size * k} B message", fin=(i == k - 1))
            self.expect_close(c, {1009}, f"a message of {size * k} bytes in {k} fragments")

    def t_rate(self, c):
        kind = self.rng.choice(["ping", "pong", "junk", "probe"])
        n = 700 + self.rng.randint(0, 300)
        one = {"ping": lambda: frame_bytes(9, b"", key=c.ws.key()), "pong": lambda: frame_bytes(10, b"r", key=c.ws.key()),
               "junk": lambda: frame_bytes(1, b"x", key=c.ws.key()),
               "probe": lambda: frame_bytes(1, b'{"type":"fz-rate"}', key=c.ws.key())}[kind]
        c.ws.send_raw(b"".join(one() for _ in range(n)), f"{n} {kind} frames at once")
        self.expect_close(c, {1008}, f"{n} {kind} frames at once (over the rate)", drop_ok=False, preface=RATE_ERROR)

    def t_client_close(self, c):
        r = self.rng.random()
        if r < 0.5:
            code = self.rng.choice([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4006, 4999])
            reason = rand_word(self.rng, self.rng.randint(0, 20)).encode()[:120]
            c.send_close(struct.pack(">H", code) + reason, f"close {code} + {len(reason)} B reason")
            expect = {code, 1000}
        elif r < 0.8:
            code = self.rng.choice([0, 1, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535])
            c.send_close(struct.pack(">H", code), f"close with the invalid code {code}")
            expect = {1002}          # the RFC's answer; the code check itself is in Conn._closed
        elif r < 0.9:
            c.send_close(b"", "empty close")
            expect = {1000}
        else:
            c.send_close(self.rng.choice([b"\x03", struct.pack(">H", 1000) + b"\xff\xfe"]), "close with a 1-byte or non-UTF-8 payload")
            expect = {1000, 1002, 1007}
        if self.rng.random() < 0.4:       # data after our close: ignored
            c.ws.send_frame(1, b'{"type":"text","content":"after close"}', "text after close")
            c.ws.send_frame(9, b"late", "ping after close")
        ev = c.wait(lambda e: False)
        if ev.kind == "close":
            if ev.code not in expect and sendable(ev.code):
                self.r.note(f"client '{c.close_sent_desc}': server answered {ev.code}")
            self.r.ok()
        elif ev.kind == "timeout":
            self.r.fail("hang", f"{c.label}: no answer to our close within {self.env.hang:.0f} s")
            c.ws.abort()

    def t_lie(self, c):
        """Length fields that lie, frames cut short, then the TCP connection goes away."""
        r = self.rng.random()
        c.garbled = True
        data = json.dumps({"type": "fz-lie"}).encode()
        if r < 0.35:
            c.ws.send_frame(1, data, "length longer than the payload", length=len(data) + self.rng.randint(1, 5000))
        elif r < 0.6:
            c.ws.send_frame(1, data + os.urandom(self.rng.randint(1, 40)), "length shorter than the payload", length=max(0, len(data) - 3))
        elif r < 0.8:
            whole = frame_bytes(1, data, key=c.ws.key())
            c.ws.send_raw(whole[:self.rng.randint(1, len(whole) - 1)], "half a frame")
        else:
            c.ws.send_raw(bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(1, 200))), "random bytes")
        ev = c.wait(lambda e: False, self.rng.choice([0.05, 0.3, 1.0]))
        # Any close will do: the server may read our bytes as a close frame of its own and echo its code
        # (an unsendable one is reported by Conn._closed, a 1011 too).
        self.r.ok()
        if not c.done:
            c.ws.abort() if self.rng.random() < 0.6 else c.ws.close()
            c.done = True

    def t_abort(self, c):
        """An abrupt reset in the middle of a message."""
        if self.rng.random() < 0.5:
            c.ws.send_frame(1, b'{"type":"text","content":"cut', "fragment", fin=False)
        else:
            c.ws.send_raw(frame_bytes(1, b"x" * 300, key=c.ws.key())[:self.rng.randint(1, 100)], "partial frame")
        c.ws.abort()
        c.done = True
        self.r.ok()

    def t_end_session(self, c):
        c.send_json_text(json.dumps({"type": "end_session"}))
        ev = c.wait(lambda e: False)
        ok = ev.kind == "close" and ev.code == 4006 and c.session_ended
        self.r.check(ok, "wrong-answer", f"{c.label}: end_session: expected session_ended then 4006, got {ev} ended={c.session_ended}")
        self.target.ended = True

    # refused and broken handshakes --------------------------------------------------------
    def life_refusal(self):
        w = self.world
        t = self.target
        other = [x for x in w.targets if x.business == t.business and x.visitor_id != t.visitor_id]
        other_biz = w.other_business if t.business == w.witness_business else w.witness_business
        env = self.env
        sid = t.session
        chat = lambda s: f"/ws/visitor-chat/?session_id={s}"
        cases = [
            ("no session_id", "/ws/visitor-chat/", t.visitor_token, {4001}),
            ("empty session_id", "/ws/visitor-chat/?session_id=", t.visitor_token, {4001}),
            ("session_id not a UUID", chat(urllib.parse.quote(rand_word(self.rng))), t.visitor_token, {4002}),
            ("session_id injection", chat(urllib.parse.quote("' OR 1=1 --")), t.visitor_token, {4002}),
            ("session_id 5000 chars", chat("a" * 5000), t.visitor_token, {4002}),
            ("session_id undecodable", chat("%00%ff"), t.visitor_token, {4001, 4002}),
            ("unknown session", chat(uuid.UUID(int=self.rng.getrandbits(128))), t.visitor_token, {4002}),
            ("no token", chat(sid), None, {4003}),
            ("Bearer without token", chat(sid), "@bearer-only", {4003}),
            ("token before Bearer", chat(sid), "@swapped", {4003}),
            ("garbage token", chat(sid), rand_word(self.rng, 30).encode().hex(), {4003}),
            ("bad signature", chat(sid), env.jwt(env.claims("visitor", t.business, t.visitor_id), secret="x" * 40), {4003}),
            ("alg none", chat(sid), env.jwt(env.claims("visitor", t.business, t.visitor_id), alg="none"), {4003}),
            ("alg HS512", chat(sid), env.jwt(env.claims("visitor", t.business, t.visitor_id), alg="HS512"), {4003}),
            ("expired", chat(sid), env.token("visitor", t.business, t.visitor_id, ttl=-60), {4003}),
            ("iat in the future", chat(sid), env.token("visitor", t.business, t.visitor_id, iat_shift=3600), {4003}),
            ("nbf in the future", chat(sid), env.jwt(dict(env.claims("visitor", t.business, t.visitor_id), nbf=int(time.time()) + 3600)), {4003}),
            ("no exp", chat(sid), env.jwt({k: v for k, v in env.claims("agent", t.business).items() if k != "exp"}), {4003}),
            ("no sub", chat(sid), env.jwt({k: v for k, v in env.claims("agent", t.business).items() if k != "sub"}), {4003}),
            ("sub not a UUID", chat(sid), env.token("agent", t.business, sub="root"), {4003}),
            ("role bogus", chat(sid), env.token("owner", t.business), {4003}),
            ("admin token", chat(sid), env.token("admin"), {4003}),
            ("truncated token", chat(sid), t.visitor_token[:-5], {4003}),
            ("20 KB token", chat(sid), "e" * 20000, {4003}),
            ("visitor of another business", chat(sid), env.token("visitor", other_biz), {4002}),
            ("agent of another business", chat(sid), w.agents[other_biz][0], {4002}),
            ("agent token of a business that does not exist", chat(sid), env.token("agent", str(uuid.uuid4())), {4002}),
            ("agent of another business under this business", chat(sid),
             env.jwt(dict(json.loads(base64.urlsafe_b64decode(w.agents[other_biz][1].split(".")[1] + "==")), business=t.business)), {4003}),
            ("feed without token", "/ws/agent/", None, {4003}),
            ("feed with a visitor token", "/ws/agent/", t.visitor_token, {4003}),
            ("feed with an admin token", "/ws/agent/", env.token("admin"), {4003}),
            ("feed for a business that does not exist", "/ws/agent/", env.token("agent", str(uuid.uuid4())), {4003}),
        ]
        if other:
            cases.append(("another visitor of the business", chat(sid), self.rng.choice(other).visitor_token, {4003}))
        if w.ended:
            cases.append(("ended session", chat(w.ended.session), w.ended.visitor_token, "ended"))
        if w.origin_target:
            o = w.origin_target
            cases.append(("origin not allowed", chat(o.session), o.visitor_token, ("http", 403, "https://evil.fuzz.example")))
            cases.append(("origin allowed", chat(o.session), o.visitor_token, ("open", "https://shop.fuzz.example")))
        name, path, token, expect = self.rng.choice(cases)
        how = "proto"
        if isinstance(token, str) and token.startswith("@"):
            how, token = token[1:], (t.visitor_token if token == "@swapped" else None)
        c = Conn(env, self.rng, self.label(f"refusal: {name}"))
        origin = expect[-1] if isinstance(expect, tuple) else None
        status = c.open(path, token, how, origin=origin)
        if isinstance(expect, tuple) and expect[0] == "http":
            self.r.check(status == expect[1], "wrong-answer", f"{c.label}: answered {status}, expected HTTP {expect[1]}")
            return c.finish()
        if status != 101:
            self.r.fail("wrong-answer", f"{c.label}: upgrade answered {status or c.terminal}, expected 101")
            return c.finish()
        if isinstance(expect, tuple):      # "open"
            ev = c.wait(is_json("connection_established"))
            self.r.check(ev.kind == "json", "wrong-answer", f"{c.label}: allowed origin: {ev}")
            return c.close_politely()
        if self.rng.random() < 0.3:        # frames sent at a refused socket: ignored
            c.ws.send_frame(1, j_message(self.rng, self.nonce()).encode("utf-8", "surrogatepass"), "frame at a refused socket")
        ev = c.wait(lambda e: False)
        if expect == "ended":
            ok = ev.kind == "close" and ev.code == 4006 and ENDED_ERROR in c.errors
            self.r.check(ok, "wrong-answer", f"{c.label}: expected {ENDED_ERROR!r} then 4006, got {ev} errors={c.errors}")
        elif ev.kind == "close":
            self.r.check(ev.code in expect, "wrong-close-code", f"{c.label}: closed with {ev.code}, expected {sorted(expect)}")
        elif ev.kind == "timeout":
            self.r.fail("hang", f"{c.label}: no close within {self.env.hang:.0f} s (expected {sorted(expect)})")
        else:
            self.r.fail("wrong-close-code", f"{c.label}: dropped ({ev.data}) instead of close {sorted(expect)}")
        c.finish()

    # handshake queries of lookalikes --------------------------------------------------------
    def life_query(self):
        """A handshake whose query holds a lookalike: last_seq or the feed's cursor written with
        another script's digits, a sign, leading zeros, 10,000 digits, an exponent, an invisible
        character, NUL or an escape that is not UTF-8 (a lone surrogate); a session_id that is the
        session's UUID spelled with lookalikes. A number the server does not read is ignored (the
        socket opens); a session_id it does not read is refused (4001/4002). Whatever it makes of
        them, the answer is an accept or a documented close: never a 5xx, 1011 or a dropped socket."""
        t = self.target
        field = self.rng.choice(["last_seq", "last_seq", "cursor", "session_id"])
        if field == "session_id":
            value = confusable_uuid(self.rng, t.session) if self.rng.random() < 0.85 else \
                self.rng.choice([("raw", "%ED%A0%80"), ("raw", "%FF"), ("raw", "%C0%80"), ("raw", "%"), ("raw", "%zz")])
        else:
            value = self.rng.choice(QUERY_NUMBERS) if self.rng.random() < 0.6 else tricky_number(self.rng)
        sent, seen = query_value(value)
        if len(sent) > 24000:            # 10,000 digits of 4 bytes, percent-encoded: past any header limit
            sent, seen = query_value(value[:2000])
        feed = field == "cursor"
        token = self.rng.choice(t.agent_tokens) if feed or self.rng.random() < 0.5 else t.visitor_token
        if field == "session_id":
            path = f"/ws/visitor-chat/?session_id={sent}"
        elif feed:
            path = f"/ws/agent/?cursor={sent}"
        else:
            path = f"{t.path()}&last_seq={sent}"
        desc = f"{field}={ascii(seen)[:60]}" + (f" ({len(seen)} chars)" if seen and len(seen) > 40 else "")
        c = Conn(self.env, self.rng, self.label(f"query {desc}"), "feed" if feed else "chat")
        c.cursor_from = "either" if feed else None      # "+5", "007": read as 5 and 7 or ignored, as the server likes
        was_ended = t.ended and not feed
        status = c.open(path, token)
        if status != 101:
            if status == 429:
                self.r.note("query handshake: 429 (too many sockets on the session)")
            else:
                self.r.fail("wrong-answer", f"{c.label}: upgrade answered {status or c.terminal}, expected 101 "
                            f"(then a documented close code) for {path[:120]!r}")
            return c.finish()
        ev = c.wait(is_json("connection_established"))
        if ev.kind == "json":
            if field == "session_id":
                self.r.check(ev.data.get("session_id") == t.session, "wrong-answer",
                             f"{c.label}: session_id {ascii(seen)[:60]} opened the session {ev.data.get('session_id')}")
                if seen is None or seen.lower() != t.session:
                    self.r.note(f"query handshake: a lookalike session_id opened the session ({ascii(seen)[:50]})")
            self.r.ok()
            if self.probe(c, f"a handshake with {desc}"):
                c.close_politely()
            return c.finish()
        if ev.kind == "close":
            codes = {4001, 4002} if field == "session_id" else set()
            if not feed and ev.code == 4006 and (was_ended or c.session_ended or ENDED_ERROR in c.errors):
                codes.add(4006)            # the session has ended (the error, or session_ended after a catch-up)
                t.ended = True
            self.r.check(ev.code in codes, "wrong-close-code",
                         f"{c.label}: closed with {ev.code}, expected an accept{' or ' + str(sorted(codes)) if codes else ''}; "
                         f"errors {c.errors[-2:]}")
            return c.finish()
        self.unexpected(c, ev, f"a handshake with {desc}")
        c.finish()

    def life_handshake(self):
        env, t = self.env, self.target
        key = base64.b64encode(os.urandom(16)).decode()
        full = handshake_request(env, t.path(), key, t.visitor_token)
        name = self.rng.choice(["half request line", "half headers", "no key", "version 8", "no version", "two keys",
                                "POST", "HTTP/1.0", "no Upgrade", "100 KB header", "garbage", "slow handshake",
                                "frames before the 101", "reset after the 101", "reset after request"])
        label = self.label(f"handshake: {name}")
        self.r.count("connections")
        try:
            ws = RawWS(env, self.rng)
        except OSError as e:
            return self.r.fail("connect", f"{label}: {e}")
        complete = True
        if name == "half request line":
            ws.send_raw(full[:self.rng.randint(1, 30)], name)
            complete = False
        elif name == "half headers":
            ws.send_raw(full[:-2 - self.rng.randint(0, 40)], name)
            complete = False
        elif name == "no key":
            ws.send_raw(full.replace(f"Sec-WebSocket-Key: {key}\r\n".encode(), b""), name)
        elif name == "version 8":
            ws.send_raw(full.replace(b"Version: 13", b"Version: 8"), name)
        elif name == "no version":
            ws.send_raw(full.replace(b"Sec-WebSocket-Version: 13\r\n", b""), name)
        elif name == "two keys":
            ws.send_raw(full.replace(b"\r\n\r\n", f"\r\nSec-WebSocket-Key: {key}\r\n\r\n".encode()), name)
        elif name == "POST":
            ws.send_raw(b"POST" + full[3:], name)
        elif name == "HTTP/1.0":
            ws.send_raw(full.replace(b"HTTP/1.1", b"HTTP/1.0", 1), name)
        elif name == "no Upgrade":
            ws.send_raw(full.replace(b"Upgrade: websocket\r\n", b""), name)
        elif name == "100 KB header":
            ws.send_raw(full.replace(b"\r\n\r\n", b"\r\nX-Fuzz: " + b"a" * 100000 + b"\r\n\r\n"), name)
        elif name == "garbage":
            ws.send_raw(bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(1, 400))) + b"\r\n\r\n", name)
        elif name == "slow handshake":
            i = 0
            while i < len(full):
                step = self.rng.randint(1, 60)
                ws.send_raw(full[i:i + step], name)
                i += step
                time.sleep(self.rng.uniform(0, 0.02))
        elif name == "frames before the 101":
            ws.send_raw(full + frame_bytes(1, b'{"type":"fz-early"}', key=ws.key()), name)
        elif name in ("reset after the 101", "reset after request"):
            ws.send_raw(full, name)
            if name == "reset after request":
                return ws.abort() or self.r.ok()
        if not complete:
            time.sleep(self.rng.uniform(0.2, 2.5))
            ws.abort() if self.rng.random() < 0.5 else ws.close()
            return self.r.ok()
        status, headers = ws.read_head(env.hang)
        if status is None:
            # Dropped without an answer: allowed for a broken request, a hang is not.
            self.r.check(headers != "timeout", "hang", f"{label}: no answer and no close within {env.hang:.0f} s")
            if headers != "timeout":
                self.r.note(f"handshake '{name}': connection dropped without an HTTP answer")
            return ws.close()
        self.r.check(status < 500, "http-5xx", f"{label}: answered HTTP {status}")
        if name in ("slow handshake", "frames before the 101", "HTTP/1.0", "reset after the 101") and status != 101:
            self.r.fail("wrong-answer", f"{label}: a valid upgrade answered {status}")
        if status == 101:
            if name not in ("slow handshake", "frames before the 101", "HTTP/1.0", "reset after the 101"):
                self.r.note(f"handshake '{name}': upgraded (101)")
            if name == "reset after the 101":
                return ws.abort()
            c = Conn(env, self.rng, label)
            c.ws = ws
            ev = c.wait(is_json("connection_established"))
            if ev.kind != "json":
                if ev.kind == "close" and ev.code == 4006 and ENDED_ERROR in c.errors:
                    self.target.ended = True
                    self.r.ok()
                else:
                    self.unexpected(c, ev, "the upgrade")
                return c.finish()
            if name == "frames before the 101":
                ev = c.wait(is_json("error"), 3)
                self.r.note(f"frames sent before the 101: {'answered' if ev.kind == 'json' else 'not answered'}")
            c.close_politely()
        else:
            ws.close()


def _has_surrogate(text):
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def edge_cases(rng, nonce):
    """(name, frame text, expected answer): an error substring, 'probe' (anything, then a probe), 'broadcast',
    or ("broadcast or", substring): the broadcast, or an error containing the substring."""
    cid = lambda: nonce + "." + str(rng.getrandbits(20))
    deep = rng.choice([rng.randint(2, 31), rng.randint(300, 511)])
    fields = rng.randint(1, 3)
    u = str(uuid.UUID(int=rng.getrandbits(128)))
    read = lambda mid: json.dumps({"type": "read", "message_id": mid}, ensure_ascii=rng.random() < 0.5)
    text = lambda content, **kw: json.dumps(dict({"type": "text", "content": content}, **kw), ensure_ascii=rng.random() < 0.5)
    bold = lambda n: "".join(chr(0x1D7CE + i % 10) for i in range(n))
    family = "\U0001F469\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"      # one character of 7 code points
    every_digit = "".join(in_digits("0123456789", z) for z in DIGIT_ZEROS)
    attachment = "http://127.0.0.1/media/chat_attachments/a.pdf"
    return [
        ("NUL in content", '{"type":"text","content":"a\\u0000b"}', "NUL"),
        ("lone high surrogate", '{"type":"text","content":"a\\ud800b"}', "probe"),
        ("lone low surrogate", '{"type":"text","content":"\\udfff"}', "probe"),
        ("reversed surrogate pair", '{"type":"text","content":"\\udc00\\ud800"}', "probe"),
        ("surrogate pair", json.dumps({"type": "text", "content": "a😀z", "client_id": cid()}), "broadcast"),
        ("whitespace only", '{"type":"text","content":" \\n\\t "}', "empty"),
        ("empty content", '{"type":"text","content":""}', "empty"),
        ("5000 characters", json.dumps({"type": "text", "content": "b" * 5000, "client_id": cid()}), "broadcast"),
        ("5001 characters", json.dumps({"type": "text", "content": "b" * 5001}), "too long"),
        ("content number", '{"type":"text","content":12}', '"content" must be a string'),
        ("content null", '{"type":"text","content":null}', '"content" must be a string'),
        ("content array", '{"type":"text","content":["a"]}', '"content" must be a string'),
        ("client_id 101 chars", json.dumps({"type": "text", "content": "x", "client_id": "c" * 101}), "client_id"),
        ("client_id 100 chars", json.dumps({"type": "text", "content": "x", "client_id": (nonce + "c" * 100)[:100]}), "broadcast"),
        ("client_id empty", '{"type":"text","content":"x","client_id":""}', "client_id"),
        ("client_id NUL", '{"type":"text","content":"x","client_id":"a\\u0000"}', "client_id"),
        ("client_id number", '{"type":"text","content":"x","client_id":7}', "client_id"),
        ("type missing", '{"content":"x"}', '"type" must be a string'),
        ("type number", '{"type":1}', '"type" must be a string'),
        ("type null", '{"type":null}', '"type" must be a string'),
        ("server-only type", '{"type":"session_ended"}', "server only"),
        ("server-only type 2", '{"type":"connection_established","session_id":"x"}', "server only"),
        ("unknown type", '{"type":"TEXT","content":"x"}', "Unknown message type"),
        ("not JSON", "hello", "expected a JSON object"),
        ("empty message", "", "expected a JSON object"),
        ("JSON array", '[{"type":"text","content":"x"}]', "expected a JSON object"),
        ("JSON string", '"text"', "expected a JSON object"),
        ("JSON null", "null", "expected a JSON object"),
        ("truncated", '{"type":"text","content":"x"', "expected a JSON object"),
        ("trailing garbage", '{"type":"text","content":"x"} x', "expected a JSON object"),
        ("two objects", '{"type":"typing"}{"type":"typing"}', "expected a JSON object"),
        ("BOM", '\ufeff{"type":"fz-bom"}', "probe"),
        ("huge numbers", json.dumps({"type": "text", "content": "n", "client_id": cid()})[:-1]
         + ',"a":1e99999,"b":-123456789012345678901234567890,"c":1E-400}', "broadcast"),
        ("duplicate keys", '{"type":"text","type":"fz-dup","content":"x"}', "probe"),
        ("escaped key", '{"\\u0074ype":"text","content":"x"}', "probe"),
        ("nested past the parser limit", '{"type":"text","x":' + "[" * 600 + "]" * 600 + "}", "expected a JSON object"),
        ("nested 20000", '{"type":"text","x":' + "[" * 20000 + "]" * 20000 + "}", "expected a JSON object"),
        ("objects nested 3000", '{"type":"text","x":' + '{"a":' * 3000 + "1" + "}" * 3000 + "}", "expected a JSON object"),
        # The server reads at most 32 levels of nesting (docs/API.md): within, the unknown type is
        # named; past it, the frame is refused as not a JSON object, at once.
        (f"{fields} arrays nested {deep}", '{"type":"fz-deep",' + ",".join(f'"f{i}":' + "[" * deep + "]" * deep for i in range(fields)) + "}",
         "Unknown message type" if deep <= 31 else "expected a JSON object"),
        ("is_audio string", '{"type":"file","file":"http://x/media/chat_attachments/a.pdf","is_audio":"yes"}', "is_audio"),
        ("unknown file", '{"type":"file","file":"http://x/media/chat_attachments/nope.pdf"}', "Unknown file"),
        ("file URL 3000 B", json.dumps({"type": "file", "file": "http://x/" + "a" * 3000}), '"file" must be'),
        ("file missing", '{"type":"file"}', '"file" must be'),
        ("is_typing string", '{"type":"typing","is_typing":"yes"}', "is_typing"),
        ("read bad id", '{"type":"read","message_id":"nope"}', "message_id"),
        ("read unknown id", json.dumps({"type": "read", "message_id": str(uuid.UUID(int=rng.getrandbits(128)))}), "message_id"),
        ("typing ok", '{"type":"typing"}', "probe"),
        ("control characters escaped", json.dumps({"type": "text", "content": "a\u0001\u001fb", "client_id": cid()}), "broadcast"),
        ("raw control character", '{"type":"text","content":"a\x01b"}', "probe"),
        # Lookalikes: a type, a key, a boolean, an id is exact (never folded to what it looks like);
        # a text is stored as sent and counted in characters.
        ("type full-width", '{"type":"\uff54\uff45\uff58\uff54","content":"x"}', "Unknown message type"),
        ("type full-width escaped", '{"type":"\\uff54ext","content":"x"}', "Unknown message type"),
        ("type Cyrillic a", '{"type":"re\u0430d","message_id":"x"}', "Unknown message type"),
        ("type Greek omicron", '{"type":"n\u03bfte","content":"x"}', "Unknown message type"),
        ("type long s", '{"type":"\u017fession_ended"}', "Unknown message type"),
        ("type dotless i", '{"type":"typ\u0131ng"}', "Unknown message type"),
        ("type Kelvin sign", '{"type":"\u212a","content":"x"}', "Unknown message type"),
        ("type zero-width space", '{"type":"typing\u200b"}', "Unknown message type"),
        ("type zero-width joiner", '{"type":"te\u200dxt","content":"x"}', "Unknown message type"),
        ("type BOM", '{"type":"\ufefftyping"}', "Unknown message type"),
        ("type RTL override", '{"type":"\u202egnipyt"}', "Unknown message type"),
        ("type combining mark", '{"type":"typing\u0301"}', "Unknown message type"),
        ("type NUL", '{"type":"typing\\u0000"}', "Unknown message type"),
        ("key full-width", '{"\uff54\uff59\uff50\uff45":"text","content":"x"}', '"type" must be a string'),
        ("key zero-width", '{"type\u200b":"typing"}', '"type" must be a string'),
        ("is_typing full-width true", '{"type":"typing","is_typing":"\uff54\uff52\uff55\uff45"}', "is_typing"),
        ("is_typing 1", '{"type":"typing","is_typing":1}', "is_typing"),
        ("is_typing Arabic-Indic 1", '{"type":"typing","is_typing":\u0661}', "expected a JSON object"),
        ("is_typing 007", '{"type":"typing","is_typing":007}', "probe"),           # not JSON; a lenient reader takes 7
        ("is_audio full-width 1", json.dumps({"type": "file", "file": attachment, "is_audio": "\uff11"}), "is_audio"),
        ("read id full-width", read(full_width(u)), "message_id"),
        ("read id Arabic-Indic digits", read(in_digits(u, 0x660)), "message_id"),
        ("read id Devanagari digits", read(in_digits(u, 0x966)), "message_id"),
        ("read id mathematical bold digits", read(in_digits(u, 0x1D7CE)), "message_id"),
        ("read id Cyrillic letters", read("\u0430" + "".join(LOOKALIKE_OF.get(ch, ch) if ch in "aec" else ch for ch in u[1:])), "message_id"),
        ("read id minus signs", read(u.replace("-", "\u2212")), "message_id"),
        ("read id BOM", read("\ufeff" + u), "message_id"),
        ("read id zero-width space", read(u[:8] + "\u200b" + u[8:]), "message_id"),
        ("read id RTL override", read("\u202e" + u), "message_id"),
        ("read id braces", read("{" + u + "}"), "message_id"),
        ("read id 10,000 characters", read(u + "0" * (10000 - len(u))), "message_id"),
        ("read id NUL", read(u + "\x00"), "message_id"),
        ("file full-width https", json.dumps({"type": "file", "file": full_width("https") + attachment[4:]}), None),
        ("file fraction slashes", json.dumps({"type": "file", "file": attachment.replace("/", "\u2044")}), None),
        ("file full-width solidus, one-dot leader",
         json.dumps({"type": "file", "file": attachment.replace("/", "\uff0f").replace(".pdf", "\u2024pdf")}), None),
        ("content of every digit set", text(every_digit, client_id=cid()), "broadcast"),
        ("content 10,000 digits", text("1" * 10000), "too long"),
        ("content 10,000 Thai digits", text("\u0e51" * 10000), "too long"),
        ("content 5000 mathematical bold digits", text(bold(5000), client_id=cid()), ("broadcast or", "too long")),
        ("content 5001 mathematical bold digits", text(bold(5001)), "too long"),
        ("content one letter, 3000 combining marks", text("e" + "\u0301" * 3000, client_id=cid()), ("broadcast or", "too long")),
        ("content digits and NUL", text("\u0661\u0662\x00"), "NUL"),
        ("content digits and a lone surrogate", '{"type":"text","content":"\\u0661\\ud800"}', "probe"),
        ("content invisible only", text("\u200b\u200d\ufeff\u202e\u2060", client_id=cid()), "probe"),
        ("client_id Devanagari digits", text("x", client_id=in_digits(cid(), 0x966)), "broadcast"),
        ("client_id of 100 characters of 7 code points", text("x", client_id=(lambda c: c + family * (100 - len(c)))(cid())),
         ("broadcast or", "client_id")),
        ("client_id of 101 characters of 7 code points", text("x", client_id=(lambda c: c + family * (101 - len(c)))(cid())), "client_id"),
        ("client_id with 2000 combining marks", text("x", client_id=cid() + "\u0301" * 2000), ("broadcast or", "client_id")),
        ("number Arabic-Indic", '{"type":"fz-num","n":\u0661\u0662}', "expected a JSON object"),
        ("number full-width", '{"type":"fz-num","n":\uff11\uff12}', "expected a JSON object"),
        ("number minus sign U+2212", '{"type":"fz-num","n":\u22121}', "expected a JSON object"),
        ("number plus sign", '{"type":"fz-num","n":+1}', "probe"),
        ("number 10,000 digits", '{"type":"fz-num","n":' + "9" * 10000 + "}", "probe"),
        ("number exponent of 10,000 digits", '{"type":"fz-num","n":1e' + "0" * 9999 + "1}", "probe"),
        ("number 10,000 leading zeros", '{"type":"fz-num","n":' + "0" * 10000 + "}", "probe"),
    ]


Slot.LEGAL = None
LEGAL = [Slot.a_text, Slot.a_random_json, Slot.a_edge_json, Slot.a_ping, Slot.a_pong, Slot.a_fragmented,
         Slot.a_typing_read, Slot.a_probe, Slot.a_coalesced, Slot.a_trickle, Slot.a_exact_limit, Slot.a_nonminimal_length]
LEGAL_WEIGHTS = [14, 22, 16, 8, 3, 9, 5, 3, 4, 2, 2, 2]
TERMINAL = [Slot.t_invalid_utf8, Slot.t_binary, Slot.t_bad_fragments, Slot.t_big_control, Slot.t_bad_opcode, Slot.t_rsv,
            Slot.t_unmasked, Slot.t_oversize, Slot.t_rate, Slot.t_client_close, Slot.t_lie, Slot.t_abort]
TERMINAL_WEIGHTS = [10, 8, 9, 6, 6, 3, 3, 9, 3, 10, 9, 6]


# --------------------------------------------------------------------------- witness

class Witness:
    """A visitor and an agent chatting on their own session, watched by an agent feed."""

    def __init__(self, env, world, seed):
        self.env, self.world = env, world
        self.r = env.report
        self.rng = random.Random(f"{seed}:witness")
        s = world.witness_session
        self.session, self.visitor_token, self.visitor_id = s["session_id"], s["token"], s["visitor_id"]
        b = world.witness_business
        self.agent_sub = str(uuid.uuid4())
        self.agent_token = env.token("agent", b, self.agent_sub)
        self.feed_token = world.agents[b][2]
        self.sent = {}                 # client_id -> (side, content, time sent)
        self.resends = collections.Counter()
        self.typing_sent = collections.Counter()
        self.reads_sent = collections.Counter()
        self.stop = threading.Event()
        self.late_reported = set()

    def open(self, label, path, token, kind="chat"):
        c = Conn(self.env, random.Random(f"{label}"), f"witness {label}", kind)
        c.keep_events = True
        status = c.open(path, token)
        if status != 101:
            raise RuntimeError(f"witness {label}: upgrade answered {status or c.terminal}")
        ev = c.wait(is_json("connection_established"))
        if ev.kind != "json":
            raise RuntimeError(f"witness {label}: no connection_established ({ev})")
        return c

    def start(self):
        path = f"/ws/visitor-chat/?session_id={self.session}"
        self.feed = self.open("feed", "/ws/agent/", self.feed_token, "feed")
        self.visitor = self.open("visitor", path, self.visitor_token)
        self.agent = self.open("agent", path, self.agent_token)
        self.readers = [threading.Thread(target=self.read, args=(c,), daemon=True) for c in (self.visitor, self.agent, self.feed)]
        for t in self.readers:
            t.start()
        self.sender = threading.Thread(target=self.send_loop, daemon=True)
        self.sender.start()

    def read(self, c):
        while not self.stop.is_set() and not c.done:
            ev = c.pump(0.3)
            if ev is not None and ev.kind in ("close", "eof"):
                if not self.stop.is_set():
                    self.r.fail("witness", f"{c.label}: socket ended during the run: {ev} errors={c.errors[-3:]}")
                return

    def seen_ids(self, c):
        return {e.data.get("client_id"): e for e in list(c.events) if e.kind == "json" and e.data.get("type") == "text"}

    def send_loop(self):
        n = 0
        rng = self.rng
        while now() < self.env.fuzz_deadline and not self.stop.is_set():
            n += 1
            side = rng.choice(["visitor", "agent"])
            c = self.visitor if side == "visitor" else self.agent
            r = rng.random()
            if r < 0.08:
                # Alternating states: each frame is a change, which the server relays at once (the
                # same state again within a second is not relayed).
                state = self.typing_sent[side] % 2 == 0
                c.ws.send_frame(1, json.dumps({"type": "typing", "is_typing": state}).encode(), "typing")
                self.typing_sent[side] += 1
            elif r < 0.14:
                other = self.agent if side == "visitor" else self.visitor
                mine = [e.data for e in list(c.events) if e.kind == "json" and e.data.get("type") == "text"]
                last_read = getattr(c, "read_seq", 0)
                if mine and mine[-1]["seq"] > last_read:
                    c.read_seq = mine[-1]["seq"]
                    c.ws.send_frame(1, json.dumps({"type": "read", "message_id": mine[-1]["id"]}).encode(), "read")
                    self.reads_sent[side] += 1
            elif r < 0.19 and self.sent:
                echoed = self.seen_ids(c)
                mine = [cid for cid, v in self.sent.items() if v[0] == side and cid in echoed]
                if mine:
                    cid = rng.choice(mine)
                    c.resent.add(cid)
                    self.resends[cid] += 1
                    c.ws.send_frame(1, json.dumps({"type": "text", "content": "resent " + cid, "client_id": cid}).encode(), "resend")
            else:
                content = rand_content(rng)
                cid = f"w-{side[0]}-{n}"
                self.sent[cid] = (side, content, now())
                c.ws.send_frame(1, json.dumps({"type": "text", "content": pad(rng, content), "client_id": cid},
                                              ensure_ascii=rng.random() < 0.5).encode(), f"text {cid}")
            self.check_late()
            time.sleep(rng.uniform(0.03, 0.12))

    def check_late(self, final=False):
        t = now()
        seen = [set(self.seen_ids(c)) for c in (self.visitor, self.agent)]
        feed_seen = {e.data["message"].get("client_id") for e in list(self.feed.events)
                     if e.kind == "json" and e.data.get("type") == "message" and e.data.get("session_id") == self.session}
        for cid, (side, _, ts) in list(self.sent.items()):
            if cid in self.late_reported:
                continue
            missing = [name for name, s in zip(("visitor", "agent", "feed"), seen + [feed_seen]) if cid not in s]
            if missing and (t - ts > self.env.hang or final):
                self.late_reported.add(cid)
                self.r.fail("witness-hang" if not final else "witness-lost",
                            f"witness message {cid} (from the {side}) not received by {missing} "
                            f"{t - ts:.1f} s after it was sent")

    def finish(self):
        self.sender.join()
        deadline = now() + self.env.hang
        while now() < deadline:
            seen = [set(self.seen_ids(c)) for c in (self.visitor, self.agent)]
            feed_seen = {e.data["message"].get("client_id") for e in list(self.feed.events)
                         if e.kind == "json" and e.data.get("type") == "message" and e.data.get("session_id") == self.session}
            if all(set(self.sent) <= s for s in seen + [feed_seen]):
                break
            time.sleep(0.1)
        time.sleep(0.5)          # late duplicates, typing and read relays
        self.check_late(final=True)
        self.stop.set()
        for t in self.readers:
            t.join()
        self.verify()

    def stream(self, c, feed=False):
        out = []
        for e in c.events:
            if e.kind != "json":
                continue
            d = e.data
            if feed:
                if d.get("type") == "message" and d.get("session_id") == self.session:
                    out.append((e.t, d["message"]))
            elif d.get("type") in ("text", "file") and "seq" in d:
                out.append((e.t, d))
        return out

    def verify(self):
        r = self.r
        streams = {"visitor": self.stream(self.visitor), "agent": self.stream(self.agent), "feed": self.stream(self.feed, True)}
        expected_n = len(self.sent)
        by_seq = {}
        latencies = []
        for name, items in streams.items():
            firsts = []
            ids = set()
            for t, d in items:
                if d["id"] in ids:
                    ok = name != "feed" and d.get("client_id") in getattr(self, name).resent
                    r.check(ok, "witness-duplicate", f"witness {name}: message seq {d['seq']} ({d.get('client_id')}) delivered twice")
                    continue
                ids.add(d["id"])
                firsts.append(d)
                cid = d.get("client_id")
                if cid in self.sent:
                    latencies.append(t - self.sent[cid][2])
            seqs = [d["seq"] for d in firsts]
            r.check(seqs == list(range(1, len(seqs) + 1)), "witness-order",
                    f"witness {name}: seqs not 1..N in order: {compact(seqs)}")
            cids = collections.Counter(d.get("client_id") for d in firsts)
            r.check(set(cids) == set(self.sent) and all(v == 1 for v in cids.values()), "witness-lost",
                    f"witness {name}: got {len(cids)} of {expected_n} messages; missing {sorted(set(self.sent) - set(cids))[:10]}, "
                    f"unexpected {sorted(set(cids) - set(self.sent))[:10]}")
            for d in firsts:
                cid = d.get("client_id")
                if cid not in self.sent:
                    continue
                side, content, _ = self.sent[cid]
                sender = self.visitor_id if side == "visitor" else self.agent_sub
                r.check(d.get("content") == content and d.get("sender_type") == side and d.get("sender_id") == sender
                        and d.get("session_id") == self.session and d.get("type") == "text",
                        "witness-content", f"witness {name}: message {cid} arrived as {json.dumps(d)[:300]}, sent {content!r} by {side}")
                prev = by_seq.setdefault(d["seq"], d)
                r.check(prev.get("id") == d.get("id") and prev.get("content") == d.get("content"), "witness-consistency",
                        f"witness {name}: seq {d['seq']} is {d.get('id')} here but {prev.get('id')} elsewhere")
        # resends: the resending socket got the stored message again, once per resend
        for cid, times in self.resends.items():
            side = self.sent[cid][0]
            got = [d for _, d in streams[side] if d.get("client_id") == cid]
            r.check(len(got) == 1 + times and len({(d["id"], d["seq"], d["content"]) for d in got}) == 1, "witness-resend",
                    f"witness {side}: {cid} resent {times}x, received {len(got)} copies {[(d['seq'], d['content'][:20]) for d in got]}")
            other = "agent" if side == "visitor" else "visitor"
            r.check(sum(1 for _, d in streams[other] if d.get("client_id") == cid) == 1, "witness-resend",
                    f"witness {other}: the resend of {cid} was broadcast to the other side")
        # typing and read relays reach the other side
        for side, other in (("visitor", self.agent), ("agent", self.visitor)):
            got = sum(1 for e in other.events if e.kind == "json" and e.data.get("type") == "typing" and e.data.get("sender_type") == side)
            r.check(got == self.typing_sent[side], "witness-signal", f"witness: {self.typing_sent[side]} typing from the {side}, {got} relayed")
            got = sum(1 for e in other.events if e.kind == "json" and e.data.get("type") == "read" and e.data.get("reader_type") == side)
            r.check(got == self.reads_sent[side], "witness-signal", f"witness: {self.reads_sent[side]} read receipts from the {side}, {got} relayed")
        for c in (self.visitor, self.agent, self.feed):
            r.check(not c.errors, "witness-error", f"{c.label}: error frames {c.errors[:3]}")
            r.check(not c.done, "witness", f"{c.label}: closed before the end ({c.terminal})")
        self.max_latency = max(latencies) if latencies else 0.0
        stalled = [x for x in latencies if x > self.env.args.stall]
        if self.env.args.stall:
            r.check(not stalled, "stall", f"witness: {len(stalled)} deliveries took over {self.env.args.stall:g} s "
                    f"(max {self.max_latency:.1f} s): the server stalled (see 'slow answer' lines)")
        self.p50 = sorted(latencies)[len(latencies) // 2] if latencies else 0.0
        order = [by_seq[s] for s in sorted(by_seq)]
        # history over HTTP, paged
        hist, after = [], None
        for _ in range(100):
            q = "?limit=100" + (f"&after={after}" if after else "")
            status, data, _ = self.env.http("GET", f"/chat/history/{self.session}/{q}", token=self.visitor_token)
            if not r.check(status == 200, "witness-history", f"history answered {status}: {str(data)[:200]}"):
                break
            page = [item["data"] for item in data["data"] if item["type"] == "message"]
            hist += page
            if len(page) < 100:
                break
            after = page[-1]["id"]
        r.check([(d["id"], d["seq"], d["content"]) for d in hist] == [(d["id"], d["seq"], d["content"]) for d in order],
                "witness-history", f"history holds {len(hist)} messages {compact([d['seq'] for d in hist])}, "
                f"the sockets saw {len(order)}")
        # catch-up with last_seq
        n = len(order)
        for last in sorted({0, max(0, n - 3)}):
            c = Conn(self.env, random.Random(1), f"witness catch-up last_seq={last}")
            if c.open(f"/ws/visitor-chat/?session_id={self.session}&last_seq={last}", self.visitor_token) != 101:
                r.fail("witness-catch-up", f"{c.label}: upgrade refused")
                continue
            got = []
            while len(got) < n - last:
                ev = c.wait(is_json("text"))
                if ev.kind != "json":
                    break
                got.append(ev.data["seq"])
            r.check(got == list(range(last + 1, n + 1)), "witness-catch-up", f"{c.label}: got seqs {compact(got)}, expected {last + 1}..{n}")
            c.close_politely()
        for c in (self.visitor, self.agent, self.feed):
            c.close_politely()
        r.count("witness messages", n)


def compact(seqs):
    if len(seqs) <= 12:
        return seqs
    return f"{seqs[:5]}...{seqs[-5:]} ({len(seqs)} items)"


# --------------------------------------------------------------------------- health

class HealthWatch(threading.Thread):
    def __init__(self, env, pid):
        super().__init__(daemon=True)
        self.env, self.pid = env, pid
        self.stop = threading.Event()
        self.max = 0.0
        self.bad = 0
        self.slow = 0

    def run(self):
        while not self.stop.wait(1.0):
            self.alive_check()
            t = now()
            try:
                status, _, _ = self.env.http("GET", "/health", timeout=self.env.hang)
            except OSError as e:
                status = repr(e)
            dt = now() - t
            self.max = max(self.max, dt)
            if self.env.args.stall and dt > self.env.args.stall:
                self.slow += 1
            if status != 200:
                self.bad += 1
                self.env.report.fail("health", f"GET /health during the run: {status} after {dt:.1f} s")

    def alive_check(self):
        if self.pid:
            try:
                os.kill(self.pid, 0)
            except OSError:
                self.env.report.fail("server-died", f"server process {self.pid} is gone")
                self.pid = None


def final_checks(env, world):
    r = env.report
    t = now()
    try:
        status, data, _ = env.http("GET", "/health")
    except OSError as e:
        status, data = repr(e), None
    r.check(status == 200, "health", f"GET /health at the end: {status} {data}")
    s = env.start_session(world.other_business)
    if not r.check(s is not None, "fresh-session", "a fresh session could not be started (429)"):
        return
    path = f"/ws/visitor-chat/?session_id={s['session_id']}"
    rng = random.Random(2)
    v = Conn(env, rng, "fresh visitor")
    a = Conn(env, rng, "fresh agent")
    if v.open(path, s["token"]) != 101 or a.open(path, world.agents[world.other_business][0]) != 101:
        return r.fail("fresh-session", "upgrade refused for a fresh session")
    for c in (v, a):
        r.check(c.wait(is_json("connection_established")).kind == "json", "fresh-session", f"{c.label}: no connection_established")
    for sender, cid in ((v, "fresh-1"), (a, "fresh-2")):
        sender.send_json_text(json.dumps({"type": "text", "content": "still here " + cid, "client_id": cid}))
        for c in (v, a):
            ev = c.wait(is_json(client_id=cid))
            r.check(ev.kind == "json" and ev.data.get("content") == "still here " + cid, "fresh-session",
                    f"{c.label}: message {cid} not received ({ev})")
    status, data, _ = env.http("GET", f"/chat/history/{s['session_id']}/", token=s["token"])
    r.check(status == 200 and [i["data"].get("client_id") for i in data["data"] if i["type"] == "message"] == ["fresh-1", "fresh-2"],
            "fresh-session", f"fresh history: {status} {str(data)[:200]}")
    v.close_politely()
    a.close_politely()
    r.count("final check seconds", 0)
    return now() - t


# --------------------------------------------------------------------------- main

def guarded(report, fn, *args):
    try:
        return fn(*args)
    except OSError as e:
        report.fail("server-unreachable", f"{fn.__qualname__}: {e!r}")
    except Exception as e:  # a bug in the fuzzer itself: report it, never hide it
        import traceback
        report.fail("fuzzer", f"{fn.__qualname__}: {e!r}\n{traceback.format_exc()}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True, help="http://host:port of a running livechat server")
    p.add_argument("--secret", required=True, help="its LIVECHAT_JWT_SECRET")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--sockets", type=int, default=40, help="concurrent fuzz slots (default 40)")
    p.add_argument("--seconds", type=float, default=20, help="fuzzing time (default 20)")
    p.add_argument("--sessions", type=int, default=16, help="fuzz sessions the slots share (default 16)")
    p.add_argument("--slot", type=int, action="append", help="run only this slot (repeatable), to replay a failure")
    p.add_argument("--hang", type=float, default=HANG, help="seconds without an answer that count as a hang (default 10)")
    p.add_argument("--stall", type=float, default=3.0,
                   help="witness deliveries or /health slower than this fail as a stall (default 3; 0: off)")
    p.add_argument("--pid", type=int, default=None, help="server pid: also check the process stays alive")
    p.add_argument("--verbose", action="store_true", help="print each failure as it happens")
    args = p.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    print(f"socket fuzz: seed {seed} ({args.sockets} sockets, {args.seconds:g} s, {args.url})", flush=True)
    report = Report(args.verbose)
    env = Env(args, report)
    started = now()
    try:
        world = World(env, seed)
    except (RuntimeError, OSError) as e:
        print(f"setup failed: {e}")
        print("socket fuzz: 0 checks passed, 1 failed")
        return 1
    env.fuzz_deadline = now() + args.seconds
    watch = HealthWatch(env, args.pid)
    watch.start()
    witness = Witness(env, world, seed)
    try:
        witness.start()
    except (RuntimeError, OSError) as e:
        report.fail("witness", str(e))
        witness = None
    ids = args.slot if args.slot else range(args.sockets)
    slots = [Slot(env, world, i, seed) for i in ids]
    for s in slots:
        s.start()
    for s in slots:
        s.join(timeout=max(0.0, env.fuzz_deadline - now()) + 4 * args.hang)
        if s.is_alive():
            report.fail("hang", f"slot {s.idx} still busy {4 * args.hang:.0f} s after the end (life {s.life})")
    fuzz_end = now()
    if witness:
        guarded(report, witness.finish)
    watch.stop.set()
    watch.join()
    if args.stall:
        report.check(not watch.slow, "stall", f"GET /health took over {args.stall:g} s {watch.slow} times (max {watch.max:.1f} s)")
    watch.alive_check()
    guarded(report, final_checks, env, world)
    watch.alive_check()
    total = now() - started

    st = report.stats
    closes = ", ".join(f"{k}: {v}" for k, v in sorted(report.closes.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
    print(f"  {st['connections']} connections, {st['frames sent']} frames, {st['bytes sent'] / 1e6:.1f} MB sent in "
          f"{fuzz_end - started:.1f} s; close codes received: {closes}")
    if witness:
        print(f"  witness: {st['witness messages']} messages, latency median {witness.p50 * 1000:.0f} ms, "
              f"max {witness.max_latency * 1000:.0f} ms; {sum(witness.typing_sent.values())} typing, "
              f"{sum(witness.reads_sent.values())} read receipts, {sum(witness.resends.values())} resends; "
              f"/health max {watch.max * 1000:.0f} ms; total {total:.1f} s")
    for secs, what in sorted(report.slow, reverse=True)[:5]:
        print(f"  slow answer: {secs:.1f} s for {what}")
    for text, n in sorted(report.notes.items()):
        print(f"  note: {text}" + (f" (x{n})" if n > 1 else ""))
    if report.failures:
        by_cat = collections.defaultdict(list)
        for cat, detail in report.failures:
            by_cat[cat].append(detail)
        for cat, details in sorted(by_cat.items()):
            print(f"FAIL [{cat}] x{len(details)}")
            for d in details[:4]:
                print(f"  - {d}")
            if len(details) > 4:
                print(f"  ... and {len(details) - 4} more")
        print(f"  replay one slot: --seed {seed} --slot N (same --sockets/--sessions)")
    print(f"socket fuzz: {report.passed} checks passed, {len(report.failures)} failed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
