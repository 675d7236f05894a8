"""Rule scoring from the program file (规则挂链): codes, product terms and keywords per node.

Evidence and its weight (score points; a node's score is the sum over evidence):

| evidence | points |
|---|---|
| industry code in the node's `industry_codes` (强) | 3.0 |
| industry code in the node's `partial_codes` (弱) | 1.0 |
| a main product names a node product term | 3.0 × product weight (revenue share) |
| a main product contains a node keyword | 2.0 × product weight |
| … and the product name *is* the term | × 1.3 |
| the enterprise name contains a product term / keyword | 1.5 / 1.2 |
| the business scope contains a product term / keyword | 0.6 (0.3 after the first 60 characters), at most 2.0 per node |
| the chain's name, an alias or a lexicon word (`data/chain_lexicon.toml`) | as a keyword, for the chain |

A term attached to nodes of several chains is less telling: its points are divided by the square
root of the number of chains. A chain's score is its best node's score plus a quarter of the
other nodes' scores (at most 1.0); chain-level words count on the chain's first node for the
score, but the node reported is the one with the most *node* evidence (codes, node terms) — `node`
is empty when there is none, and the caller decides (the model's node centroids, else the first
node). Confidence = 1 − exp(−score / 2.5): one main product that is all of the revenue and names
a node product gives 0.70; with the matching industry code, 0.91.
"""

from __future__ import annotations

import math
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from chainlead.mapping.terms import TermMatcher
from chainlead.mapping.text import EnterpriseText, core_name, normalize
from chainlead.program.model import Program
from chainlead.reference.industry import industry_name

W_CODE, W_PARTIAL_CODE = 3.0, 1.0
W_PRODUCT, W_KEYWORD, EXACT_BONUS = 3.0, 2.0, 1.3
LEXICON = 1.0  # lexicon words count like keywords (a weaker factor was measured worse)
W_NAME = {"product": 1.5, "keyword": 1.2, "chain": 1.2, "lexicon": 1.2 * LEXICON}
W_PRODUCT_KIND = {"product": W_PRODUCT, "keyword": W_KEYWORD, "chain": W_KEYWORD, "lexicon": W_KEYWORD * LEXICON}
CHAIN_LEVEL = frozenset({"chain", "lexicon"})  # evidence for the chain, not for its first node
W_SCOPE, W_SCOPE_LATE, SCOPE_CAP, SCOPE_EARLY = 0.6, 0.3, 2.0, 60
CONFIDENCE_SCALE = 2.5


