"""梯度培育: the funnel, candidates and near-misses per chain, export to Excel."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from chainlead.web.cache import memo
from chainlead.web.data.cultivation import application_year, candidates_by_tier, export_candidates, funnel
from chainlead.web.data.program import ProgramInfo, program_info
from chainlead.web.deps import MAX_ID, PageError, get_db, page_user, render
from chainlead.web.users import Principal

router = APIRouter()
TARGET_TIERS = ("innovative_sme", "zjtx_provincial", "little_giant_national", "hidden_champion_provincial")


def _chain_name(db: Session, chain: int | None) -> tuple[ProgramInfo, str | None]:
    prog = program_info(db)
    if prog is None:
        raise PageError(404, "尚未加载方案", "no program loaded yet")
    if chain is None:
        return prog, None
    info = prog.chain(chain)
    if info is None:
        raise PageError(404, f"没有编号为 {chain} 的产业链", f"no chain with id {chain}")
    return prog, info.name


@router.get("/cultivation")
def cultivation_page(
    request: Request,
    chain: int | None = Query(None, ge=1, le=MAX_ID),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    prog, name = _chain_name(db, chain)
    ctx = {"nav": "cultivation", "prog": prog, "chain_id": chain, "chain_name": name, "year": application_year(db)}
    return render(request, "cultivation.html", ctx, user=user)


@router.get("/cultivation/panel")
def cultivation_panel(
    request: Request,
    chain: int | None = Query(None, ge=1, le=MAX_ID),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    """The funnel and the candidate lists, loaded by HTMX after the page (evaluation takes a while)."""
    _, name = _chain_name(db, chain)
    fun = memo(db, request.app, ("funnel", name), lambda: funnel(db, name))
    lists = memo(
        db, request.app, ("candidates", name, TARGET_TIERS), lambda: candidates_by_tier(db, TARGET_TIERS, name, 30)
    )
    ctx = {"chain_id": chain, "funnel": fun, "lists": lists}
    return render(request, "partials/cultivation_panel.html", ctx, user=user)


@router.get("/cultivation/export.xlsx")
def cultivation_export(
    chain: int | None = Query(None, ge=1, le=MAX_ID),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    _, name = _chain_name(db, chain)
    data = export_candidates(candidates_by_tier(db, TARGET_TIERS, name, limit=1_000_000))
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename*=UTF-8''cultivation-candidates.xlsx"},
    )
