"""A business admin's settings page, and what the widget makes of it: greeting, away banner,
pre-chat form; the visitor's name and email in the console; the widget full-screen on a phone."""
import uuid

import requests
from selenium.webdriver.common.by import By

from conftest import SECRET, ShopPage
from pages import Console, Widget, mint, wait_until


def new_business(server):
    """A business of its own (settings changed here must not leak into other tests), with an admin
    agent and a plain one: their emails."""
    admin = {"Authorization": "Bearer " + mint(SECRET, "admin", None)}
    business = requests.post(server.base + "/admin/businesses/", headers=admin,
                             json={"name": "Acme " + uuid.uuid4().hex[:6]}, timeout=10).json()["data"]["id"]
    emails = {}
    for kind, is_admin in (("admin", True), ("plain", False)):
        email = f"{kind}-{uuid.uuid4().hex[:8]}@acme.example"
        reply = requests.post(server.base + f"/admin/businesses/{business}/agents/", headers=admin, timeout=10,
                              json={"email": email, "password": "secret-password", "name": f"{kind.title()} Agent", "is_admin": is_admin})
        assert reply.status_code == 201, reply.text
        emails[kind] = email
    return business, emails


def test_an_admin_sets_a_greeting_and_a_prechat_form_and_the_widget_follows(server, browsers):
    business, emails = new_business(server)
    page = ShopPage(server, business)
    try:
        console = Console(browsers("agent"), server.base)
        console.login(emails["admin"], "secret-password")
        d = console.driver
        wait_until(lambda: d.find_element(By.ID, "open-settings").is_displayed(), message="the settings button")
        d.find_element(By.ID, "open-settings").click()
        wait_until(lambda: d.find_element(By.ID, "settings-name").get_attribute("value").startswith("Acme"), message="the settings")
        d.find_element(By.ID, "settings-greeting").send_keys("Welcome to Acme! Ask us anything.")
        d.find_element(By.ID, "settings-offline").send_keys("We are away: leave a message.")
        d.find_element(By.CSS_SELECTOR, "#settings-prechat-name option[value='required']").click()
        d.find_element(By.CSS_SELECTOR, "#settings-prechat-email option[value='optional']").click()
        d.find_element(By.ID, "settings-retention").send_keys("abc")  # a number field: the browser drops it
        d.find_element(By.ID, "settings-save").click()
        wait_until(lambda: d.find_element(By.ID, "settings-status").text == "Settings saved.", message="the save")
        saved = requests.get(server.base + f"/chat/widget-config/?business={business}", timeout=10).json()["data"]
        assert saved["greeting"] == "Welcome to Acme! Ask us anything."
        assert saved["prechat"] == {"name": "required", "email": "optional"}
        assert saved["online"] is True  # the admin's console is connected
        d.find_element(By.ID, "logout").click()
        wait_until(lambda: not requests.get(server.base + f"/chat/widget-config/?business={business}", timeout=10)
                   .json()["data"]["online"], message="no agent online")

        widget = Widget(browsers("visitor"), page.url)
        widget.find(".launcher").click()
        wait_until(lambda: widget.find(".greeting").text == "Welcome to Acme! Ask us anything.", message="the greeting")
        wait_until(lambda: widget.find(".away").is_displayed(), message="the away banner")
        assert widget.find(".away").text == "We are away: leave a message."
        form = widget.find("form.prechat")
        assert form.is_displayed() and not widget.find("form.compose").is_displayed()
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        assert form.find_element(By.CSS_SELECTOR, ".error").text == "Please enter your name."
        assert widget.session_id() is None
        form.find_element(By.CSS_SELECTOR, "input[name=name]").send_keys("Ann Visitor")
        form.find_element(By.CSS_SELECTOR, "input[name=email]").send_keys("not-an-email")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        assert form.find_element(By.CSS_SELECTOR, ".error").text == "Please enter a valid email address."
        email = form.find_element(By.CSS_SELECTOR, "input[name=email]")
        email.clear()
        email.send_keys("Ann@Shop.example")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_until(lambda: widget.session_id(), message="the session after the form")
        assert not form.is_displayed()
        widget.send("Hello, anyone there?")
        widget.wait_for("Hello, anyone there?", "visitor")

        # The agent sees who wrote; a plain agent has no settings button.
        console = Console(browsers("plain"), server.base)
        console.login(emails["plain"], "secret-password")
        item = console.inbox_item(widget.session_id())
        wait_until(lambda: "Ann Visitor" in item.find_element(By.CSS_SELECTOR, ".visitor-name").text, message="the visitor's name")
        assert not console.driver.find_element(By.ID, "open-settings").is_displayed()
        console.open_chat(widget.session_id())
        wait_until(lambda: "ann@shop.example" in console.driver.find_element(By.ID, "chat-meta").text, message="the visitor's email")
        console.wait_for("Hello, anyone there?", "visitor")
    finally:
        page.close()