def confidence_of(score: float) -> float:
    return 1.0 - math.exp(-max(score, 0.0) / CONFIDENCE_SCALE)


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A chain node (链节点) as mapping sees it."""

    index: int
    ecosystem: str
    chain: str
    node: str

    @property
    def key(self) -> str:
        return f"{self.chain}/{self.node}"


@dataclass(slots=True)
class ChainScore:
    """Rule evidence for one chain (产业链): score, best node, reasons."""

    ecosystem: str
    chain: str
    score: float
    node: str  # the node with node-level evidence; "" when only chain-level words matched
    node_scores: dict[str, float]
    reasons: list[str] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return confidence_of(self.score)


class RuleIndex:
    """The program's node terms and codes, compiled for scoring."""

    def __init__(self, program: Program, lexicon: bool = True) -> None:
        self.nodes: list[NodeRef] = []
        self.chains: list[tuple[str, str]] = []  # (ecosystem, chain) in program order
        self.chain_nodes: dict[str, list[int]] = defaultdict(list)
        # term -> {node index: kind}
        term_nodes: dict[str, dict[int, str]] = defaultdict(dict)
        self.codes: dict[str, list[tuple[int, float, str]]] = defaultdict(list)
        for eco, chain in program.chains():
            self.chains.append((eco.name, chain.name))
            chain_terms = [normalize(t) for t in (chain.name, *chain.aliases)]
            for k, node in enumerate(chain.nodes):
                ref = NodeRef(len(self.nodes), eco.name, chain.name, node.name)
                self.nodes.append(ref)
                self.chain_nodes[chain.name].append(ref.index)
                # The chain's own name and lexicon words count once, on its first node.
                own = chain_terms if k == 0 else []
                if k == 0 and lexicon:
                    for raw in _lexicon_for(chain.name, chain.aliases):
                        term = normalize(raw)
                        if len(term) >= 2 and ref.index not in term_nodes[term]:
                            term_nodes[term][ref.index] = "lexicon"
                for kind, terms in (
                    ("chain", own),
                    ("keyword", [*node.keywords, node.name]),
                    ("product", node.products),
                ):
                    for raw in terms:
                        term = normalize(raw)
                        # A node's own term outranks a chain-level word: product > keyword > chain/lexicon.
                        if len(term) >= 2 and term_nodes[term].get(ref.index) != "product":
                            term_nodes[term][ref.index] = kind
                for code in node.industry_codes:
                    self.codes[code.strip()].append((ref.index, W_CODE, "strong"))
                for code in node.partial_codes:
                    self.codes[code.strip()].append((ref.index, W_PARTIAL_CODE, "partial"))
        self.term_nodes = dict(term_nodes)
        self.specificity = {
            term: 1.0 / math.sqrt(len({self.nodes[i].chain for i in nodes})) for term, nodes in term_nodes.items()
        }
        self.matcher = TermMatcher(term_nodes)

    @property
    def chain_names(self) -> list[str]:
        return [c for _, c in self.chains]

    def _code_evidence(self, code: str, add) -> None:  # type: ignore[no-untyped-def]
        if not code:
            return
        seen: set[int] = set()
        for length in (4, 3, 2):
            for index, weight, kind in self.codes.get(code[:length], ()):
                if index in seen:
                    continue
                seen.add(index)
                add(index, weight, ("c", code, kind))

    def score(self, ent: EnterpriseText, with_reasons: bool = True) -> list[ChainScore]:
        """Chains with any evidence, best first."""
        node_score: dict[int, float] = defaultdict(float)
        general: dict[int, float] = defaultdict(float)  # the chain-level part of node_score
        reasons: dict[int, list[tuple[float, tuple, bool]]] = defaultdict(list)

        def add(index: int, points: float, why: tuple, chain_level: bool = False) -> None:
            node_score[index] += points
            if chain_level:
                general[index] += points
            if with_reasons:
                reasons[index].append((points, why, chain_level))

        self._code_evidence(ent.industry_code, add)
        for product in ent.products:
            best: dict[int, tuple[float, str, str]] = {}
            for term in self.matcher.found(product.name):
                spec = self.specificity[term]
                for index, kind in self.term_nodes[term].items():
                    points = W_PRODUCT_KIND[kind] * product.weight * spec
                    if product.name == term:
                        points *= EXACT_BONUS
                    if index not in best or points > best[index][0]:
                        best[index] = (points, term, kind)
            for index, (points, term, kind) in best.items():
                add(index, points, ("p", product.name, term, product.share), kind in CHAIN_LEVEL)
        name = core_name(ent.name)
        if name:
            best = {}
            for term in self.matcher.found(name):
                for index, kind in self.term_nodes[term].items():
                    points = W_NAME[kind] * self.specificity[term]
                    if index not in best or points > best[index][0]:
                        best[index] = (points, term, kind)
            for index, (points, term, kind) in best.items():
                add(index, points, ("n", term), kind in CHAIN_LEVEL)
        if ent.business_scope:
            per_node: dict[int, float] = defaultdict(float)
            per_node_general: dict[int, float] = defaultdict(float)
            words: dict[int, list[str]] = defaultdict(list)
            seen_terms: set[str] = set()
            for pos, term in self.matcher.find(ent.business_scope):
                if term in seen_terms:
                    continue
                seen_terms.add(term)
                base = W_SCOPE if pos < SCOPE_EARLY else W_SCOPE_LATE
                for index, kind in self.term_nodes[term].items():
                    points = base * self.specificity[term] * (LEXICON if kind == "lexicon" else 1.0)
                    per_node[index] += points
                    if kind in CHAIN_LEVEL:
                        per_node_general[index] += points
                    words[index].append(term)
            for index, points in per_node.items():
                capped = min(points, SCOPE_CAP)
                part = per_node_general.get(index, 0.0) / points
                if part < 1.0:
                    add(index, capped * (1.0 - part), ("s", tuple(words[index][:3])))
                if part > 0.0:
                    add(index, capped * part, ("s", tuple(words[index][:3])), True)
        return self._by_chain(node_score, general, reasons)

    def _by_chain(
        self,
        node_score: dict[int, float],
        general: dict[int, float],
        reasons: dict[int, list[tuple[float, tuple, bool]]],
    ) -> list[ChainScore]:
        per_chain: dict[str, list[int]] = defaultdict(list)
        for index in node_score:
            per_chain[self.nodes[index].chain].append(index)
        out: list[ChainScore] = []
        for chain, indexes in per_chain.items():
            indexes.sort(key=lambda i: (-node_score[i], i))
            top = indexes[0]
            others = sum(node_score[i] for i in indexes[1:])
            score = node_score[top] + min(0.25 * others, 1.0)
            if general and any(i in general for i in indexes):
                # The node: most node-level evidence; chain-level words (on the first node) don't pick it.
                specific = {i: node_score[i] - general.get(i, 0.0) for i in indexes}
                node_top = max(indexes, key=lambda i: (specific[i], -i))
                has_node = specific[node_top] > 1e-9
                node_scores = {self.nodes[i].node: v for i, v in specific.items() if v > 1e-9}
                mine = [r for r in reasons.get(node_top, ()) if has_node or r[2]]
                mine += [r for i in indexes if i != node_top for r in reasons.get(i, ()) if r[2]]
            else:  # node evidence only (the common case): the best node is the top one
                node_top, has_node = top, True
                node_scores = {self.nodes[i].node: node_score[i] for i in indexes}
                mine = reasons.get(top, [])
            why = sorted(mine, key=lambda r: -r[0])
            out.append(
                ChainScore(
                    ecosystem=self.nodes[top].ecosystem,
                    chain=chain,
                    score=score,
                    node=self.nodes[node_top].node if has_node else "",
                    node_scores=node_scores,
                    reasons=[_say(w) for w in _one_per_source(why)[:3]],
                )
            )
        out.sort(key=lambda c: -c.score)
        return out

    def chain_vector(self, ent: EnterpriseText) -> list[float]:
        """Rule score per chain in program order (features for the learned model)."""
        scores = {c.chain: c.score for c in self.score(ent, with_reasons=False)}
        return [scores.get(chain, 0.0) for chain in self.chain_names]


