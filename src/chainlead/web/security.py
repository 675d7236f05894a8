"""Sessions, CSRF tokens, API bearer tokens and the login rate limit (安全).

- The session cookie is signed (itsdangerous), HttpOnly, SameSite=Lax; it carries the user name
  and a random CSRF secret. Every form posts that token in `csrf_token`; HTMX sends it in the
  `X-CSRF-Token` header (set once in base.html).
- API tokens (OAuth2 password flow) are signed with a different salt and expire after 12 hours;
  the user must still exist and be active when a token is used.
- Logins are limited to 5 failures per user name + client address in 5 minutes.
"""

from __future__ import annotations

import copy
import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from chainlead.config import data_dir

SESSION_COOKIE = "chainlead_session"
LANG_COOKIE = "chainlead_lang"
LOGIN_CSRF_COOKIE = "chainlead_login_csrf"
SESSION_MAX_AGE = 12 * 3600
TOKEN_MAX_AGE = 12 * 3600


def load_secret_key(explicit: str | None = None) -> str:
    """The signing key: explicit, $CHAINLEAD_SECRET_KEY, or a file kept in the data folder."""
    if explicit:
        return explicit
    env = os.environ.get("CHAINLEAD_SECRET_KEY")
    if env:
        return env
    path = Path(data_dir()) / "web-secret-key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


class _Verified:
    """Values whose signature was verified, with their signing time (a bounded memo: checking a
    signature costs more than the rest of a cached page). Expiry is still checked on every use."""

    def __init__(self, serializer: URLSafeTimedSerializer, max_age: int, size: int = 4096) -> None:
        self.serializer, self.max_age, self.size = serializer, max_age, size
        self._seen: dict[str, tuple[Any, float]] = {}

    def loads(self, value: str) -> Any:
        """The payload, or raises BadSignature (also when expired)."""
        found = self._seen.get(value)
        if found is None:
            data, signed = self.serializer.loads(value, max_age=self.max_age, return_timestamp=True)
            if len(self._seen) >= self.size:
                self._seen.clear()
            found = self._seen[value] = (data, signed.timestamp())
        if time.time() - found[1] > self.max_age:
            raise BadSignature("expired")
        return copy.deepcopy(found[0])


class Signer:
    """Signs session cookies and API tokens with one key, different salts."""

    def __init__(self, secret_key: str) -> None:
        self._session = URLSafeTimedSerializer(secret_key, salt="chainlead-session")
        self._token = URLSafeTimedSerializer(secret_key, salt="chainlead-api-token")
        self._session_seen = _Verified(self._session, SESSION_MAX_AGE)
        self._token_seen = _Verified(self._token, TOKEN_MAX_AGE)

    def session_cookie(self, username: str) -> str:
        return self._session.dumps({"u": username, "c": secrets.token_urlsafe(24)})

    def read_session(self, value: str | None) -> dict[str, str] | None:
        if not value:
            return None
        try:
            data = self._session_seen.loads(value)
        except BadSignature:
            return None
        if not isinstance(data, dict) or "u" not in data or "c" not in data:
            return None
        return data

    def api_token(self, username: str) -> str:
        return self._token.dumps({"u": username})

    def read_token(self, token: str | None) -> str | None:
        if not token:
            return None
        try:
            data = self._token_seen.loads(token)
        except BadSignature:
            return None
        return data.get("u") if isinstance(data, dict) else None


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


class LoginLimiter:
    """At most `limit` failed logins per (user, address) within `window` seconds (登录限流)."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, username: str, address: str) -> int:
        """Seconds to wait, 0 when a login may be tried."""
        now = time.monotonic()
        with self._lock:
            q = self._trim((username.lower(), address), now)
            if len(q) >= self.limit:
                return max(1, int(self.window - (now - q[0])) + 1)
        return 0

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._failures[(username.lower(), address)].append(time.monotonic())

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), address), None)
