"""`POST /api/v1/auth/token`: OAuth2 password flow → bearer token (令牌)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy.orm import Session

from chainlead.db.models import AuditLog
from chainlead.web.deps import api_user, get_db
from chainlead.web.security import TOKEN_MAX_AGE
from chainlead.web.users import Principal, authenticate

router = APIRouter(tags=["auth 认证"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = TOKEN_MAX_AGE


class Me(BaseModel):
    username: str
    role: str
    display_name: str
    chains: list[str]


@router.post(
    "/auth/token",
    response_model=Token,
    summary="取得令牌 / get a bearer token",
    responses={401: {"description": "wrong credentials"}, 429: {"description": "too many failures"}},
)
def token(request: Request, form: OAuth2PasswordRequestForm = Depends(), db: Session = Depends(get_db)) -> Token:
    limiter = request.app.state.limiter
    address = request.client.host if request.client else "unknown"
    wait = limiter.blocked(form.username, address)
    if wait:
        raise HTTPException(
            429,
            f"登录失败次数过多，请 {wait} 秒后再试 / too many failed logins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(db, form.username, form.password)
    if user is None:
        limiter.failed(form.username, address)
        db.add(
            AuditLog(
                user=form.username[:100],
                action="login_failed",
                entity="app_user",
                entity_key=form.username[:100],
                new_value={"ip": address, "via": "api"},
            )
        )
        raise HTTPException(
            401, "用户名或密码错误 / wrong user name or password", headers={"WWW-Authenticate": "Bearer"}
        )
    limiter.succeeded(form.username, address)
    return Token(access_token=request.app.state.signer.api_token(user.username))


@router.get("/auth/me", response_model=Me, summary="当前用户 / the calling user")
def me(user: Principal = Depends(api_user)) -> Me:
    return Me(username=user.username, role=user.role, display_name=user.display_name, chains=list(user.chains))