def test_on_a_phone_the_widget_opens_full_screen(server, shop, browsers):
    driver = browsers("phone")
    driver.set_window_size(390, 844)
    widget = Widget(driver, shop)
    widget.open()
    width, viewport = driver.execute_script(
        "var p = document.querySelector('[data-livechat]').shadowRoot.querySelector('.panel').getBoundingClientRect();"
        "return [p.width, document.documentElement.clientWidth];")
    assert abs(width - viewport) <= 1, (width, viewport)


def test_an_admin_adds_a_canned_response_and_answers_a_visitor_with_it(server, browsers):
    from selenium.webdriver.common.keys import Keys
    business, emails = new_business(server)
    page = ShopPage(server, business)
    try:
        widget = Widget(browsers("visitor"), page.url)
        widget.open()
        widget.send("Do you ship abroad?")
        widget.wait_for("Do you ship abroad?", "visitor")

        console = Console(browsers("agent"), server.base)
        console.login(emails["admin"], "secret-password")
        d = console.driver
        wait_until(lambda: d.find_element(By.ID, "open-settings").is_displayed(), message="the settings button")
        d.find_element(By.ID, "open-settings").click()
        d.find_element(By.ID, "canned-shortcut").send_keys("Bad Shortcut")
        d.find_element(By.ID, "canned-content").send_keys("x")
        d.find_element(By.ID, "canned-add").click()
        wait_until(lambda: d.find_element(By.ID, "canned-error").is_displayed(), message="the refusal of a bad shortcut")
        d.find_element(By.ID, "canned-shortcut").clear()
        d.find_element(By.ID, "canned-shortcut").send_keys("ship")
        d.find_element(By.ID, "canned-content").clear()
        d.find_element(By.ID, "canned-content").send_keys("Yes, we ship worldwide within 5 days.")
        d.find_element(By.ID, "canned-add").click()
        wait_until(lambda: "/ship" in d.find_element(By.ID, "canned-list").text, message="the new canned response in the list")
        assert not d.find_element(By.ID, "canned-error").is_displayed()
        d.find_element(By.ID, "settings-close").click()

        console.open_chat(widget.session_id())
        box = d.find_element(By.ID, "composer-input")
        box.send_keys("/sh")
        option = wait_until(lambda: d.find_element(By.CSS_SELECTOR, "#canned-picker li[data-shortcut='ship']"), message="the picker")
        assert option.get_attribute("aria-selected") == "true"
        assert box.get_attribute("aria-expanded") == "true"
        box.send_keys(Keys.ENTER)
        wait_until(lambda: box.get_attribute("value") == "Yes, we ship worldwide within 5 days.", message="the inserted text")
        assert not d.find_element(By.ID, "canned-picker").is_displayed()
        box.send_keys(Keys.ENTER)
        widget.wait_for("Yes, we ship worldwide within 5 days.", "agent")
        # A query that matches nothing opens no picker.
        box.send_keys("/zzz")
        assert not d.find_element(By.ID, "canned-picker").is_displayed()
    finally:
        page.close()


