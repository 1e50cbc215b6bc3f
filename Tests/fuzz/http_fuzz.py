#!/usr/bin/env python3
"""Schemathesis against a running livechat server's /openapi.json, then lookalike probes.

    python3 Tests/fuzz/http_fuzz.py --url http://127.0.0.1:PORT --secret "$LIVECHAT_JWT_SECRET" --st /path/to/st \
        [--probe-only] [--probe-seconds 20]

It mints an admin token with the server's secret, creates a business and an agent through the
admin API, logs the agent in, then runs schemathesis over every operation twice: once as the
platform admin and once as that agent (the tokens reach the endpoints of the other role too,
which must refuse them as documented). Checks: no 5xx, every status, content type, header and
body as the document says.

Then a deterministic probe phase (plain urllib, at most --probe-seconds): every query parameter
the server takes (from/to, limit, cursor, after, q, active, assigned, department, business,
external_customer_id) and the ids in its paths, as the platform admin or an agent, given every
Unicode decimal-digit set, signs (+, -, U+2212), leading zeros, exponents, 10,000-digit runs,
lookalike letters and slashes (full-width, Cyrillic, U+2044, U+FF0F, U+2024, Kelvin sign, long s,
dotless i), combining marks, zero-width and bidi characters, BOM, NUL and escapes that are not
UTF-8 (%ED%A0%80: a lone surrogate). Each answer must be a 2xx, or a 4xx whose JSON body has a
"message" string (never a 5xx, a dropped connection or a hang), and GET /health answers 200
afterwards; a 2xx to a value the parameter should not hold is printed as a note. Summary line:
"http probes: N probes passed, M failed".

Exits non-zero on any failure; prints one line "http fuzz: N runs passed, M failed" at the end
(the probe phase counts as one run).
"""
from __future__ import annotations

import argparse
import base64
import collections
import hashlib
import hmac
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import typing
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import uuid

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret: str, role: str, business: str | None = None) -> str:
    now = int(time.time())
    claims = {"sub": str(uuid.uuid4()), "role": role, "iat": now, "exp": now + 3600}
    if business:
        claims["business"] = business
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    return head + "." + b64(hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest())


def call(url: str, method: str, path: str, body: dict, bearer: str | None = None) -> dict:
    request = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    if bearer:
        request.add_header("Authorization", "Bearer " + bearer)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


# --------------------------------------------------------------------------- probes
# A deterministic pass over every query parameter the server takes (and the ids in its paths) with
# inputs that trip parsers which accept more than they handle: every Unicode decimal-digit set
# (`\d`, isNumber and the like take them; Int() does not), signs, leading zeros, exponents,
# 10,000-digit runs, lookalike letters and slashes, invisible characters, NUL and escapes that
# are not UTF-8. Each answer must be a 2xx, or a 4xx whose JSON body has a "message" string:
# never a 5xx, a dropped connection or a hang.

class Raw(str):
    """A query value sent as it is, not percent-encoded: a "+" is then a space, %ED%A0%80 a lone
    surrogate's bytes (not UTF-8), "%" and "%zz" broken escapes."""


DIGIT_ZEROS = [cp for cp in range(0x110000) if unicodedata.decimal(chr(cp), -1) == 0 and unicodedata.category(chr(cp)) == "Nd"]
# Arabic-Indic ٠, extended Arabic-Indic ۰, Devanagari ०, Bengali ০, Thai ๐, full-width ０, mathematical bold 𝟎.
KEY_ZEROS = [0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0xFF10, 0x1D7CE]
# Invisible and layout characters: zero-width space and joiner, word joiner, soft hyphen, RTL
# override, BOM, a combining acute accent, NUL.
INVISIBLES = ["\u200b", "\u200d", "\u2060", "\u00ad", "\u202e", "\ufeff", "\u0301", "\x00"]
CYRILLIC = {"a": "\u0430", "c": "\u0441", "e": "\u0435"}
BROKEN = [Raw("%ED%A0%80"), Raw("%FF"), Raw("%C0%80"), Raw("%"), Raw("%zz")]


