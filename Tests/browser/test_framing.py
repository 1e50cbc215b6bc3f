"""Clickjacking: a page of another origin may frame the demo page, never the agent console or the docs."""
import http.server
import os
import shutil
import tempfile
import threading

from selenium.webdriver.common.by import By

from conftest import free_port
from pages import wait_until


def frame_location(driver, frame_id):
    """What the frame `frame_id` shows: its location and whether its page has a body with content."""
    driver.switch_to.default_content()
    driver.switch_to.frame(driver.find_element(By.ID, frame_id))
    try:
        return driver.execute_script("return [location.href, document.body ? document.body.innerText.length : 0]")
    finally:
        driver.switch_to.default_content()


def test_the_console_and_the_docs_refuse_to_be_framed(server, browsers):
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Framing page</title></head><body>
<iframe id="demo" src="{server.base}/" width="400" height="300"></iframe>
<iframe id="console" src="{server.base}/agent/" width="400" height="300"></iframe>
<iframe id="docs" src="{server.base}/docs/" width="400" height="300"></iframe></body></html>"""
    root = tempfile.mkdtemp(prefix="livechat-framer-")
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write(page)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        driver = browsers("framer")
        driver.get(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
        # The demo page loads in its frame, with its text.
        wait_until(lambda: frame_location(driver, "demo")[0].startswith(server.base)
                   and frame_location(driver, "demo")[1] > 0, message="the demo page in its frame")
        # The console and the docs never do: Chromium shows its own error page in their place.
        for frame in ("console", "docs"):
            wait_until(lambda: not frame_location(driver, frame)[0].startswith("about:"), message=f"the {frame} frame to settle")
            location, _ = frame_location(driver, frame)
            assert location.startswith("chrome-error:"), f"{frame} was framed: {location}"
        # Opened on their own, both pages load.
        driver.get(server.base + "/agent/")
        wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "input[type=password]"), message="the console's login")
    finally:
        httpd.shutdown()
        shutil.rmtree(root, ignore_errors=True)
