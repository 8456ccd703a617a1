/*
 * kgqa chat widget: one <script src=".../widget.js" data-title=... data-starters="a|b" data-theme=light defer>
 * adds a launcher button and a chat panel to any page.
 *
 * Why it is built this way:
 * - The launcher lives in a shadow root whose host resets every inherited style, so the page's CSS does not
 *   reach in and ours does not leak out.
 * - The chat itself is an <iframe> on the kgqa app's own origin (the origin this file was loaded from). The
 *   app refuses to be framed by sites not in KGQA_ALLOWED_ORIGINS (CSP frame-ancestors), so a page elsewhere
 *   gets no working widget, and answers never touch the host page's DOM.
 * - The panel says "ready" with postMessage; no word within a few seconds means the browser refused it, and
 *   the launcher shows why instead of an empty box. /widget/config says so up front when it can be reached.
 * - No markup is built from strings: every text is set with textContent.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) {
    var found = document.querySelectorAll('script[src*="widget.js"]');
    script = found[found.length - 1];
  }
  if (!script || !script.src || script.getAttribute("data-kgqa-mounted") === "1") {
    return;
  }
  script.setAttribute("data-kgqa-mounted", "1");

  var src = new URL(script.src, document.baseURI);
  var appOrigin = src.origin;
  var THEMES = ["light", "dark", "auto"];
  var READY_TIMEOUT_MS = 20000; // the panel never loaded at all
  var AFTER_LOAD_GRACE_MS = 3000; // the frame loaded, but not our panel (the browser's "refused" page)

  function clamp(text, max) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    return text.length > max ? text.slice(0, max) : text;
  }

  var title = clamp(script.getAttribute("data-title"), 80) || "Ask the news";
  var starters = String(script.getAttribute("data-starters") || "")
    .split("|").map(function (s) { return clamp(s, 200); }).filter(Boolean).slice(0, 6);
  var theme = script.getAttribute("data-theme");
  if (THEMES.indexOf(theme) < 0) {
    theme = "light";
  }
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";

  var panelUrl = new URL("widget/panel", src);
  panelUrl.search = new URLSearchParams({ title: title, starters: starters.join("|"), theme: theme }).toString();
  var configUrl = new URL("widget/config", src);

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; }",
    ".launcher { position: fixed; bottom: 20px; SIDE: 20px; z-index: 2147483000; display: inline-flex;",
    "  align-items: center; gap: 8px; height: 52px; min-width: 52px; padding: 0 18px; border: 0;",
    "  border-radius: 26px; cursor: pointer; font: 600 15px/1 system-ui, -apple-system, 'Segoe UI', Roboto,",
    "  sans-serif; color: #fff; background: #1d4ed8; box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".launcher:hover { background: #1e40af; }",
    ".launcher:focus-visible { outline: 3px solid #f59e0b; outline-offset: 3px; }",
    ".launcher svg { width: 22px; height: 22px; fill: currentColor; flex: none; }",
    ".launcher[data-state=error] { background: #6b7280; }",
    ".panel { position: fixed; bottom: 84px; SIDE: 20px; z-index: 2147483000; width: 380px; height: 600px;",
    "  max-width: calc(100vw - 40px); max-height: calc(100vh - 110px); border-radius: 14px; overflow: hidden;",
    "  background: #fff; box-shadow: 0 10px 40px rgba(0,0,0,.3); border: 1px solid #d1d5db; }",
    ".panel[hidden] { display: none; }",
    "iframe { display: block; width: 100%; height: 100%; border: 0; background: transparent; }",
    ".panel[data-state=error] iframe { display: none; }",
    ".error { display: none; padding: 18px; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto,",
    "  sans-serif; color: #111827; }",
    ".panel[data-state=error] .error { display: block; }",
    ".error strong, .error span, .error button { display: block; }",
    ".error strong { margin-bottom: 6px; font-size: 15px; }",
    ".error button { margin-top: 12px; padding: 6px 14px; border: 1px solid #9ca3af; border-radius: 8px;",
    "  background: #f3f4f6; color: #111827; font: inherit; cursor: pointer; }",
    ".error button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }",
    ".dark .panel { background: #111827; border-color: #374151; }",
    ".dark .error { color: #f3f4f6; }",
    ".dark .error button { background: #1f2937; color: #f3f4f6; border-color: #4b5563; }",
    "@media (prefers-color-scheme: dark) {",
    "  .auto .panel { background: #111827; border-color: #374151; }",
    "  .auto .error { color: #f3f4f6; }",
    "  .auto .error button { background: #1f2937; color: #f3f4f6; border-color: #4b5563; } }",
    "@media (max-width: 480px) { .panel { SIDE: 0; bottom: 0; width: 100vw; height: 100vh;",
    "  max-width: none; max-height: none; border-radius: 0; } }"
  ].join("\n").replace(/SIDE/g, side);

  var host = document.createElement("kgqa-widget");
  host.style.setProperty("all", "initial", "important");
  host.style.setProperty("display", "block", "important");
  var root = host.attachShadow({ mode: "open" });
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS); // a constructed sheet also works under a host page CSP without 'unsafe-inline'
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
  }

  var wrap = document.createElement("div");
  wrap.className = theme;
  root.appendChild(wrap);

  var SVG = "http://www.w3.org/2000/svg";
  function icon(pathData) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", pathData);
    svg.appendChild(path);
    return svg;
  }
  var CHAT = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z";
  var CLOSE = "M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7 4.3 4.3l6.3 6.3 " +
    "6.3-6.3z";

  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "kgqa-panel");
  launcher.setAttribute("data-state", "idle");
  var launcherLabel = document.createElement("span");
  launcherLabel.textContent = title;

  var panel = document.createElement("div");
  panel.id = "kgqa-panel";
  panel.className = "panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  panel.hidden = true;

  var error = document.createElement("div");
  error.className = "error";
  error.setAttribute("role", "alert");
  var errorTitle = document.createElement("strong");
  errorTitle.textContent = "The chat is not available here.";
  var errorText = document.createElement("span");
  var errorClose = document.createElement("button");
  errorClose.type = "button";
  errorClose.textContent = "Close";
  error.appendChild(errorTitle);
  error.appendChild(errorText);
  error.appendChild(errorClose);
  panel.appendChild(error);

  wrap.appendChild(launcher); // Tab from the launcher goes straight into the open panel
  wrap.appendChild(panel);

  var frame = null;
  var state = "idle"; // idle -> loading -> ready | error
  var isOpen = false;
  var readyTimer = 0;

  function setLauncher() {
    while (launcher.firstChild) {
      launcher.removeChild(launcher.firstChild);
    }
    launcher.appendChild(icon(isOpen ? CLOSE : CHAT));
    if (!isOpen) {
      launcher.appendChild(launcherLabel);
    }
    launcher.setAttribute("aria-expanded", String(isOpen));
    launcher.setAttribute("aria-label", (isOpen ? "Close " : "Open ") + title + " chat" +
      (state === "error" ? " (not available)" : ""));
  }

  function setState(next, why) {
    state = next;
    launcher.setAttribute("data-state", next);
    panel.setAttribute("data-state", next);
    host.setAttribute("data-state", next);
    if (next === "error") {
      clearTimeout(readyTimer);
      errorText.textContent = why;
      if (frame) {
        frame.setAttribute("aria-hidden", "true");
        frame.tabIndex = -1;
      }
      if (isOpen) {
        errorClose.focus();
      }
    }
    setLauncher();
  }

  function refuse(reason) {
    setState("error", reason || ("This page's site (" + location.origin + ") may not show the chat of " +
      appOrigin + ". Its administrator can allow it by adding the site to KGQA_ALLOWED_ORIGINS."));
  }

  function focusPanel() {
    if (state === "ready" && frame && frame.contentWindow) {
      frame.focus();
      frame.contentWindow.postMessage({ type: "kgqa:focus" }, appOrigin);
    } else if (state === "error") {
      errorClose.focus();
    }
  }

  function ensureFrame() {
    if (frame || state === "error") {
      return;
    }
    setState("loading");
    frame = document.createElement("iframe");
    frame.title = title;
    frame.setAttribute("sandbox",
      "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-forms");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("allow", "clipboard-write");
    frame.addEventListener("load", function () {
      if (state === "loading") {
        clearTimeout(readyTimer);
        readyTimer = setTimeout(function () {
          if (state === "loading") {
            refuse();
          }
        }, AFTER_LOAD_GRACE_MS);
      }
    });
    readyTimer = setTimeout(function () {
      if (state === "loading") {
        refuse("The chat at " + appOrigin + " did not answer. It may be down, or this site (" +
          location.origin + ") may not be in its KGQA_ALLOWED_ORIGINS.");
      }
    }, READY_TIMEOUT_MS);
    frame.src = panelUrl.href;
    panel.appendChild(frame);
  }

  function open() {
    isOpen = true;
    panel.hidden = false;
    ensureFrame();
    setLauncher();
    focusPanel();
  }

  function close(returnFocus) {
    isOpen = false;
    panel.hidden = true;
    setLauncher();
    if (returnFocus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () {
    if (isOpen) {
      close(false);
    } else {
      open();
    }
  });
  errorClose.addEventListener("click", function () { close(true); });
  document.addEventListener("keydown", function (event) {
    if (isOpen && event.key === "Escape") {
      close(true);
    }
  }, true);

  window.addEventListener("message", function (event) {
    if (event.origin !== appOrigin || !frame || event.source !== frame.contentWindow) {
      return;
    }
    var data = event.data || {};
    if (data.type === "kgqa:ready" && state === "loading") {
      clearTimeout(readyTimer);
      setState("ready");
      if (isOpen) {
        focusPanel();
      }
    } else if (data.type === "kgqa:close" && isOpen) {
      close(true);
    }
  });

  // Ask up front whether this site may embed the chat, so a refused site says so before anyone clicks.
  // Advisory only: the browser enforces it (frame-ancestors) whatever this answers.
  if (window.fetch) {
    fetch(configUrl.href, { mode: "cors", credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (config) {
        if (config && config.allowed === false && state !== "ready") {
          refuse();
        }
      })
      .catch(function () { /* unreachable or blocked by the page's CSP: the frame handshake decides */ });
  }

  setLauncher();
  function mount() {
    document.body.appendChild(host);
  }
  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount); // loaded in <head> without defer
  }
})();
