"""MIND over co-buy pairs: product descriptions, pair intentions, role-aware filter.

Each product is described once (image + title) and reused by every pair it is
in. A pair's two images go as separate image parts with both descriptions; all
requested FolkScope relations are asked for in one JSON call. The filter makes
the model a shopper and asks whether the intention would make it buy both; the
score is P(yes) from the first token's log-probabilities when the backend gives
them, else the share of "yes" among ``filter_votes`` samples.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from functools import partial

from distill.backends.base import ChatRequest, ImagePart
from distill.images import image_part
from distill.intentions import assemble_intentions, count_failed, parse_intentions
from distill.judge import judge_assertions
from distill.parse import parse_yes_no, vote_probability, yes_probability
from distill.posts import parse_description
from distill.prompts import description_schema, intentions_schema, load_prompt, relation_lines
from distill.stages import Context
from kg.records import CoBuy, ImageDescription, IntentionAssertion, Product
from kg.relations import Relation

__all__ = ["CoBuyResult", "describe_product", "distill_cobuy", "filter_score"]

S_PRODUCT, S_COBUY, S_FILTER = "product_description", "cobuy_intentions", "cobuy_filter"


@dataclass
class CoBuyResult:
    """Records distilled from one co-buy pair."""

    assertions: list[IntentionAssertion] = field(default_factory=list)


def _first_image(ctx: Context, product: Product) -> ImagePart | None:
    for ref in product.images:
        part = image_part(ref, ctx.llm.image_mode)
        if part is not None:
            return part
    return None


def _details(product: Product, limit: int = 600) -> str:
    bits = [*product.features, product.description or ""]
    text = " ".join(" ".join(b.split()) for b in bits if b)
    return (text[:limit] + "…") if len(text) > limit else (text or "(none)")


def _product_request(ctx: Context, product: Product, images: bool) -> tuple[ChatRequest, str]:
    part = _first_image(ctx, product) if images else None
    prompt = load_prompt("product_description" if part else "product_description_text_only")
    msgs = prompt.messages([part] if part else None, title=product.title or product.id,
                           category=product.category or "(unknown)", details=_details(product))
    req = ctx.request(prompt, msgs, stage=S_PRODUCT, subject=product.id,
                      schema=description_schema())
    return req, prompt.version


async def describe_product(ctx: Context, product: Product) -> ImageDescription | None:
    """MIND's feature description of one product (from its first usable image + title;
    from its title and details alone when there is no image or the model takes none)."""
    ans, req, version = await ctx.ask_json_images(partial(_product_request, ctx, product),
                                                  parse_description)
    if ans is None:
        return None
    sent_image = any(m.images for m in req.messages)
    image_id = next((r.id for r in product.images
                     if image_part(r, ctx.llm.image_mode) is not None), None) if sent_image \
        else None
    return ImageDescription(subject_id=product.id, image_id=image_id, description=ans.value,
                            model=ctx.model, prompt_version=version)


def filter_score(top_logprobs: list[dict[str, float]] | None,
                 texts: list[str]) -> tuple[float | None, str]:
    """(P(yes), reason) from log-probabilities when present, else from the sampled votes."""
    score = yes_probability(top_logprobs)
    if score is not None:
        return score, parse_yes_no(texts[0])[1] if texts else ""
    return vote_probability(texts)


async def _filter(ctx: Context, pair: CoBuy, a: Product, b: Product, da: str, db: str,
                  rel: Relation, assertion: IntentionAssertion) -> None:
    prompt = load_prompt("cobuy_filter")
    msgs = prompt.messages(title_a=a.title or a.id, description_a=da, title_b=b.title or b.id,
                           description_b=db, sentence=f"{rel.template} {assertion.text}")
    subject = f"{pair.id}|{rel.id}"
    score, reason, resp = await ctx.ask_yes_no(prompt, msgs, stage=S_FILTER, subject=subject,
                                               max_tokens=48)
    counts = ctx.report.relation(rel.id)
    if score is None or math.isnan(score):
        if resp is not None:
            ctx.report.fail(S_FILTER, subject, "no Yes/No answer from the filter",
                            resp.texts[0] if resp.texts else "", cached=resp.cached)
        counts.failed += 1
        assertion.keep, assertion.filter_reason = False, "filter failed"
        return
    assertion.filter_score = score
    assertion.filter_reason = reason
    assertion.keep = score >= ctx.llm.filter_threshold
    if assertion.keep:
        counts.kept += 1
    else:
        counts.rejected += 1


async def distill_cobuy(ctx: Context, pair: CoBuy, products: dict[str, Product],
                        descriptions: dict[str, str], relations: list[Relation]) -> CoBuyResult:
    """Intentions of one pair (one call for all relations), then the filter per intention."""
    out = CoBuyResult()
    a = products.get(pair.product_a) or Product(id=pair.product_a)
    b = products.get(pair.product_b) or Product(id=pair.product_b)
    da = descriptions.get(a.id, "(no description)")
    db = descriptions.get(b.id, "(no description)")

    def build(images: bool) -> tuple[ChatRequest, str]:
        parts = [p for p in (_first_image(ctx, a), _first_image(ctx, b)) if p is not None] \
            if images else []
        prompt = load_prompt("cobuy_intentions" if parts else "cobuy_intentions_text_only")
        msgs = prompt.messages(parts, title_a=a.title or a.id, description_a=da,
                               title_b=b.title or b.id, description_b=db,
                               relations=relation_lines(relations))
        req = ctx.request(prompt, msgs, stage=S_COBUY, subject=pair.id,
                          schema=intentions_schema(relations))
        return req, prompt.version

    ans, _, intent_version = await ctx.ask_json_images(
        build, lambda o: parse_intentions(o, relations))
    if ans is None:
        count_failed(ctx.report, relations)
        return out
    version = f"{intent_version}+{load_prompt('cobuy_filter').version}"
    found = assemble_intentions(
        ctx.report, ans.value, relations, subject_id=pair.id, subject_kind="cobuy",
        model=ctx.model, prompt_version=version, image_description=f"A: {da} B: {db}",
        count_kept=False)
    out.assertions = [assertion for _, assertion in found]
    jobs = [_filter(ctx, pair, a, b, da, db, rel, assertion) for rel, assertion in found]
    await asyncio.gather(*jobs)
    if ctx.llm.judge:
        context = f'Products bought together: "{a.title or a.id}" and "{b.title or b.id}".'
        await judge_assertions(ctx, out.assertions, context)
    return out
