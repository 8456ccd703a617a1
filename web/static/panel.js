/*
 * The kgqa widget panel: runs inside the widget's iframe, on the app's own origin, so it calls /api/ask
 * same-origin and needs no CORS.
 *
 * Article text is data, never markup: articles may contain <script>, <img onerror> or javascript: links, so
 * every piece of an answer is put in the page with textContent, and the only links made point at the
 * article pages of this app (http(s), same origin). The page's CSP (script-src 'self') backs this up.
 */
(function () {
  "use strict";

  var MAX_TURNS = 5; // earlier turns sent along, so "What did he say?" is understood
  var params = new URLSearchParams(location.search);

  function clamp(text, max) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    return text.length > max ? text.slice(0, max) : text;
  }

  var title = clamp(params.get("title"), 80) || "Ask the news";
  var starters = String(params.get("starters") || "").split("|")
    .map(function (s) { return clamp(s, 200); }).filter(Boolean).slice(0, 6);
  var theme = params.get("theme");
  document.documentElement.setAttribute("data-theme", ["light", "dark", "auto"].indexOf(theme) >= 0 ? theme : "light");
  document.title = title;

  var baseMeta = document.querySelector('meta[name="kgqa-base-iri"]');
  var baseIri = baseMeta ? baseMeta.getAttribute("content") : "";
  var askUrl = new URL("../api/ask", location.href).href;

  var log = document.getElementById("kgqa-log");
  var hint = document.getElementById("kgqa-hint");
  var startersBox = document.getElementById("kgqa-starters");
  var form = document.getElementById("kgqa-form");
  var input = document.getElementById("kgqa-q");
  var send = document.getElementById("kgqa-send");
  document.getElementById("kgqa-title").textContent = title;

  var turns = [];
  var busy = false;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  /** The app page showing the cited sentence highlighted, or null when the IRI is not one this app serves. */
  function articleHref(c) {
    if (!baseIri || typeof c.article !== "string" || c.article.indexOf(baseIri) !== 0) {
      return null;
    }
    var start = Number(c.start);
    var end = Number(c.end);
    if (!Number.isInteger(start) || !Number.isInteger(end)) {
      return null;
    }
    var iri;
    try {
      iri = new URL(c.article);
    } catch (e) {
      return null;
    }
    var href = new URL(location.origin);
    href.pathname = iri.pathname; // set, not parsed: "//elsewhere" stays a path on this origin
    href.search = iri.search;
    href.hash = "char=" + start + "," + end;
    if (href.origin !== location.origin || (href.protocol !== "http:" && href.protocol !== "https:")) {
      return null;
    }
    return href.href;
  }

  function citationItem(c) {
    var li = el("li", "citation");
    var n = Number(c.n);
    if (Number.isInteger(n) && n > 0) {
      li.value = n;
      li.id = "cite-" + n;
    }
    var isComment = c.section === "comment";
    if (isComment) {
      li.appendChild(el("span", "comment-label", "Reader comment — "));
    }
    li.appendChild(el("mark", null, c.sentence));
    var meta = el("span", "meta");
    var where = isComment ? "comment by " + (c.commenter || "an anonymous reader") + " on “" + (c.headline || "") + "”"
      : "“" + (c.headline || "") + "”";
    meta.appendChild(document.createTextNode(where + (c.section && !isComment ? " · " + c.section : "")));
    var href = articleHref(c);
    if (href) {
      meta.appendChild(document.createTextNode(" · "));
      var a = el("a", "open", "open in article");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener";
      a.setAttribute("aria-label", "Open source " + (Number.isInteger(n) ? n + " " : "") + "in its article (new tab)");
      meta.appendChild(a);
    }
    li.appendChild(meta);
    return li;
  }

  function renderAnswer(box, question, data) {
    while (box.firstChild) {
      box.removeChild(box.firstChild);
    }
    box.removeAttribute("aria-busy");
    if (data.question && data.question !== question) {
      box.appendChild(el("p", "resolved", "Understood as: " + data.question));
    }
    var answer = el("p", data.abstained ? "answer abstained" : "answer", data.answer);
    box.appendChild(answer);
    if (data.abstained) {
      box.appendChild(el("p", "note", "None of the stored sentences answers this confidently enough to cite."));
      return;
    }
    if (typeof data.certainty === "string" && data.certainty) {
      box.appendChild(el("p", "certainty", clamp(data.certainty, 300)));
    }
    var citations = Array.isArray(data.citations) ? data.citations : [];
    if (citations.length) {
      var ol = el("ol", "citations");
      ol.setAttribute("aria-label", "Sources");
      citations.forEach(function (c) {
        if (c && typeof c === "object") {
          ol.appendChild(citationItem(c));
        }
      });
      box.appendChild(ol);
    }
  }

  function renderError(box, message) {
    while (box.firstChild) {
      box.removeChild(box.firstChild);
    }
    box.removeAttribute("aria-busy");
    box.appendChild(el("p", "error", message));
  }

  function setBusy(on) {
    busy = on;
    send.disabled = on;
    input.setAttribute("aria-busy", String(on));
  }

  function ask(question) {
    question = clamp(question, 2000);
    if (!question || busy) {
      return;
    }
    hint.hidden = true;
    startersBox.hidden = true;
    var turn = el("section", "turn");
    turn.setAttribute("aria-label", "Question and answer");
    turn.appendChild(el("p", "q", question));
    var box = el("div", "a");
    box.setAttribute("aria-busy", "true");
    box.appendChild(el("p", "busy", "Searching the articles…"));
    turn.appendChild(box);
    log.appendChild(turn);
    turn.scrollIntoView({ block: "end" });
    setBusy(true);
    fetch(askUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ question: question, history: turns.slice(-MAX_TURNS) })
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok || !data || typeof data !== "object") {
          var message = data && data.error && data.error.message ? data.error.message
            : "The app answered " + response.status + ".";
          throw new Error(message);
        }
        return data;
      });
    }).then(function (data) {
      renderAnswer(box, question, data);
      turns.push({ question: clamp(data.question || question, 2000),
                   answer: data.abstained ? "" : clamp(data.answer, 20000) });
      turns = turns.slice(-MAX_TURNS);
    }).catch(function (err) {
      renderError(box, "Could not get an answer: " + (err && err.message ? err.message : String(err)));
    }).then(function () {
      setBusy(false);
      box.scrollIntoView({ block: "nearest" });
      input.focus();
    });
  }

  starters.forEach(function (text) {
    var b = el("button", null, text);
    b.type = "button";
    b.addEventListener("click", function () { ask(text); });
    startersBox.appendChild(b);
  });
  if (!starters.length) {
    startersBox.hidden = true;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = input.value;
    input.value = "";
    ask(q);
  });

  function closePanel() {
    if (window.parent !== window) {
      window.parent.postMessage({ type: "kgqa:close" }, "*"); // nothing secret: the widget checks our origin
    }
  }
  document.getElementById("kgqa-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closePanel();
    }
  });
  document.getElementById("kgqa-new").addEventListener("click", function () {
    turns = [];
    Array.prototype.slice.call(log.querySelectorAll(".turn")).forEach(function (t) { log.removeChild(t); });
    hint.hidden = false;
    startersBox.hidden = !starters.length;
    input.focus();
  });

  window.addEventListener("message", function (event) {
    if (event.source === window.parent && event.data && event.data.type === "kgqa:focus") {
      input.focus();
    }
  });

  if (window.parent !== window) {
    window.parent.postMessage({ type: "kgqa:ready" }, "*");
  }
})();
