"""The Chat tab: answer first, numbered footnotes, "How this was found", follow-ups, streaming."""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from kg import KgqaError
from retrieval import Answer, Turn

from .._links import local_path
from .._services import Services
from .render import answer_html

__all__ = ["ChatTab", "build", "EXAMPLES"]

log = logging.getLogger(__name__)

EXAMPLES = [
    "Who is Iran's Defense Minister?",
    "What did he say?",
    "Who wrote the article?",
    "What does IRGC stand for?",
    "Which officials are quoted?",
    "How many comments are there?",
]


@dataclass
class ChatTab:
    chatbot: gr.Chatbot
    question: gr.Textbox
    open_sparql: gr.Button
    last_sparql: gr.State


def _message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def build(services: Services) -> ChatTab:
    """The tab's components and events; call inside a ``gr.Tab``."""
    link = lambda iri: local_path(iri, services.settings)  # noqa: E731

    def render(answer: Answer) -> str:
        return answer_html(answer, [services.neighbours(c) for c in answer.citations], link)

    def respond(message: str, chat: list[dict[str, Any]], turns: list[dict[str, str]]
                ) -> Iterator[tuple[Any, ...]]:
        text = " ".join((message or "").split())
        if not text:
            raise gr.Error("Type a question first.")
        chat = [*chat, _message("user", html.escape(text)), _message("assistant", "<em>Searching the articles…</em>")]
        yield "", chat, turns, gr.update(visible=False), None
        history = [Turn(t["question"], t["answer"]) for t in turns[-5:]]
        try:
            resolved = services.answerer.resolve(text, history)
            final: Answer | None = None
            written = ""
            for chunk in services.answerer.stream(resolved):
                if isinstance(chunk, Answer):
                    final = chunk
                    break
                written += chunk
                chat[-1] = _message("assistant", f'<p class="kgqa-answer">{html.escape(written)}</p>')
                yield "", chat, turns, gr.update(visible=False), None
        except (KgqaError, ValueError) as exc:
            chat[-1] = _message("assistant", f'<p class="kgqa-error">{html.escape(str(exc))}</p>')
            yield "", chat, turns, gr.update(visible=False), None
            return
        assert final is not None
        note = ""
        if resolved != text:
            note = f'<p class="kgqa-resolved"><small>Understood as: {html.escape(resolved)}</small></p>'
        chat[-1] = _message("assistant", note + render(final))
        turns = [*turns, {"question": resolved, "answer": "" if final.abstained else final.answer}][-10:]
        yield "", chat, turns, gr.update(visible=bool(final.sparql)), final.sparql

    def ask_api(question: str) -> dict[str, Any]:
        """The answer contract as JSON (for gradio_client and scripts)."""
        resolved, answer = services.ask(question)
        return {**answer.to_json(), "question": resolved}

    chatbot = gr.Chatbot(label="kgqa", height=520, elem_id="kgqa-chat", sanitize_html=True, render_markdown=False,
                         buttons=["copy"], feedback_options=None,
                         placeholder="Ask about the stored articles. Every answer cites its sentences.")
    with gr.Row():
        question = gr.Textbox(placeholder="Ask a question, e.g. Who is Iran's Defense Minister?", show_label=False,
                              scale=8, elem_id="kgqa-question", max_length=2000, submit_btn=True)
    turns = gr.State([])
    last_sparql = gr.State(None)
    open_sparql = gr.Button("Open this answer's SPARQL in the SPARQL tab", visible=False, size="sm",
                            elem_id="kgqa-open-sparql")
    gr.Examples(EXAMPLES, inputs=question, label="Example questions")
    clear = gr.Button("New conversation", size="sm", variant="secondary")
    question.submit(respond, [question, chatbot, turns], [question, chatbot, turns, open_sparql, last_sparql],
                    api_visibility="private", concurrency_limit=None)
    clear.click(lambda: ([], [], gr.update(visible=False), None), None, [chatbot, turns, open_sparql, last_sparql],
                api_visibility="private")
    gr.api(ask_api, api_name="ask", concurrency_limit=None)
    return ChatTab(chatbot=chatbot, question=question, open_sparql=open_sparql, last_sparql=last_sparql)
