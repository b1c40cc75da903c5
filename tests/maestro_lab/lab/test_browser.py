"""The quickstart notebook in a real JupyterLab, driven by headless Chromium.

JupyterLab is started from the project's environment on 127.0.0.1 with a
known token, in a temporary root holding a copy of the quickstart notebook
and its prompt. Playwright drives the system Chromium (``/usr/bin/chromium``,
Debian's package; ``make test`` installs it when run as root) through its
executable path: open the notebook, run every cell, wait until the widgets
are on the page, take a screenshot (``bench-output/lab.png``; the README
shows one in ``docs/img/lab.png``) and check that the composition the
notebook made is committed in its database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from muse_duckdb import Repository

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(os.environ.get("MAESTRO_LAB_SCREENSHOT", ROOT / "bench-output" / "lab.png"))
"""Where the screenshot goes: ``bench-output/`` (ignored by git) unless
``MAESTRO_LAB_SCREENSHOT=docs/img/lab.png`` asks to refresh the README's picture."""
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class JupyterServer:
    url: str
    token: str
    root: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def jupyter(tmp_path: Path) -> Iterator[JupyterServer]:
    root = tmp_path / "root"
    (root / "experiments").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "01_quickstart.ipynb", root)
    shutil.copy(ROOT / "experiments" / "demo_prompt.txt", root / "experiments")
    # no "news" notification over the screenshot
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    jupyter_bin = Path(sys.executable).with_name("jupyter")
    log = (tmp_path / "jupyter.log").open("w")
    server = subprocess.Popen(
        [
            str(jupyter_bin),
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--allow-root",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.extension_manager=readonly",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.disable_check_xsrf=True",
            f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/status", params={"token": token}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "JupyterLab did not start:\n" + (tmp_path / "jupyter.log").read_text()
                )
            time.sleep(0.3)
        yield JupyterServer(url, token, root)
    finally:
        try:
            httpx.post(f"{url}/api/shutdown", params={"token": token}, timeout=5)
            server.wait(timeout=15)
        except (httpx.TransportError, subprocess.TimeoutExpired):
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)
        log.close()


def test_quickstart_runs_in_jupyterlab_with_its_widgets(jupyter: JupyterServer) -> None:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`; "
        "`make test` does it when run as root)"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(
                f"{jupyter.url}/lab/tree/01_quickstart.ipynb?token={jupyter.token}",
                timeout=60_000,
            )
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_function(
                "() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                "&& window.jupyterapp.shell.currentWidget.sessionContext "
                "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                timeout=60_000,
            )
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            # the last cell shows the whole workbench: a tab widget with the prompt text area
            page.wait_for_selector(".jupyter-widgets.widget-tab", timeout=150_000)
            page.wait_for_function(
                "() => window.jupyterapp.shell.currentWidget.sessionContext"
                ".session.kernel.status === 'idle'",
                timeout=60_000,
            )
            errors = page.locator('[data-mime-type="application/vnd.jupyter.error"]')
            assert errors.count() == 0, errors.first.inner_text()
            assert page.locator(".jupyter-widgets").count() > 5
            assert page.locator(".widget-textarea textarea").count() >= 2
            prompt_text = page.locator(".widget-textarea textarea").first.input_value()
            assert prompt_text.startswith("MAESTRO PROMPT")
            assert page.locator(".jp-RenderedImage img").count() >= 1  # the piano roll
            page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
            page.locator(".jupyter-widgets.widget-tab").last.scroll_into_view_if_needed()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
    db = jupyter.root / "notebook-output" / "quickstart.duckdb"
    log = Repository.open(db, read_only=True).log()
    assert len(log) == 1
    assert log[0].author == "maestro-lab"
    assert "lofi loop" in log[0].message
