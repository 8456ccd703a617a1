"""The JSON HTTP API under ``/api/``: ask, search and the articles; documented at ``/docs``.

Every error has the shape of :mod:`web._errors`.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from retrieval import Turn

from ._errors import WebError
from ._services import Services

__all__ = ["api_router", "AskRequest"]

log = logging.getLogger(__name__)


class TurnModel(BaseModel):
    question: str = Field(max_length=2000)
    answer: str = Field(default="", max_length=20_000)


class AskRequest(BaseModel):
    question: str = Field(description="The question, up to 2000 characters.",
                          examples=["Who is Iran's Defense Minister?"])
    history: list[TurnModel] = Field(
        default_factory=list, max_length=20,
        description="Earlier turns, oldest first, so a follow-up such as 'What did he say?' is understood.")


class PasteRequest(BaseModel):
    text: str = Field(description="The article's text.", min_length=1)
    title: str | None = Field(default=None, description="Headline; otherwise the first line is the headline.")


def _services(request: Request) -> Services:
    return request.app.state.services


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"])

    @router.post("/ask", summary="Answer a question with cited sentences")
    async def ask(request: Request, body: AskRequest) -> dict[str, Any]:
        """The answer contract (see README, "Answers"), plus ``question``: the question as understood."""
        history = [Turn(t.question, t.answer) for t in body.history]
        resolved, answer = await run_in_threadpool(_services(request).ask, body.question, history)
        return {**answer.to_json(), "question": resolved}

    @router.get("/search", summary="The best matching sentences for a question")
    async def search(request: Request, q: Annotated[str, Query(description="The question or words.")],
                     k: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
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
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            paste = PasteRequest.model_validate(await request.json())
            results = [await run_in_threadpool(services.add_text, paste.text, paste.title)]
        elif content_type.startswith("multipart/form-data"):
            form = await request.form(max_files=100, max_fields=10, max_part_size=services.max_upload_bytes + 1)
            uploads = [f for f in form.getlist("files") if not isinstance(f, str)]
            if not uploads:
                raise WebError("send the files as multipart form field 'files'", status=400)
            results = []
            for upload in uploads:
                data = await upload.read(services.max_upload_bytes + 1)
                results.append(await run_in_threadpool(services.add_file, upload.filename or "upload", data))
        else:
            raise WebError("send multipart/form-data with 'files', or JSON {\"text\": ...}", status=415)
        if not any(r.articles or r.unchanged for r in results):
            raise WebError("; ".join(e if e.startswith(r.name) else f"{r.name}: {e}" for r in results for e in r.errors)
                           or "nothing was stored",
                           status=413 if any("limit" in e for r in results for e in r.errors) else 400)
        return {"results": [r.to_json() for r in results]}

    @router.delete("/articles/{article_id:path}", summary="Delete one article", status_code=200)
    async def delete_article(request: Request, article_id: str) -> dict[str, Any]:
        await run_in_threadpool(_services(request).delete, article_id)
        return {"deleted": article_id}

    return router