def test_after_the_end_the_visitor_rates_the_chat_and_the_console_shows_it(server, browsers):
    business, emails = new_business(server)
    page = ShopPage(server, business)
    try:
        widget = Widget(browsers("visitor"), page.url)
        widget.open()
        widget.send("Thanks for the help")
        widget.wait_for("Thanks for the help", "visitor")
        session = widget.session_id()

        console = Console(browsers("agent"), server.base)
        console.login(emails["plain"], "secret-password")
        console.open_chat(session)
        console.driver.find_element(By.ID, "end-chat").click()
        wait_until(lambda: console.driver.switch_to.alert, message="the confirmation")
        console.driver.switch_to.alert.accept()

        wait_until(lambda: widget.find(".rate").is_displayed(), message="the rating in the widget")
        send = widget.find(".rate-send")
        assert not send.is_enabled()  # no star chosen yet
        widget.find(".star[data-score='4']").click()
        assert [s.get_attribute("aria-pressed") for s in widget.root.find_elements(By.CSS_SELECTOR, ".star")] == \
            ["true", "true", "true", "true", "false"]
        widget.find(".rate-comment").send_keys("Quick and kind")
        send.click()
        wait_until(lambda: widget.find(".rate-done").text == "Thank you for your feedback!", message="the thanks")
        assert not widget.find(".stars").is_displayed()

        # The agent's open chat and the inbox hear it from the feed.
        meta = console.driver.find_element(By.ID, "chat-meta")
        wait_until(lambda: "Rated 4/5" in meta.text and "Quick and kind" in meta.text, message="the rating in the console")
        rated = requests.get(server.base + "/chat/sessions/?active=false",
                             headers={"Authorization": "Bearer " + mint(SECRET, "agent", business)}, timeout=10).json()["data"]
        assert [s["rating"]["score"] for s in rated if s["session_id"] == session] == [4]

        # The reports page: the figures and a bar for today in the chart.
        console.driver.find_element(By.ID, "open-reports").click()
        figure = wait_until(lambda: console.driver.find_element(By.CSS_SELECTOR, "#reports-figures [data-figure='rating_average'] dd"),
                            message="the report's figures")
        wait_until(lambda: figure.text == "4.00 / 5 (1)", message="the average rating")
        bars = console.driver.find_elements(By.CSS_SELECTOR, "#reports-chart svg rect.bar")
        assert len(bars) == 30
        # One chat, on one of the last days (today, or yesterday when the test crossed midnight).
        assert sorted(int(bar.get_attribute("data-count")) for bar in bars) == [0] * 29 + [1]
        assert [b for b in bars if b.get_attribute("data-count") == "1"][0] in bars[-2:]
        assert float([b for b in bars if b.get_attribute("data-count") == "1"][0].get_attribute("height")) > 0
        console.driver.find_element(By.ID, "reports-close").click()
        assert console.driver.find_element(By.ID, "inbox").is_displayed()
    finally:
        page.close()


def test_a_private_note_is_in_the_console_and_never_in_the_widget(server, browsers):
    from selenium.webdriver.common.keys import Keys
    business, emails = new_business(server)
    page = ShopPage(server, business)
    try:
        widget = Widget(browsers("visitor"), page.url)
        widget.open()
        widget.send("Where is my parcel?")
        widget.wait_for("Where is my parcel?", "visitor")

        console = Console(browsers("agent"), server.base)
        console.login(emails["plain"], "secret-password")
        console.open_chat(widget.session_id())
        d = console.driver
        d.find_element(By.ID, "composer-note").click()
        assert "note-mode" in d.find_element(By.ID, "composer").get_attribute("class")
        d.find_element(By.ID, "composer-input").send_keys("Customer is VIP, ship express" + Keys.ENTER)
        note = wait_until(lambda: d.find_element(By.CSS_SELECTOR, "#messages .message.note[data-type='note']"), message="the note")
        assert "Customer is VIP, ship express" in note.text
        d.find_element(By.ID, "composer-note").click()  # back to replies
        d.find_element(By.ID, "composer-input").send_keys("It ships today." + Keys.ENTER)
        widget.wait_for("It ships today.", "agent")
        assert not [text for _, text in widget.messages() if "VIP" in text]
        assert "VIP" not in widget.find(".log").text
        # A reload of the widget (history and catch-up) does not bring it either.
        widget.driver.refresh()
        widget = Widget(widget.driver, page.url)
        widget.open()
        widget.wait_for("It ships today.", "agent")
        assert "VIP" not in widget.find(".log").text
        # The agent's reloaded history still has it, as a note.
        d.refresh()
        console.open_chat(widget.session_id())
        wait_until(lambda: d.find_elements(By.CSS_SELECTOR, "#messages .message.note"), message="the note after a reload")
    finally:
        page.close()


