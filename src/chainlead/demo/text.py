"""Business scope and main products (经营范围、主营产品) drawn from an enterprise's chain nodes.

Every enterprise names one to three product terms of its primary node in its products and
scope, and one keyword of the node in its scope; a firm in a second chain also names a
product of its second node. That makes the demo memberships a fair truth for judging chain
mapping later. Strings are assembled with vectorised object-array concatenation.
"""

from __future__ import annotations

import numpy as np

from chainlead.demo.plan import Plan

# Templates as (before, after) the joined product names or the keyword.
_MAKE = (("", "的研发、制造、销售"), ("", "的生产、加工、销售及技术服务"), ("", "的设计、制造与销售"))
_TECH = (("", "技术开发、技术服务、技术咨询、技术转让"), ("", "领域内的技术开发、技术咨询"), ("", "相关技术研发与应用"))
_TRADE = (("", "的批发、零售"), ("", "销售（凭许可证经营）"), ("", "的采购与配送"))
_SERVICE = (
    ("", "服务"),
    ("", "相关服务（依法须经批准的项目，经相关部门批准后方可开展经营活动）"),
    ("", "服务及健康咨询"),
)
_SOFT = (("", "的开发、销售及运维服务"), ("", "的研发与技术服务"), ("", "的设计、开发与集成"))
_OTHER = (("", "的研发与推广"), ("", "的技术推广与应用"), ("", "的研发与销售"))
_TAILS = np.array(["；货物进出口", "；技术进出口", "；信息咨询服务", "", "", "；企业管理咨询"], dtype=object)
KINDS = ("make", "trade", "soft", "service", "tech")
# (business_scope, main_products) of a firm that says nothing about its chain: some of the firms
# written without a membership (--unmapped-share) get one, so `chainlead map` has to rely on the
# name and industry code and sends them to review.
GENERIC_DESCRIPTIONS = (
    (
        "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；货物进出口；销售代理。",
        "技术服务:0.62;货物进出口:0.38",
    ),
    ("一般项目：技术服务、技术开发、技术咨询；信息咨询服务；企业管理咨询；货物进出口。", "技术服务:0.71;咨询服务:0.29"),
    ("一般项目：五金产品批发；机械设备销售；技术进出口；货物进出口。", "商品销售:0.80;技术服务:0.20"),
)
_SHARE_TEXT = np.array([f"{i / 100:.2f}" for i in range(101)], dtype=object)
# Activities that need a licence come first, as 许可项目, by GB/T 4754 code prefix.
LICENSED = {
    "27": "许可项目：药品生产；",
    "358": "许可项目：第二类医疗器械生产；",
    "5151": "许可项目：药品批发；",
    "5152": "许可项目：药品批发；",
    "5154": "许可项目：第三类医疗器械经营；",
    "5251": "许可项目：药品零售；",
    "5252": "许可项目：药品零售；",
    "84": "许可项目：医疗服务；",
    "8514": "许可项目：养老服务；",
    "4415": "许可项目：发电业务；",
    "4416": "许可项目：发电业务；",
    "6311": "许可项目：基础电信业务；",
    "6312": "许可项目：基础电信业务；",
}


def licence_prefix(code: str) -> str:
    """许可项目 for an industry code, or "" (longest matching prefix wins)."""
    for k in (code, code[:3], code[:2]):
        if k in LICENSED:
            return LICENSED[k]
    return ""


def kind_of(divisions: np.ndarray, manufacturing: np.ndarray) -> np.ndarray:
    """Scope style per enterprise: index into KINDS."""
    out = np.full(divisions.size, KINDS.index("tech"), dtype=np.int8)
    out[np.isin(divisions, (51, 52, 59))] = KINDS.index("trade")
    out[np.isin(divisions, (63, 64, 65))] = KINDS.index("soft")
    out[np.isin(divisions, (80, 84, 85))] = KINDS.index("service")
    out[manufacturing] = KINDS.index("make")
    return out


def text_frames(plan: Plan) -> dict[str, np.ndarray]:
    """Per node: every (start, count) choice of consecutive products, precomputed."""
    offsets: list[int] = []
    joined: list[str] = []
    semi: list[str] = []
    names: tuple[list[str], list[str], list[str]] = ([], [], [])
    kw_off: list[int] = []
    keywords: list[str] = []
    for nd in plan.nodes:
        offsets.append(len(joined))
        pool = nd.products
        for start in range(len(pool)):
            for count in range(1, 4):
                chosen = [pool[(start + j) % len(pool)] for j in range(min(count, len(pool)))]
                joined.append("、".join(chosen))
                semi.append(";".join(chosen))
                for pos in range(3):
                    names[pos].append(chosen[pos] if pos < len(chosen) else "")
        kw_off.append(len(keywords))
        keywords.extend(nd.keywords)
    obj = lambda xs: np.array(xs, dtype=object)  # noqa: E731
    return {
        "offset": np.array(offsets, dtype=np.int64),
        "n_products": np.array([len(nd.products) for nd in plan.nodes], dtype=np.int64),
        "joined": obj(joined),
        "semi": obj(semi),
        "name0": obj(names[0]),
        "name1": obj(names[1]),
        "name2": obj(names[2]),
        "kw_offset": np.array(kw_off, dtype=np.int64),
        "n_keywords": np.array([len(nd.keywords) for nd in plan.nodes], dtype=np.int64),
        "keywords": obj(keywords),
    }


