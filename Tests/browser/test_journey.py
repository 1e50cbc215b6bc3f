"""The visitor's journey (issue 24): no chat from opening the widget, no word lost to a refused
start, a required field, a dead server, a reload or a dropped socket, the visitor ends the chat,
the away banner follows the agents, no join/leave lines for a console's reconnect."""
import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import SECRET, Server, ShopPage
from pages import Console, Widget, mint, wait_until
from test_merchant import new_business


@pytest.fixture
def shop_of_its_own(server):
    """A business of its own (its settings change here), its two agents' emails, and a shop page
    of another origin with its widget."""
    business, emails = new_business(server)
    page = ShopPage(server, business)
    yield business, emails, page
    page.close()


def sessions(server, business):
    headers = {"Authorization": "Bearer " + mint(SECRET, "agent", business)}
    return requests.get(server.base + "/chat/sessions/", headers=headers, timeout=10).json()["data"]


def history(server, business, session):
    headers = {"Authorization": "Bearer " + mint(SECRET, "agent", business)}
    reply = requests.get(server.base + f"/chat/history/{session}/", headers=headers, timeout=10).json()
    return [item["data"].get("content") for item in reply["data"] if item["type"] == "message"]


def set_prechat(server, business, prechat):
    admin = {"Authorization": "Bearer " + mint(SECRET, "admin", None)}
    reply = requests.patch(server.base + f"/chat/settings/?business={business}", headers=admin, json={"prechat": prechat}, timeout=10)
    assert reply.status_code == 200, reply.text


def test_opening_and_closing_the_widget_starts_no_chat(server, browsers, shop_of_its_own):
    business, _, page = shop_of_its_own
    widget = Widget(browsers("visitor"), page.url)
    widget.open()
    widget.find("header button[aria-label='Close chat']").click()
    widget.open()
    wait_until(lambda: widget.find("form.compose textarea").is_enabled(), message="the composer")
    assert widget.session_id() is None
    assert sessions(server, business) == []
    widget.send("Do you ship to Norway?")
    widget.wait_for("Do you ship to Norway?", "visitor")
    rows = sessions(server, business)
    assert len(rows) == 1 and rows[0]["session_id"] == widget.session_id()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_returning_visitor_meets_a_newly_required_email_and_loses_no_word(server, browsers, width, shop_of_its_own):
    business, _, page = shop_of_its_own
    driver = browsers("visitor")
    driver.set_window_size(width, 844 if width < 500 else 900)
    widget = Widget(driver, page.url)
    widget.open()
    widget.send("My first question")
    widget.wait_for("My first question", "visitor")
    first = widget.session_id()
    # The visitor ends the chat (a second click confirms).
    end = widget.find("header .end")
    wait_until(lambda: end.is_displayed(), message="the End chat button")
    end.click()
    end.click()
    wait_until(lambda: widget.find(".ended").is_displayed(), message="the ended banner")
    assert sessions(server, business)[0]["active"] is False
    # The shop makes the email required; the visitor comes back another day.
    set_prechat(server, business, {"name": "optional", "email": "required"})
    driver.refresh()
    widget = Widget(driver, page.url)
    widget.open()
    wait_until(lambda: widget.find(".ended").is_displayed(), message="the old chat, ended")
    widget.find(".ended button").click()
    widget.send("A second question, after the end")
    # The start is refused for the missing email: the form asks for it, the words wait in sight.
    form = widget.find("form.prechat")
    wait_until(lambda: form.is_displayed(), message="the pre-chat form")
    wait_until(lambda: "Your email: This field is required." in widget.find(".prechat .error").text, message="the email's problem")
    assert not widget.find("form.compose").is_displayed()
    assert widget.pending() == ["A second question, after the end"]
    assert [frame["content"] for frame in widget.outbox()] == ["A second question, after the end"]
    # A reload before answering loses nothing either.
    driver.refresh()
    widget = Widget(driver, page.url)
    wait_until(lambda: widget.outbox() and widget.pending(), message="the waiting words after a reload")
    widget.open()
    form = widget.find("form.prechat")
    wait_until(lambda: form.is_displayed(), message="the form again")
    form.find_element(By.ID, "livechat-prechat-name").send_keys("Robin Moss")
    form.find_element(By.ID, "livechat-prechat-email").send_keys("Robin@Shop.Example")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    widget.wait_for("A second question, after the end", "visitor")
    wait_until(lambda: widget.outbox() == [], message="the outbox emptied")
    second = widget.session_id()
    assert second != first
    assert history(server, business, second) == ["A second question, after the end"]
    rows = {row["session_id"]: row for row in sessions(server, business)}
    assert rows[second]["visitor"]["email"] == "robin@shop.example" and rows[second]["visitor"]["name"] == "Robin Moss"
    assert rows[first]["visitor"]["id"] == rows[second]["visitor"]["id"]  # the same visitor