def test_a_new_chat_and_a_message_outside_the_open_chat_notify_the_agent(server, browsers):
    business, emails = new_business(server)
    page = ShopPage(server, business)
    try:
        driver = browsers("agent")
        driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": server.base, "permissions": ["notifications"]})
        console = Console(driver, server.base)
        console.login(emails["plain"], "secret-password")
        assert driver.execute_script("return Notification.permission") == "granted"
        assert not driver.find_element(By.ID, "enable-notifications").is_displayed()
        # Record what the console shows, still through the browser's own notifications.
        driver.execute_script(
            "const Real = window.Notification; window.__notes = [];"
            "window.Notification = class extends Real { constructor(title, options) {"
            " super(title, options); window.__notes.push([title, options && options.body]); } };")
        widget = Widget(browsers("visitor"), page.url)
        widget.open()
        widget.send("Is anyone there?")
        wait_until(lambda: ["A new chat has started."] == [body for _, body in driver.execute_script("return window.__notes")][:1],
                   message="the new chat's notification")
        wait_until(lambda: any(body == "Is anyone there?" for _, body in driver.execute_script("return window.__notes")),
                   message="the message's notification")
        wait_until(lambda: driver.title.startswith("(1) "), message="the unread count in the title")
    finally:
        page.close()


def test_an_agent_finds_a_chat_by_a_word_and_opens_it_at_the_message(server, browsers):
    from selenium.webdriver.common.keys import Keys
    business, emails = new_business(server)
    page = ShopPage(server, business)
    try:
        widget = Widget(browsers("visitor"), page.url)
        widget.open()
        widget.send("Ma commande est arrivée abîmée")
        widget.wait_for("Ma commande est arrivée abîmée", "visitor")
        widget.send("<b>not bold</b>")
        widget.wait_for("<b>not bold</b>", "visitor")

        console = Console(browsers("agent"), server.base)
        console.login(emails["plain"], "secret-password")
        console.open_chat(widget.session_id())
        d = console.driver
        d.find_element(By.ID, "composer-note").click()
        d.find_element(By.ID, "composer-input").send_keys("Send a replacement vase" + Keys.ENTER)
        wait_until(lambda: d.find_elements(By.CSS_SELECTOR, "#messages .message.note"), message="the note")

        def search(words, count):
            """Searches until `count` results for `words` are shown (the index follows the chat within a second)."""
            def shown():
                status = d.find_element(By.ID, "search-status").text
                results = d.find_elements(By.CSS_SELECTOR, "#search-results .search-result")
                if f"\u201c{words}\u201d" in status and len(results) == count:
                    return results
                if "Searching" not in status:
                    box = d.find_element(By.ID, "search-input")
                    box.clear()
                    box.send_keys(words + Keys.ENTER)
                return False
            return wait_until(shown, message=f"{count} results for {words!r}")

        results = search("ABIMEE", 1)
        assert not d.find_element(By.ID, "inbox").is_displayed()
        marks = [m.text for m in results[0].find_elements(By.CSS_SELECTOR, ".snippet mark")]
        assert marks == ["abîmée"], marks
        assert results[0].get_attribute("data-session-id") == widget.session_id()
        results[0].click()
        found = wait_until(lambda: d.find_element(By.CSS_SELECTOR, "#messages .message.found"), message="the found message")
        assert "Ma commande est arrivée abîmée" in found.text

        note = search("vase", 1)[0]
        assert note.find_element(By.CSS_SELECTOR, ".private-tag").text == "Note"
        tags = search("bold", 1)[0]
        assert tags.find_element(By.CSS_SELECTOR, ".snippet").text == "<b>not bold</b>"
        assert [m.text for m in tags.find_elements(By.CSS_SELECTOR, ".snippet mark")] == ["bold"]
        assert not tags.find_elements(By.CSS_SELECTOR, ".snippet b")
        box = d.find_element(By.ID, "search-input")
        box.clear()
        box.send_keys("nothing-like-this" + Keys.ENTER)
        wait_until(lambda: "No message matches" in d.find_element(By.ID, "search-status").text, message="no results")
        d.find_element(By.ID, "search-clear").click()
        wait_until(lambda: d.find_element(By.ID, "inbox").is_displayed(), message="the inbox back")
        assert not d.find_element(By.ID, "search-panel").is_displayed()
    finally:
        page.close()


