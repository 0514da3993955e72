"""Typed results of the query helpers.

Every helper returns these pydantic models (or lists of them), never raw rows;
the CLI prints them as tables or JSON and the HTTP API serves them as JSON with
their schema in the OpenAPI document.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Assertion",
    "BasketRecommendation",
    "ConceptCount",
    "ConceptHit",
    "Explanation",
    "GraphEdge",
    "GraphNode",
    "GraphSummary",
    "IntentionHit",
    "IntentionProducts",
    "Neighbourhood",
    "ProductHit",
    "ProductRecommendation",
    "RelationCount",
    "RelationGroup",
    "ScoredIntention",
    "TrendPoint",
    "WhyBoughtTogether",
]


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntentionHit(_Result):
    """One intention found under a concept.

    Attributes:
        id: the Intention node id.
        text: canonical intention text.
        relation: canonical relation id of the assertions counted here.
        subjects: distinct posts or co-buys asserting it under ``relation`` (local support).
        support: the intention's global support (members merged into it).
        score: concept relevance, ``max(ABOUT.score / (1 + distance))`` over the
            concepts in scope, ``distance`` being IS_A hops below the asked concept.
        concepts: names of the matched concepts (at most three).
    """

    id: str
    text: str
    relation: str
    subjects: int
    support: int
    score: float
    concepts: list[str] = Field(default_factory=list)


class RelationGroup(_Result):
    """The intentions of one relation, ranked by ``subjects``, then ``score``, then ``support``.

    Attributes:
        relation: canonical relation id.
        total: intentions in this group before paging.
        items: the page of intentions (``skip``/``limit`` apply inside each group).
    """

    relation: str
    total: int
    items: list[IntentionHit]


class ConceptCount(_Result):
    """A concept with how often intentions refer to it.

    Attributes:
        id: Concept node id.
        name: concept name (WordNet lemma or Probase concept).
        intentions: distinct intentions ABOUT it.
        assertions: assertion edges reaching those intentions (``0`` in plain
            concept statistics, where edges are not counted).
        children: concepts directly below it (IS_A), in concept statistics.
        score: mean ABOUT score.
    """

    id: str
    name: str
    intentions: int
    assertions: int = 0
    children: int = 0
    score: float | None = None


class ConceptHit(_Result):
    """A concept matched by name."""

    id: str
    name: str
    source: str | None = None
    synset: str | None = None
    gloss: str | None = None
    intentions: int = 0


class Assertion(_Result):
    """One assertion edge with its provenance.

    Attributes:
        id: assertion id (``IntentionAssertion.id``).
        subject_id: the Post or CoBuy that asserts it.
        relation: canonical relation id.
        intention_id: the canonical Intention node.
        intention: its canonical text.
        raw_text: exactly what the model wrote.
        keep: the role-aware filter's decision.
        filter_score: the filter's probability of "yes", when it ran.
        accepted: a majority of human annotators found it plausible; ``None`` unjudged.
        model: the model that distilled it.
        prompt_version: the prompt file version.
        image_description: the image description the model saw, if any.
        partner: for a product's assertions, the other product of the co-buy.
    """

    id: str | None = None
    subject_id: str
    relation: str
    intention_id: str
    intention: str
    raw_text: str | None = None
    rationale: str | None = None
    plausibility: float | None = None
    typicality: float | None = None
    filter_score: float | None = None
    filter_reason: str | None = None
    keep: bool = True
    accepted: bool | None = None
    model: str | None = None
    prompt_version: str | None = None
    image_description: str | None = None
    partner: str | None = None


class ScoredIntention(_Result):
    """An intention from full-text or vector search.

    Attributes:
        score: full-text relevance (higher is better; scales differ by store) or, for
            vector search, the similarity ``(1 + cos) / 2`` in ``[0, 1]``.
    """

    id: str
    text: str
    support: int
    score: float


class Explanation(_Result):
    """Why a product is recommended: one intention on a path to it.

    Attributes:
        intention_id: the intention shared by the two co-buys, or the target's
            side of a shared concept.
        intention: its text.
        relation: relation of the target side's assertion.
        concept: the shared concept, when the path goes through one.
        weight: this path's contribution to the score.
        via: for basket recommendations, the basket products whose co-buys assert
            the intention (the path is product → co-buy → intention → co-buy → product).
    """

    intention_id: str
    intention: str
    relation: str
    concept: str | None = None
    weight: float
    via: list[str] = Field(default_factory=list)


class ProductRecommendation(_Result):
    """A product reachable from the asked product through co-buy intention paths.

    Attributes:
        id: product id (ASIN).
        title: product title.
        category: product category.
        score: sum of path weights (see :func:`queries.similar_products`).
        paths: number of paths counted.
        direct: whether the two products were bought together themselves.
        explanations: the strongest paths, best first (at most three).
    """

    id: str
    title: str | None = None
    category: str | None = None
    score: float
    paths: int
    direct: bool = False
    explanations: list[Explanation] = Field(default_factory=list)


class WhyBoughtTogether(_Result):
    """Why two products were bought together.

    Attributes:
        product_a: first product id as asked.
        product_b: second product id as asked.
        cobuy_id: the pair's CoBuy id.
        bought_together: whether that CoBuy is in the graph.
        direct: the pair's own assertions, best filter score first.
        shared: intentions both products have in other co-buys, strongest first.
    """

    product_a: str
    product_b: str
    cobuy_id: str
    bought_together: bool
    direct: list[Assertion]
    shared: list[Explanation]


class ProductHit(_Result):
    """A product whose co-buys assert an intention (or one under a concept).

    Attributes:
        score: ``sum(filter_score)`` over supporting co-buys (``1`` where no filter ran).
        cobuys: distinct supporting co-buys.
        intentions: the supporting intention texts (at most three).
    """

    id: str
    title: str | None = None
    category: str | None = None
    cobuys: int
    score: float
    intentions: list[str] = Field(default_factory=list)


class IntentionProducts(_Result):
    """Products for one intention."""

    intention_id: str
    intention: str
    products: list[ProductHit]


class RelationCount(_Result):
    """Distribution of assertions over one relation.

    Attributes:
        relation: canonical relation id.
        assertions: assertion edges.
        kept: of which the filter kept.
        intentions: distinct intentions reached.
        mean_filter_score: mean filter score where the filter ran.
    """

    relation: str
    assertions: int
    kept: int
    intentions: int
    mean_filter_score: float | None = None


class GraphNode(_Result):
    """A node of a neighbourhood view.

    Attributes:
        id: node id.
        kind: ``intention``, ``concept``, ``product``, ``cobuy`` or ``post``.
        label: display text (intention text, concept name, product title, ...).
    """

    id: str
    kind: str
    label: str


class GraphEdge(_Result):
    """A directed edge of a neighbourhood view.

    Attributes:
        type: relationship type (``ABOUT``, ``IS_A``, ``OF``, ``USED_FOR``, ...).
        relation: canonical relation id for assertion edges.
    """

    source: str
    target: str
    type: str
    relation: str | None = None


class Neighbourhood(_Result):
    """Nodes and edges around one node, for drawing."""

    center: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class BasketRecommendation(_Result):
    """A product that serves intentions the basket's products share.

    Attributes:
        id: product id (ASIN), never one of the basket.
        score: sum of path weights (see :func:`queries.recommend_for_basket`).
        paths: co-buy assertions counted.
        explanations: the strongest shared intentions, best first (at most three),
            each naming the basket products it comes from (``via``).
    """

    id: str
    title: str | None = None
    category: str | None = None
    score: float
    paths: int
    explanations: list[Explanation] = Field(default_factory=list)


class TrendPoint(_Result):
    """Assertions about a concept in one period (posts with a time only).

    Attributes:
        period: ``YYYY-MM`` (UTC).
        assertions: assertion edges reaching an intention ABOUT the concept.
        intentions: distinct such intentions (summed over the senses of a name).
    """

    period: str
    assertions: int
    intentions: int


class GraphSummary(_Result):
    """The graph's size: nodes per kind and assertion edges (all / kept)."""

    posts: int
    products: int
    cobuys: int
    intentions: int
    concepts: int
    assertions: int
    kept: int
