"""HTML for answers and citations: the Jinja2 template ``web/templates/ui_answer.html``, autoescaped, so every
piece of article text is escaped once, there, and no article can run code.

>>> from retrieval import Answer, Citation
>>> c = Citation(n=1, sentence="<script>alert(1)</script> said Hatami.", article="http://localhost:7860/id/article/a",
...              headline="Head", section="body", start=0, end=38, url=None, commenter=None, date="2018-08-29")
>>> html = answer_html(Answer("Hatami", False, 0.9, [c]), [("", "")], link=lambda iri: "/id/article/a")
>>> "<script>" in html, "&lt;script&gt;" in html, 'href="/id/article/a"' in html
(False, True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from retrieval import Answer

from .._templates import PageTemplates

__all__ = ["answer_html"]


def answer_html(answer: Answer, neighbours: Sequence[tuple[str, str]],
                link: Callable[[str], str | None], templates: PageTemplates | None = None) -> str:
    """The whole chat message: answer first, numbered footnotes (each cited sentence between its neighbours,
    ``link`` giving the path that opens it in its article), then how it was found.

    ``templates``: the environment to render with (build one per UI and pass it; a new one is made otherwise).
    """
    citations = [(c, before, after, link(f"{c.article}#char={c.start},{c.end}"))
                 for c, (before, after) in zip(answer.citations, neighbours)]
    return (templates or PageTemplates()).render("ui_answer.html", answer=answer, citations=citations)