def test_a_socket_killed_between_send_and_acknowledgement_and_a_reload_store_the_text_once(server, browsers, shop_of_its_own):
    business, _, page = shop_of_its_own
    driver = browsers("visitor")
    widget = Widget(driver, page.url)
    widget.open()
    widget.send("hello")
    widget.wait_for("hello", "visitor")
    session = widget.session_id()
    # Every text frame reaches the server, then its socket is cut before the broadcast comes back.
    driver.execute_script("""
        var send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) {
          send.call(this, data);
          if (String(data).indexOf('"type":"text"') >= 0) this.close();
        };""")
    widget.send("sent as the line dropped")
    wait_until(lambda: "sent as the line dropped" in history(server, business, session), message="the text stored")
    # The page is reloaded before any acknowledgement: the outbox still holds the text.
    assert [frame["content"] for frame in widget.outbox()] == ["sent as the line dropped"]
    driver.refresh()
    widget = Widget(driver, page.url)
    widget.open()
    widget.wait_for("sent as the line dropped", "visitor")
    wait_until(lambda: widget.outbox() == [], message="the outbox emptied")
    assert history(server, business, session).count("sent as the line dropped") == 1
    texts = [text for _, text in widget.messages()]
    assert sum("sent as the line dropped" in t for t in texts) == 1 and not widget.pending()


def test_a_text_typed_while_the_server_is_down_is_sent_when_it_is_back(browsers):
    own = Server()
    own.start()
    page = ShopPage(own, own.demo()["business"])
    try:
        widget = Widget(browsers("visitor"), page.url)
        widget.open()
        widget.send("before the outage")
        widget.wait_for("before the outage", "visitor")
        session = widget.session_id()
        own.stop()
        widget.send("typed while the server is down")
        wait_until(lambda: widget.pending() == ["typed while the server is down"], message="the text waiting")
        own.start()
        widget.wait_for("typed while the server is down", "visitor")
        assert history(own, own.demo()["business"], session).count("typed while the server is down") == 1
    finally:
        page.close()
        own.stop()


def test_the_away_banner_follows_the_agent_and_a_console_reconnect_is_no_join_or_leave(server, browsers, shop_of_its_own):
    business, emails, page = shop_of_its_own
    widget = Widget(browsers("visitor"), page.url)
    widget.open()
    wait_until(lambda: widget.find(".away").is_displayed(), message="the away banner (nobody online)")
    widget.send("Anyone there?")
    widget.wait_for("Anyone there?", "visitor")
    console = Console(browsers("agent"), server.base)
    console.login(emails["admin"], "secret-password")
    console.open_chat(widget.session_id())
    d = console.driver
    d.find_element(By.ID, "composer-input").send_keys("Yes, I am here!\n")
    widget.wait_for("Yes, I am here!", "agent")
    # The banner goes as the agent answers, without reopening the widget.
    wait_until(lambda: not widget.find(".away").is_displayed(), timeout=3, message="the banner gone")
    wait_until(lambda: [n for n in widget.root.find_elements(By.CSS_SELECTOR, ".system") if "joined" in n.text],
               message="the agent's join line")
    # The console reconnects (a reload): the visitor sees no leave and no second join.
    d.refresh()
    console.open_chat(widget.session_id())
    d.find_element(By.ID, "composer-input").send_keys("Still here.\n")
    widget.wait_for("Still here.", "agent")
    time.sleep(6)  # past the 5 s in which a leave followed by a join is a reconnect
    lines = [n.text for n in widget.root.find_elements(By.CSS_SELECTOR, ".system")]
    assert lines == ["An agent joined the chat."], lines


def sign_in_again(console, email):
    """The login form shown after a logout, in the same page (no reload: the console's state stays)."""
    d = console.driver
    wait_until(lambda: d.find_element(By.ID, "login-email").is_displayed(), message="the login form")
    d.find_element(By.ID, "login-email").clear()
    d.find_element(By.ID, "login-email").send_keys(email)
    d.find_element(By.ID, "login-password").send_keys("secret-password")
    d.find_element(By.ID, "login-submit").click()
    wait_until(lambda: d.find_element(By.ID, "inbox").is_displayed(), message="the inbox")


