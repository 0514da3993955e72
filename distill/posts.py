"""MIKO over posts: image → description; text + description → key information → intentions.

All requested relations are asked for in one JSON call per post (one schema
property per relation, each ``{intention, rationale}``), each anchored on its
template from :mod:`kg.relations`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from distill.backends.base import ChatRequest
from distill.images import image_part
from distill.intentions import assemble_intentions, count_failed, parse_intentions
from distill.judge import judge_assertions
from distill.prompts import (
    description_schema,
    intentions_schema,
    key_info_schema,
    load_prompt,
    relation_lines,
)
from distill.stages import Context
from kg.records import ImageDescription, ImageRef, IntentionAssertion, KeyInfo, Post
from kg.relations import Relation

__all__ = ["PostResult", "distill_post", "parse_description", "parse_intentions",
           "parse_key_info"]

S_IMAGE, S_KEY, S_INTENT = "post_image_description", "post_key_info", "post_intentions"


@dataclass
class PostResult:
    """Records distilled from one post."""

    descriptions: list[ImageDescription] = field(default_factory=list)
    key_info: KeyInfo | None = None
    assertions: list[IntentionAssertion] = field(default_factory=list)


def parse_description(obj: dict[str, Any]) -> str:
    """The non-empty ``description`` string of a description answer."""
    text = obj["description"]
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'description' must be a non-empty string")
    return " ".join(text.split())


def parse_key_info(obj: dict[str, Any]) -> dict[str, Any]:
    """MIKO key information with missing fields empty and keywords as a list of strings."""
    out: dict[str, Any] = {k: str(obj.get(k) or "").strip()
                           for k in ("concept", "action", "object", "emotion")}
    kws = obj.get("keywords") or []
    if isinstance(kws, str):
        kws = [k for k in kws.replace(";", ",").split(",")]
    if not isinstance(kws, list):
        raise TypeError("'keywords' must be a list of strings")
    out["keywords"] = [str(k).strip().lstrip("#") for k in kws if str(k).strip()]
    if not any(out.values()):
        raise ValueError("no key information field is filled")
    return out


def _image_request(ctx: Context, post: Post, index: int, ref: ImageRef, text: str,
                   images: bool) -> tuple[ChatRequest, str]:
    part = image_part(ref, ctx.llm.image_mode) if images else None
    prompt = load_prompt("post_image_description" if part else
                         "post_image_description_text_only")
    msgs = prompt.messages([part] if part else None, text=text)
    req = ctx.request(prompt, msgs, stage=S_IMAGE, subject=f"{post.id}#{index}",
                      schema=description_schema())
    return req, prompt.version


async def distill_post(ctx: Context, post: Post, relations: list[Relation]) -> PostResult:
    """Run the three MIKO stages (and the optional judge) over one post."""
    out = PostResult()
    text = post.clean_text or post.text
    for i, ref in enumerate(post.images):
        ans, _, version = await ctx.ask_json_images(
            partial(_image_request, ctx, post, i, ref, text), parse_description)
        if ans is not None:
            out.descriptions.append(ImageDescription(
                subject_id=post.id, image_id=ref.id, description=ans.value, model=ctx.model,
                prompt_version=version))
    desc = " ".join(f"Image {i + 1}: {d.description}" for i, d in enumerate(out.descriptions))
    desc_or_none = desc or "(no image)"

    prompt = load_prompt("post_key_info")
    req = ctx.request(prompt, prompt.messages(text=text, image_description=desc_or_none),
                      stage=S_KEY, subject=post.id, schema=key_info_schema())
    ans = await ctx.ask_json(req, prompt.version, parse_key_info)
    key_text = "(none)"
    if ans is not None:
        out.key_info = KeyInfo(subject_id=post.id, model=ctx.model,
                               prompt_version=prompt.version, **ans.value)
        key_text = json.dumps(ans.value, ensure_ascii=False)

    prompt = load_prompt("post_intentions")
    req = ctx.request(prompt, prompt.messages(
        text=text, image_description=desc_or_none, key_info=key_text,
        relations=relation_lines(relations)),
        stage=S_INTENT, subject=post.id, schema=intentions_schema(relations))
    ans = await ctx.ask_json(req, prompt.version, lambda o: parse_intentions(o, relations))
    if ans is None:
        count_failed(ctx.report, relations)
        return out
    out.assertions = [assertion for _, assertion in assemble_intentions(
        ctx.report, ans.value, relations, subject_id=post.id, subject_kind="post",
        model=ctx.model, prompt_version=prompt.version, image_description=desc or None,
        count_kept=True)]
    if ctx.llm.judge:
        await judge_assertions(ctx, out.assertions, f"Post: \"{text}\". {desc}")
    return out
