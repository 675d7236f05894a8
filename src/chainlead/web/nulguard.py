"""Refuse a NUL character (空字符) in the path, the query string or a form body with 400.

PostgreSQL text cannot hold U+0000, so a NUL that reaches a query (a search term, a login name)
would end as a 500 there — and is never meaningful input. Checked once, before routing; multipart
bodies (file uploads, where NUL bytes are normal) are left to the importer.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ZH = "请求中含有空字符（NUL），无法处理"
EN = "the request contains a NUL character"
FORM = b"application/x-www-form-urlencoded"
MAX_FORM = 1 << 20  # forms are small; larger bodies are passed on unread


def _has_nul(raw: bytes) -> bool:
    return b"%00" in raw or b"\x00" in raw


def _is_form(scope: Scope) -> bool:
    return any(k == b"content-type" and v.startswith(FORM) for k, v in scope.get("headers") or [])


class NulGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or _has_nul(scope["query_string"]):  # the path is already %-decoded
            await _refuse(scope, send)
            return
        # GET/HEAD (every status and page request) carry no form: no header scan on the hot path.
        if scope["method"] in ("GET", "HEAD") or not _is_form(scope):
            await self.app(scope, receive, send)
            return
        # Read the (small) form body, check it, then replay it to the app.
        chunks: list[bytes] = []
        more, size = True, 0
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > MAX_FORM:
                break
        body = b"".join(chunks)
        if _has_nul(body):
            await _refuse(scope, send)
            return
        first = {"type": "http.request", "body": body, "more_body": more}
        await self.app(scope, _replay([first], receive if more else None), send)


def _replay(messages: list[Message], rest: Receive | None = None) -> Receive:
    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if rest is not None:
            return await rest()
        return {"type": "http.disconnect"}

    return receive


async def _refuse(scope: Scope, send: Send) -> None:
    body = json.dumps({"detail": f"{ZH} / {EN}"}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
