#!/usr/bin/env python3
"""Schemathesis against a running livechat server's /openapi.json.

    python3 Tests/fuzz/http_fuzz.py --url http://127.0.0.1:PORT --secret "$LIVECHAT_JWT_SECRET" --st /path/to/st

It mints an admin token with the server's secret, creates a business and an agent through the
admin API, logs the agent in, then runs schemathesis over every operation twice: once as the
platform admin and once as that agent (the tokens reach the endpoints of the other role too,
which must refuse them as documented). Checks: no 5xx, every status, content type, header and
body as the document says. Exits non-zero on any failure; prints one line
"http fuzz: N runs passed, M failed" at the end.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--st", default="st", help="the schemathesis command")
    parser.add_argument("--max-examples", default="50")
    parser.add_argument("--seed", default=str(int.from_bytes(os.urandom(4), "big")))
    args = parser.parse_args()
    url = args.url.rstrip("/")

    admin = token(args.secret, "admin")
    business = call(url, "POST", "/admin/businesses/", {"name": "fuzzed shop"}, admin)["data"]["id"]
    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    call(url, "POST", f"/admin/businesses/{business}/agents/", {"email": email, "password": "fuzz-password-1", "name": "Fuzz"}, admin)
    agent = call(url, "POST", "/auth/login/", {"email": email, "password": "fuzz-password-1"})["data"]["token"]

    print(f"http fuzz: seed {args.seed}, business {business}")
    passed = failed = 0
    for label, bearer in (("as the admin", admin), ("as an agent", agent)):
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
    print(f"http fuzz: {passed} runs passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
