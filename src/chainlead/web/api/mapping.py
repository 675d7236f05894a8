"""挂链审核 as JSON: the review queue, confirm/reject decisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from chainlead.web.data.mapping import DecisionError, decide, review_queue
from chainlead.web.data.program import program_info
from chainlead.web.deps import MAX_ID, PageError, api_user, api_writer, get_db
from chainlead.web.users import Principal

router = APIRouter(tags=["mapping 挂链审核"])


class Decision(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1, max_length=1000)
    decision: Literal["confirm", "reject"]
    note: str = Field("", max_length=500)


@router.get("/mapping/queue", summary="待审核挂链 / suggestions waiting for review")
def queue(
    chain: int | None = Query(None, ge=1, le=MAX_ID),
    page: int = Query(1, ge=1, le=100000),
    per_page: int = Query(50, ge=1, le=500),
    order: Literal["high", "low"] = Query("high", description="high: most confident first; low: least confident first"),
    db: Session = Depends(get_db),
    _: Principal = Depends(api_user),
) -> dict[str, Any]:
    prog = program_info(db)
    if prog is None:
        raise PageError(404, "尚未加载方案", "no program loaded yet")
    items, total = review_queue(db, chain, page, per_page, lowest_first=order == "low")
    return {"total": total, "page": page, "items": items}


@router.post("/mapping/decisions", summary="确认或驳回 / confirm or reject suggestions")
def decisions(body: Decision, db: Session = Depends(get_db), user: Principal = Depends(api_writer)) -> dict[str, Any]:
    try:
        n = decide(db, body.ids, body.decision, user, body.note)
    except DecisionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    return {"decided": n, "status": "confirmed" if body.decision == "confirm" else "rejected"}
