"""The JSON HTTP API under ``/api/``: ask, search and the articles; documented at ``/docs``.

Every error has the shape of :mod:`web._errors`.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import AfterValidator, BaseModel, Field

from retrieval import Turn

from ._errors import WebError
from ._policy import bearer_token
from ._services import Services

__all__ = ["api_router", "AskRequest", "plain_text", "MAX_FILES"]

#: Most files one ``POST /api/articles`` may carry.
MAX_FILES = 20

log = logging.getLogger(__name__)


_SURROGATE = re.compile("[\ud800-\udfff]")


def plain_text(value: str) -> str:
    """``value`` if it is text Unicode can encode; a lone surrogate (``"\\ud800"`` in JSON) is refused.

    >>> plain_text("Who is Iran's Defense Minister?")
    "Who is Iran's Defense Minister?"
    >>> plain_text("Who is " + chr(0xD800) + "?")
    Traceback (most recent call last):
    ...
    ValueError: the text holds a lone UTF-16 surrogate (\\ud800), which is not a character
    """
    bad = _SURROGATE.search(value)
    if bad:
        raise ValueError(f"the text holds a lone UTF-16 surrogate (\\u{ord(bad.group()):04x}), which is not a character")
    return value


Text = Annotated[str, AfterValidator(plain_text)]


class TurnModel(BaseModel):
    question: Text = Field(max_length=2000)
    answer: Text = Field(default="", max_length=20_000)


class AskRequest(BaseModel):
    question: Text = Field(description="The question, up to 2000 characters.",
                           examples=["Who is Iran's Defense Minister?"])
    history: list[TurnModel] = Field(
        default_factory=list, max_length=20,
        description="Earlier turns, oldest first, so a follow-up such as 'What did he say?' is understood.")


class PasteRequest(BaseModel):
    text: Text = Field(description="The article's text.", min_length=1)
    title: Text | None = Field(default=None, description="Headline; otherwise the first line is the headline.")


def _services(request: Request) -> Services:
    return request.app.state.services


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"])

    @router.post("/ask", summary="Answer a question with cited sentences")
    async def ask(request: Request, body: AskRequest) -> dict[str, Any]:
        """The answer contract (see docs/answers.md), plus ``question``: the question as understood."""
        history = [Turn(t.question, t.answer) for t in body.history]
        resolved, answer = await run_in_threadpool(_services(request).ask, body.question, history)
        return {**answer.to_json(), "question": resolved}

    @router.get("/search", summary="The best matching sentences for a question")
    async def search(request: Request, q: Annotated[str, Query(description="The question or words.")],
                     k: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
        try:
            plain_text(q)
        except ValueError as exc:
            raise WebError(str(exc), status=400) from None
        citations = await run_in_threadpool(_services(request).search, q, k)
        return {"query": q, "results": [c.to_json() for c in citations]}

    @router.get("/articles", summary="Every stored article")
    async def articles(request: Request) -> dict[str, Any]:
        rows = await run_in_threadpool(_services(request).articles)
        return {"articles": [r.to_json() for r in rows]}

    @router.post("/articles", summary="Add articles: files (multipart) or pasted text (JSON)", status_code=201,
                 openapi_extra={"requestBody": {"content": {
                     "multipart/form-data": {"schema": {"type": "object", "properties": {
                         "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
                     "application/json": {"schema": PasteRequest.model_json_schema()}}}})
    async def add_articles(request: Request) -> dict[str, Any]:
        """Each file is stored whole or not at all; ``results`` says per file what happened."""
        services = _services(request)
        token = bearer_token(request.headers.get("authorization"))
        services.policy.check("add", token)  # before reading the body
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            paste = PasteRequest.model_validate(await request.json())
            results = [await run_in_threadpool(lambda: services.add_text(paste.text, paste.title, token=token))]
        elif content_type.startswith("multipart/form-data"):
            form = await request.form(max_files=MAX_FILES, max_fields=10, max_part_size=services.max_upload_bytes + 1)
            uploads = [f for f in form.getlist("files") if not isinstance(f, str)]
            if not uploads:
                raise WebError("send the files as multipart form field 'files'", status=400)
            results = []
            for upload in uploads:
                data = await upload.read(services.max_upload_bytes + 1)
                name = upload.filename or "upload"
                results.append(await run_in_threadpool(lambda: services.add_file(name, data, token=token)))
        else:
            raise WebError("send multipart/form-data with 'files', or JSON {\"text\": ...}", status=415)
        if not any(r.articles or r.unchanged for r in results):
            raise WebError("; ".join(e if e.startswith(r.name) else f"{r.name}: {e}" for r in results for e in r.errors)
                           or "nothing was stored",
                           status=413 if any("limit" in e for r in results for e in r.errors) else 400)
        return {"results": [r.to_json() for r in results]}

    @router.delete("/articles/{article_id:path}", summary="Delete one article", status_code=200)
    async def delete_article(request: Request, article_id: str) -> dict[str, Any]:
        token = bearer_token(request.headers.get("authorization"))
        await run_in_threadpool(lambda: _services(request).delete(article_id, token=token))
        return {"deleted": article_id}

    return router
