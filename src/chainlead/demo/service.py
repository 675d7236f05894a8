"""Generate the demo population and write it to files and/or a database (演示数据).

`generate_demo` is what `chainlead demo-data` calls; the web app or a test can call it too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from chainlead.demo import profile
from chainlead.demo.chunks import Context, chunk_count, make_context
from chainlead.demo.core import BASE_COL, Population, build_population
from chainlead.demo.figures import sector_of
from chainlead.demo.parallel import chunk_job, csv_job, default_workers, ordered
from chainlead.demo.plan import DemoError, Plan, build_plan
from chainlead.demo.tables import CsvSink
from chainlead.demo.tiers import Titles, assign_titles, schedule_for
from chainlead.program.builtin import resolve_program
from chainlead.program.validate import LoadedProgram, ProgramError

MAX_ENTERPRISES = 2_000_000
MAX_UNMAPPED_SHARE = 0.9
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class EcoSummary:
    name: str
    enterprises: int
    base_scale_yi: float
    baseline_yi: float
    is_estimate: bool


@dataclass
class DemoSummary:
    """What a run produced (shown by the CLI, checked by tests)."""

    n: int
    seed: int
    program: str
    base_year: int
    ecosystems: list[EcoSummary]
    baseline_date: dt.date
    tiers_on_baseline: dict[str, int]
    tiers_end_2024: dict[str, int]
    two_chains: int
    unmapped: int = 0  # enterprises written without a membership (--unmapped-share)
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "seed": self.seed,
            "program": self.program,
            "base_year": self.base_year,
            "ecosystems": [e.__dict__ for e in self.ecosystems],
            "baseline_date": self.baseline_date.isoformat(),
            "tiers_on_baseline_date": self.tiers_on_baseline,
            "tiers_end_2024": self.tiers_end_2024,
            "two_chains": self.two_chains,
            "unmapped": self.unmapped,
            "rows": self.rows,
        }


@dataclass
class DemoRun:
    """The whole run before writing: plan, population, titles, chunk context."""

    loaded: LoadedProgram
    plan: Plan
    pop: Population
    titles: Titles
    ctx: Context


def load_program(name: str) -> LoadedProgram:
    try:
        return resolve_program(name)
    except ProgramError as exc:
        raise DemoError(f"无法载入方案 {name}：\n{exc}", f"cannot load program {name}") from None
    except OSError as exc:
        raise DemoError(f"无法读取方案文件 {name}：{exc}", f"cannot read program file {name}: {exc}") from None


def prepare(n: int, seed: int, program: str = "hangzhou-2022") -> DemoRun:
    """Pass 1: draw the population, calibrate it and assign titles (no output yet)."""
    if n <= 0:
        raise DemoError(f"企业数必须为正整数，收到 {n}", f"the number of enterprises must be positive, got {n}")
    if n > MAX_ENTERPRISES:
        raise DemoError(
            f"企业数最多 {MAX_ENTERPRISES:,}，收到 {n:,}", f"at most {MAX_ENTERPRISES:,} enterprises, got {n:,}"
        )
    if seed < 0:
        raise DemoError(f"随机种子必须为非负整数，收到 {seed}", f"the seed must be a non-negative integer, got {seed}")
    loaded = load_program(program)
    plan = build_plan(loaded.program)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    pop = build_population(plan, n, rng)
    tech_chain = np.array([not c.is_service for c in plan.chains])
    titles = assign_titles(pop, rng, tech_chain, schedule_for(plan.tier_baselines, plan.tier_baseline_date))
    sector = sector_of(pop.codes, pop.code, pop.manufacturing, tech_chain[pop.chain])
    return DemoRun(loaded, plan, pop, titles, make_context(plan, pop, titles, sector, seed))


def summarize(run: DemoRun, seed: int) -> DemoSummary:
    pop, plan = run.pop, run.plan
    base = np.nan_to_num(pop.revenue[:, BASE_COL])
    ecos = []
    for e in plan.ecos:
        member = (pop.eco == e.index) | (pop.eco2 == e.index)
        ecos.append(
            EcoSummary(
                e.name, int(member.sum()), float(base[member].sum()) / 1e4, e.baseline_wan / 1e4, e.baseline_is_estimate
            )
        )
    tiers = ("zjtx_provincial", "hidden_champion_provincial", "little_giant_national")
    end = dt.date(2024, 12, 31)
    baseline_day = plan.tier_baseline_date or profile.BASELINE_DATE
    return DemoSummary(
        n=pop.n,
        seed=seed,
        program=plan.program_name,
        base_year=profile.BASE_YEAR,
        ecosystems=ecos,
        baseline_date=baseline_day,
        tiers_on_baseline={t: run.titles.valid_on(t, baseline_day) for t in tiers},
        tiers_end_2024={t: run.titles.valid_on(t, end) for t in tiers},
        two_chains=int((pop.chain2 >= 0).sum()),
        unmapped=0 if run.ctx.unmapped is None else int(run.ctx.unmapped.sum()),
    )


def unmapped_masks(pop: Population, seed: int, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Which enterprises get no membership (a seeded draw of `share`, sparing listed firms and
    masters), and which of those get a generic description (half of them)."""
    draw = np.random.default_rng(np.random.SeedSequence([seed, 9])).random((2, pop.n))
    unmapped = (draw[0] < share) & ~(pop.listed | pop.master)
    return unmapped, unmapped & (draw[1] < 0.5)


