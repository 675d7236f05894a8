"""用户管理 (admin only): list, add, change role and chains, disable or enable users."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from chainlead.web.data.program import program_info
from chainlead.web.deps import PageError, admin_user, get_db, page_user, render
from chainlead.web.users import ROLES, Principal, UserError, add_user, list_users, set_active, set_role

router = APIRouter()


def _page(request: Request, db: Session, user: Principal, status: int = 200, **extra):  # type: ignore[no-untyped-def]
    prog = program_info(db)
    ctx = {
        "nav": "users",
        "users": list_users(db),
        "roles": ROLES,
        "chains": [c.name for c in prog.chains] if prog else [],
        "errors": [],
        "message": None,
    }
    ctx.update(extra)
    return render(request, "users.html", ctx, status_code=status, user=user)


@router.get("/users")
def users_page(request: Request, db: Session = Depends(get_db), user: Principal = Depends(page_user)):
    if not user.is_admin:
        raise PageError(403, "只有管理员可以管理用户", "only administrators can manage users")
    return _page(request, db, user)


@router.post("/users")
async def users_add(
    request: Request,
    username: str = Form("", max_length=100),
    role: str = Form(""),
    password: str = Form("", max_length=200),
    display_name: str = Form("", max_length=100),
    db: Session = Depends(get_db),
    user: Principal = Depends(admin_user),
):
    form = await request.form()
    chains = [c for c in form.getlist("chains") if isinstance(c, str)]
    try:
        add_user(db, username, role, password, display_name=display_name, chains=chains, actor=user.username)
    except UserError as exc:
        db.rollback()
        return _page(request, db, user, 422, errors=[(exc.zh, exc.en)])
    return _page(request, db, user, message=(f"已添加用户 {username}", f"user {username} added"))


@router.post("/users/{username}/role")
async def users_role(
    request: Request,
    username: str,
    role: str = Form(""),
    db: Session = Depends(get_db),
    user: Principal = Depends(admin_user),
):
    form = await request.form()
    chains = [c for c in form.getlist("chains") if isinstance(c, str)]
    try:
        set_role(db, username, role, chains, actor=user.username)
    except UserError as exc:
        db.rollback()
        return _page(request, db, user, 422, errors=[(exc.zh, exc.en)])
    return _page(request, db, user, message=(f"已更新 {username} 的角色", f"role of {username} updated"))


@router.post("/users/{username}/active")
def users_active(
    request: Request,
    username: str,
    active: str = Form("0"),
    db: Session = Depends(get_db),
    user: Principal = Depends(admin_user),
):
    if username == user.username and active != "1":
        return _page(request, db, user, 422, errors=[("不能停用自己的账号", "you cannot disable your own account")])
    try:
        set_active(db, username, active == "1", actor=user.username)
    except UserError as exc:
        db.rollback()
        return _page(request, db, user, 404, errors=[(exc.zh, exc.en)])
    return _page(
        request,
        db,
        user,
        message=(
            f"已{'启用' if active == '1' else '停用'} {username}",
            f"{username} {'enabled' if active == '1' else 'disabled'}",
        ),
    )