def in_digits(text: str, zero: int) -> str:
    """`text` with its ASCII digits written in the digit set whose zero is `zero`."""
    return "".join(chr(zero + ord(ch) - 48) if "0" <= ch <= "9" else ch for ch in text)


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def numbers(n: str = "10", every_set: bool = False) -> list[str]:
    """`n` written the ways a lenient number parser half-takes it."""
    sets = DIGIT_ZEROS[1:] if every_set else KEY_ZEROS
    return [in_digits(n, z) for z in sets] + [
        n[0] + in_digits(n[1:], 0x660), "+" + n, Raw("+" + n), "\u2212" + n, "\uff0b" + n, "-" + n, "-1", "-0", "+0", "0", "00",
        "00" + n, "0" * 30 + n, "1e2", "1E2", "1.0", "10.", "0x10", "1_0", "1,0", " " + n, n + " ", "\t" + n, n + "\x00",
        "\u200b" + n, n + "\u200d", "\ufeff" + n, "\u202e" + n[::-1], n + "\u0301", "\u00b2", "\u2460", "\u216b", "\u00bd",
        "\u3007", "99999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "9" * 10000, "0" * 9999 + "5", "\u0661" * 2000, "", "NaN", "Infinity",
    ] + BROKEN


def uuids(base: str) -> list[str]:
    """The UUID `base` spelled the ways a lenient UUID parser might take it."""
    cyr = "".join(CYRILLIC.get(ch, ch) for ch in base)
    return [
        base.upper(), "{" + base + "}", "urn:uuid:" + base, base.replace("-", ""), full_width(base),
        in_digits(base, 0x660), in_digits(base, 0xFF10), in_digits(base, 0x1D7CE), cyr if cyr != base else "\u0430" + base,
        base.replace("-", "\u2212"), base.replace("-", "\u2010"), base.replace("-", "\uff0d"), base[:8] + "\u200b" + base[8:],
        "\ufeff" + base, "\u202e" + base, base + "\u0301", base + "\x00", " " + base, base + " ", Raw("+" + base),
        base + "0" * (10000 - len(base)), base[:-1], base + "0", "",
    ] + BROKEN


def dates(every_set: bool = True) -> list[str]:
    """YYYY-MM-DD as a lenient date parser half-takes it."""
    return [
        "\uff12\uff10\uff12\uff16-01-01", "2026-01-0\u0661", "+2026-01-01", Raw("+2026-01-01"), "2026-1-1", "2026-02-30",
        "2025-02-29", "99999-01-01", "10000-01-01", "0000-01-01", "0001-01-01", "1969-12-31", "-001-01-01", "2026-13-01",
        "2026-00-10", "2026-01-00", "2026-01-32", "2026-01-01T00:00:00Z", "2026/01/01", "20260101", "2026.01.01",
        "2026\u221201\u221201", "2026\u201001\u201001", "2026\uff0d01\uff0d01", "2026\u204401\u204401", "2026-01-01\x00",
        " 2026-01-01", "2026-01-01 ", "\u200b2026-01-01", "\ufeff2026-01-01", "\u202e2026-01-01", "2026-01-01\u0301",
        full_width("2026-01-01"), "02026-01-01", "2026-001-01", "2026-01-1", "2" * 10000, "2026-01-" + "0" * 9990 + "1",
        "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661", "",
    ] + [in_digits("2026", z) + "-01-01" for z in (DIGIT_ZEROS[1:] if every_set else KEY_ZEROS)] + [
        "2026-0" + chr(z + 1) + "-01" for z in KEY_ZEROS] + BROKEN


def texts() -> list[str]:
    """Search words: lookalikes (case and width folding map them onto ASCII), invisible and
    combining characters, other scripts' digits, the FTS syntax, and lengths in characters that
    are not lengths in bytes."""
    return [
        "\uff48\uff54\uff54\uff50\uff53", "t\u0435xt", "hell\u03bf", "\u017f", "\u0131", "\u0130", "\u0130stanbul", "\u212a",
        "\u212b", "\u00df", "STRASSE", "\ufb01le", "e\u0301", "\u0301", "\u0301" * 300, "a" + "\u0301" * 3000, "\u200b",
        "a\u200db", "\u202eabc", "\ufeffa", "\x00", "a\x00b", "\u0661\u0662\u0663", "\U0001d7cf\U0001d7d0", full_width("2026"),
        "+", "-", "\u2212", "\u2044", "\uff0f", "\u2024", '"', "*", "a*", "^a", "a:b", "(", ")", "'", "\\", "%", "_",
        "AND", "OR", "NOT", "NEAR", "NEAR(a b)", "a OR b", "\U0001F469\u200d\U0001F469\u200d\U0001F467", "x" * 200, "x" * 201,
        "x" * 500, "x" * 501, "9" * 10000, " ".join("w%d" % i for i in range(11)), " ", "",
    ] + BROKEN


