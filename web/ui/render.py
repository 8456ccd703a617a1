"""HTML for answers and citations. Every piece of article text is escaped here, once, so no article can run code.

>>> from retrieval import Answer, Citation
>>> c = Citation(n=1, sentence="<script>alert(1)</script> said Hatami.", article="http://localhost:7860/id/article/a",
...              headline="Head", section="body", start=0, end=38, url=None, commenter=None, date="2018-08-29")
>>> html = answer_html(Answer("Hatami", False, 0.9, [c]), [("", "")], link=lambda iri: "/id/article/a")
>>> "<script>" in html, "&lt;script&gt;" in html
(False, True)
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from retrieval import Answer, Citation

__all__ = ["answer_html", "citation_html", "facts_html"]


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def citation_html(c: Citation, before: str, after: str, href: str | None) -> str:
    """One footnote: the sentence highlighted between its neighbours, then where it is from."""
    is_comment = c.section == "comment"
    source = f"comment by {_e(c.commenter or 'an anonymous reader')} on “{_e(c.headline)}”" if is_comment \
        else f"“{_e(c.headline)}”"
    meta = [source]
    if c.date:
        meta.append(_e(c.date))
    meta.append(_e(c.section))
    link = ""
    if href:
        link = f' <a href="{_e(href)}" target="_blank" rel="noopener" class="kgqa-open">open in article</a>'
    context = (f'<span class="kgqa-context">{_e(before)} </span>' if before else "") + \
        f"<mark>{_e(c.sentence)}</mark>" + (f'<span class="kgqa-context"> {_e(after)}</span>' if after else "")
    label = '<strong class="kgqa-comment-label">Reader comment — </strong>' if is_comment else ""
    return (f'<li class="kgqa-citation" id="cite-{c.n}" value="{c.n}">{label}{context}'
            f'<br><small>{" · ".join(meta)}{link}</small></li>')


def facts_html(answer: Answer) -> str:
    """The "How this was found" fold: the graph facts used and the SPARQL that finds them."""
    if not answer.facts and not answer.sparql:
        return ""
    rows = "".join(
        f"<li><code>{_e(f.subject)}</code> <code>{_e(f.predicate)}</code> <code>{_e(f.object)}</code> "
        f"[{f.sentence}]</li>" for f in answer.facts)
    facts = f"<p>Facts from the graph:</p><ul>{rows}</ul>" if rows else ""
    query = f"<p>SPARQL that finds them:</p><pre><code>{_e(answer.sparql)}</code></pre>" if answer.sparql else ""
    return f'<details class="kgqa-how"><summary>How this was found</summary>{facts}{query}</details>'


def answer_html(answer: Answer, neighbours: Sequence[tuple[str, str]],
                link: Callable[[str], str | None]) -> str:
    """The whole chat message: answer first, numbered footnotes, then how it was found."""
    if answer.abstained:
        return (f'<p class="kgqa-answer kgqa-abstained">{_e(answer.answer)} '
                "None of the stored sentences answers this confidently enough to cite.</p>")
    out = [f'<p class="kgqa-answer">{_e(answer.answer)}</p>']
    if answer.certainty:
        out.append(f'<p class="kgqa-certainty">{_e(answer.certainty)}</p>')
    if answer.citations:
        items = []
        for c, (before, after) in zip(answer.citations, neighbours):
            href = link(f"{c.article}#char={c.start},{c.end}")
            items.append(citation_html(c, before, after, href))
        out.append(f'<ol class="kgqa-citations">{"".join(items)}</ol>')
    out.append(facts_html(answer))
    return "".join(out)
