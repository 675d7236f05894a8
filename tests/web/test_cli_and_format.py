"""`chainlead user ...` and `serve --demo-login`'s user; number formatting (亿元/万元/同比)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from chainlead.cli.main import app
from chainlead.cli.serve_cmd import DEMO_USER, ensure_demo_login
from chainlead.db.engine import session_scope
from chainlead.db.models import AuditLog
from chainlead.web.fmt import Formatter
from chainlead.web.users import authenticate, get_user

runner = CliRunner()


def test_user_commands(db_url: str) -> None:
    r = runner.invoke(
        app, ["user", "add", "wang", "--role", "office", "--password-stdin", "--db", db_url], input="secret-pass-1\n"
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app, ["user", "add", "wang", "--role", "office", "--password-stdin", "--db", db_url], input="secret-pass-1\n"
    )
    assert r.exit_code == 2 and "已存在" in r.output
    r = runner.invoke(
        app, ["user", "add", "li", "--role", "king", "--password-stdin", "--db", db_url], input="secret-pass-1\n"
    )
    assert r.exit_code == 2 and "未知角色" in r.output
    r = runner.invoke(
        app, ["user", "add", "li", "--role", "viewer", "--password-stdin", "--db", db_url], input="short\n"
    )
    assert r.exit_code == 2 and "至少 8 个字符" in r.output
    r = runner.invoke(app, ["user", "passwd", "wang", "--password-stdin", "--db", db_url], input="another-pass-2\n")
    assert r.exit_code == 0
    r = runner.invoke(app, ["user", "list", "--db", db_url])
    assert "wang" in r.output and "office" in r.output
    with session_scope(db_url) as s:
        assert authenticate(s, "wang", "another-pass-2") is not None
        assert authenticate(s, "wang", "secret-pass-1") is None
        assert get_user(s, "wang").password_hash.startswith("$argon2")
    r = runner.invoke(app, ["user", "disable", "wang", "--db", db_url])
    assert r.exit_code == 0
    r = runner.invoke(app, ["user", "disable", "nobody", "--db", db_url])
    assert r.exit_code == 2 and "没有用户" in r.output
    with session_scope(db_url) as s:
        assert authenticate(s, "wang", "another-pass-2") is None
        actions = [
            a.action for a in s.scalars(select(AuditLog).where(AuditLog.entity_key == "wang").order_by(AuditLog.id))
        ]
    assert actions == ["insert", "passwd", "disable"]


def test_demo_login_is_an_admin_with_a_fresh_password(db_url: str) -> None:
    first = ensure_demo_login(db_url)
    second = ensure_demo_login(db_url)
    assert first != second
    with session_scope(db_url) as s:
        user = authenticate(s, DEMO_USER, second)
        assert user is not None and user.role == "admin"
        assert authenticate(s, DEMO_USER, first) is None


def test_chinese_number_format() -> None:
    zh, en = Formatter("zh"), Formatter("en")
    assert zh.yi(12345.67) == "12,345.7 亿元"
    assert zh.yi_from_wan(55.8e4) == "55.8 亿元"
    assert zh.wan(1234.4) == "1,234 万元"
    assert zh.pct(0.1234) == "12.3%"
    assert zh.yoy(0.05) == "同比 +5.0%"
    assert zh.yoy(-0.021) == "同比 -2.1%"
    assert en.yi(10000.0) == "CNY 1,000.0 bn"
    assert en.wan(250.0) == "CNY 2.50 m"
    assert zh.yi(None) == zh.pct(float("nan")) == "—"


@given(st.one_of(st.none(), st.floats(allow_infinity=False)), st.sampled_from(["zh", "en"]))
def test_formatting_never_fails(value: float | None, lang: str) -> None:
    f = Formatter(lang)
    for text in (f.yi(value), f.wan(value), f.pct(value), f.yoy(value), f.num(value)):
        assert isinstance(text, str) and text
        if value is None or math.isnan(value):
            assert text.endswith("—")
