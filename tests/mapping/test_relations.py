"""Product relations as features: loading, tokens, pruning, effect on an unseen product, CLI and env."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from chainlead.cli.main import app
from chainlead.db import session_scope
from chainlead.db.models import StoredModel
from chainlead.mapping.errors import MappingError
from chainlead.mapping.model import MappingModel
from chainlead.mapping.predict import Mapper
from chainlead.mapping.relations import RELATIONS_ENV, RelationBlock, RelationsError, load_relations
from chainlead.mapping.rules import RuleIndex
from chainlead.mapping.service import map_all
from chainlead.mapping.store import load_model
from chainlead.mapping.text import EnterpriseText
from chainlead.program.store import active_program, save_program

from .helpers import add_enterprises, small_program
from .test_model import _label, _many

runner = CliRunner()
RELATIONS = [
    ("硅晶模组", "subcategory", "单面硅晶模组"),
    ("硅晶模组", "subcategory", "xq-7型板"),  # shares no character with any training product
    ("胶丸", "subcategory", "鱼油胶丸"),
    ("硅晶模组", "upstream_material", "硅片"),
    ("餐饮服务", "subcategory", "团餐服务"),
]


def _write(path: Path, rows=RELATIONS, header=("product", "relation", "other_product")) -> Path:  # type: ignore[no-untyped-def]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _training() -> tuple[list[EnterpriseText], list[str]]:
    groups = {
        "光伏": ["单面硅晶模组", "双面硅晶模组", "高效硅晶模组"],
        "药品": ["鱼油胶丸", "维生素胶丸", "大蒜胶丸"],
        "none": ["餐饮服务", "团餐服务", "房屋租赁"],
    }
    ents, labels = [], []
    for chain, products in groups.items():
        for k in range(12):
            ents.append(EnterpriseText.of(f"杭州第{k}号有限公司", f"{products[k % 3]}:1.0"))
            labels.append(chain)
    return ents, labels


def test_load_relations_parents_and_terms(tmp_path: Path) -> None:
    rel = load_relations(_write(tmp_path / "rel.csv"))
    assert rel.parents["单面硅晶模组"] == ("硅晶模组",) and rel.parents["xq-7型板"] == ("硅晶模组",)
    assert "硅片" not in rel.parents  # an upstream material is not a broader product
    assert {"硅晶模组", "单面硅晶模组", "胶丸"} <= rel.terms
    block = RelationBlock(rel)
    tokens = block.doc(EnterpriseText.of("甲", "高效单面硅晶模组:0.8;xq-7型板:0.2"))
    assert tokens == ["单面硅晶模组", "硅晶模组", "硅晶模组", "硅晶模组"]


def test_relations_file_errors(tmp_path: Path) -> None:
    with pytest.raises(RelationsError, match=r"不存在.*no such"):
        load_relations(tmp_path / "missing.csv")
    bad = _write(tmp_path / "bad.csv", header=("product", "kind", "other_product"))
    with pytest.raises(RelationsError, match="relation"):
        load_relations(bad)


def test_unseen_product_classified_through_its_parent(tmp_path: Path) -> None:
    index = RuleIndex(small_program().program)
    rel = load_relations(_write(tmp_path / "rel.csv"))
    ents, labels = _training()
    probe = [EnterpriseText.of("杭州某某有限公司", "xq-7型板:1.0")]
    plain = MappingModel(index)
    plain.fit(ents, labels)
    with_rel = MappingModel(index, relations=rel)
    with_rel.fit(ents, labels)
    assert not index.score(probe[0]) and not any(index.score(e) for e in ents)  # no rule evidence anywhere
    p_plain, _ = plain.predict(probe)
    p_rel, _ = with_rel.predict(probe)
    assert plain.classes[int(p_plain.argmax())] != "光伏"
    assert with_rel.classes[int(p_rel.argmax())] == "光伏"
    assert Mapper(index, with_rel).map(probe)[0][0].chain == "光伏"
    # The fitted block keeps only what its vocabulary uses; the stored model predicts the same.
    block = with_rel.features.relations
    assert block is not None and block.matcher is not rel.matcher and block.matcher.terms <= rel.terms
    assert set(block.parents) == {"单面硅晶模组", "xq-7型板", "鱼油胶丸", "团餐服务"}
    again = MappingModel.from_bytes(with_rel.to_bytes())
    assert (again.predict(probe)[0] == p_rel).all()


def test_classify_relations_option(tmp_path: Path) -> None:
    from .test_classify import _program, _write_csv

    src, labelled = tmp_path / "in.csv", tmp_path / "labelled.csv"
    _write_csv(src)
    _write_csv(labelled, with_chain=True)
    base = ["classify", str(src), "--train", str(labelled), "--program", _program(tmp_path)]
    res = runner.invoke(app, [*base, "-o", str(tmp_path / "o.csv"), "--relations", str(tmp_path / "nope.csv")])
    assert res.exit_code == 2 and "产品关系文件不存在" in res.output and "no such product relations file" in res.output
    rel = _write(tmp_path / "rel.csv")
    res = runner.invoke(app, [*base, "-o", str(tmp_path / "o.csv"), "--relations", str(rel)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o.csv").read_text(encoding="utf-8-sig").count("光伏") >= 2


def test_map_trains_with_relations_from_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _many()
    with session_scope(db_url) as s:
        save_program(s, small_program())
        add_enterprises(s, rows)
        _label(s, rows)
    monkeypatch.setenv(
        RELATIONS_ENV, str(_write(tmp_path / "rel.csv", [*RELATIONS, ("锂电池", "subcategory", "锂离子电池")]))
    )
    with session_scope(db_url) as s:
        assert map_all(s).model == "retrained model"
        prow, _ = active_program(s)
        loaded = load_model(s, prow.id)
        assert loaded is not None and loaded.model.features.relations is not None
        assert "锂离子电池" in loaded.model.features.relations.parents
    monkeypatch.setenv(RELATIONS_ENV, str(tmp_path / "missing.csv"))
    # A MappingError, so `chainlead map` prints it and exits 2 like every other mapping problem.
    with session_scope(db_url) as s, pytest.raises(MappingError, match="产品关系文件不存在"):
        map_all(s, retrain=True)
    with session_scope(db_url) as s:
        assert len(s.scalars(select(StoredModel)).all()) == 1


def test_relations_file_in_gbk_is_read(tmp_path: Path) -> None:
    """Read by the registry's reader: a GBK export reads like the UTF-8 file."""
    utf8 = _write(tmp_path / "rel.csv")
    gbk = tmp_path / "rel_gbk.csv"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    want, got = load_relations(utf8), load_relations(gbk)
    assert got.parents == want.parents and got.terms == want.terms
