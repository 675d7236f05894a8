"""Suggestions for enterprises (挂链建议): rules alone, or the learned model on top of them.

Every enterprise gets zero or more (chain, node) suggestions with a confidence in [0, 1] and a
short reason; the first is the primary one. No suggestion means "none" (不属于任何产业链).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainlead.mapping.model import NONE, MappingModel
from chainlead.mapping.rules import ChainScore, RuleIndex
from chainlead.mapping.text import EnterpriseText
from chainlead.program.model import Program

UNSURE_NODE = "（节点未定，暂挂首个节点）"  # appended to the reason when the node is only a placeholder


@dataclass(frozen=True)
class Thresholds:
    """When a suggestion is applied automatically, and when it is shown at all.

    `apply`: confidence at or above which a suggestion is applied (status=applied);
    `suggest`: at or above which it waits in the review queue (status=suggested); below it is
    dropped. `secondary`: a second chain must reach this too (several chains per enterprise).
    """

    apply: float = 0.80
    suggest: float = 0.35
    secondary: float = 0.45

    def __post_init__(self) -> None:
        if not (0 <= self.suggest <= self.apply <= 1 and 0 <= self.secondary <= 1):
            raise ValueError("thresholds must satisfy 0 ≤ suggest ≤ apply ≤ 1")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested membership (挂链建议)."""

    ecosystem: str
    chain: str
    node: str
    confidence: float
    source: str  # rule | model
    reason: str
    is_primary: bool = False

    @property
    def key(self) -> str:
        return f"{self.chain}/{self.node}"


class Mapper:
    """Maps enterprises with the program's rules and, when given, a trained model."""

    def __init__(
        self,
        program: Program | RuleIndex,
        model: MappingModel | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        if model is not None:
            self.index = model.index
        else:
            self.index = program if isinstance(program, RuleIndex) else RuleIndex(program)
        self.model = model
        self.thresholds = thresholds or Thresholds()
        self._first_node = {c: self.index.nodes[ix[0]].node for c, ix in self.index.chain_nodes.items()}
        self._eco = {c: e for e, c in self.index.chains}
        self._node_cols: dict[str, tuple[np.ndarray, list[str]]] = {}
        if model is not None:
            by_chain: dict[str, list[tuple[int, str]]] = {}
            for k, key in enumerate(model.node_classes):
                chain, _, node = key.partition("/")
                by_chain.setdefault(chain, []).append((k, node))
            self._node_cols = {c: (np.array([k for k, _ in v]), [n for _, n in v]) for c, v in by_chain.items()}

    def map(self, ents: list[EnterpriseText]) -> list[list[Suggestion]]:
        rule_scores = [self.index.score(e) for e in ents]
        if self.model is None:
            return [self._from_rules(scores) for scores in rule_scores]
        x = self.model.features.transform(ents, rule_scores)
        chain_p = self.model.chain_proba(x, ents)
        node_p = self.model.node_similarity(x, self._needs_node(rule_scores, chain_p))
        return [
            self._from_model(ents[i], rule_scores[i], chain_p[i], None if node_p is None else node_p[i])
            for i in range(len(ents))
        ]

    def _needs_node(self, rule_scores: list[list[ChainScore]], chain_p: np.ndarray) -> np.ndarray:
        """Rows where a chain that may be suggested has no node from the rules."""
        assert self.model is not None
        low = min(self.thresholds.suggest, self.thresholds.secondary)
        candidate = chain_p >= low
        candidate[np.arange(len(chain_p)), chain_p.argmax(axis=1)] = True
        col = {c: k for k, c in enumerate(self.model.classes)}
        for i, scores in enumerate(rule_scores):
            for cs in scores:
                if cs.node and cs.chain in col:
                    candidate[i, col[cs.chain]] = False
        if NONE in col:
            candidate[:, col[NONE]] = False
        return np.asarray(candidate.any(axis=1))

    def map_one(self, ent: EnterpriseText) -> list[Suggestion]:
        return self.map([ent])[0]

    def _from_rules(self, scores: list[ChainScore]) -> list[Suggestion]:
        out: list[Suggestion] = []
        for cs in scores:
            conf = cs.confidence
            limit = self.thresholds.suggest if not out else self.thresholds.secondary
            if conf < limit:
                continue
            node, unsure = cs.node, ""
            if not node:  # only chain-level words matched
                node, unsure = self._first_node.get(cs.chain, ""), UNSURE_NODE
            reason = "；".join(cs.reasons) + unsure
            out.append(Suggestion(cs.ecosystem, cs.chain, node, round(conf, 4), "rule", reason, not out))
        return out

    def _from_model(
        self,
        ent: EnterpriseText,
        scores: list[ChainScore],
        chain_p: np.ndarray,
        node_p: np.ndarray | None,
    ) -> list[Suggestion]:
        assert self.model is not None
        by_chain = {cs.chain: cs for cs in scores}
        order = np.argsort(-chain_p)
        # The top class decides the primary suggestion; when it is `none`, other chains may
        # still be suggested for review, but none of them is primary.
        top_is_none = self.model.classes[order[0]] == NONE
        out: list[Suggestion] = []
        for j in order:
            chain = self.model.classes[j]
            p = float(chain_p[j])
            if chain == NONE:
                continue
            primary = not out and not top_is_none
            # The model's best class is its decision: kept (for review when it is unsure) even
            # below the suggest threshold; the other chains must reach the thresholds.
            limit = 0.0 if primary else self.thresholds.suggest if not out else self.thresholds.secondary
            if p < limit:
                break
            cs = by_chain.get(chain)
            node, node_why = self._node(chain, cs, node_p)
            why = list(cs.reasons) if cs else []
            if not why:
                names = "、".join(f"「{pr.name}」" for pr in ent.products[:2]) or f"「{ent.name}」"
                why = [f"模型：{names}与已确认的{chain}企业相似"]
            reason = f"模型概率 {p:.2f}；" + "；".join(why) + node_why
            out.append(Suggestion(self._eco[chain], chain, node, round(p, 4), "model", reason, primary))
        return out

    def _node(self, chain: str, cs: ChainScore | None, node_p: np.ndarray | None) -> tuple[str, str]:
        assert self.model is not None
        cols = self._node_cols.get(chain)
        if cs is not None and cs.node:
            return cs.node, ""
        if node_p is not None and cols is not None:
            values = node_p[cols[0]]
            best = int(np.argmax(values))
            if float(values[best]) > 0:
                return cols[1][best], ""
        return self._first_node.get(chain, ""), UNSURE_NODE