def open_settings(console):
    d = console.driver
    wait_until(lambda: d.find_element(By.ID, "open-settings").is_displayed(), message="the settings button")
    d.find_element(By.ID, "open-settings").click()
    wait_until(lambda: d.find_element(By.ID, "settings-view").is_displayed(), message="the settings page")
    return d


def test_an_admin_invites_an_agent_adds_a_department_and_deactivates_the_agent(server, browsers):
    business, emails = new_business(server)
    console = Console(browsers("agent"), server.base)
    console.login(emails["admin"], "secret-password")
    d = open_settings(console)
    wait_until(lambda: len(d.find_elements(By.CSS_SELECTOR, "#team-list > li")) == 2, message="the two agents")
    # The admin cannot take its own rights away: it has no buttons on its row.
    me = [row for row in d.find_elements(By.CSS_SELECTOR, "#team-list > li") if "(you)" in row.text][0]
    assert not me.find_elements(By.CSS_SELECTOR, "button")

    d.find_element(By.ID, "department-name").send_keys("Returns")
    d.find_element(By.ID, "department-add").click()
    wait_until(lambda: "Returns" in d.find_element(By.ID, "department-list").text, message="the new department")
    wait_until(lambda: "Returns" in d.find_element(By.ID, "team-department").text, message="the department in the invite form")

    email = f"new-{uuid.uuid4().hex[:8]}@acme.example"
    d.find_element(By.ID, "team-name").send_keys("Nina New")
    d.find_element(By.ID, "team-email").send_keys(email)
    d.find_element(By.ID, "team-password").send_keys("short")
    d.find_element(By.ID, "team-add").click()
    wait_until(lambda: d.find_element(By.ID, "team-error").is_displayed(), message="the refusal of a short password")
    d.find_element(By.ID, "team-password").clear()
    d.find_element(By.ID, "team-password").send_keys("long-enough-password")
    from selenium.webdriver.support.ui import Select
    Select(d.find_element(By.ID, "team-department")).select_by_visible_text("Returns")
    d.find_element(By.ID, "team-add").click()
    row = wait_until(lambda: [r for r in d.find_elements(By.CSS_SELECTOR, "#team-list > li") if "Nina New" in r.text],
                     message="the invited agent")[0]
    assert "Returns" in row.text and "agent, active" in row.text
    # The new agent signs in with the password it was given.
    login = requests.post(server.base + "/auth/login/", json={"email": email, "password": "long-enough-password"}, timeout=10)
    assert login.status_code == 200, login.text

    row.find_element(By.CSS_SELECTOR, "button.team-admin").click()
    wait_until(lambda: [r for r in d.find_elements(By.CSS_SELECTOR, "#team-list > li") if "Nina New" in r.text and "admin, active" in r.text],
               message="the agent made admin")
    row = [r for r in d.find_elements(By.CSS_SELECTOR, "#team-list > li") if "Nina New" in r.text][0]
    row.find_element(By.CSS_SELECTOR, "button.team-active").click()
    wait_until(lambda: [r for r in d.find_elements(By.CSS_SELECTOR, "#team-list > li") if "Nina New" in r.text and "deactivated" in r.text],
               message="the agent deactivated")
    refused = requests.post(server.base + "/auth/login/", json={"email": email, "password": "long-enough-password"}, timeout=10)
    assert refused.status_code in (401, 403), refused.text


