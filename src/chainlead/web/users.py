"""Platform users (用户) and roles (角色): admin, office, leader, viewer.

Pure service functions used by the CLI (`chainlead user ...`) and the web pages; every change is
written to the audit log. Passwords are hashed with argon2 (pwdlib).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from chainlead.db.models import AuditLog, User, table_of
from chainlead.errors import BilingualError

ROLES = ("admin", "office", "leader", "viewer")
ROLE_NAMES = {
    "admin": ("管理员", "administrator"),
    "office": ("链长办", "chain office"),
    "leader": ("链长", "chain leader"),
    "viewer": ("只读", "viewer"),
}
MIN_PASSWORD = 8

_hasher = PasswordHash.recommended()
# A hash to compare against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("chainlead-dummy-password")


class UserError(BilingualError, ValueError):
    """A user-management error with a Chinese and an English message."""


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the pages and API see it."""

    username: str
    role: str
    display_name: str = ""
    chains: tuple[str, ...] = field(default_factory=tuple)

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "office", "leader")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_act_on_chain(self, chain_name: str | None) -> bool:
        """admin/office act on every chain, a leader on his own chains, a viewer on none."""
        if self.role in ("admin", "office"):
            return True
        if self.role == "leader":
            return chain_name is not None and chain_name in self.chains
        return False

    @property
    def can_import(self) -> bool:
        return self.role in ("admin", "office")


def principal(user: User) -> Principal:
    return Principal(user.username, user.role, user.display_name or "", tuple(user.chains or ()))


_USERS = table_of(User)
_PRINCIPAL_COLUMNS = select(_USERS.c.role, _USERS.c.display_name, _USERS.c.chains, _USERS.c.is_active)


def active_principal(session: Session, username: str) -> Principal | None:
    """The principal of an existing, active user, else None; one plain Core query (every request runs it)."""
    row = session.connection().execute(_PRINCIPAL_COLUMNS.where(_USERS.c.username == username)).first()
    if row is None or not row.is_active:
        return None
    return Principal(username, row.role, row.display_name or "", tuple(row.chains or ()))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 个字符", f"the password needs at least {MIN_PASSWORD} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(
            f"未知角色 {role!r}（可选：{', '.join(ROLES)}）", f"unknown role {role!r} (one of {', '.join(ROLES)})"
        )


def _audit(session: Session, actor: str, action: str, username: str, old=None, new=None) -> None:  # type: ignore[no-untyped-def]
    session.add(
        AuditLog(user=actor, action=action, entity="app_user", entity_key=username, old_value=old, new_value=new)
    )


def get_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def add_user(
    session: Session,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str = "",
    chains: list[str] | None = None,
    actor: str = "cli",
) -> User:
    """Create a user (新建用户)."""
    username = username.strip()
    if not username or len(username) > 100:
        raise UserError("用户名不能为空且不超过 100 个字符", "the user name must be 1–100 characters")
    _check_role(role)
    _check_password(password)
    if get_user(session, username) is not None:
        raise UserError(f"用户 {username} 已存在", f"user {username} already exists")
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        password_hash=hash_password(password),
        chains=list(chains or []),
        is_active=True,
    )
    session.add(user)
    _audit(session, actor, "insert", username, new={"role": role, "chains": list(chains or [])})
    session.flush()
    return user


def _require(session: Session, username: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise UserError(f"没有用户 {username}", f"no user named {username}")
    return user


def set_password(session: Session, username: str, password: str, *, actor: str = "cli") -> None:
    """Change a password (修改密码)."""
    _check_password(password)
    user = _require(session, username)
    user.password_hash = hash_password(password)
    _audit(session, actor, "passwd", username)
    session.flush()


def set_role(session: Session, username: str, role: str, chains: list[str] | None, *, actor: str) -> None:
    _check_role(role)
    user = _require(session, username)
    old = {"role": user.role, "chains": list(user.chains or [])}
    user.role = role
    user.chains = list(chains or [])
    _audit(session, actor, "update", username, old=old, new={"role": role, "chains": list(chains or [])})
    session.flush()


def set_active(session: Session, username: str, active: bool, *, actor: str = "cli") -> None:
    """Disable or enable a user (停用/启用)."""
    user = _require(session, username)
    old = user.is_active
    user.is_active = active
    _audit(
        session, actor, "enable" if active else "disable", username, old={"is_active": old}, new={"is_active": active}
    )
    session.flush()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None (same work either way)."""
    user = get_user(session, username)
    if user is None:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    try:
        ok = _hasher.verify(password, user.password_hash)
    except Exception:  # a malformed stored hash is a failed login, not a crash
        ok = False
    if not ok or not user.is_active:
        return None
    return user