def shown(value: str) -> str:
    text = ascii(str(value))[1:-1]
    text = (text[:40] + f"...({len(value)} chars)") if len(text) > 48 else text
    return text + " (unencoded)" if isinstance(value, Raw) else text


class Probe(typing.NamedTuple):
    label: str          # what the failure lines show (long values cut short)
    path: str           # path and query as sent
    bearer: str | None
    who: str
    param: str          # "limit on /chat/sessions/"
    value: str          # shown
    strict: bool        # the value is not one the parameter holds: a 2xx to it is noted (accepted, not a failure)


def start_session(url: str, business: str) -> str:
    """A session of `business` (waiting out one short 429: new sessions are limited per address)."""
    for attempt in range(2):
        try:
            return call(url, "POST", "/chat/start-session/", {"business": business})["data"]["session_id"]
        except urllib.error.HTTPError as error:
            if error.code != 429 or attempt:
                raise
            time.sleep(min(float(error.headers.get("Retry-After") or 5), 15) + 0.2)
    raise AssertionError("unreachable")


def probe_list(business: str, session: str, admin: str, agent: str) -> list[Probe]:
    out = []
    whom = {admin: "as the admin", agent: "as an agent", None: "without a token"}

    def add(path: str, name: str | None, values, bearer, strict=True, extra="", canonical=()):
        for value in values:
            sent = value if isinstance(value, Raw) else urllib.parse.quote(value, safe="")
            if name is None:       # an id in the path
                label, full, param = path.replace("{}", shown(value)), path.replace("{}", sent), "the id in " + path
            else:
                label, full, param = f"{path}?{name}={shown(value)}{extra}", f"{path}?{name}={sent}{extra}", f"{name} on {path}"
            # An empty value, or one whose escapes are not UTF-8, may count as no value at all.
            absent = value == "" or value in BROKEN[:3]
            out.append(Probe(label, full, bearer, whom[bearer], param, shown(value), strict and not absent and value not in canonical))

    other = str(uuid.UUID(int=0x5A0C2E7B3D414B6F9F281E8D7C6B5A43))
    biz = f"&business={business}"
    # limits and cursors: ASCII digits, no sign, no leading zero (docs/API.md); the inbox's cursor is opaque
    add("/chat/sessions/", "limit", numbers("10", every_set=True), agent)
    add(f"/chat/history/{session}/", "limit", numbers("10"), agent)
    add("/chat/search/", "limit", numbers("10"), agent, extra="&q=hello")
    add("/chat/search/", "cursor", numbers("12"), agent, extra="&q=hello")
    millis = ["1751457600000", "+1", "-1", "007", "\uff11\uff12", "1e3", "9223372036854775807", "-9223372036854775808",
              "9223372036854775808", "9" * 10000, "\u0661\u0662", "1\x00"]
    cursors = [base64.urlsafe_b64encode(f"{m}|{u}".encode()).rstrip(b"=").decode() for m in millis
               for u in (other.upper(), other, full_width(other)[:8] + other[8:])]
    add("/chat/sessions/", "cursor", cursors + numbers("12") + ["=", "==", "+/+/", "a" * 10000], agent, canonical=cursors[:2])
    add(f"/chat/history/{session}/", "after", uuids(other) + numbers("1"), agent)
    add("/chat/sessions/", "active", ["\uff54\uff52\uff55\uff45", "\uff11", "\u0661", "tru\u0435", "TRUE", "True", "\u0130",
                                      "yes", "on", "1\x00", "true\u200b", "\ufefftrue", "+1", "01", "-0"] + BROKEN, agent,
        canonical=("TRUE", "True"))
    add("/chat/sessions/", "assigned", ["\uff4d\uff45", "ME", "m\u0435", "nOne", "ANY", "n\u043ene", "\u212a", "me\x00"]
        + uuids(other), agent, canonical=("ME", "nOne", "ANY", other.upper()))
    add("/chat/sessions/", "department", uuids(other), agent, canonical=(other.upper(),))
    # free text
    add("/chat/search/", "q", texts(), agent, strict=False)
    add("/chat/canned-responses/", "q", texts(), agent, strict=False)
    add("/chat/visitors/export/", "external_customer_id", texts() + ["c" * 255, "c" * 256], admin, strict=False, extra=biz)
    # business= (the platform admin names the business)
    for path, extra in (("/chat/settings/", ""), ("/chat/search/", "&q=hello"), ("/chat/canned-responses/", ""),
                        ("/chat/webhooks/", ""), ("/chat/visitors/export/", "&external_customer_id=fz"), ("/chat/reports/", "")):
        values = uuids(business)
        if path not in ("/chat/settings/", "/chat/reports/"):      # the same reader: a sample
            values = values[:2] + values[5:9] + values[13:16] + values[-5:-3]
        add(path, "business", values, admin, extra=extra, canonical=(business.upper(),))
    add("/chat/widget-config/", "business", uuids(business), None, canonical=(business.upper(),))
    # ids in paths
    add("/chat/history/{}/", None, uuids(session), agent, canonical=(session.upper(),))
    add("/admin/businesses/{}/agents/", None, uuids(business), admin, canonical=(business.upper(),))
    add("/chat/visitors/{}/export/?business=" + business, None, uuids(other), admin)
    add("/media/chat_attachments/{}", None, ["a\u2024pdf", "a\uff0epdf", "..\u2044..\u2044etc", "..\uff0f..\uff0fetc",
                                              "\u0661.png", "a.pdf\x00.png", "a" * 10000, Raw("..%2F..%2Fetc%2Fpasswd"),
                                              Raw("%2e%2e"), Raw("%c0%ae%c0%ae")] + BROKEN, None, strict=False)
    # reports last: from/to are read as dates (the one known crash, a full-width year, is here)
    add("/chat/reports/", "from", dates(), agent, extra="&to=2026-01-31")
    add("/chat/reports/", "to", dates(every_set=False), agent)
    for first, last in (("9999-12-31", "9999-12-31"), ("1970-01-01", "1970-12-31"), ("0001-01-01", "0001-01-01"),
                        ("2026-12-31", "2026-01-01"), ("2024-01-01", "2024-12-31"), ("2025-01-01", "2026-01-02")):
        add("/chat/reports/", "from", [first], agent, strict=False, extra="&to=" + last)
    return out