def test_an_admin_adds_a_webhook_sees_its_secret_once_and_its_deliveries(server, browsers):
    business, emails = new_business(server)
    console = Console(browsers("agent"), server.base)
    console.login(emails["admin"], "secret-password")
    d = open_settings(console)
    d.find_element(By.ID, "webhook-url").send_keys("http://127.0.0.1:9/hook")
    d.find_element(By.ID, "webhook-add").click()
    # The browser tests' server does not allow private addresses.
    error = wait_until(lambda: d.find_element(By.ID, "webhook-error"), message="the refusal")
    wait_until(lambda: error.is_displayed() and "private" in error.text, message="the private address refused")
    d.find_element(By.ID, "webhook-url").clear()
    d.find_element(By.ID, "webhook-url").send_keys("https://93.184.215.14/livechat")
    d.find_element(By.CSS_SELECTOR, "#webhook-form input[value='session_rated']").click()
    d.find_element(By.ID, "webhook-add").click()
    secret = wait_until(lambda: d.find_element(By.ID, "webhook-secret"), message="the secret")
    wait_until(lambda: secret.is_displayed() and "whsec_" in secret.text, message="the secret shown")
    row = wait_until(lambda: d.find_element(By.CSS_SELECTOR, "#webhook-list > li"), message="the webhook in the list")
    assert "https://93.184.215.14/livechat" in row.text and "session_rated" not in row.text
    row.find_element(By.CSS_SELECTOR, "button.webhook-log-open").click()
    wait_until(lambda: d.find_element(By.ID, "webhook-log").is_displayed(), message="the delivery log")
    assert "No delivery yet." in d.find_element(By.ID, "webhook-log-rows").text
    row.find_element(By.CSS_SELECTOR, "button.webhook-delete").click()
    wait_until(lambda: not d.find_elements(By.CSS_SELECTOR, "#webhook-list > li"), message="the webhook deleted")


def test_an_admin_erases_a_visitor_from_the_console(server, browsers):
    business, emails = new_business(server)
    page = ShopPage(server, business)
    try:
        widget = Widget(browsers("visitor"), page.url)
        widget.open()
        widget.send("Please forget me")
        widget.wait_for("Please forget me", "visitor")
        session = widget.session_id()

        console = Console(browsers("agent"), server.base)
        console.login(emails["admin"], "secret-password")
        console.open_chat(session)
        d = console.driver
        assert d.find_element(By.ID, "export-visitor").is_displayed()
        d.find_element(By.ID, "erase-visitor").click()
        wait_until(lambda: d.switch_to.alert, message="the confirmation")
        d.switch_to.alert.accept()
        wait_until(lambda: "erased" in d.find_element(By.ID, "inbox-status").text, message="the erasure")
        assert not d.find_elements(By.CSS_SELECTOR, f".inbox-item[data-session-id='{session}']")
        token = mint(SECRET, "agent", business)
        gone = requests.get(server.base + f"/chat/history/{session}/", headers={"Authorization": "Bearer " + token}, timeout=10)
        assert gone.status_code == 404
        # The widget hears the end of its chat (then its socket is closed with 4006).
        wait_until(lambda: widget.find(".rate").is_displayed(), message="the widget told the chat ended")
    finally:
        page.close()


