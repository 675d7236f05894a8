"""Load and validate a program file, reporting every problem with its key path and a fix.

Messages are bilingual (Chinese first). A file with any problem is rejected whole.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from chainlead.program.model import POSITION_ALIASES, SCALE_METRICS, Program
from chainlead.reference.industry import is_industry_class


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a program file."""

    path: str  # key path, e.g. ecosystems[1].chains[0].nodes[2].industry_codes[0]
    zh: str
    en: str
    fix_zh: str = ""
    fix_en: str = ""

    def render(self, file: str) -> str:
        fix = f"\n    修改建议：{self.fix_zh} / Fix: {self.fix_en}" if self.fix_zh else ""
        return f"{file}: {self.path}: {self.zh} / {self.en}{fix}"


@dataclass
class ProgramError(Exception):
    """A program file that cannot be used; carries every problem found."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"方案文件有 {len(self.problems)} 处错误 / the program file has {len(self.problems)} error(s)"
        return "\n".join([head, *(p.render(self.file) for p in self.problems)])


@dataclass(frozen=True)
class LoadedProgram:
    """A validated program with the text and hash it came from."""

    program: Program
    text: str
    file_hash: str
    origin: str


def _loc(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(root)"


_PYDANTIC_MESSAGES: dict[str, tuple[str, str, str, str]] = {
    # type: (zh, en, fix_zh, fix_en)
    "extra_forbidden": (
        "未知的键",
        "unknown key",
        "删除此键或检查拼写（见 docs/program-format.md）",
        "remove the key or check its spelling (see docs/program-format.md)",
    ),
    "missing": ("缺少必填键", "required key is missing", "添加此键", "add this key"),
    "float_parsing": ("应为数字", "must be a number", "写成数字，如 10000", "write a number, e.g. 10000"),
    "float_type": ("应为数字", "must be a number", "写成数字，如 10000", "write a number, e.g. 10000"),
    "int_parsing": ("应为整数", "must be an integer", "写成整数，如 2025", "write an integer, e.g. 2025"),
    "int_type": ("应为整数", "must be an integer", "写成整数，如 2025", "write an integer, e.g. 2025"),
    "int_from_float": ("应为整数", "must be an integer", "写成整数", "write an integer"),
    "greater_than_equal": ("不能为负数", "must not be negative", "改为 0 或正数", "use 0 or more"),
    "less_than_equal": ("超出允许范围", "is above the allowed maximum", "改为不超过上限的值", "lower it"),
    "finite_number": ("应为有限数字", "must be a finite number", "写成普通数字", "write a plain number"),
    "string_type": ("应为文本", "must be a string", "用引号括起来", "put it in quotes"),
    "list_type": ("应为列表", "must be a list", '写成 ["…", "…"]', 'write ["…", "…"]'),
    "dict_type": ("应为表", "must be a table", "写成 { … } 或 [表]", "write a { … } table"),
    "bool_type": ("应为 true/false", "must be true or false", "写 true 或 false", "write true or false"),
    "bool_parsing": ("应为 true/false", "must be true or false", "写 true 或 false", "write true or false"),
    "string_too_short": ("不能为空", "must not be empty", "填写名称", "fill in a name"),
    "string_pattern_mismatch": (
        "格式不对",
        "has the wrong format",
        "见 docs/program-format.md",
        "see docs/program-format.md",
    ),
    "date_from_datetime_parsing": ("日期格式不对", "is not a date", "写成 2022-05-31", "write 2022-05-31"),
    "date_parsing": ("日期格式不对", "is not a date", "写成 2022-05-31", "write 2022-05-31"),
    "date_type": ("日期格式不对", "is not a date", "写成 2022-05-31", "write 2022-05-31"),
    "enum": (
        "取值不在允许范围内",
        "is not one of the allowed values",
        "节点位置写 上游、中游 或 下游",
        "a node position is 上游, 中游 or 下游",
    ),
}


def _pydantic_problems(err: ValidationError, data: dict[str, Any]) -> list[Problem]:
    problems = []
    for e in err.errors():
        zh, en, fix_zh, fix_en = _PYDANTIC_MESSAGES.get(
            e["type"], ("取值无效", f"invalid value ({e['msg']})", "检查此值", "check this value")
        )
        value = e.get("input")
        shown = (
            ""
            if e["type"] in ("missing", "dict_type", "extra_forbidden") or isinstance(value, dict | list)
            else f"：{value!r}"
        )
        problems.append(Problem(_loc(e["loc"], data), zh + shown, en, fix_zh, fix_en))
    return problems


def _normalise_positions(data: dict[str, Any]) -> None:
    """Accept English position names as aliases before strict validation."""
    for eco in data.get("ecosystems", []) or []:
        for chain in (eco.get("chains", []) if isinstance(eco, dict) else []) or []:
            for node in (chain.get("nodes", []) if isinstance(chain, dict) else []) or []:
                if isinstance(node, dict) and isinstance(node.get("position"), str):
                    alias = POSITION_ALIASES.get(node["position"].strip().lower())
                    if alias is not None:
                        node["position"] = alias.value


def semantic_problems(program: Program) -> list[Problem]:
    """The rules pydantic cannot express: uniqueness, cycles, codes, years."""
    problems: list[Problem] = []
    head = program.program
    if head.target_year < head.base_year:
        problems.append(
            Problem(
                "program.target_year",
                f"目标年 {head.target_year} 早于基准年 {head.base_year}",
                f"target year {head.target_year} is before base year {head.base_year}",
                "目标年应不早于基准年",
                "make target_year ≥ base_year",
            )
        )
    if head.scale_metric not in SCALE_METRICS:
        problems.append(
            Problem(
                "program.scale_metric",
                f"未知的规模口径 {head.scale_metric!r}",
                f"unknown scale metric {head.scale_metric!r}",
                "使用 revenue_wan（营业收入）或 output_value_wan（工业总产值）",
                "use revenue_wan or output_value_wan",
            )
        )
    if program.status_rules.at_risk_min_probability > program.status_rules.on_track_min_probability:
        problems.append(
            Problem(
                "status_rules",
                "关注阈值高于达标阈值",
                "the at-risk threshold is above the on-track threshold",
                "令 at_risk_min_probability ≤ on_track_min_probability",
                "make at_risk_min_probability ≤ on_track_min_probability",
            )
        )
    for key, goal in (("tier_targets", program.tier_targets), ("tier_baselines", program.tier_baselines)):
        if goal.year is not None and not (1949 <= goal.year <= 2100):
            problems.append(Problem(f"{key}.year", f"年份 {goal.year} 不合理", f"year {goal.year} is implausible"))

    eco_names: dict[str, str] = {}
    chain_names: dict[str, str] = {}
    for ei, eco in enumerate(program.ecosystems):
        epath = f"ecosystems[{ei}]"
        for name in [eco.name, *eco.aliases]:
            if name in eco_names:
                problems.append(
                    Problem(
                        f"{epath}.name",
                        f"生态圈名称或别名 {name!r} 重复（已见于 {eco_names[name]}）",
                        f"ecosystem name or alias {name!r} is used twice (also at {eco_names[name]})",
                        "每个生态圈名称和别名只能出现一次",
                        "give every ecosystem a unique name and aliases",
                    )
                )
            eco_names.setdefault(name, epath)
        for year, value in eco.targets.items():
            if not year.isdigit() or not (head.base_year <= int(year) <= 2100):
                problems.append(
                    Problem(
                        f"{epath}.targets.{year}",
                        f"目标年份 {year!r} 无效（应为不早于基准年 {head.base_year} 的四位年份）",
                        f"target year {year!r} is invalid (a 4-digit year not before {head.base_year})",
                        "写成 targets = { 2025 = 10000 }",
                        "write targets = { 2025 = 10000 }",
                    )
                )
            del value
        for ci, chain in enumerate(eco.chains):
            cpath = f"{epath}.chains[{ci}]"
            for name in [chain.name, *chain.aliases]:
                if name in chain_names:
                    other = chain_names[name]
                    same_eco = other.startswith(epath + ".")
                    problems.append(
                        Problem(
                            f"{cpath}.name",
                            f"产业链 {name!r} 重复" + ("" if same_eco else f"，同时出现在两个生态圈（{other}）"),
                            f"chain {name!r} appears twice" + ("" if same_eco else f", in two ecosystems ({other})"),
                            "一条产业链只能属于一个生态圈，名称与别名不得重复",
                            "a chain belongs to one ecosystem; names and aliases must be unique",
                        )
                    )
                chain_names.setdefault(name, cpath)
            problems.extend(_node_problems(chain.nodes, cpath))
    return problems


def _node_problems(nodes: list[Any], cpath: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for ni, node in enumerate(nodes):
        npath = f"{cpath}.nodes[{ni}]"
        if node.name in seen:
            problems.append(
                Problem(
                    f"{npath}.name",
                    f"节点名称 {node.name!r} 在本链中重复",
                    f"node name {node.name!r} is used twice in this chain",
                    "同一产业链内节点名称须唯一",
                    "node names must be unique within a chain",
                )
            )
        seen.setdefault(node.name, ni)
        for key in ("industry_codes", "partial_codes"):
            for ki, code in enumerate(getattr(node, key)):
                if not is_industry_class(code):
                    problems.append(
                        Problem(
                            f"{npath}.{key}[{ki}]",
                            f"{code!r} 不是 GB/T 4754-2017 的四位行业小类代码",
                            f"{code!r} is not a 4-digit GB/T 4754-2017 industry class",
                            '查 docs/data-format.md 中的行业代码表，写四位数字代码，如 "3973"',
                            'use a 4-digit class code such as "3973"',
                        )
                    )
    for ni, node in enumerate(nodes):
        if node.parent and node.parent not in seen:
            problems.append(
                Problem(
                    f"{cpath}.nodes[{ni}].parent",
                    f"上级节点 {node.parent!r} 不存在",
                    f"parent node {node.parent!r} does not exist",
                    "parent 写本链内已有节点的名称，或留空",
                    "name an existing node of this chain, or leave it empty",
                )
            )
    parents = {n.name: n.parent for n in nodes}
    reported: set[str] = set()
    for ni, node in enumerate(nodes):
        walk, current = [node.name], node.parent
        while current and current in parents:
            if current in walk:
                cycle = [*walk[walk.index(current) :], current]
                if not reported.intersection(cycle):
                    problems.append(
                        Problem(
                            f"{cpath}.nodes[{ni}].parent",
                            "节点上下级关系成环：" + " → ".join(cycle),
                            "node parents form a cycle: " + " → ".join(cycle),
                            "节点树不能成环，去掉其中一个 parent",
                            "remove one of the parent links",
                        )
                    )
                    reported.update(cycle)
                break
            walk.append(current)
            current = parents[current]
    return problems


def parse_program(text: str, origin: str = "<text>") -> LoadedProgram:
    """Parse and validate program TOML; raise ProgramError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProgramError(
            origin,
            [
                Problem(
                    "(syntax)",
                    f"TOML 语法错误：{exc}",
                    f"TOML syntax error: {exc}",
                    "检查引号、括号和等号",
                    "check quotes, brackets and equals signs",
                )
            ],
        ) from None
    _normalise_positions(data)
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        raise ProgramError(origin, _pydantic_problems(exc, data)) from None
    problems = semantic_problems(program)
    if problems:
        raise ProgramError(origin, problems)
    return LoadedProgram(program, text, hashlib.sha256(text.encode("utf-8")).hexdigest(), origin)


def load_program_file(path: str | Path) -> LoadedProgram:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ProgramError(
            str(p), [Problem("(file)", f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProgramError(
            str(p),
            [
                Problem(
                    "(file)",
                    "文件不是 UTF-8 编码",
                    "the file is not UTF-8 encoded",
                    "用 UTF-8 编码保存方案文件",
                    "save the program file as UTF-8",
                )
            ],
        ) from None
    return parse_program(text, str(p))
