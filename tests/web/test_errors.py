"""The web error classes share chainlead.errors.BilingualError and keep their builtin base and status."""

from __future__ import annotations

import pytest

from chainlead.errors import BilingualError
from chainlead.web.data.imports import ImportProblem
from chainlead.web.data.mapping import DecisionError, decide
from chainlead.web.deps import PageError
from chainlead.web.users import Principal, UserError


def test_page_and_decision_errors_carry_status_and_both_messages() -> None:
    for cls in (PageError, DecisionError):
        exc = cls(409, "已处理", "already decided")
        assert isinstance(exc, BilingualError)
        assert (exc.status, exc.zh, exc.en, str(exc)) == (409, "已处理", "already decided", "已处理 / already decided")
    assert isinstance(DecisionError(422, "z", "e"), ValueError)


def test_import_problem_defaults_to_422_and_is_a_value_error() -> None:
    exc = ImportProblem("没有批次 7", "no batch 7")
    assert isinstance(exc, BilingualError) and isinstance(exc, ValueError)
    assert (exc.status, str(exc)) == (422, "没有批次 7 / no batch 7")
    assert ImportProblem("z", "e", 404).status == 404


def test_user_error_is_bilingual_value_error() -> None:
    exc = UserError("用户已存在", "user exists")
    assert isinstance(exc, BilingualError) and isinstance(exc, ValueError)
    assert (exc.zh, exc.en, str(exc)) == ("用户已存在", "user exists", "用户已存在 / user exists")


def test_decide_rejects_an_unknown_decision_before_touching_the_database() -> None:
    user = Principal(username="a", role="admin")
    with pytest.raises(ValueError) as info:  # still caught as ValueError
        decide(None, [1], "maybe", user)  # type: ignore[arg-type]
    assert isinstance(info.value, DecisionError) and info.value.status == 422
    assert str(info.value) == "未知操作 'maybe' / unknown decision 'maybe'"
