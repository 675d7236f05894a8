"""Pages as a person uses them: figures, mapping review (HTMX), import, exports, bad input, proxy."""

from __future__ import annotations

import io
import re

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import select

from chainlead.db.engine import session_scope
from chainlead.db.models import Enterprise, ImportBatch
from chainlead.web.app import create_app
from tests.web.conftest import SECRET, csrf_of, login
from tests.web.seed import make_uscc

GOOD_CSV = (
    "统一社会信用代码,企业名称,区县代码,行业代码\n"
    "{a},杭州新导入甲有限公司,330106,3919\n"
    "{b},杭州新导入乙有限公司,330108,3919\n"
)
BAD_CSV = "统一社会信用代码,企业名称,区县代码\n123,坏代码公司,330106\n{a},好公司,999999\n"


def test_overview_shows_targets_and_counts(client: TestClient) -> None:
    login(client, "viewer")
    html = client.get("/?year=2023").text
    for name in ("智能物联", "生物医药", "高端装备", "新材料", "绿色低碳"):
        assert name in html
    # 智能物联: 30 counted firms, sum (i+1)*1200 万元 = 55.8 亿元
    assert "55.8 亿元" in html
    assert "省级专精特新中小企业" in html
    assert "待审核挂链：10" in html.replace("</a>", "")


