"""The Articles tab: what is stored, add by upload or paste (with progress and per-file errors), delete."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from gradio import utils as gradio_utils

from kg import KgqaError

from .._gradio_guard import GRADIO_UPLOAD_PATHS, UPLOAD_COOKIE
from .._services import UPLOAD_SUFFIXES, Services, UploadResult

__all__ = ["ArticlesTab", "build", "in_upload_folder"]

log = logging.getLogger(__name__)

COLUMNS = ["id", "headline", "date", "source", "sentences", "facts"]


def _table(services: Services) -> tuple[list[list[Any]], Any]:
    rows = services.articles()
    table = [[r.id, r.headline or "", r.published or "", r.source or r.url or "", r.sentences, r.facts] for r in rows]
    return table, gr.update(choices=[r.id for r in rows], value=None)


def _report(results: list[UploadResult]) -> str:
    lines = []
    for r in results:
        name = html.escape(r.name)
        if r.articles:
            ids = ", ".join(f"<code>{html.escape(i)}</code>" for i in r.articles)
            lines.append(f"<li>Stored <b>{name}</b>: {ids} ({r.sentences} sentences, {r.triples} triples)</li>")
        elif r.unchanged and not r.errors:
            lines.append(f"<li>Unchanged <b>{name}</b>: already stored</li>")
        for e in r.errors:
            lines.append(f'<li class="kgqa-error">Refused <b>{name}</b>: {html.escape(e)}</li>')
    return f'<ul class="kgqa-upload-report">{"".join(lines)}</ul>'


@dataclass
class ArticlesTab:
    table: gr.Dataframe
    choice: gr.Dropdown
    load: Callable[[], tuple[Any, ...]]  # fills table and choice when the page opens


def in_upload_folder(path: str) -> bool:
    """Whether ``path`` is a file Gradio's upload route wrote (its upload folder), symlinks resolved.

    An event's payload names the path; a client can name any path, so this is
    what stands between the upload handler and the server's files.
    """
    folder = Path(gradio_utils.get_upload_folder()).resolve()
    try:
        return Path(path).resolve(strict=True).is_relative_to(folder)
    except (OSError, RuntimeError, ValueError):
        return False


_UPLOAD_COOKIE_JS = f"""(token) => {{
  const path = location.pathname.replace(/[^/]*$/, "") + "{GRADIO_UPLOAD_PATHS[0].lstrip('/')}";
  const secure = location.protocol === "https:" ? "; Secure" : "";
  const value = encodeURIComponent((token || "").trim());
  document.cookie = "{UPLOAD_COOKIE}=" + value + "; Path=" + path + "; SameSite=Strict" + secure
    + (value ? "" : "; Max-Age=0");
  return [];
}}"""


def _write_note(services: Services) -> str:
    policy = services.policy
    if not policy.possible("add"):
        return ("Adding and deleting articles is switched off on this server (no admin token is set). Its operator "
                "can set `KGQA_ADMIN_TOKEN`, or `KGQA_WRITES=open` on a single-user machine; `kgqa ingest` always works.")
    if policy.open_to_anyone("delete"):
        return ""
    if policy.open_to_anyone("add"):
        return "Anyone may add new articles here; replacing or deleting one needs the admin token."
    return "Adding, replacing and deleting articles needs the admin token."


def build(services: Services) -> ArticlesTab:
    """The tab's components and events; call inside a ``gr.Tab``.

    Write actions follow the write policy: hidden when no one can write over
    HTTP, behind an admin-token field when the token is needed.
    """
    limit = f"{services.settings.max_file_mb:g} MB"
    policy = services.policy

    def given(token: str | None) -> str | None:
        return (token or "").strip() or None

    def upload(files: list[str] | None, token: str | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        try:  # first: without the right to add, Gradio's upload route refused the files, so none arrive
            policy.check("add", given(token))
        except KgqaError as exc:
            raise gr.Error(str(exc)) from None
        if not files:
            raise gr.Error("Choose one or more files first.")
        results = []
        for i, path in enumerate(files):
            name = Path(path).name
            progress((i, len(files)), desc=f"Ingesting {name}", unit="files")
            if not in_upload_folder(path):
                log.warning("Articles tab: refused a file outside Gradio's upload folder: %r", path)
                results.append(UploadResult(name, [], ["this file was not uploaded through this page"]))
                continue
            size = Path(path).stat().st_size
            if size > services.max_upload_bytes:
                results.append(UploadResult(name, [], [f"the file is {size / 1e6:.1f} MB, over the {limit} limit"]))
                continue
            try:
                results.append(services.add_file(name, Path(path).read_bytes(), token=given(token)))
            except KgqaError as exc:
                results.append(UploadResult(name, [], [str(exc)]))
            finally:  # the graph holds the text now; Gradio's copy would be served back until its cache is swept
                Path(path).unlink(missing_ok=True)
        progress((len(files), len(files)), desc="Done")
        return (_report(results), None, *_table(services))

    def paste(title: str, text: str, token: str | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        if not (text or "").strip():
            raise gr.Error("Paste the article's text first.")
        progress(0.1, desc="Ingesting the pasted text")
        try:
            result = services.add_text(text, title or None, token=given(token))
        except KgqaError as exc:
            result = UploadResult("pasted text", [], [str(exc)])
        return (_report([result]), "", "", *_table(services))

    def delete(article_id: str | None, token: str | None) -> tuple[Any, ...]:
        if not article_id:
            raise gr.Error("Pick an article to delete.")
        try:
            services.delete(article_id, token=given(token))
        except KgqaError as exc:
            raise gr.Error(str(exc)) from None
        return (f"<p>Deleted <code>{html.escape(article_id)}</code>.</p>", *_table(services))

    can_add, can_delete = policy.possible("add"), policy.possible("delete")
    table = gr.Dataframe(headers=COLUMNS, label="Stored articles", interactive=False, wrap=True,
                         elem_id="kgqa-articles")
    note = _write_note(services)
    gr.Markdown(note, visible=bool(note), elem_id="kgqa-write-note")
    token = gr.Textbox(label="Admin token", type="password", max_lines=1, elem_id="kgqa-admin-token",
                       visible=can_add and (policy.needs_token("add") or policy.needs_token("delete")))
    with gr.Row(visible=can_add):
        with gr.Column():
            files = gr.File(label=f"Upload ({', '.join(UPLOAD_SUFFIXES)}; up to {limit} each)",
                            file_count="multiple", file_types=list(UPLOAD_SUFFIXES), elem_id="kgqa-upload")
            add = gr.Button("Add files", variant="primary", elem_id="kgqa-upload-button")
        with gr.Column():
            title = gr.Textbox(label="Headline (optional)", max_lines=1)
            text = gr.Textbox(label="Or paste an article", lines=6, elem_id="kgqa-paste")
            add_text = gr.Button("Add pasted text", elem_id="kgqa-paste-button")
    report = gr.HTML(elem_id="kgqa-upload-report")
    with gr.Row(visible=can_delete):
        choice = gr.Dropdown(label="Delete an article", choices=[], interactive=True, scale=4)
        remove = gr.Button("Delete", variant="stop", scale=1)
    refresh = gr.Button("Refresh list", size="sm", variant="secondary")

    # Gradio's browser client uploads a chosen file at once, with no header of ours: the token goes along as a
    # cookie for the upload route only (SameSite=Strict), which GradioGuardMiddleware checks like a Bearer token.
    token.change(None, token, None, js=_UPLOAD_COOKIE_JS, api_visibility="private")
    add.click(upload, [files, token], [report, files, table, choice], api_visibility="private")
    add_text.click(paste, [title, text, token], [report, title, text, table, choice], api_visibility="private")
    remove.click(delete, [choice, token], [report, table, choice], api_visibility="private")
    refresh.click(lambda: _table(services), None, [table, choice], api_visibility="private")
    return ArticlesTab(table=table, choice=choice, load=lambda: _table(services))
