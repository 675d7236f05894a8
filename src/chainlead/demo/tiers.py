"""Tier titles for the demo population (梯度培育称号): exact baselines, later batches, reviews.

Counts valid on 2022-05-31 equal the program's baselines exactly (310 / 36 / 53 for
hangzhou-2022); later batches follow Hangzhou's published pace, scaled for small populations.
小巨人 are chosen among holders of a valid provincial 专精特新 title, as the 2022 rules require.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from chainlead.demo import profile
from chainlead.demo.core import NO_EXIT, Population

TIERS = (
    "innovative_sme",
    "zjtx_provincial",
    "hidden_champion_provincial",
    "little_giant_national",
    "single_champion_national",
    "high_tech",
)
TIER_INDEX = {t: i for i, t in enumerate(TIERS)}


@dataclass
class Titles:
    """All qualification rows plus per-enterprise summaries the figures depend on."""

    ent: np.ndarray  # int32 enterprise index
    tier: np.ndarray  # int8 index into TIERS
    granted: np.ndarray  # datetime64[D]
    expires: np.ndarray  # datetime64[D]
    ever: np.ndarray  # (n, len(TIERS)) bool: held the tier at some time
    high_tech_now: np.ndarray  # bool: valid 高新技术企业 at the end of 2024

    def valid_on(self, tier: str, day: dt.date) -> int:
        d = np.datetime64(day, "D")
        mask = (self.tier == TIER_INDEX[tier]) & (self.granted <= d) & (self.expires >= d)
        return int(np.unique(self.ent[mask]).size)


def plus_years(days: np.ndarray, years: int) -> np.ndarray:
    """The day before the same date `years` later (end of a title's validity)."""
    month = days.astype("datetime64[M]")
    day_of_month = days - month.astype("datetime64[D]")
    return (month + 12 * years).astype("datetime64[D]") + day_of_month - np.timedelta64(1, "D")


class _Book:
    def __init__(self, n: int) -> None:
        self.rows: list[tuple[np.ndarray, int, np.ndarray]] = []
        self.n = n

    def add(self, ents: np.ndarray, tier: str, granted) -> None:
        if ents.size == 0:
            return
        g = np.broadcast_to(np.asarray(granted, dtype="datetime64[D]"), ents.shape).copy()
        self.rows.append((ents.astype(np.int32), TIER_INDEX[tier], g))

    def holders(self, tier: str, day: np.datetime64) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        for ents, t, g in self.rows:
            if t == TIER_INDEX[tier]:
                ok = (g <= day) & (plus_years(g, profile.VALIDITY_YEARS) >= day)
                mask[ents[ok]] = True
        return mask

    def cohort(self, tier: str, granted: np.datetime64) -> np.ndarray:
        out = [ents[g == granted] for ents, t, g in self.rows if t == TIER_INDEX[tier]]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int32)


def _prev_revenue(pop: Population, day: dt.date) -> np.ndarray:
    col = min(max(day.year - 1 - profile.YEARS[0], 0), len(profile.YEARS) - 1)
    return np.nan_to_num(pop.revenue[:, col])


def _growth_score(pop: Population, day: dt.date) -> np.ndarray:
    """Share of yearly revenue steps that rise, from two years before `day` through the last year.

    Titles go to firms that grow (the criteria ask for rising revenue and main-business
    revenue in the years before each application); the noise in the pick keeps some that don't.
    """
    rev = pop.revenue
    first = min(max(day.year - 2 - profile.YEARS[0], 1), len(profile.YEARS) - 1)
    cur, prev = rev[:, first:], rev[:, first - 1 : -1]
    with np.errstate(invalid="ignore"):
        up = (cur > prev).sum(axis=1)
    known = (~np.isnan(cur) & ~np.isnan(prev)).sum(axis=1)
    return np.where(known > 0, up / np.maximum(known, 1), 0.0)


def _alive(pop: Population, day: dt.date, min_age_years: int) -> np.ndarray:
    cutoff = np.datetime64(dt.date(day.year - min_age_years, day.month, min(day.day, 28)), "D")
    return (pop.founded <= cutoff) & (pop.exit_year > day.year)


def _pick(rng, k: int, pool: np.ndarray, fallback: np.ndarray, score: np.ndarray, *more: np.ndarray) -> np.ndarray:
    """Top-k by score (plus Gumbel noise) from `pool`, topped up from `fallback` (then `more`) if short."""
    chosen = _top(rng, np.flatnonzero(pool), score, k)
    taken = pool.copy()
    for extra in (fallback, *more):
        if chosen.size >= k:
            break
        chosen = np.concatenate([chosen, _top(rng, np.flatnonzero(extra & ~taken), score, k - chosen.size)])
        taken |= extra
    return np.sort(chosen)


