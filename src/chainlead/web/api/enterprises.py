"""企业库 as JSON: search with the page's filters, one enterprise's profile."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from chainlead.db.models import FINANCIAL_FIELDS
from chainlead.web.data import json_safe
from chainlead.web.data.cultivation import eligibility
from chainlead.web.data.enterprises import Filters, profile, search
from chainlead.web.data.program import latest_year
from chainlead.web.deps import PageError, api_user, get_db
from chainlead.web.pages.enterprises import parse_filters
from chainlead.web.users import Principal

router = APIRouter(tags=["enterprises 企业库"])


@router.get("/enterprises", summary="企业检索 / search the register (filters as on the page)")
def enterprises(
    parsed: tuple[Filters, list[tuple[str, str]]] = Depends(parse_filters),
    year: int | None = Query(None, ge=1990, le=2100),
    page: int = Query(1, ge=1, le=100000),
    per_page: int = Query(50, ge=1, le=500),
    db: Session = Depends(get_db),
    _: Principal = Depends(api_user),
) -> dict[str, Any]:
    f, errors = parsed
    if errors:
        raise PageError(422, "；".join(e[0] for e in errors), "; ".join(e[1] for e in errors))
    y = year or latest_year(db) or 2022
    rows, total = search(db, f, y, page, per_page)
    return {"year": y, "total": total, "page": page, "per_page": per_page, "items": rows}


@router.get("/enterprises/{uscc}", summary="企业画像 / one enterprise: figures, memberships, titles, eligibility")
def enterprise(uscc: str, db: Session = Depends(get_db), _: Principal = Depends(api_user)) -> dict[str, Any]:
    data = profile(db, uscc)
    if data is None:
        raise PageError(404, f"没有统一社会信用代码为 {uscc} 的企业", f"no enterprise with USCC {uscc}")
    e = data["enterprise"]
    fins = data["financials"]
    return {
        "uscc": e.uscc,
        "name": e.name,
        "district_code": e.district_code,
        "district": data["district"],
        "industry_code": e.industry_code,
        "industry": data["industry"],
        "founded_on": e.founded_on.isoformat() if e.founded_on else None,
        "main_products": e.main_products,
        "financials": [{"year": f.year, **{k: getattr(f, k) for k in FINANCIAL_FIELDS}} for f in fins],
        "memberships": [
            {
                "chain": m["chain"],
                "node": m["node"],
                "position": m["position"],
                "status": m["m"].status,
                "source": m["m"].source,
                "confidence": m["m"].confidence,
                "reason": m["m"].reason,
                "decided_by": m["m"].decided_by,
            }
            for m in data["memberships"]
        ],
        "qualifications": [
            {
                "tier": q.tier,
                "granted_on": q.granted_on.isoformat(),
                "expires_on": q.expires_on.isoformat() if q.expires_on else None,
            }
            for q in data["qualifications"]
        ],
        "eligibility": json_safe(eligibility(db, e.uscc)),
    }
