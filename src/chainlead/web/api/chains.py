"""Program, ecosystems and chains (方案/生态圈/产业链) as JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from sqlalchemy.orm import Session

from chainlead.web.cache import memo
from chainlead.web.data import json_safe
from chainlead.web.data.chains import chain_page, ecosystem_page
from chainlead.web.data.program import ProgramInfo, latest_year, program_info
from chainlead.web.deps import MAX_ID, PageError, api_user, get_db
from chainlead.web.pages.overview import cached_status
from chainlead.web.users import Principal

router = APIRouter(tags=["chains 产业链"])


def _program(db: Session) -> ProgramInfo:
    prog = program_info(db)
    if prog is None:
        raise PageError(404, "尚未加载方案", "no program loaded yet")
    return prog


@router.get("/program", summary="当前方案 / the active program with ecosystems and chains")
def program(db: Session = Depends(get_db), _: Principal = Depends(api_user)) -> dict[str, Any]:
    return asdict(_program(db))


@router.get("/ecosystems/{eco_id}", summary="生态圈 / one ecosystem: scale series, chains, top firms")
def ecosystem(
    request: Request,
    eco_id: int = Path(ge=1, le=MAX_ID),
    year: int | None = Query(None, ge=1990, le=2100),
    db: Session = Depends(get_db),
    _: Principal = Depends(api_user),
) -> dict[str, Any]:
    prog = _program(db)
    report = cached_status(request, db, year)
    y = year or report.get("year") or latest_year(db) or prog.base_year
    data = memo(
        db, request.app, ("api_eco", eco_id, y), lambda: ecosystem_page(db, prog, eco_id, y, prog.scale_metric, report)
    )
    if data is None:
        raise PageError(404, f"没有编号为 {eco_id} 的生态圈", f"no ecosystem with id {eco_id}")
    return json_safe(jsonable_encoder(data))


@router.get(
    "/chains/{chain_id}", summary="产业链 / one chain: scale series, node map with strength, top firms, chain masters"
)
def chain(
    request: Request,
    chain_id: int = Path(ge=1, le=MAX_ID),
    year: int | None = Query(None, ge=1990, le=2100),
    db: Session = Depends(get_db),
    _: Principal = Depends(api_user),
) -> dict[str, Any]:
    prog = _program(db)
    info = prog.chain(chain_id)
    if info is None:
        raise PageError(404, f"没有编号为 {chain_id} 的产业链", f"no chain with id {chain_id}")
    report = cached_status(request, db, year)
    y = year or report.get("year") or latest_year(db) or prog.base_year
    data = memo(
        db, request.app, ("api_chain", chain_id, y), lambda: chain_page(db, prog, info, y, prog.scale_metric, report)
    )
    return json_safe(
        jsonable_encoder({k: v for k, v in data.items() if k != "outlook"} | {"progress": data["outlook"]})
    )