def fetch(url: str, bearer: str | None, timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if bearer:
        request.add_header("Authorization", "Bearer " + bearer)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def healthy(url: str) -> bool:
    try:
        return fetch(url + "/health", None, 5)[0] == 200
    except (OSError, http.client.HTTPException):
        return False


def run_probes(url: str, probes: list[Probe], seconds: float) -> tuple[int, list[str], list[str]]:
    """Sends the probes one after the other, for at most `seconds`: (passed, failures, notes)."""
    passed, failures, notes, accepted = 0, [], [], collections.defaultdict(list)
    started = time.monotonic()
    for index, probe in enumerate(probes):
        left = seconds - (time.monotonic() - started)
        if left <= 0:
            notes.append(f"the probe phase stopped at {seconds:g} s: {len(probes) - index} of {len(probes)} probes not sent")
            break
        wait = min(10.0, max(left, 2.0))
        try:
            status, body = fetch(url + probe.path, probe.bearer, wait)
        except (OSError, http.client.HTTPException) as error:
            timeout = isinstance(error, socket.timeout) or isinstance(getattr(error, "reason", None), socket.timeout)
            failures.append(f"GET {probe.label} ({probe.who}): " + (f"no answer within {wait:g} s" if timeout else
                            f"connection dropped ({error.__class__.__name__}: {error})"))
            if not healthy(url):
                failures.append(f"the server is down after GET {probe.label}: {len(probes) - index - 1} probes not sent")
                break
            continue
        if 200 <= status < 300:
            passed += 1
            if probe.strict:
                accepted[probe.param].append(probe.value)
            continue
        message = None
        if 400 <= status < 500:
            try:
                data = json.loads(body)
                message = data.get("message") if isinstance(data, dict) else None
            except ValueError:
                pass
            if isinstance(message, str):
                passed += 1
                continue
        failures.append(f"GET {probe.label} ({probe.who}): HTTP {status}"
                        + ("" if status >= 500 else " without a JSON \"message\"") + f": {body[:160]!r}")
    for param, values in accepted.items():
        notes.append(f"accepted (2xx): {param}: {', '.join(values[:8])}" + (f" and {len(values) - 8} more" if len(values) > 8 else ""))
    return passed, failures, notes


def probe_phase(url: str, probes: list[Probe], seconds: float) -> int:
    """The probes, then GET /health; prints each failure and the summary line; the number failed."""
    print(f"== probes: {len(probes)} GET requests with lookalike digits, signs and letters in every query parameter "
          f"and path id (at most {seconds:g} s)", flush=True)
    if not healthy(url):
        print("FAIL GET /health before the probes: no 200 (the server went down earlier)")
        print("http probes: 0 probes passed, 1 failed")
        return 1
    started = time.monotonic()
    passed, failures, notes = run_probes(url, probes, seconds)
    if healthy(url):
        passed += 1
    else:
        failures.append("GET /health after the probes: no 200")
    for line in failures[:40]:
        print(f"FAIL {line}")
    if len(failures) > 40:
        print(f"  ... and {len(failures) - 40} more")
    for line in notes:
        print(f"  note: {line}")
    print(f"  {len(probes)} probes in {time.monotonic() - started:.1f} s")
    print(f"http probes: {passed} probes passed, {len(failures)} failed")
    return len(failures)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--st", default="st", help="the schemathesis command")
    parser.add_argument("--max-examples", default="50")
    parser.add_argument("--seed", default=str(int.from_bytes(os.urandom(4), "big")))
    parser.add_argument("--probe-only", action="store_true", help="skip schemathesis: only the probe phase")
    parser.add_argument("--probe-seconds", type=float, default=20, help="cap of the probe phase (default 20)")
    args = parser.parse_args()
    url = args.url.rstrip("/")

    admin = token(args.secret, "admin")
    business = call(url, "POST", "/admin/businesses/", {"name": "fuzzed shop"}, admin)["data"]["id"]
    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    call(url, "POST", f"/admin/businesses/{business}/agents/", {"email": email, "password": "fuzz-password-1", "name": "Fuzz"}, admin)
    agent = call(url, "POST", "/auth/login/", {"email": email, "password": "fuzz-password-1"})["data"]["token"]
    # For the probes: a session to read the history of, an agent token schemathesis cannot log out
    # (a token of the business, provisioned at first sight), a canned response full of lookalikes.
    session = start_session(url, business)
    probe_agent = token(args.secret, "agent", business)
    try:
        call(url, "POST", f"/chat/canned-responses/?business={business}",
             {"shortcut": "fz-lookalikes", "content": "\uff48\uff54\uff54\uff50\uff53 t\u0435xt \u017f \u0131 \u0130 \u212a \u00df "
              "\ufb01 e\u0301 \u0661\u0662\u0663 \U0001d7cf \u2044 \u200d \u202e"}, admin)
    except (OSError, ValueError) as error:
        print(f"  note: no canned response for the probes ({error})")

    print(f"http fuzz: seed {args.seed}, business {business}")
    passed = failed = 0
    for label, bearer in () if args.probe_only else (("as the admin", admin), ("as an agent", agent)):
        command = [args.st, "run", url + "/openapi.json", "--url", url, "--checks", CHECKS,
                   "--header", "Authorization: Bearer " + bearer, "--max-examples", args.max_examples,
                   "--seed", args.seed, "--workers", "1", "--phases", "examples,coverage,fuzzing",
                   "--suppress-health-check", "all", "--no-color"]
        print(f"== schemathesis {label}", flush=True)
        status = subprocess.run(command).returncode
        if status == 0:
            passed += 1
        else:
            failed += 1
            print(f"schemathesis {label} failed (exit {status})")
    if probe_phase(url, probe_list(business, session, admin, probe_agent), args.probe_seconds):
        failed += 1
    else:
        passed += 1
    print(f"http fuzz: {passed} runs passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