def _wrap(templates, pick: np.ndarray, text: np.ndarray) -> np.ndarray:
    pre = np.array([t[0] for t in templates], dtype=object)[pick]
    post = np.array([t[1] for t in templates], dtype=object)[pick]
    return pre + text + post


def describe(
    f: dict[str, np.ndarray],
    plan: Plan,
    node: np.ndarray,
    node2: np.ndarray,
    divisions: np.ndarray,
    manufacturing: np.ndarray,
    rng: np.random.Generator,
    licences: np.ndarray | None = None,
) -> tuple[list[str], list[str]]:
    """(business_scope, main_products) for a chunk of enterprises (`licences`: 许可项目 prefixes)."""
    m = node.size
    if licences is None:
        licences = np.full(m, "", dtype=object)
    r = rng.integers(0, 1 << 30, size=(m, 6))
    n_prod = f["n_products"][node]
    start = r[:, 0] % n_prod
    count = 1 + r[:, 1] % np.minimum(3, n_prod)
    idx = f["offset"][node] + start * 3 + (count - 1)
    joined = f["joined"][idx]
    keyword = f["keywords"][f["kw_offset"][node] + r[:, 2] % f["n_keywords"][node]]
    kind = kind_of(divisions, manufacturing)
    tmpl = r[:, 3] % 3
    with_share = rng.random(m) < 0.6
    shares = rng.dirichlet((4.0, 2.0, 1.0, 1.0), size=m)

    # A second chain's product joins the list (kept in the list's order).
    extra = np.full(m, "", dtype=object)
    has2 = np.flatnonzero(node2 >= 0)
    for i in has2.tolist():
        other = plan.nodes[int(node2[i])].products
        word = other[int(r[i, 4]) % len(other)]
        if word not in f["semi"][idx[i]].split(";"):
            extra[i] = word
    n_items = count + (extra != "")
    joined = np.where(extra != "", joined + "、" + extra, joined)

    first = np.empty(m, dtype=object)
    second = np.empty(m, dtype=object)
    for k, name in enumerate(KINDS):
        rows = np.flatnonzero(kind == k)
        if rows.size == 0:
            continue
        t, j, kw = tmpl[rows], joined[rows], keyword[rows]
        if name == "make":
            first[rows], second[rows] = _wrap(_MAKE, t, j), _wrap(_TECH, t, kw)
        elif name == "trade":
            first[rows], second[rows] = _wrap(_TRADE, t, j), _wrap(_TECH, t, kw)
        elif name == "soft":
            first[rows], second[rows] = _wrap(_TECH, t, kw), _wrap(_SOFT, t, j)
        elif name == "service":
            first[rows], second[rows] = _wrap(_SERVICE, t, j), kw + "咨询服务"
        else:
            first[rows], second[rows] = _wrap(_TECH, t, kw), _wrap(_OTHER, t, j)
    scope = licences + "一般项目：" + first + "；" + second + _TAILS[r[:, 5] % len(_TAILS)] + "。"

    # Main products: "名称:占比;…" for 60%, "名称;…" for the rest.
    weights = shares / np.take_along_axis(np.cumsum(shares, axis=1), (n_items - 1)[:, None], axis=1)
    weights *= (0.85 + 0.15 * shares[:, 3])[:, None]
    weights = np.where(n_items[:, None] == 1, (0.8 + 0.2 * shares[:, :1]), weights)
    pct = _SHARE_TEXT[np.clip(np.round(weights * 100).astype(np.int64), 0, 100)]
    listing = f["semi"][idx] + np.where(extra != "", ";" + extra, "")
    shared = f["name0"][idx] + ":" + pct[:, 0]
    items = [f["name1"][idx], f["name2"][idx]]
    for pos in (1, 2):
        has = count > pos
        shared = np.where(has, shared + ";" + items[pos - 1] + ":" + pct[:, pos], shared)
    shared = np.where(extra != "", shared + ";" + extra + ":" + pct[np.arange(m), np.minimum(count, 3)], shared)
    products = np.where(with_share, shared, listing)
    return scope.tolist(), products.tolist()