def test_the_console_lands_on_chats_to_answer_and_a_chat_with_an_offline_agent_alerts(server, browsers, shop_of_its_own):
    business, emails, page = shop_of_its_own
    console = Console(browsers("agent"), server.base)
    console.login(emails["admin"], "secret-password")
    d = console.driver
    Select(d.find_element(By.ID, "filter-status")).select_by_value("ended")
    d.find_element(By.ID, "logout").click()
    # A visitor writes while nobody is online.
    widget = Widget(browsers("visitor"), page.url)
    widget.open()
    widget.send("Hello? Anyone?")
    widget.wait_for("Hello? Anyone?", "visitor")
    session = widget.session_id()
    # Back in the console: the chats to answer, and their count in the title.
    sign_in_again(console, emails["admin"])
    assert d.find_element(By.ID, "filter-status").get_attribute("value") == "active"
    console.inbox_item(session)
    wait_until(lambda: d.title.startswith("(1) "), message="the count in the title")
    # Assigning to the offline agent says so; accepted, the chat goes to them.
    console.open_chat(session)
    option = wait_until(lambda: [o for o in d.find_elements(By.CSS_SELECTOR, "#assign-to option") if "Plain Agent" in o.text],
                        message="the plain agent in the list")[0]
    assert "offline" in option.text
    option.click()
    alert = wait_until(lambda: d.switch_to.alert, message="the offline warning")
    assert "offline" in alert.text and "queue" in alert.text
    alert.accept()
    wait_until(lambda: sessions(server, business)[0]["assigned_agent"] is not None, message="the assignment")
    # The visitor writes again: the online admin is alerted, as for an unassigned chat.
    d.execute_script("document.getElementById('back').click()")
    wait_until(lambda: not d.title.startswith("("), message="no count while nothing waits")
    widget.send("Is someone coming?")
    wait_until(lambda: d.title.startswith("(1) "), message="the alert for the offline agent's chat")


def tall_png(width=240, height=640) -> str:
    """A PNG taller than the widget's log, so that its arrival moves the list's bottom."""
    import os
    import struct
    import tempfile
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes([40, 90, 200]) * width for _ in range(height))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    path = os.path.join(tempfile.mkdtemp(), "tall.png")
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_on_a_phone_an_image_scrolls_into_view_and_an_ended_chat_keeps_room_for_its_messages(server, browsers, shop_of_its_own):
    business, _, page = shop_of_its_own
    driver = browsers("visitor")
    driver.set_window_size(390, 844)
    widget = Widget(driver, page.url)
    widget.open()
    for i in range(6):
        widget.send(f"line {i}")
    widget.wait_for("line 5", "visitor")
    widget.attach(tall_png())
    image = wait_until(lambda: widget.root.find_elements(By.CSS_SELECTOR, ".msg[data-id] img"), message="the image")[0]
    wait_until(lambda: driver.execute_script("return arguments[0].complete && arguments[0].naturalHeight > 0", image),
               message="the image loaded")
    log = widget.find(".log")
    wait_until(lambda: driver.execute_script("var l = arguments[0]; return l.scrollHeight - l.scrollTop - l.clientHeight < 4", log),
               message="the list at its bottom after the image")
    end = widget.find("header .end")
    end.click()
    end.click()
    wait_until(lambda: widget.find(".ended").is_displayed() and widget.find(".rate").is_displayed(), message="the ended banner and the rating")
    assert not widget.find("form.compose").is_displayed()
    assert log.size["height"] >= 140, log.size


def test_the_pre_chat_form_names_every_missing_answer_at_once(server, browsers, shop_of_its_own):
    business, _, page = shop_of_its_own
    set_prechat(server, business, {"name": "required", "email": "required"})
    widget = Widget(browsers("visitor"), page.url)
    widget.open()
    form = widget.find("form.prechat")
    wait_until(lambda: form.is_displayed(), message="the pre-chat form")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert widget.find(".prechat .error").text == "Please enter your name. Please enter your email."
    form.find_element(By.ID, "livechat-prechat-email").send_keys("not an email")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert widget.find(".prechat .error").text == "Please enter your name. Please enter a valid email address."
    assert widget.session_id() is None
