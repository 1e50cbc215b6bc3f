"""The API reference at /docs/: both documents of the server, rendered for a reader, in real Chromium."""
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from pages import WAIT

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def open_docs(driver, base):
    """Opens /docs/ and waits until both documents are drawn (or the page says why not)."""
    driver.get(base + "/docs/")
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.ID, "docs").get_attribute("data-state") in ("ready", "error"),
        message="the docs page to render")
    return driver.find_element(By.ID, "docs").get_attribute("data-state")


def shown_endpoints(driver):
    """(METHOD, path) of every endpoint a reader sees."""
    out = set()
    for endpoint in driver.find_elements(By.CSS_SELECTOR, "details.endpoint"):
        if endpoint.is_displayed():
            out.add((endpoint.find_element(By.CSS_SELECTOR, ".method").text,
                     endpoint.find_element(By.CSS_SELECTOR, ".path").text))
    return out


def expand(driver, details):
    """Opens an endpoint or a message as a reader does: a click on its summary line."""
    summary = details.find_element(By.TAG_NAME, "summary")
    # Centred, so that the sticky top bar does not cover it.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    WebDriverWait(driver, WAIT).until(lambda d: details.get_attribute("open") is not None, message="the details to open")


def js_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def test_the_docs_page_shows_both_documents(server, browsers):
    openapi = requests.get(server.base + "/openapi.json", timeout=5).json()
    asyncapi = requests.get(server.base + "/asyncapi.json", timeout=5).json()
    driver = browsers("reader")
    assert open_docs(driver, server.base) == "ready", driver.find_element(By.ID, "docs-error").text
    assert not driver.find_element(By.ID, "docs-error").is_displayed()

    # Every operation of /openapi.json, by its method and path.
    expected = {(method.upper(), path) for path, item in openapi["paths"].items() for method in item if method in HTTP_METHODS}
    assert len(expected) > 20
    shown = shown_endpoints(driver)
    assert expected <= shown, f"missing: {sorted(expected - shown)}"
    # Grouped under the document's tags, each operation once.
    for tag in openapi["tags"]:
        assert driver.find_element(By.CSS_SELECTOR, f".tag-group[data-tag='{tag['name']}'] h3").text.startswith(tag["name"])
    assert len(driver.find_elements(By.CSS_SELECTOR, "details.endpoint")) == len(expected)

    # Token or not, as the operation's security says.
    start = driver.find_element(By.CSS_SELECTOR, "details.endpoint[data-path='/chat/start-session/'][data-method='post']")
    assert start.find_element(By.CSS_SELECTOR, ".auth").text == "No token"
    logout = driver.find_element(By.CSS_SELECTOR, "details.endpoint[data-path='/auth/logout/'][data-method='post']")
    assert logout.find_element(By.CSS_SELECTOR, ".auth").text == "Bearer token"

    # An opened endpoint: its body's fields, its statuses, and the Error envelope its $ref names.
    expand(driver, start)
    body = start.find_element(By.CSS_SELECTOR, ".request-body").text
    assert "application/json" in body and "external_customer_id" in body and "business" in body
    responses = start.find_element(By.CSS_SELECTOR, ".responses").text
    for status in start_statuses(openapi):
        assert status in responses
    assert "Retry-After" in responses
    assert "Error" in responses and "errors" in responses  # #/components/schemas/Error, resolved
    upload = driver.find_element(By.CSS_SELECTOR, "details.endpoint[data-path='/chat/upload-file/']")
    expand(driver, upload)
    assert "multipart/form-data" in upload.find_element(By.CSS_SELECTOR, ".request-body").text
    history = driver.find_element(By.CSS_SELECTOR, "details.endpoint[data-path='/chat/history/{session}/']")
    expand(driver, history)
    params = history.find_element(By.CSS_SELECTOR, "table.params").text
    assert "session" in params and "uuid" in params and "limit" in params

    # The sockets: both addresses, the chat socket's close codes, and its messages by direction.
    sockets = driver.find_element(By.ID, "sockets").text
    for channel in asyncapi["channels"].values():
        assert channel["address"] in sockets
    assert "/ws/visitor-chat/" in sockets and "/ws/agent/" in sockets
    chat = driver.find_element(By.CSS_SELECTOR, ".channel[data-channel='chat']")
    codes = {row.get_attribute("data-code"): row.text for row in chat.find_elements(By.CSS_SELECTOR, "table.close-codes tbody tr")}
    for code in ("4001", "4002", "4003", "4006"):
        assert code in codes and codes[code].startswith(code), codes
    assert "Session has ended" in codes["4006"]
    assert "session_id" in chat.find_element(By.CSS_SELECTOR, "table.query-params").text
    client = [m.text for m in chat.find_elements(By.CSS_SELECTOR, ".client-sends .message-name")]
    server_side = [m.text for m in chat.find_elements(By.CSS_SELECTOR, ".server-sends .message-name")]
    assert "text" in client and "end_session" in client
    assert "connection_established" in server_side and "session_ended" in server_side
    feed = driver.find_element(By.CSS_SELECTOR, ".channel[data-channel='feed']")
    assert "connection_established" in feed.find_element(By.CSS_SELECTOR, ".server-sends").text
    assert "4003" in feed.find_element(By.CSS_SELECTOR, "table.close-codes").text

    # A message's payload, once opened.
    established = chat.find_element(By.CSS_SELECTOR, "details.message[data-message='connectionEstablished']")
    expand(driver, established)
    payload = established.find_element(By.CSS_SELECTOR, ".schema").text
    assert "session_id" in payload and '"connection_established"' in payload

    # The raw documents are linked.
    for name in ("openapi.json", "asyncapi.json"):
        assert driver.find_element(By.CSS_SELECTOR, f".raw-links a[href='/{name}']").is_displayed()

    # The filter: a path keeps its endpoint and hides the others (and the sockets' messages).
    box = driver.find_element(By.ID, "filter")
    box.send_keys("start-session")
    WebDriverWait(driver, WAIT).until(lambda d: shown_endpoints(d) == {("POST", "/chat/start-session/")},
                                      message="only start-session left")
    assert not driver.find_element(By.CSS_SELECTOR, "details.endpoint[data-path='/admin/businesses/']").is_displayed()
    assert not driver.find_element(By.CSS_SELECTOR, "details.message[data-message='connectionEstablished']").is_displayed()
    assert "1 of" in driver.find_element(By.ID, "filter-status").text
    toc = driver.find_element(By.ID, "toc").text
    assert "/chat/start-session/" in toc and "/admin/businesses/" not in toc
    # A message name finds the messages.
    box.clear()
    box.send_keys("connection_established")
    WebDriverWait(driver, WAIT).until(lambda d: not shown_endpoints(d), message="no endpoint left")
    shown = [m for m in driver.find_elements(By.CSS_SELECTOR, "details.message") if m.is_displayed()]
    assert {m.get_attribute("data-channel") for m in shown} == {"chat", "feed"}
    # Nothing: said so.
    box.clear()
    box.send_keys("no-such-thing-anywhere")
    WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.ID, "no-match").is_displayed())
    # Cleared: everything is back.
    box.clear()
    box.send_keys(" ")
    WebDriverWait(driver, WAIT).until(lambda d: expected <= shown_endpoints(d), message="every endpoint back")

    assert js_errors(driver) == []


def start_statuses(openapi):
    return list(openapi["paths"]["/chat/start-session/"]["post"]["responses"])


def test_a_document_that_cannot_be_loaded_is_said_so(server, browsers):
    driver = browsers("reader")
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/asyncapi.json"]})
    assert open_docs(driver, server.base) == "error"
    error = driver.find_element(By.ID, "docs-error")
    assert error.is_displayed() and "/asyncapi.json" in error.text
    # The other document is still drawn.
    assert ("POST", "/chat/start-session/") in shown_endpoints(driver)
    # Only the blocked request failed: no script error.
    assert [e for e in js_errors(driver) if "asyncapi.json" not in e.get("message", "")] == []
