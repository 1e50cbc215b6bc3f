"""Page objects for the widget (inside its shadow root) and the agent console."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 15


def wait_until(predicate, timeout=WAIT, message="condition"):
    deadline = time.time() + timeout
    last_error = None
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (NoSuchElementException, StaleElementReferenceException) as exc:
            last_error = exc
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message} ({last_error})")


def mint(secret: str, role: str, business: str, sub: str | None = None) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    now = int(time.time())
    claims = {"sub": sub or str(uuid.uuid4()), "role": role, "business": business, "iat": now, "exp": now + 3600}
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    return head + "." + b64(hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest())


class Widget:
    def __init__(self, driver, url):
        self.driver = driver
        driver.get(url)
        wait_until(lambda: driver.execute_script("return !!(window.LiveChat && document.querySelector('[data-livechat]'))"),
                   message="the widget to load")

    @property
    def root(self):
        return self.driver.find_element(By.CSS_SELECTOR, "[data-livechat]").shadow_root

    def find(self, css):
        return self.root.find_element(By.CSS_SELECTOR, css)

    def open(self):
        """Opens the panel (which starts no chat: the first message does)."""
        if self.find(".panel").get_attribute("hidden") is not None:
            self.find(".launcher").click()
        wait_until(lambda: self.find(".panel").get_attribute("hidden") is None, message="the panel")

    def pending(self):
        """The texts shown as waiting to be sent."""
        return [m.text for m in self.root.find_elements(By.CSS_SELECTOR, ".msg.pending")]

    def outbox(self):
        return self.driver.execute_script(
            "for (var i = 0; i < localStorage.length; i++) { var k = localStorage.key(i);"
            " if (k.indexOf('livechat:') === 0) { return JSON.parse(localStorage.getItem(k)).outbox || []; } } return [];")

    def send(self, text):
        box = self.find("form.compose textarea")
        wait_until(lambda: box.is_enabled(), message="the composer")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def messages(self):
        return [(m.get_attribute("data-sender-type"), m.text) for m in self.root.find_elements(By.CSS_SELECTOR, ".msg[data-id]")]

    def wait_for(self, text, sender=None):
        return wait_until(lambda: [m for m in self.messages() if text in m[1] and (sender is None or m[0] == sender)],
                          message=f"{text!r} in the widget")

    def session_id(self):
        return self.driver.execute_script(
            "for (var i = 0; i < localStorage.length; i++) { var k = localStorage.key(i);"
            " if (k.indexOf('livechat:') === 0) { return JSON.parse(localStorage.getItem(k)).sessionId; } } return null;")

    def attach(self, path):
        self.find("input[type=file]").send_keys(path)


class Console:
    def __init__(self, driver, base):
        self.driver = driver
        self.base = base

    def login(self, email="agent@demo.livechat", password="demo-password"):
        d = self.driver
        d.get(self.base + "/agent/")
        WebDriverWait(d, WAIT).until(lambda d: d.find_element(By.ID, "login-email").is_displayed())
        d.find_element(By.ID, "login-email").send_keys(email)
        d.find_element(By.ID, "login-password").send_keys(password)
        d.find_element(By.ID, "login-submit").click()
        wait_until(lambda: d.find_element(By.ID, "inbox").is_displayed(), message="the inbox")

    def inbox_item(self, session_id):
        return wait_until(lambda: self.driver.find_element(By.CSS_SELECTOR, f".inbox-item[data-session-id='{session_id}']"),
                          message=f"session {session_id} in the inbox")

    def open_chat(self, session_id):
        self.inbox_item(session_id).click()
        wait_until(lambda: self.driver.find_element(By.ID, "composer-input").is_displayed(), message="the open chat")

    def messages(self):
        out = []
        for m in self.driver.find_elements(By.CSS_SELECTOR, "#messages .message[data-id]"):
            out.append((m.get_attribute("data-sender-type"), m.text))
        return out

    def wait_for(self, text, sender=None):
        return wait_until(lambda: [m for m in self.messages() if text in m[1] and (sender is None or m[0] == sender)],
                          message=f"{text!r} in the console")

    def reply(self, text):
        box = self.driver.find_element(By.ID, "composer-input")
        box.send_keys(text)
        self.driver.find_element(By.ID, "composer-send").click()
