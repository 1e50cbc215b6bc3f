"""A visitor on a merchant's page (another origin) and an agent in the console, in real Chromium."""
import asyncio
import json
import os
import struct
import tempfile
import zlib

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from websockets.asyncio.client import connect as ws_connect

from conftest import SECRET
from pages import Console, Widget, mint, wait_until

XSS = "<img src=x onerror=alert(1)>"


def png_file() -> str:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))
    path = os.path.join(tempfile.mkdtemp(), "photo.png")
    with open(path, "wb") as f:
        f.write(data)
    return path


def no_alert(driver):
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def test_visitor_and_agent_chat_both_ways(server, shop, browsers):
    widget = Widget(browsers("visitor"), shop)
    widget.open()
    widget.send("Hello from the shop")
    widget.wait_for("Hello from the shop", "visitor")
    session = widget.session_id()

    console = Console(browsers("agent"), server.base)
    console.login()
    item = console.inbox_item(session)
    wait_until(lambda: "Hello from the shop" in item.text, message="the preview in the inbox")
    console.open_chat(session)
    console.wait_for("Hello from the shop", "visitor")
    wait_until(lambda: widget.find(".log").text.count("An agent joined the chat.") == 1, message="the agent joining")

    # The agent types: the visitor sees it; then the reply arrives.
    console.driver.find_element(By.ID, "composer-input").send_keys("How can")
    wait_until(lambda: "typing" in widget.find(".typing").text, message="the typing indicator")
    console.driver.find_element(By.ID, "composer-input").send_keys(" I help?")
    console.driver.find_element(By.ID, "composer-send").click()
    widget.wait_for("How can I help?", "agent")
    # The agent has read the visitor's message: two ticks.
    wait_until(lambda: "✓✓" in widget.find(".msg.mine[data-seq]").text, message="the read ticks")

    widget.send("Thanks!")
    console.wait_for("Thanks!", "visitor")


def test_a_file_and_an_xss_payload(server, shop, browsers):
    widget = Widget(browsers("visitor"), shop)
    widget.open()
    widget.attach(png_file())
    wait_until(lambda: widget.root.find_elements(By.CSS_SELECTOR, ".msg[data-id] img"), message="the image in the widget")
    widget.send(XSS)
    widget.wait_for(XSS, "visitor")

    console = Console(browsers("agent"), server.base)
    console.login()
    console.open_chat(widget.session_id())
    console.wait_for(XSS, "visitor")
    files = console.driver.find_elements(By.CSS_SELECTOR, "#messages .message img.file-image, #messages .message a.file-link")
    assert files, "the console shows the uploaded file"
    src = files[0].get_attribute("src") or files[0].get_attribute("href")
    assert src.startswith(server.base + "/media/chat_attachments/")
    # The payload is text on both pages: no element was made from it, no script ran.
    assert not widget.root.find_elements(By.CSS_SELECTOR, ".msg img[src='x']")
    assert not console.driver.find_elements(By.CSS_SELECTOR, "#messages img[src='x']")
    assert no_alert(widget.driver) and no_alert(console.driver)
    console.reply(XSS + " back")
    widget.wait_for(XSS + " back", "agent")
    assert no_alert(widget.driver)


def test_a_reload_resumes_the_chat(server, shop, browsers):
    driver = browsers("visitor")
    widget = Widget(driver, shop)
    widget.open()
    widget.send("before the reload")
    widget.wait_for("before the reload", "visitor")
    session = widget.session_id()
    driver.refresh()
    widget = Widget(driver, shop)
    widget.open()
    assert widget.session_id() == session
    widget.wait_for("before the reload", "visitor")
    widget.send("after the reload")
    widget.wait_for("after the reload", "visitor")
    assert sum("before the reload" in text for _, text in widget.messages()) == 1


def test_a_dropped_connection_catches_up(server, shop, browsers):
    widget = Widget(browsers("visitor"), shop)
    widget.open()
    widget.send("still there?")
    widget.wait_for("still there?", "visitor")
    session = widget.session_id()
    business = server.demo()["business"]

    server.stop()   # every socket drops; the widget retries with backoff
    server.start()

    async def agent_says(text):
        url = server.base.replace("http", "ws") + f"/ws/visitor-chat/?session_id={session}"
        async with ws_connect(url, subprotocols=["Bearer", mint(SECRET, "agent", business)]) as ws:
            assert json.loads(await ws.recv())["type"] == "connection_established"
            await ws.send(json.dumps({"type": "text", "content": text}))
            while json.loads(await ws.recv()).get("content") != text:
                pass

    asyncio.run(agent_says("sent while you were away"))
    widget.wait_for("sent while you were away", "agent")
    widget.send("back online")
    widget.wait_for("back online", "visitor")
    texts = [text for _, text in widget.messages()]
    assert sum("sent while you were away" in t for t in texts) == 1


def test_the_agent_ends_the_chat_and_the_widget_shows_it(server, shop, browsers):
    widget = Widget(browsers("visitor"), shop)
    widget.open()
    widget.send("please close this")
    widget.wait_for("please close this", "visitor")
    widget.driver.execute_script("window.__ended = []; LiveChat.on('session_ended', function (e) { window.__ended.push(e.type); });")

    console = Console(browsers("agent"), server.base)
    console.login()
    console.open_chat(widget.session_id())
    console.driver.find_element(By.ID, "end-chat").click()
    wait_until(lambda: not no_alert(console.driver), message="the confirmation")
    console.driver.switch_to.alert.accept()
    wait_until(lambda: widget.find(".ended").get_attribute("hidden") is None, message="the ended banner in the widget")
    assert not widget.find("form.compose textarea").is_enabled()
    assert widget.driver.execute_script("return window.__ended") == ["session_ended"]
    wait_until(lambda: console.driver.find_element(By.ID, "chat-ended").is_displayed(), message="the ended banner in the console")
    # A new chat can start from the widget.
    widget.find(".ended button").click()
    wait_until(lambda: widget.find("form.compose textarea").is_enabled(), message="a new chat")
    widget.send("a new question")
    widget.wait_for("a new question", "visitor")


def test_the_widget_api_and_the_demo_page(server, browsers):
    driver = browsers("visitor")
    driver.get(server.base + "/")
    wait_until(lambda: driver.execute_script("return !!window.LiveChat"), message="the widget on the demo page")
    driver.execute_script("window.__got = []; LiveChat.on('message', function (m) { window.__got.push(m.content); });"
                          "LiveChat.open(); LiveChat.send('sent through the API');")
    wait_until(lambda: driver.execute_script("return window.__got").count("sent through the API") == 1,
               message="the message event")
    launcher = driver.find_element(By.CSS_SELECTOR, "[data-livechat]").shadow_root.find_element(By.CSS_SELECTOR, ".launcher")
    assert launcher.get_attribute("aria-label")
    assert driver.find_element(By.LINK_TEXT, "Agent console →").get_attribute("href").endswith("/agent/")