def test_chain_page_links_nodes_to_enterprises(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    data = seeded[1]
    login(client, "leader")
    html = client.get(f"/chains/{data.vision_id}?year=2023").text
    assert "视觉智能" in html and "产业链图谱" in html
    node_link = f"/enterprises?chain={data.vision_id}&node={data.vision_nodes[0]}"
    assert node_link in html
    page = client.get(node_link + "&sort=revenue&order=desc")
    assert page.status_code == 200
    assert "杭州测试09科技有限公司" in page.text and "杭州测试10科技有限公司" not in page.text
    profile = client.get(f"/enterprises/{data.usccs[9]}")
    assert profile.status_code == 200 and "挂链关系" in profile.text and "梯度评价" in profile.text


def test_enterprise_filters_paging_and_export(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    login(client, "viewer")
    html = client.get("/enterprises?district=330108&per_page=10&page=2&sort=name&order=asc").text
    assert "20 家企业" in html and "第2 / 2页" in html
    xlsx = client.get("/enterprises/export.xlsx?tier=zjtx_provincial&year=2023")
    assert xlsx.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "统一社会信用代码" and len(rows) == 1 + 5
    assert rows[1][5] == 5 * 1200.0  # sorted by revenue, enterprise 4 first


def test_bad_input_is_a_message_not_a_500(client: TestClient) -> None:
    token = login(client, "office")
    for path in ("/enterprises?chain=abc", "/enterprises?tier=x", "/enterprises?district=1", "/enterprises?sort=drop"):
        r = client.get(path)
        assert r.status_code == 422 and 'class="flash error"' in r.text, path
    assert client.get("/enterprises?page=0").status_code == 422
    assert client.get("/?year=abc").status_code == 422
    assert client.get("/chains/0").status_code == 422
    assert client.get("/chains/99999").status_code == 404
    assert client.get("/chains/99999999999999999999").status_code == 422
    assert client.get("/enterprises/NOPE").status_code == 404
    r = client.post("/imports/check", data={"kind": "", "csrf_token": token})
    assert r.status_code == 422 and "请选择文件类型" in r.text and "请选择要上传的文件" in r.text
    r = client.post(
        "/imports/check",
        data={"kind": "enterprises", "unit": "万元", "csrf_token": token},
        files={"file": ("a.pdf", b"%PDF")},
    )
    assert r.status_code == 422 and "不支持的文件类型" in r.text
    r = client.post(
        "/imports/apply", data={"token": "../../etc/passwd", "kind": "enterprises", "unit": "万元", "csrf_token": token}
    )
    assert r.status_code == 422 and "重新上传" in r.text
    r = client.post("/mapping/decide", data={"ids": "x", "decision": "confirm", "csrf_token": token})
    assert r.status_code == 422
    r = client.post("/mapping/decide", data={"decision": "confirm", "csrf_token": token})
    assert r.status_code == 422 and "请至少选择一条" in r.text


def test_mapping_review_in_bulk_with_htmx(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    data = seeded[1]
    token = login(client, "office")
    assert "待审核挂链：10" in client.get("/").text.replace("</a>", "")
    ids = [str(i) for i in data.suggestion_ids[:4]]
    r = client.post(
        "/mapping/decide",
        data={"ids": ids, "decision": "confirm", "note": "核实无误"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert r.status_code == 200
    assert "已确认 4 条挂链建议" in r.text and "<html" not in r.text  # a fragment for HTMX
    assert "待审核挂链：6" in client.get("/").text.replace("</a>", "")  # the cached overview moved on
    r = client.post(
        "/mapping/decide",
        data={"ids": ids[0], "decision": "reject"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert r.status_code == 409 and "已处理" in r.text


def test_import_check_apply_undo(client: TestClient, seeded, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHAINLEAD_HOME", str(tmp_path))
    url = seeded[0]
    token = login(client, "office")
    a, b = make_uscc(500), make_uscc(501)
    bad = client.post(
        "/imports/check",
        data={"kind": "enterprises", "unit": "万元", "mode": "strict", "csrf_token": token},
        files={"file": ("bad.csv", BAD_CSV.format(a=a).encode("utf-8"))},
    )
    assert bad.status_code == 200 and "拒绝的行" in bad.text
    assert "文件有错误" in bad.text  # strict mode: the apply button is disabled
    good = client.post(
        "/imports/check",
        data={"kind": "enterprises", "unit": "万元", "mode": "strict", "csrf_token": token},
        files={"file": ("good.csv", GOOD_CSV.format(a=a, b=b).encode("utf-8"))},
    )
    assert good.status_code == 200 and "校验报告" in good.text
    with session_scope(url) as s:
        assert s.scalars(select(Enterprise).where(Enterprise.uscc == a)).first() is None  # dry run wrote nothing
    apply_token = re.search(r'name="token" value="([^"]+)"', good.text).group(1)
    applied = client.post(
        "/imports/apply",
        data={
            "token": apply_token,
            "file_name": "good.csv",
            "kind": "enterprises",
            "unit": "万元",
            "mode": "strict",
            "csrf_token": token,
        },
    )
    assert applied.status_code == 200 and "导入结果" in applied.text, applied.text[-2000:]
    with session_scope(url) as s:
        assert s.scalars(select(Enterprise).where(Enterprise.uscc == a)).first() is not None
        batch = s.scalars(select(ImportBatch).where(ImportBatch.status == "applied")).one()
    r = client.post(f"/imports/{batch.id}/undo", data={"csrf_token": token})
    assert r.status_code == 200 and "已撤销批次" in r.text
    with session_scope(url) as s:
        assert s.scalars(select(Enterprise).where(Enterprise.uscc == a)).first() is None
    again = client.post(f"/imports/{batch.id}/undo", data={"csrf_token": token})
    assert again.status_code == 409


def test_behind_a_reverse_proxy(seeded) -> None:  # type: ignore[no-untyped-def]
    """Served under /chainlead (uvicorn --root-path): every link, redirect and cookie carries it."""
    app = create_app(seeded[0], root_path="/chainlead", secret_key=SECRET)
    with TestClient(app, root_path="/chainlead") as c:
        r = c.get("/chainlead/", follow_redirects=False)
        assert r.headers["location"].startswith("/chainlead/login")
        page = c.get("/chainlead/login")
        assert 'href="/chainlead/static/app.css"' in page.text and 'action="/chainlead/login"' in page.text
        data = {"username": "viewer", "password": "viewer-pass-1", "csrf_token": csrf_of(page.text)}
        r = c.post("/chainlead/login", data=data, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/chainlead/"
        assert "path=/chainlead" in r.headers["set-cookie"].lower()
        html = c.get("/chainlead/").text
        assert 'href="/chainlead/chains' in html and "智能物联" in html
        docs = c.get("/chainlead/docs").text
        assert "/chainlead/static/vendor/swagger-ui-bundle-5.35.0.js" in docs and "cdn" not in docs.lower()
        assert c.get("/chainlead/static/vendor/htmx-1.9.12.min.js").status_code == 200
        assert c.get("/chainlead/api/v1/openapi.json").json()["servers"] == [{"url": "/chainlead"}]


def test_root_path_without_server_support(seeded) -> None:  # type: ignore[no-untyped-def]
    """A proxy that strips /chainlead and a server started without --root-path: the app sets it."""
    app = create_app(seeded[0], root_path="/chainlead/", secret_key=SECRET)
    with TestClient(app) as c:
        page = c.get("/login")
        assert page.status_code == 200 and 'action="/chainlead/login"' in page.text
        assert c.get("/", follow_redirects=False).headers["location"].startswith("/chainlead/login")
        assert c.get("/api/v1/openapi.json").json()["servers"] == [{"url": "/chainlead"}]


def test_mapping_review_order(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    data = seeded[1]
    token = login(client, "office")
    rising = data.suggestion_ids  # the seed gives later suggestions a higher confidence

    def shown(html: str) -> list[int]:
        return [int(m) for m in re.findall(r'<tr id="m-(\d+)"', html)]

    assert shown(client.get("/mapping").text) == rising[::-1]  # most confident first
    low = client.get("/mapping?order=low")
    assert shown(low.text) == rising and "置信度低的在前</strong>" in low.text
    assert client.get("/mapping?order=sideways").status_code == 422
    # A decision keeps the order the reviewer chose.
    r = client.post(
        "/mapping/decide",
        data={"ids": str(rising[0]), "decision": "confirm", "order": "low"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert r.status_code == 200 and shown(r.text) == rising[1:]
    assert 'name="order" value="low"' in r.text