def test_the_demo_admin_runs_a_chat_from_greeting_to_search(server, browsers):
    """The issue's "done when": the demo business's admin sets a greeting and a canned response,
    answers a visitor with it, adds a note, ends the chat, sees the rating and finds the chat by a
    word, all from the console."""
    from selenium.webdriver.common.keys import Keys
    demo = server.demo()
    business = demo["business"]
    admin = {"Authorization": "Bearer " + mint(SECRET, "admin", None)}
    before = requests.get(server.base + f"/chat/settings/?business={business}", headers=admin, timeout=10).json()["data"]
    page = ShopPage(server, business)
    shortcut = "hours" + uuid.uuid4().hex[:4]
    try:
        console = Console(browsers("agent"), server.base)
        console.login()  # agent@demo.livechat, the demo business's admin
        d = open_settings(console)
        wait_until(lambda: d.find_element(By.ID, "settings-name").get_attribute("value"), message="the settings")
        greeting = d.find_element(By.ID, "settings-greeting")
        greeting.clear()
        greeting.send_keys("Hello from the demo shop!")
        d.find_element(By.ID, "settings-save").click()
        wait_until(lambda: d.find_element(By.ID, "settings-status").text == "Settings saved.", message="the save")
        d.find_element(By.ID, "canned-shortcut").send_keys(shortcut)
        d.find_element(By.ID, "canned-content").send_keys("We are open from 9 to 5, Monday to Saturday.")
        d.find_element(By.ID, "canned-add").click()
        wait_until(lambda: "/" + shortcut in d.find_element(By.ID, "canned-list").text, message="the canned response")
        d.find_element(By.ID, "settings-close").click()

        widget = Widget(browsers("visitor"), page.url)
        widget.find(".launcher").click()
        wait_until(lambda: widget.find(".greeting").text == "Hello from the demo shop!", message="the greeting in the widget")
        widget.open()
        widget.send("When is the zanzibar shop open?")
        widget.wait_for("When is the zanzibar shop open?", "visitor")

        console.open_chat(widget.session_id())
        box = d.find_element(By.ID, "composer-input")
        box.send_keys("/" + shortcut)
        wait_until(lambda: d.find_element(By.CSS_SELECTOR, f"#canned-picker li[data-shortcut='{shortcut}']"), message="the picker")
        box.send_keys(Keys.ENTER)
        wait_until(lambda: box.get_attribute("value").startswith("We are open"), message="the canned text")
        box.send_keys(Keys.ENTER)
        widget.wait_for("We are open from 9 to 5, Monday to Saturday.", "agent")
        d.find_element(By.ID, "composer-note").click()
        d.find_element(By.ID, "composer-input").send_keys("Asked about opening hours" + Keys.ENTER)
        wait_until(lambda: d.find_elements(By.CSS_SELECTOR, "#messages .message.note"), message="the note")
        assert "opening hours" not in widget.find(".log").text

        d.find_element(By.ID, "end-chat").click()
        wait_until(lambda: d.switch_to.alert, message="the confirmation")
        d.switch_to.alert.accept()
        wait_until(lambda: widget.find(".rate").is_displayed(), message="the rating in the widget")
        widget.find(".star[data-score='5']").click()
        widget.find(".rate-send").click()
        wait_until(lambda: "Rated 5/5" in d.find_element(By.ID, "chat-meta").text, message="the rating in the console")

        def found():
            status = d.find_element(By.ID, "search-status").text
            results = d.find_elements(By.CSS_SELECTOR, "#search-results .search-result")
            if "\u201czanzibar\u201d" in status and results:
                return results
            if "Searching" not in status:
                box = d.find_element(By.ID, "search-input")
                box.clear()
                box.send_keys("zanzibar" + Keys.ENTER)
            return False
        results = wait_until(found, message="the chat found by a word")
        assert results[0].get_attribute("data-session-id") == widget.session_id()
        results[0].click()
        wait_until(lambda: "zanzibar" in d.find_element(By.CSS_SELECTOR, "#messages .message.found").text, message="the found message")
    finally:
        page.close()
        requests.patch(server.base + f"/chat/settings/?business={business}", headers=admin, timeout=10,
                       json={"greeting": before.get("greeting")})
