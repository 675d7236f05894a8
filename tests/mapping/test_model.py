"""The learned model: train, store in the database, load, predict the same; format versions."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from chainlead.db import session_scope
from chainlead.db.models import ChainMembership, ChainNodeRow, ChainRow, Enterprise, StoredModel
from chainlead.mapping.model import BLOB_MAGIC, FORMAT_VERSION, MappingModel, ModelFormatError
from chainlead.mapping.predict import Mapper, Thresholds
from chainlead.mapping.rules import RuleIndex
from chainlead.mapping.service import map_all
from chainlead.mapping.store import load_model, training_set
from chainlead.mapping.text import EnterpriseText
from chainlead.program.store import active_program, save_program

from .helpers import ENTERPRISES, add_enterprises, small_program

NODE = {"光伏": "光伏组件", "储能": "储能电池", "药品": "化学药"}
PREFIXES = ("杭州", "宁波", "温州", "嘉兴")


def _many() -> list[tuple[str, str, str, str, str]]:
    rows = []
    for p in PREFIXES:
        for name, products, scope, code, chain in ENTERPRISES:
            rows.append((name.replace("杭州", p), products, scope, code, chain))
    return rows


def _label(session, rows) -> None:  # type: ignore[no-untyped-def]
    nodes = {
        (c, n): (cid, nid)
        for c, cid, n, nid in session.execute(
            select(ChainRow.name, ChainRow.id, ChainNodeRow.name, ChainNodeRow.id).join(
                ChainNodeRow, ChainNodeRow.chain_id == ChainRow.id
            )
        )
    }
    ents = session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
    for ent, row in zip(ents, rows, strict=True):
        chain = row[4]
        if chain == "none":  # a person rejected it: an example of none
            cid, nid = nodes[("药品", "中药")]
            status = "rejected"
        else:
            cid, nid = nodes[(chain, NODE[chain])]
            status = "confirmed"
        session.add(
            ChainMembership(
                enterprise_id=ent.id, chain_id=cid, node_id=nid, source="manual", status=status, is_primary=True
            )
        )


def test_train_store_load_predict_round_trip(db_url: str) -> None:
    rows = _many()
    with session_scope(db_url) as s:
        save_program(s, small_program())
        add_enterprises(s, rows)
        _label(s, rows)
    with session_scope(db_url) as s:
        prow, _ = active_program(s)
        data = training_set(s, prow.id)
        assert len(data.texts) == len(rows) and set(data.chains) == {"光伏", "储能", "药品", "none"}
        few = training_set(s, prow.id, limit=12)  # subsampled per label before the texts are read
        assert len(few.texts) == 12 and sorted(set(few.chains)) == sorted(set(data.chains))
        report = map_all(s)
        assert report.model == "retrained model" and report.model_examples == len(rows)
    with session_scope(db_url) as s:
        stored = s.scalars(select(StoredModel)).all()
        assert len(stored) == 1 and stored[0].meta["format_version"] == FORMAT_VERSION
        assert stored[0].meta["classes"]["none"] == 8
        loaded = load_model(s, prow.id)
        assert loaded is not None
        again = map_all(s)
        assert again.model == "stored model"
    probe = [
        EnterpriseText.of("台州新光科技有限公司", "太阳能电池片:0.7;光伏组件:0.3"),
        EnterpriseText.of("台州美味餐饮有限公司", "餐饮服务:1.0", "餐饮服务", "6210"),
    ]
    fresh = loaded.model
    p1, _ = fresh.predict(probe)
    with session_scope(db_url) as s:
        p2, _ = load_model(s, prow.id).model.predict(probe)
    assert np.allclose(p1, p2) and np.allclose(p1.sum(axis=1), 1.0)
    got = Mapper(fresh.index, fresh).map(probe)
    assert got[0][0].chain == "光伏" and got[0][0].source == "model" and "模型概率" in got[0][0].reason
    assert not any(s.is_primary for s in got[1])
    # Retraining on demand adds a row; only the latest three are kept.
    with session_scope(db_url) as s:
        for _ in range(3):
            assert map_all(s, retrain=True).model == "retrained model"
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(StoredModel)) == 3


def test_other_format_version_is_refused(db_url: str) -> None:
    rows = _many()
    with session_scope(db_url) as s:
        save_program(s, small_program())
        add_enterprises(s, rows)
        _label(s, rows)
        map_all(s)
    with session_scope(db_url) as s:
        row = s.scalars(select(StoredModel)).one()
        row.blob = pickle.dumps({"format_version": FORMAT_VERSION + 1, "model": None})
    with session_scope(db_url) as s:
        prow, _ = active_program(s)
        assert load_model(s, prow.id) is None
        assert map_all(s).model == "retrained model"


class _Touch:
    """A pickle that creates a file when it is loaded: proves a refused blob is never unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.makedirs, (str(self.path),))


