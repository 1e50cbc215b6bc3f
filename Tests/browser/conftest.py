"""Browser tests: the widget on a page of another origin and the agent console, in real Chromium
(Debian's chromium + chromium-driver, headless) against a real livechat server started here.

Environment: LIVECHAT_BIN (the server binary, required), ARTIFACTS (where failure screenshots go,
default ./artifacts). Without chromium the tests are skipped with the reason, except under CI=true
where a missing browser is a failure.
"""
from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARTIFACTS = os.environ.get("ARTIFACTS", os.path.join(REPO, "artifacts"))
SECRET = "browser-tests-secret-" + uuid.uuid4().hex


def pytest_collection_modifyitems(config, items):
    if CHROMIUM and CHROMEDRIVER:
        return
    reason = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests: " + reason)
    print("SKIPPED browser tests: " + reason)
    for item in items:
        item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A livechat server process on a throwaway data folder; can be stopped and started again."""

    def __init__(self):
        self.binary = os.environ["LIVECHAT_BIN"]
        self.port = free_port()
        self.data = tempfile.mkdtemp(prefix="livechat-browser-")
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = open(os.path.join(self.data, "server.log"), "ab")

    def start(self):
        # A short presence grace: a test sees an agent go offline (the widget's away banner) in seconds.
        env = {**os.environ, "LIVECHAT_DATA_DIR": self.data, "LIVECHAT_JWT_SECRET": SECRET, "LIVECHAT_DEMO": "1",
               "LIVECHAT_PRESENCE_GRACE": "2"}
        # The server serves the pages compiled into it (from Public/ at build time).
        self.proc = subprocess.Popen([self.binary, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=REPO)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("livechat did not start; see " + self.data)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.proc = None

    def demo(self) -> dict:
        return requests.get(self.base + "/demo.json", timeout=5).json()["data"]


@pytest.fixture(scope="session")
def server():
    s = Server()
    s.start()
    yield s
    s.stop()
    shutil.rmtree(s.data, ignore_errors=True)


class ShopPage:
    """A merchant page on ANOTHER origin (its own port) that embeds the widget of `business`."""

    def __init__(self, server, business):
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Another shop</title>
<style>body{{font-family:sans-serif}} button{{color:red}}</style></head>
<body><h1>Another shop</h1><p>Product page.</p>
<script src="{server.base}/widget.js" data-business="{business}" async></script></body></html>"""
        self.root = tempfile.mkdtemp(prefix="livechat-shop-")
        with open(os.path.join(self.root, "index.html"), "w") as f:
            f.write(page)
        root = self.root

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=root, **kw)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Quiet)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/index.html"

    def close(self):
        self.httpd.shutdown()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def shop(server):
    """The demo business's widget on a page of another origin."""
    page = ShopPage(server, server.demo()["business"])
    yield page.url
    page.close()


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture
def browsers(request):
    """browsers(name) -> a fresh Chromium; screenshots of every one are kept when the test fails."""
    opened = {}

    def open_browser(name):
        opened[name] = make_driver()
        return opened[name]

    yield open_browser
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for name, driver in opened.items():
        if failed:
            os.makedirs(ARTIFACTS, exist_ok=True)
            base = os.path.join(ARTIFACTS, f"{request.node.name}-{name}")
            try:
                driver.save_screenshot(base + ".png")
                with open(base + ".html", "w") as f:
                    f.write(driver.page_source)
                logs = driver.get_log("browser")
                with open(base + ".console.json", "w") as f:
                    json.dump(logs, f, indent=1)
            except Exception as exc:  # the screenshot must not hide the test's own failure
                print(f"could not save artefacts for {name}: {exc}")
        driver.quit()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
