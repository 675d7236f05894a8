"""Tier counts (梯度培育) per year from the qualification table, against targets and baselines.

A qualification counts in year Y when it is valid at the year's end (31 December):
``granted_on ≤ date < expires_on``, or, when no expiry is recorded, ``date < granted_on + 3
years`` (专精特新 titles are granted for three years). An enterprise holding the same tier twice
counts once.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from chainlead.db.models import Qualification

DEFAULT_VALIDITY_YEARS = 3
PACE_YEARS = 2  # recent pace = average net additions over the last two years
TIER_LABELS = {
    "zjtx_provincial": "省级专精特新",
    "hidden_champion_provincial": "省隐形冠军",
    "little_giant_national": "国家级专精特新“小巨人”",
}


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def valid_at(granted_on: dt.date, expires_on: dt.date | None, day: dt.date) -> bool:
    end = expires_on or _plus_years(granted_on, DEFAULT_VALIDITY_YEARS)
    return granted_on <= day < end


def tier_counts(session: Session, tiers: list[str], years: list[int]) -> dict[str, dict[int, int]]:
    """{tier: {year: enterprises holding the tier on 31 December of the year}} (counted in SQL)."""
    out: dict[str, dict[int, int]] = {t: dict.fromkeys(years, 0) for t in tiers}
    q = Qualification
    for year in years:
        day = dt.date(year, 12, 31)
        no_expiry_from = _plus_years(day, -DEFAULT_VALIDITY_YEARS)  # granted after this → still valid
        rows = session.execute(
            select(q.tier, func.count(distinct(q.enterprise_id)))
            .where(
                q.tier.in_(tiers),
                q.granted_on <= day,
                or_(
                    and_(q.expires_on.is_not(None), q.expires_on > day),
                    and_(q.expires_on.is_(None), q.granted_on > no_expiry_from),
                ),
            )
            .group_by(q.tier)
        ).all()
        for tier, count in rows:
            out[tier][year] = int(count)
    return out


@dataclass(frozen=True)
class TierStatus:
    """One tier against its target (for `chainlead status`)."""

    tier: str
    year: int
    count: int
    baseline: int | None
    target: int | None
    target_year: int | None
    needed_per_year: float | None  # additions per remaining year to reach the target
    recent_pace: float | None  # average net additions per year, last PACE_YEARS years
    status: str | None


def assess(
    tier: str,
    year: int,
    counts: dict[int, int],
    baseline: int | None,
    target: int | None,
    target_year: int | None,
    on_track_ratio: float,
    at_risk_ratio: float,
) -> TierStatus:
    """Needed additions per remaining year vs the recent pace → on_track / at_risk / off_track."""
    count = counts.get(year, 0)
    earlier = [y for y in counts if y < year]
    pace = None
    if earlier:
        start = max(min(earlier), year - PACE_YEARS)
        pace = (count - counts.get(start, 0)) / (year - start)
    needed = None
    status = None
    if target is not None and target_year is not None:
        left = target_year - year
        if count >= target:
            needed, status = 0.0, "on_track"
        elif left <= 0:
            needed, status = None, "off_track"
        else:
            needed = math.ceil((target - count) / left)
            if pace is None:
                status = None
            elif pace >= on_track_ratio * needed:
                status = "on_track"
            elif pace >= at_risk_ratio * needed:
                status = "at_risk"
            else:
                status = "off_track"
    return TierStatus(tier, year, count, baseline, target, target_year, needed, pace, status)