def generate_demo(
    n: int,
    seed: int,
    *,
    program: str = "hangzhou-2022",
    out_dir: str | Path | None = None,
    db_url: str | None = None,
    replace: bool = False,
    with_facts: bool = True,
    progress: Progress | None = None,
    workers: int | None = None,
    unmapped_share: float = 0.0,
) -> DemoSummary:
    """Build N enterprises for `program` deterministically from `seed`; write files and/or the DB.

    `unmapped_share`: that share of the enterprises (never a listed firm or a chain master) is
    written without a membership — newly registered firms that `chainlead map` has yet to map.
    """
    if out_dir is None and db_url is None:
        raise DemoError("请指定 --out 目录或 --db 数据库（或两者）", "give --out DIR or --db URL (or both)")
    if not 0.0 <= unmapped_share <= MAX_UNMAPPED_SHARE:
        raise DemoError(
            f"未挂链比例须在 0 到 {MAX_UNMAPPED_SHARE} 之间，收到 {unmapped_share}",
            f"the unmapped share must be between 0 and {MAX_UNMAPPED_SHARE}, got {unmapped_share}",
        )
    report = progress or (lambda stage, done, total: None)
    report("prepare", 0, 1)
    run = prepare(n, seed, program)
    if unmapped_share > 0:
        run.ctx.unmapped, run.ctx.vague = unmapped_masks(run.pop, seed, unmapped_share)
    summary = summarize(run, seed)
    report("prepare", 1, 1)
    total = chunk_count(n)
    workers = workers or default_workers()
    sink = CsvSink(out_dir, with_facts) if out_dir is not None else None
    try:
        if db_url is not None:
            summary.rows = _write_db(run, db_url, replace, sink, summary, report, total, workers)
        else:
            assert sink is not None
            for number, parts in enumerate(ordered(run.ctx, csv_job, total, workers)):
                sink.write_bytes(parts)
                report("write", number + 1, total)
    finally:
        if sink is not None:
            sink.close()
    if sink is not None:
        summary.files = {k: str(p) for k, p in sink.paths().items()}
    return summary


def _tables(run: DemoRun, chunk):
    from chainlead.demo.tables import chunk_tables

    return chunk_tables(chunk, run.plan)


def _write_db(run, db_url, replace, sink, summary, report, total, workers) -> dict[str, int]:
    from sqlalchemy.exc import OperationalError

    from chainlead.db.engine import get_engine
    from chainlead.db.migrate import ensure_schema
    from chainlead.demo.dbload import DbSink, sqlite_normal_pragmas, sqlite_speed_pragmas

    try:
        ensure_schema(db_url)
    except OperationalError as exc:
        raise DemoError(
            f"无法连接或升级数据库：{exc.orig}", f"cannot connect to or upgrade the database: {exc.orig}"
        ) from None
    engine = get_engine(db_url)
    meta = {
        "seed": summary.seed,
        "n": summary.n,
        "program": summary.program,
        "hash": hashlib.sha256(
            (
                f"{summary.program}:{run.loaded.file_hash}:{summary.seed}:{summary.n}"
                + (f":unmapped={summary.unmapped}" if summary.unmapped else "")
            ).encode()
        ).hexdigest(),
    }
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                sqlite_speed_pragmas(conn)
                conn.commit()
            try:
                with conn.begin():
                    db = DbSink(conn, run.plan, run.loaded, replace, meta)
                    for number, chunk in enumerate(ordered(run.ctx, chunk_job, total, workers, in_flight=workers)):
                        db.write(chunk)
                        if sink is not None:
                            sink.write(_tables(run, chunk))
                        report("write", number + 1, total)
                    db.finish(summary.as_dict())
            finally:
                if sqlite:  # the pooled connection goes back with the engine's usual settings
                    sqlite_normal_pragmas(conn)
                    conn.commit()
            return dict(db.rows)
    except OperationalError as exc:
        raise DemoError(f"无法写入数据库：{exc.orig}", f"cannot write to the database: {exc.orig}") from None
