"""挂链审核: the mapping review queue; confirm or reject one by one or in bulk (HTMX)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy.orm import Session

from chainlead.web.data.mapping import DecisionError, decide, queue_counts, review_queue
from chainlead.web.data.program import program_info
from chainlead.web.deps import MAX_ID, PageError, get_db, page_user, render, writer_user
from chainlead.web.users import Principal

router = APIRouter()
PER_PAGE = 30


ORDERS = ("high", "low")  # most confident first (default) / least confident first


def _context(
    request: Request,
    db: Session,
    user: Principal,
    chain: int | None,
    page: int,
    message: tuple[str, str] | None = None,
    order: str = "high",
) -> dict:  # type: ignore[type-arg]
    prog = program_info(db)
    if prog is None:
        raise PageError(404, "尚未加载方案", "no program loaded yet")
    items, total = review_queue(db, chain, page, PER_PAGE, lowest_first=order == "low")
    return {
        "nav": "mapping",
        "prog": prog,
        "items": items,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "chain_id": chain,
        "counts": queue_counts(db, prog.id),
        "message": message,
        "order": order,
    }


@router.get("/mapping")
def mapping_page(
    request: Request,
    chain: int | None = Query(None, ge=1, le=MAX_ID),
    page: int = Query(1, ge=1, le=100000),
    order: Literal["high", "low"] = Query("high"),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    return render(request, "mapping.html", _context(request, db, user, chain, page, order=order), user=user)


@router.post("/mapping/decide")
async def mapping_decide(
    request: Request,
    decision: str = Form(""),
    note: str = Form("", max_length=500),
    chain: str = Form(""),
    page: str = Form("1"),
    order: str = Form("high"),
    db: Session = Depends(get_db),
    user: Principal = Depends(writer_user),
):
    form = await request.form()
    raw_ids = [v for v in form.getlist("ids") if isinstance(v, str)]
    chain_id = int(chain) if chain.isdigit() and 0 < int(chain) <= MAX_ID else None
    page_no = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
    status = 200
    try:
        ids = [int(v) for v in raw_ids]
        if any(not 1 <= i <= MAX_ID for i in ids):
            raise ValueError("out of range")
    except ValueError:
        ids, message, status = [], ("挂链建议编号无效", "invalid suggestion id"), 422
    else:
        try:
            n = decide(db, ids, decision, user, note)
            verb = ("确认", "confirmed") if decision == "confirm" else ("驳回", "rejected")
            message = (f"已{verb[0]} {n} 条挂链建议", f"{verb[1]} {n} suggestion(s)")
        except DecisionError as exc:
            db.rollback()
            message, status = (exc.zh, exc.en), exc.status
    ctx = _context(request, db, user, chain_id, page_no, message, order if order in ORDERS else "high")
    ctx["message_ok"] = status == 200
    template = "partials/mapping_queue.html" if request.headers.get("hx-request") else "mapping.html"
    return render(request, template, ctx, status_code=status, user=user)