_code_label = cache(industry_name)


@cache
def _lexicon() -> dict[str, list[str]]:
    text = resources.files("chainlead.mapping").joinpath("data/chain_lexicon.toml").read_text(encoding="utf-8")
    return {k: list(v) for k, v in tomllib.loads(text).get("chains", {}).items()}


def _lexicon_for(name: str, aliases: list[str]) -> list[str]:
    table = _lexicon()
    for key in (name, *aliases):
        if key in table:
            return table[key]
    return []


def _one_per_source(why: list[tuple[float, tuple, bool]]) -> list[tuple]:
    """The strongest piece of evidence per product, per name and per scope (already sorted)."""
    seen: set[tuple] = set()
    out: list[tuple] = []
    for _points, w, _level in why:
        source = (w[0], w[1]) if w[0] in ("p", "c") else (w[0],)
        if source not in seen:
            seen.add(source)
            out.append(w)
    return out


def _say(why: tuple) -> str:
    """A reason in words, formatted only for the evidence that is shown."""
    kind = why[0]
    if kind == "p":
        share = f"，占比 {why[3]:.0%}" if why[3] is not None else ""
        if why[1] == why[2]:
            return f"主营产品为「{why[1]}」{share}"
        return f"主营产品「{why[1]}」含「{why[2]}」{share}"
    if kind == "n":
        return f"企业名称含「{why[1]}」"
    if kind == "s":
        return "经营范围含「" + "、".join(why[1]) + "」"
    label = _code_label(why[1]) or ""
    strength = "强" if why[2] == "strong" else "弱"
    return f"行业代码 {why[1]} {label}（{strength}）".replace("  ", " ")
