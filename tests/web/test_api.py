"""The JSON API: tokens, 401 everywhere without one, status JSON, roles, decisions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from chainlead.db.engine import session_scope
from chainlead.db.models import AuditLog, ChainMembership
from chainlead.web.data.status import status_report
from tests.web.conftest import token


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_api_route_needs_a_token(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    checked = 0
    for path, methods in schema.json()["paths"].items():
        if path.endswith("/auth/token"):
            continue
        for method in methods:
            r = client.request(method.upper(), _concrete(path))
            assert r.status_code == 401, (method, path, r.status_code)
            r = client.request(method.upper(), _concrete(path), headers={"Authorization": "Bearer forged.token"})
            assert r.status_code == 401, (method, path)
            checked += 1
    assert checked >= 12


def test_token_flow_and_status_json(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/auth/token", data={"username": "viewer", "password": "wrong"})
    assert r.status_code == 401
    headers = token(client, "viewer")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me == {"username": "viewer", "role": "viewer", "display_name": "", "chains": []}
    got = client.get("/api/v1/status?year=2023", headers=headers)
    assert got.status_code == 200
    with session_scope(seeded[0]) as s:
        expected = status_report(s, year=2023)
    assert got.json() == expected
    body = got.json()
    eco = next(e for e in body["ecosystems"] if e["name"] == "智能物联")
    # enterprises 0–29 are counted members of 智能物联 chains: sum (i+1)*1000*1.2 万元
    assert abs(eco["scale_yi"] - sum((i + 1) * 1200.0 for i in range(30)) / 10000) < 1e-6
    assert client.get("/api/v1/status?year=1800", headers=headers).status_code == 422


def test_api_token_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        assert client.post("/api/v1/auth/token", data={"username": "office", "password": "x"}).status_code == 401
    r = client.post("/api/v1/auth/token", data={"username": "office", "password": "office-pass-1"})
    assert r.status_code == 429 and "登录失败次数过多" in r.json()["detail"]


def test_api_decisions_respect_roles(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    url, data = seeded
    ids = data.suggestion_ids[:3]
    r = client.post(
        "/api/v1/mapping/decisions", json={"ids": ids, "decision": "confirm"}, headers=token(client, "viewer")
    )
    assert r.status_code == 403
    office = token(client, "office")
    queue = client.get("/api/v1/mapping/queue", headers=office).json()
    assert queue["total"] == 10
    r = client.post("/api/v1/mapping/decisions", json={"ids": ids, "decision": "confirm"}, headers=office)
    assert r.status_code == 200 and r.json()["decided"] == 3
    r = client.post("/api/v1/mapping/decisions", json={"ids": ids, "decision": "reject"}, headers=office)
    assert r.status_code == 409
    r = client.post("/api/v1/mapping/decisions", json={"ids": [999999], "decision": "reject"}, headers=office)
    assert r.status_code == 404
    r = client.post("/api/v1/mapping/decisions", json={"ids": [], "decision": "maybe"}, headers=office)
    assert r.status_code == 422
    assert client.get("/api/v1/mapping/queue", headers=office).json()["total"] == 7
    with session_scope(url) as s:
        rows = s.scalars(select(ChainMembership).where(ChainMembership.id.in_(ids))).all()
        assert {m.status for m in rows} == {"confirmed"} and {m.decided_by for m in rows} == {"office"}
        assert len(s.scalars(select(AuditLog).where(AuditLog.entity == "chain_membership")).all()) == 3


def test_api_reads(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    data = seeded[1]
    h = token(client, "viewer")
    prog = client.get("/api/v1/program", headers=h).json()
    assert prog["name"] == "hangzhou-2022" and len(prog["ecosystems"]) == 5
    chain = client.get(f"/api/v1/chains/{data.vision_id}?year=2023", headers=h).json()
    assert chain["chain"]["name"] == "视觉智能"
    first = next(n for n in chain["nodes"] if n["id"] == data.vision_nodes[0])
    assert first["enterprises"] == 10
    ents = client.get(f"/api/v1/enterprises?chain={data.vision_id}&sort=revenue&order=asc&per_page=5", headers=h).json()
    assert ents["total"] == 20 and ents["items"][0]["uscc"] == data.usccs[0]
    assert client.get("/api/v1/enterprises?tier=nonsense", headers=h).status_code == 422
    one = client.get(f"/api/v1/enterprises/{data.usccs[3]}", headers=h).json()
    assert [f["year"] for f in one["financials"]] == [2021, 2022, 2023]
    assert one["memberships"][0]["chain"] == "视觉智能"
    assert one["eligibility"]["tiers"]
    assert client.get("/api/v1/enterprises/91330106MA9999999X", headers=h).status_code == 404
    assert client.get("/api/v1/chains/99999", headers=h).status_code == 404
    funnel = client.get("/api/v1/cultivation/funnel", headers=h).json()
    zjtx = next(x for x in funnel if x["tier"] == "zjtx_provincial")
    assert zjtx["holders"] == 5 and zjtx["target"] == 2500
    assert client.get("/api/v1/cultivation/candidates?tier=bogus", headers=h).status_code == 422
    assert (
        client.get("/api/v1/cultivation/candidates?tier=zjtx_provincial&chain=视觉智能", headers=h).status_code == 200
    )
    assert client.get("/api/v1/imports", headers=h).json() == []


def test_status_is_exactly_the_cli_json(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from chainlead.cli.main import app as cli

    api = client.get("/api/v1/status?year=2023", headers=token(client, "viewer")).json()
    out = CliRunner().invoke(cli, ["status", "--year", "2023", "--json", "--db", seeded[0]])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == api


def test_api_import_dry_run_apply_undo(client: TestClient, seeded, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.web.seed import make_uscc

    monkeypatch.setenv("CHAINLEAD_HOME", str(tmp_path))
    csv = f"统一社会信用代码,企业名称\n{make_uscc(900)},杭州接口导入有限公司\n".encode()
    form = {"kind": "enterprises", "unit": "万元", "mode": "strict"}
    assert (
        client.post(
            "/api/v1/imports", data=form, files={"file": ("a.csv", csv)}, headers=token(client, "viewer")
        ).status_code
        == 403
    )
    office = token(client, "office")
    dry = client.post("/api/v1/imports", data=form, files={"file": ("a.csv", csv)}, headers=office).json()
    assert dry["status"] == "dry_run" and dry["rows_new"] == 1
    bad = client.post(
        "/api/v1/imports", data={**form, "kind": "nonsense"}, files={"file": ("a.csv", csv)}, headers=office
    )
    assert bad.status_code == 422
    done = client.post(
        "/api/v1/imports", data={**form, "dry_run": "false"}, files={"file": ("a.csv", csv)}, headers=office
    ).json()
    assert done["status"] == "applied"
    found = client.get(f"/api/v1/enterprises/{make_uscc(900)}", headers=office)
    assert found.status_code == 200 and found.json()["name"] == "杭州接口导入有限公司"
    assert client.post(f"/api/v1/imports/{done['batch_id']}/undo", headers=office).json() == {
        "undone": done["batch_id"]
    }
    assert client.get(f"/api/v1/enterprises/{make_uscc(900)}", headers=office).status_code == 404
    assert client.post(f"/api/v1/imports/{done['batch_id']}/undo", headers=office).status_code == 409


def test_api_queue_order(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    rising = seeded[1].suggestion_ids
    office = token(client, "office")
    high = client.get("/api/v1/mapping/queue", headers=office).json()["items"]
    low = client.get("/api/v1/mapping/queue?order=low", headers=office).json()["items"]
    assert [it["id"] for it in high] == rising[::-1] and [it["id"] for it in low] == rising
    assert low[0]["confidence"] < low[-1]["confidence"] and low[0]["position"]
    assert client.get("/api/v1/mapping/queue?order=up", headers=office).status_code == 422


def test_chain_funnel_counts_the_chain(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    from chainlead.cultivation import service

    url = seeded[0]
    h = token(client, "office")
    got = client.get("/api/v1/cultivation/funnel?chain=视觉智能", headers=h).json()
    with session_scope(url) as s:
        table = service.status_table(s, chain="视觉智能", detail=False)
    for row in got:
        counts = table[table["tier"] == row["tier"]]["category"].value_counts()
        for key in ("holder", "eligible", "near_miss", "undetermined"):
            assert row["holders" if key == "holder" else key] == int(counts.get(key, 0)), (row, key)
        assert row["target"] is None and row["per_year_needed"] is None  # targets are city-wide
    assert sum(r["holders"] for r in got) > 0
    assert client.get("/api/v1/cultivation/funnel?chain=没有这条链", headers=h).status_code == 404
