"""梯度培育 as JSON: funnel and candidates per tier and chain (cultivation.service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from chainlead.cultivation.rules import EVAL_TIERS
from chainlead.web.cache import memo
from chainlead.web.data import json_safe
from chainlead.web.data.cultivation import CultivationError, candidates, funnel
from chainlead.web.deps import PageError, api_user, get_db
from chainlead.web.users import Principal

router = APIRouter(tags=["cultivation 梯度培育"])


@router.get("/cultivation/funnel", summary="培育漏斗 / holders, targets, eligible and near misses per tier")
def get_funnel(
    request: Request,
    chain: str | None = Query(None, max_length=100, description="产业链名称 / chain name"),
    db: Session = Depends(get_db),
    _: Principal = Depends(api_user),
) -> list[dict[str, Any]]:
    try:
        return memo(db, request.app, ("funnel", chain), lambda: json_safe(funnel(db, chain)))
    except CultivationError as exc:
        raise PageError(404, exc.zh, exc.en) from exc


@router.get("/cultivation/candidates", summary="培育候选 / eligible candidates and near misses for a tier")
def get_candidates(
    request: Request,
    tier: str = Query(..., description=", ".join(EVAL_TIERS)),
    chain: str | None = Query(None, max_length=100, description="产业链名称 / chain name"),
    limit: int = Query(50, ge=1, le=1000),
    db: Session = Depends(get_db),
    _: Principal = Depends(api_user),
) -> list[dict[str, Any]]:
    if tier not in EVAL_TIERS:
        raise PageError(422, f"未知梯度 {tier!r}（可选：{'、'.join(EVAL_TIERS)}）", f"unknown tier {tier!r}")
    try:
        return memo(
            db,
            request.app,
            ("api_candidates", tier, chain, limit),
            lambda: json_safe(candidates(db, tier, chain, limit)),
        )
    except CultivationError as exc:
        raise PageError(404, exc.zh, exc.en) from exc
