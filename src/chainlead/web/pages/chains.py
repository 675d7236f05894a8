"""生态圈 / 产业链 pages: scale and growth, the chain map, top firms, chain masters, tier lists."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from chainlead.web.cache import memo
from chainlead.web.data.chains import chain_page, ecosystem_page
from chainlead.web.data.cultivation import candidates_by_tier
from chainlead.web.data.program import ProgramInfo, latest_year
from chainlead.web.deps import MAX_ID, PageError, cached_body, get_db, page_user, render, render_page, url_for_path
from chainlead.web.pages.overview import cached_program, cached_status
from chainlead.web.users import Principal

router = APIRouter()
CANDIDATE_TIERS = ("zjtx_provincial", "little_giant_national", "hidden_champion_provincial")


def _program(request: Request, db: Session) -> ProgramInfo:
    prog = cached_program(request, db)
    if prog is None:
        raise PageError(
            404,
            "尚未加载方案，请先运行 chainlead program load",
            "no program loaded yet; run chainlead program load first",
        )
    return prog


def _year(db: Session, prog: ProgramInfo, year: int | None) -> int:
    return year or latest_year(db) or prog.base_year


@router.get("/ecosystems/{eco_id}")
def ecosystem(
    request: Request,
    eco_id: int = Path(ge=1, le=MAX_ID),
    year: int | None = Query(None, ge=1990, le=2100),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    prog = _program(request, db)
    eco = prog.ecosystem(eco_id)
    if eco is None:
        raise PageError(404, f"没有编号为 {eco_id} 的生态圈", f"no ecosystem with id {eco_id}")

    def build() -> dict[str, Any]:
        report = cached_status(request, db, year)
        y = year or report.get("year") or _year(db, prog, None)
        return {"prog": prog, **(ecosystem_page(db, prog, eco_id, y, prog.scale_metric, report) or {})}

    body = cached_body(request, db, ("eco", eco_id, year), "ecosystem_body.html", build)
    return render_page(request, body, title=eco.name, nav="chains", user=user)


@router.get("/chains")
def chains_index(request: Request, db: Session = Depends(get_db), user: Principal = Depends(page_user)):
    prog = _program(request, db)
    target = prog.chains[0].id if prog.chains else None
    if user.role == "leader" and user.chains:
        own = prog.chain_by_name(user.chains[0])
        target = own.id if own else target
    if target is None:
        raise PageError(404, "方案中没有产业链", "the program has no chains")
    return RedirectResponse(url_for_path(request, f"/chains/{target}"), status_code=303)


@router.get("/chains/{chain_id}")
def chain(
    request: Request,
    chain_id: int = Path(ge=1, le=MAX_ID),
    year: int | None = Query(None, ge=1990, le=2100),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    prog = _program(request, db)
    info = prog.chain(chain_id)
    if info is None:
        raise PageError(404, f"没有编号为 {chain_id} 的产业链", f"no chain with id {chain_id}")

    def build() -> dict[str, Any]:
        report = cached_status(request, db, year)
        y = year or report.get("year") or _year(db, prog, None)
        return {"prog": prog, **chain_page(db, prog, info, y, prog.scale_metric, report)}

    body = cached_body(request, db, ("chain", chain_id, year), "chain_body.html", build)
    return render_page(request, body, title=info.name, nav="chains", user=user)


@router.get("/chains/{chain_id}/candidates")
def chain_candidates(
    request: Request,
    chain_id: int = Path(ge=1, le=MAX_ID),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    """The chain's tier candidates, loaded by HTMX after the page (the evaluation takes a while)."""
    prog = _program(request, db)
    info = prog.chain(chain_id)
    if info is None:
        raise PageError(404, f"没有编号为 {chain_id} 的产业链", f"no chain with id {chain_id}")
    cands = memo(
        db,
        request.app,
        ("candidates", info.name, CANDIDATE_TIERS),
        lambda: candidates_by_tier(db, CANDIDATE_TIERS, info.name, 30),
    )
    return render(request, "partials/chain_candidates.html", {"candidates": cands, "chain": info}, user=user)
