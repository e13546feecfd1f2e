"""The browser tests' fixtures: dash.testing's dash_duo and dash_br, on one headless Chromium for the
session and one port for the session's test servers."""

from __future__ import annotations

import contextlib
import os
import socket
import threading

import pytest
from dash.testing.application_runners import ThreadedRunner
from dash.testing.browser import Browser
from dash.testing.composite import DashComposite
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.support.wait import WebDriverWait
from werkzeug.serving import WSGIRequestHandler

from tests.conftest import free_port
from tests.people import browser_login


def _browser_options(config, download_path: str) -> dict:
    """What dash.testing's own dash_duo passes to its browser."""
    return {
        "browser": config.getoption("webdriver"),
        "remote": config.getoption("remote"),
        "remote_url": config.getoption("remote_url"),
        "headless": config.getoption("headless"),
        "options": config.hook.pytest_setup_options(),
        "download_path": download_path,
        "percy_assets_root": config.getoption("percy_assets"),
        "percy_finalize": config.getoption("nopercyfinalize"),
        "pause": config.getoption("pause"),
    }


class _Server(ThreadedRunner):
    """dash.testing's threaded server, on the session's port and stopped at once and cleanly. Its browser
    outlives it (`_Chromium`), so first the server closes the browser's kept-alive connections and lets
    their threads end; then the server thread gets its SystemExit, woken by a connection instead of at
    its next 0.5 s poll."""

    def __init__(self, port: int):
        super().__init__()
        self.session_port = port

    def start(self, app, **kwargs):
        kwargs.setdefault("port", self.session_port)
        self.handlers = handlers = {}  # connection -> the thread serving it

        class Handler(WSGIRequestHandler):
            def setup(self):
                super().setup()
                handlers[self.connection] = threading.current_thread()

            def finish(self):
                handlers.pop(self.connection, None)
                super().finish()

        super().start(app, request_handler=Handler, **kwargs)

    def stop(self):
        for connection, thread in list(self.handlers.items()):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            thread.join(timeout=5)
        self.thread.kill()
        with contextlib.suppress(OSError):
            socket.create_connection(("localhost", self.port), timeout=1).close()
        self.thread.join()
        self._app = None
        self.started = False


@pytest.fixture(scope="session")
def _dash_port() -> int:
    """One port for the session's dash_duo servers: one origin, so the browser keeps the app's scripts
    (their names carry a version) in its cache from test to test, instead of every test's server
    compressing and sending a few MB of them again. Below Linux's ephemeral ports (32768-60999), which
    other programs get by chance; free when chosen."""
    for port in range(24000 + os.getpid() % 4000, 32000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return free_port()


@pytest.fixture
def dash_thread_server(_dash_port):
    with _Server(_dash_port) as server:
        yield server


class _OnDriver(DashComposite):
    """A dash_duo on a webdriver that is already running."""

    def __init__(self, driver, **kwargs):
        self._given_driver = driver
        super().__init__(**kwargs)

    def get_webdriver(self):
        return self._given_driver

    def start_server(self, app, navigate=True, user: str | None = "t-dispatcher", **kwargs):
        """Start the app and log the browser in through the login page (the city's duty officer unless
        told otherwise; user=None stays logged out)."""
        super().start_server(app, navigate=False, **kwargs)
        self._url = self.server.url  # dash.testing's setter would also open "/", which now asks for a login
        if user is not None:
            self.login_as(user)
        if navigate and user is not None:  # logged out, "/" is the login page: no Dash app to wait for
            self.wait_for_page()

    def login_as(self, user: str) -> None:
        """Log in as a test account and wait until the login page has let the browser through."""
        self.driver.delete_all_cookies()
        browser_login(self, user)
        WebDriverWait(self.driver, 10, poll_frequency=0.05).until(lambda d: "/login" not in d.current_url)

    def _wait_for(self, method, timeout, msg):
        """dash.testing's explicit wait (wait_for_text_to_equal and the like), checking every 50 ms instead
        of every 0.5 s."""
        try:
            return WebDriverWait(
                self.driver, self._wait_timeout if timeout is None else timeout, poll_frequency=0.05
            ).until(method)
        except Exception as err:
            raise TimeoutException(str(msg(self.driver) if callable(msg) else msg)) from err


class _Chromium:
    """One Chromium for the session's browser tests (starting one costs ~1.2 s). Each test gets a new tab
    (no scripts, emulated sizes or session storage left from the last test), the window size it started
    with, no cookies and an empty console log (the app keeps nothing in local storage, and its cached
    scripts are versioned). After a failed test the browser is replaced."""

    def __init__(self, options: dict):
        self.options = options
        self.browser: Browser | None = None

    def driver(self):
        if self.browser is None:
            self.browser = Browser(**self.options)
            self.size = self.browser.driver.get_window_size()
        return self.browser.driver

    def reset(self) -> None:
        driver = self.driver()
        stale = driver.window_handles
        driver.switch_to.new_window("tab")
        for handle in stale:
            driver.switch_to.window(handle)
            driver.close()
        driver.switch_to.window(driver.window_handles[0])
        driver.set_window_size(self.size["width"], self.size["height"])
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        driver.get_log("browser")

    def quit(self) -> None:
        if self.browser is not None:
            self.browser.__exit__(None, None, None)
            self.browser = None


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.fixture(scope="session")
def _chromium(request, tmp_path_factory):
    chromium = _Chromium(_browser_options(request.config, str(tmp_path_factory.mktemp("download"))))
    yield chromium
    chromium.quit()


def _on_chromium(request, chromium: _Chromium, server):
    try:
        chromium.reset()
    except WebDriverException:  # the browser died: start another
        chromium.quit()
        chromium.reset()
    yield _OnDriver(chromium.driver(), server=server, **chromium.options)
    if request.node.stash.get(_FAILED, False):
        chromium.quit()
    else:
        chromium.driver().get("about:blank")  # the page stops polling before its server stops


@pytest.fixture
def dash_duo(request, dash_thread_server, _chromium):
    """dash.testing's dash_duo (a threaded server and a browser), on the session's Chromium."""
    yield from _on_chromium(request, _chromium, dash_thread_server)


@pytest.fixture
def dash_br(request, _chromium):
    """dash.testing's dash_br (a browser for a server the test runs itself), on the session's Chromium."""
    yield from _on_chromium(request, _chromium, None)
