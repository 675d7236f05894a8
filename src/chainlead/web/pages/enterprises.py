"""企业库: search and list (filters, sort, paging, Excel export) and the enterprise profile."""

from __future__ import annotations

from dataclasses import astuple

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from chainlead.db.models import TIERS
from chainlead.reference.districts import CURRENT_DISTRICTS, DISTRICTS
from chainlead.web.cache import memo
from chainlead.web.data.cultivation import eligibility
from chainlead.web.data.enterprises import SIZES, SORTS, Filters, export_xlsx, profile, search
from chainlead.web.data.program import chain_nodes, data_years, latest_year, program_info
from chainlead.web.deps import MAX_ID, PageError, get_db, page_user, render
from chainlead.web.users import Principal

router = APIRouter()


def parse_filters(
    q: str = Query("", max_length=100),
    chain: str = Query(""),
    node: str = Query(""),
    district: str = Query(""),
    tier: str = Query(""),
    size: str = Query(""),
    sort: str = Query("revenue"),
    order: str = Query("desc"),
) -> tuple[Filters, list[tuple[str, str]]]:
    """Filters from the query string, with every problem as a (zh, en) message."""
    errors: list[tuple[str, str]] = []

    def as_id(value: str, zh: str, en: str) -> int | None:
        if not value:
            return None
        if not value.isdigit() or not 0 < int(value) <= MAX_ID:
            errors.append((f"{zh}编号应为数字：{value!r}", f"the {en} id must be a number: {value!r}"))
            return None
        return int(value)

    f = Filters(q=q.strip(), chain_id=as_id(chain, "产业链", "chain"), node_id=as_id(node, "节点", "node"))
    if district and district not in DISTRICTS:
        errors.append((f"未知区县代码 {district!r}", f"unknown district code {district!r}"))
    else:
        f.district = district
    if tier and tier not in TIERS:
        errors.append((f"未知梯度 {tier!r}", f"unknown tier {tier!r}"))
    else:
        f.tier = tier
    if size and size not in SIZES:
        errors.append((f"未知规模 {size!r}", f"unknown size {size!r}"))
    else:
        f.size = size
    if sort not in SORTS:
        errors.append((f"未知排序字段 {sort!r}", f"unknown sort field {sort!r}"))
    else:
        f.sort = sort
    f.desc = order != "asc"
    return f, errors


@router.get("/enterprises")
def enterprise_list(
    request: Request,
    parsed: tuple[Filters, list[tuple[str, str]]] = Depends(parse_filters),
    year: int | None = Query(None, ge=1990, le=2100),
    page: int = Query(1, ge=1, le=100000),
    per_page: int = Query(50, ge=10, le=200),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    f, errors = parsed
    prog = program_info(db)
    y = year or latest_year(db) or (prog.base_year if prog else 2022)
    key = ("search", *astuple(f), y, page, per_page)
    rows, total = ([], 0) if errors else memo(db, request.app, key, lambda: search(db, f, y, page, per_page))
    nodes = chain_nodes(db, f.chain_id) if f.chain_id else []
    ctx = {
        "nav": "enterprises",
        "prog": prog,
        "flt": f,
        "rows": rows,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "year": y,
        "years": data_years(db),
        "nodes": nodes,
        "districts": CURRENT_DISTRICTS,
        "tiers": TIERS,
        "sizes": SIZES,
        "sorts": SORTS,
        "errors": errors,
        "query": str(request.url.query),
    }
    return render(request, "enterprises.html", ctx, status_code=422 if errors else 200, user=user)


@router.get("/enterprises/export.xlsx")
def enterprise_export(
    parsed: tuple[Filters, list[tuple[str, str]]] = Depends(parse_filters),
    year: int | None = Query(None, ge=1990, le=2100),
    db: Session = Depends(get_db),
    user: Principal = Depends(page_user),
):
    f, errors = parsed
    if errors:
        raise PageError(422, "；".join(e[0] for e in errors), "; ".join(e[1] for e in errors))
    y = year or latest_year(db) or 2022
    data = export_xlsx(db, f, y)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''enterprises-{y}.xlsx"},
    )


@router.get("/enterprises/{uscc}")
def enterprise_profile(
    request: Request, uscc: str, db: Session = Depends(get_db), user: Principal = Depends(page_user)
):
    data = profile(db, uscc)
    if data is None:
        raise PageError(
            404, f"企业库中没有统一社会信用代码为 {uscc} 的企业", f"no enterprise with USCC {uscc} in the register"
        )
    key = data["enterprise"].uscc
    elig = memo(db, request.app, ("eligibility", key), lambda: eligibility(db, key))
    return render(request, "enterprise.html", {"nav": "enterprises", **data, "eligibility": elig}, user=user)