def test_blob_header_is_checked_before_unpickling(tmp_path: Path) -> None:
    index = RuleIndex(small_program().program)
    rows = _many()
    model = MappingModel(index)
    model.fit([EnterpriseText.of(*r[:4]) for r in rows], [r[4] for r in rows])
    blob = model.to_bytes()
    assert blob.startswith(BLOB_MAGIC + FORMAT_VERSION.to_bytes(4, "big"))
    again = MappingModel.from_bytes(blob)
    texts = [EnterpriseText.of(*r[:4]) for r in rows]
    assert np.allclose(again.predict(texts)[0], model.predict(texts)[0])

    marker = tmp_path / "unpickled"
    payload = pickle.dumps(_Touch(marker))
    refused = [
        payload,  # no header (also the layout of format 4 and earlier)
        BLOB_MAGIC + (FORMAT_VERSION + 1).to_bytes(4, "big") + payload,  # another format
        BLOB_MAGIC[:-1],  # truncated header
    ]
    for bad in refused:
        try:
            MappingModel.from_bytes(bad)
        except ModelFormatError:
            pass
        else:
            raise AssertionError(f"accepted {bad[:40]!r}")
        assert not marker.exists()
    # The right header with something else inside is refused after loading, not returned.
    other = BLOB_MAGIC + FORMAT_VERSION.to_bytes(4, "big") + pickle.dumps({"model": None})
    try:
        MappingModel.from_bytes(other)
    except ModelFormatError as exc:
        assert "dict" in str(exc)
    else:
        raise AssertionError("a dict was accepted as a model")


def test_model_without_none_class_and_calibrated_confidence() -> None:
    index = RuleIndex(small_program().program)
    rows = [r for r in _many() if r[4] != "none"] * 2
    texts = [EnterpriseText.of(*r[:4]) for r in rows]
    model = MappingModel(index)
    report = model.fit(texts, [r[4] for r in rows], [NODE[r[4]] for r in rows])
    assert report.calibrated and report.temperature > 0
    chain_p, node_sim = model.predict(texts)
    assert chain_p.shape == (len(rows), 3) and node_sim is not None
    assert ((chain_p >= 0) & (chain_p <= 1)).all()
    picked = [model.classes[k] for k in chain_p.argmax(axis=1)]
    assert picked == [r[4] for r in rows]


def test_model_decision_is_primary_even_below_the_suggest_threshold() -> None:
    """The model's best class is its answer (shown for review when unsure); others need thresholds."""
    index = RuleIndex(small_program().program)
    rows = _many()
    texts = [EnterpriseText.of(*r[:4]) for r in rows]
    model = MappingModel(index)
    model.fit(texts, [r[4] for r in rows])
    strict = Thresholds(apply=1.0, suggest=1.0, secondary=1.0)
    chain_p, _ = model.predict(texts)
    got = Mapper(index, model, strict).map(texts)
    for p, sugg in zip(chain_p, got, strict=True):
        best = model.classes[int(np.argmax(p))]
        if best == "none":
            assert not any(s.is_primary for s in sugg)
        else:
            assert len(sugg) == 1 and sugg[0].is_primary and sugg[0].chain == best
            assert sugg[0].confidence == round(float(p.max()), 4)
    assert any(s for s in got) and any(not s for s in got)
    # Rules alone keep the threshold: nothing reaches 1.0.
    assert not any(Mapper(index, thresholds=strict).map(texts))


def test_node_comes_from_confirmed_examples_when_rules_name_only_the_chain() -> None:
    # Every confirmed 药品 firm sits in 中药 (the chain's second node). A firm whose only evidence is
    # the chain word 药业 in its name has no node from the rules: the node centroids decide, not
    # the chain's first node (化学药), and no placeholder note is added.
    index = RuleIndex(small_program().program)
    rows = _many()
    nodes = {"光伏": "光伏组件", "储能": "储能电池", "药品": "中药"}
    model = MappingModel(index)
    model.fit([EnterpriseText.of(*r[:4]) for r in rows], [r[4] for r in rows], [nodes.get(r[4]) for r in rows])
    firm = EnterpriseText.of("杭州百草药业有限公司")
    assert index.score(firm)[0].node == ""
    mapper = Mapper(index, model, Thresholds(apply=0.99, suggest=0.05))
    best = mapper.map_one(firm)[0]
    assert best.chain == "药品" and best.node == "中药"
    assert "节点未定" not in best.reason
