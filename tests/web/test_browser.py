"""The pages in a real browser (Debian Chromium through Playwright), as a chain office would use them.

A uvicorn server on a free port serves a copy of the seeded SQLite database; every page visited
is saved as a screenshot under test-artifacts/web/.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from chainlead.db.engine import get_engine
from chainlead.web.app import create_app
from tests.web.conftest import SECRET
from tests.web.seed import PASSWORDS, Seeded, make_uscc

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(_seeded_sqlite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:  # type: ignore[no-untyped-def]
    template, data = _seeded_sqlite
    path = tmp_path_factory.mktemp("browser") / "web.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    port = _free_port()
    config = uvicorn.Config(create_app(url, secret_key=SECRET), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", data
    srv.should_exit = True
    thread.join(10)
    get_engine(url).dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _page(browser: Browser, base: str, role: str) -> Page:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN", base_url=base)
    page = context.new_page()
    bad: list[str] = []
    page.bad_responses = bad  # type: ignore[attr-defined]

    def check(response) -> None:  # type: ignore[no-untyped-def]
        if response.status >= 500 or (response.status >= 400 and "/static/" in response.url):
            bad.append(f"{response.status} {response.url}")

    page.on("response", check)
    page.on("pageerror", lambda e: bad.append(f"js: {e}"))
    page.goto("/login")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert not page.bad_responses, page.bad_responses  # type: ignore[attr-defined]


def test_office_works_through_the_day(server, browser: Browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, data = server
    page = _page(browser, base, "office")
    expect(page.locator("h1")).to_contain_text("总览")
    expect(page.locator(".kpi")).to_have_count(5)
    expect(page.locator("#eco-chart canvas")).to_have_count(1)
    shot(page, "01-overview")

    page.click("text=生态圈 / 产业链")
    expect(page.locator("h1")).to_contain_text("视觉智能")
    expect(page.locator("#chain-map canvas")).to_have_count(1)
    shot(page, "02-chain")
    page.goto(f"/chains/{data.vision_id}")
    page.locator("table a[href*='node=']").first.click()
    expect(page.locator("h1")).to_contain_text("10 家企业")
    shot(page, "03-enterprises-of-node")
    page.locator("table a[href^='/enterprises/']").first.click()
    expect(page.locator("h2", has_text="挂链关系")).to_be_visible()
    expect(page.locator("text=视觉智能").first).to_be_visible()
    shot(page, "04-enterprise-profile")

    page.goto("/ecosystems/1")
    shot(page, "05-ecosystem")

    page.goto("/mapping")
    expect(page.locator("tr[id^=m-]")).to_have_count(10)
    shot(page, "06-mapping-queue")
    page.locator("tr[id^=m-]").first.get_by_role("button", name="确认").click()
    expect(page.locator(".flash.ok")).to_contain_text("已确认 1 条挂链建议")
    expect(page.locator("tr[id^=m-]")).to_have_count(9)
    page.locator("input[name=ids]").nth(0).check()
    page.locator("input[name=ids]").nth(1).check()
    page.get_by_role("button", name="批量驳回所选").click()
    expect(page.locator(".flash.ok")).to_contain_text("已驳回 2 条挂链建议")
    expect(page.locator("tr[id^=m-]")).to_have_count(7)
    shot(page, "07-mapping-after-decisions")

    page.goto("/cultivation")
    expect(page.locator("#funnel canvas")).to_have_count(1)
    shot(page, "08-cultivation")

    good = tmp_path / "企业名录.csv"
    good.write_text(
        f"统一社会信用代码,企业名称,区县代码\n{make_uscc(700)},杭州浏览器测试有限公司,330106\n", encoding="utf-8"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("统一社会信用代码,企业名称,区县代码\n12345,坏数据公司,330106\n", encoding="utf-8")
    page.goto("/imports")
    page.select_option("select[name=kind]", "enterprises")
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="校验（不写入）").click()
    expect(page.locator("#report")).to_contain_text("拒绝的行")
    expect(page.get_by_role("button", name="确认导入")).to_be_disabled()
    shot(page, "09-import-bad-file")
    page.select_option("select[name=kind]", "enterprises")
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="校验（不写入）").click()
    expect(page.locator("#report")).to_contain_text("校验报告")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#report")).to_contain_text("导入结果")
    expect(page.locator("table").last).to_contain_text("企业名录.csv")
    shot(page, "10-import-applied")

    page.goto("/enterprises?q=浏览器测试")
    expect(page.locator("h1")).to_contain_text("1 家企业")
    with page.expect_download() as dl:
        page.get_by_role("link", name="导出 Excel").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    shot(page, "11-enterprise-search")

    page.goto("/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible(timeout=15000)
    shot(page, "12-api-docs")


def test_viewer_cannot_change_anything(server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = server
    page = _page(browser, base, "viewer")
    page.goto("/mapping")
    buttons = page.locator("#queue button")
    assert buttons.count() > 0
    for i in range(buttons.count()):
        expect(buttons.nth(i)).to_be_disabled()
    before = page.locator("tr[id^=m-]").count()
    status = page.evaluate(
        """async () => {
            const body = new URLSearchParams({ids: document.querySelector('input[name=ids]').value, decision: 'confirm',
                                              csrf_token: document.querySelector('input[name=csrf_token]').value});
            return (await fetch('/mapping/decide', {method: 'POST', body})).status;
        }"""
    )
    assert status == 403
    page.reload()
    expect(page.locator("tr[id^=m-]")).to_have_count(before)
    shot(page, "13-viewer-mapping")
    page.goto("/imports")
    expect(page.get_by_role("button", name="校验（不写入）")).to_be_disabled()
    page.goto("/users")
    expect(page.locator(".flash.error")).to_contain_text("只有管理员")


def test_admin_pages_in_english(server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    base, data = server
    page = _page(browser, base, "admin")
    page.goto("/users")
    expect(page.locator("h1")).to_contain_text("用户管理")
    shot(page, "14-users")
    page.click("text=English")
    expect(page.locator("h1")).to_contain_text("Users")
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("Overview")
    shot(page, "15-overview-english")
    page.goto(f"/chains/{data.vision_id}")
    expect(page.locator("h2", has_text="Chain map")).to_be_visible()
    shot(page, "16-chain-english")