def _top(rng, candidates: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    noisy = score[candidates] + rng.gumbel(size=candidates.size)
    if k <= 0:
        return candidates[:0]
    if candidates.size > k:
        part = np.argpartition(-noisy, k - 1)[:k]
        return candidates[part[np.argsort(-noisy[part], kind="stable")]]
    return candidates[np.argsort(-noisy, kind="stable")]


@dataclass(frozen=True)
class Schedule:
    """Grant batches for one program: its baseline counts and date, Hangzhou's pace after that."""

    baseline_date: dt.date
    baseline: tuple[tuple[str, dt.date, int], ...]
    later: tuple[tuple[str, dt.date, int], ...]
    reviews: tuple[tuple[str, dt.date, dt.date, float], ...]
    single: tuple[tuple[dt.date, int], ...]
    innovative: tuple[tuple[dt.date, float], ...]


def _split(total: int, weights: list[int]) -> list[int]:
    """`total` in proportion to `weights`, largest remainders first (sums exactly)."""
    if not weights or sum(weights) == 0:
        return [0] * len(weights)
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


def reference_baselines() -> dict[str, int]:
    """The baseline counts the profile's batches add up to (Hangzhou: 310 / 36 / 53)."""
    out: dict[str, int] = {}
    for tier, _d, count in profile.BASELINE_GRANTS:
        out[tier] = out.get(tier, 0) + count
    return out


def schedule_for(baselines: dict[str, int], as_of: dt.date | None) -> Schedule:
    """The profile's batches, shifted to the program's baseline date, sized to its baselines.

    Each tier's baseline batches are scaled so their sum is the program's baseline count; later
    batches keep Hangzhou's pace relative to its own baseline (a city with half Hangzhou's
    小巨人 gets half as many new ones). A tier without a baseline gets none before the date.
    """
    day = as_of or profile.BASELINE_DATE
    shift = day - profile.BASELINE_DATE
    reference = reference_baselines()
    baseline = []
    for tier in reference:
        batches = [(d, c) for t, d, c in profile.BASELINE_GRANTS if t == tier]
        counts = _split(int(baselines.get(tier, 0)), [c for _d, c in batches])
        baseline += [(tier, d + shift, c) for (d, _c), c in zip(batches, counts, strict=True)]
    ratio = {t: (baselines[t] / reference[t] if t in baselines else 1.0) for t in reference}
    return Schedule(
        day,
        tuple(baseline),
        tuple((t, d + shift, round(c * ratio.get(t, 1.0))) for t, d, c in profile.LATER_GRANTS),
        tuple((t, c + shift, r + shift, p) for t, c, r, p in profile.REVIEWS),
        tuple((d + shift, c) for d, c in profile.SINGLE_CHAMPION_GRANTS),
        tuple((d + shift, p) for d, p in profile.INNOVATIVE_BATCHES),
    )


def assign_titles(
    pop: Population, rng: np.random.Generator, tech_chain: np.ndarray, schedule: Schedule | None = None
) -> Titles:
    """Draw every title; `tech_chain[c]` is True for technology-intensive chains."""
    plan = schedule or schedule_for(reference_baselines(), None)
    n = pop.n
    book = _Book(n)
    scale = min(1.0, n / profile.LATER_GRANTS_FULL_AT)
    big = pop.master | pop.listed
    tech = tech_chain[pop.chain]
    base_score = 1.0 * pop.manufacturing + 0.8 * tech

    def sme_pool(day: dt.date, age: int) -> tuple[np.ndarray, np.ndarray]:
        alive = _alive(pop, day, age) & ~big
        rev = _prev_revenue(pop, day)
        return alive & (rev >= 1000) & (rev < 40000), alive & (rev > 0)

    # Baseline grants first, and zjtx before the others: baseline 小巨人 are drawn from its holders.
    grants = sorted(
        [(d, t, c, True) for t, d, c in plan.baseline]
        + [(d, t, max(0, round(c * scale)), False) for t, d, c in plan.later],
        key=lambda g: (not g[3], g[1] != "zjtx_provincial", g[0]),
    )
    for day, tier, count, _baseline in grants:
        d64 = np.datetime64(day, "D")
        rev = _prev_revenue(pop, day)
        logrev = np.log1p(rev)
        if tier == "zjtx_provincial":
            pool, fallback = sme_pool(day, 2)
            pool &= ~book.holders(tier, d64)
            # Larger SMEs are likelier 专精特新 (and later 小巨人, which wants ≥ 5000万).
            score = base_score + 0.5 * logrev + 1.5 * _growth_score(pop, day)
            picked = _pick(rng, count, pool, fallback & ~book.holders(tier, d64), score)
        elif tier == "little_giant_national":
            zjtx_now = book.holders("zjtx_provincial", d64)
            if not zjtx_now.any():  # baseline cohorts predate the 2022 list: use its holders
                zjtx_now = book.holders("zjtx_provincial", np.datetime64(plan.baseline_date, "D"))
            alive = _alive(pop, day, 3)
            free = ~book.holders(tier, d64)
            pool = zjtx_now & alive & free
            growth = _growth_score(pop, day)
            score = base_score + 0.5 * logrev + 4.0 * growth
            # Preferred: ≥ 5000万 revenue (smaller ones need 8000万 equity to qualify) and growing.
            big_enough = pool & (rev >= 5000)
            others = alive & free & ~big & (rev > 0)
            picked = _pick(rng, count, big_enough & (growth >= 0.7), big_enough, score, pool, others)
        elif tier == "hidden_champion_provincial":
            # 隐形冠军: ≥ 10 years in business, 5000万–20亿 revenue, rising revenue.
            alive = _alive(pop, day, 10) & ~book.holders(tier, d64) & ~pop.master
            pool = alive & pop.manufacturing & (rev >= 5000) & (rev <= 200000)
            growth = _growth_score(pop, day)
            score = 0.8 * logrev + 6.0 * growth
            picked = _pick(rng, count, pool & (growth >= 0.99), pool & (growth >= 0.7), score, pool, alive & (rev > 0))
        else:
            raise AssertionError(tier)
        book.add(picked, tier, d64)

    for tier, cohort_day, review_day, share in plan.reviews:
        cohort = book.cohort(tier, np.datetime64(cohort_day, "D"))
        alive = pop.exit_year[cohort] > review_day.year
        passed = cohort[alive & (rng.random(cohort.size) < share)]
        book.add(np.sort(passed), tier, np.datetime64(review_day, "D"))

    for day, count in plan.single:
        d64 = np.datetime64(day, "D")
        rev = _prev_revenue(pop, day)
        alive = _alive(pop, day, 10) & ~book.holders("single_champion_national", d64)
        pool = alive & pop.manufacturing & (rev > 0)
        k = min(count, max(1, n // 2000))
        book.add(_pick(rng, k, pool, alive & (rev > 0), 1.2 * np.log1p(rev)), "single_champion_national", d64)

    for day, share in plan.innovative:
        d64 = np.datetime64(day, "D")
        excluded = book.holders("zjtx_provincial", d64) | book.holders("little_giant_national", d64)
        excluded |= book.holders("innovative_sme", d64)
        pool, fallback = sme_pool(day, 1)
        pool &= ~excluded
        k = round(share * n)
        score = base_score + 2.5 * _growth_score(pop, day)
        book.add(_pick(rng, k, pool, fallback & ~excluded, score), "innovative_sme", d64)

    ever = np.zeros((n, len(TIERS)), dtype=bool)
    for ents, t, _g in book.rows:
        ever[ents, t] = True

    # 高新技术企业: a share by chain type, plus most holders of the SME titles; renewed every 3 years.
    p = np.where(tech, profile.HIGH_TECH_SHARE_TECH, profile.HIGH_TECH_SHARE_OTHER)
    p = np.where(ever[:, TIER_INDEX["little_giant_national"]], 0.95, p)
    p = np.where(ever[:, TIER_INDEX["zjtx_provincial"]], np.maximum(p, 0.75), p)
    p = np.where(ever[:, TIER_INDEX["hidden_champion_provincial"]], np.maximum(p, 0.6), p)
    ht = rng.random(n) < p
    founded_year = pop.founded.astype("datetime64[Y]").astype(int) + 1970
    first = np.maximum(founded_year + 1, rng.integers(2010, 2024, size=n))
    offset = rng.integers(0, 25, size=n)
    for k in range(6):
        year = first + 3 * k
        ok = ht & (year <= 2024) & (year < pop.exit_year) & (year + 3 > 2019)
        ents = np.flatnonzero(ok)
        day = (year[ents] - 1970).astype("datetime64[Y]").astype("datetime64[D]") + 334 + offset[ents]
        book.add(ents, "high_tech", day.astype("datetime64[D]"))
    ever[:, TIER_INDEX["high_tech"]] = ht & (first <= 2024)
    now = book.holders("high_tech", np.datetime64("2024-12-31"))

    ent = np.concatenate([r[0] for r in book.rows]) if book.rows else np.zeros(0, np.int32)
    tier_index = np.concatenate([np.full(r[0].size, r[1], np.int8) for r in book.rows]) if book.rows else ent
    granted = np.concatenate([r[2] for r in book.rows]) if book.rows else np.zeros(0, "datetime64[D]")
    order = np.lexsort((tier_index, granted, ent))
    ent, tier_index, granted = ent[order], tier_index[order].astype(np.int8), granted[order]
    return Titles(ent, tier_index, granted, plus_years(granted, profile.VALIDITY_YEARS), ever, now)


__all__ = ["NO_EXIT", "TIERS", "Titles", "assign_titles", "plus_years"]
