/* kgqa-graph.js: the interactive neighbourhood graph, drawn with the vendored Cytoscape.js (cytoscape.min.js).
 *
 * Mounts on every <div class="kgqa-graph" data-iri="ENTITY IRI" data-src="/graph/neighbourhood.json">:
 * fetches the entity's neighbourhood as JSON (web/_graph_api.py), draws it, and lets the reader pan, zoom and
 * drag; a click (or Enter) on a node fetches its neighbours and merges them in; a double-click (or Shift+Enter,
 * or the "Open page" button) opens the node's page. Keyboard: Tab focuses the graph, the arrow keys move the
 * selection to the nearest node that way, Enter expands, Shift+Enter opens, Home goes back to the centre,
 * + / - zoom, 0 fits. A list of the nodes (links and buttons) is kept beside it for screen readers.
 *
 * Optional attributes: data-limit (neighbours per request, 1-60), data-open="tab" (open pages in a new tab).
 * Runs under a CSP of script-src 'self'; connect-src 'self': no eval, no inline script, same-origin requests
 * only. Labels reach the page only as canvas text or textContent, never as markup.
 *
 * window.kgqaGraph.mountAll(root) mounts the graphs under root (pages call nothing: the graphs present when
 * the document is parsed mount by themselves; the Gradio Graph tab calls it when it redraws).
 */
(function () {
  'use strict';

  const KINDS = ['person', 'organization', 'place', 'group', 'post', 'concept', 'quote', 'other'];
  const DEFAULT_SRC = '/graph/neighbourhood.json';
  const DEFAULT_LIMIT = 16;
  const MAX_LIMIT = 60;
  // Past this many nodes the picture is unreadable and the layout slow: expansion stops and says so.
  const MAX_NODES = 250;
  const FETCH_TIMEOUT_MS = 20000;
  const READABLE_ZOOM = 0.8;
  const CLOSE_ZOOM = 1.3;
  const HELP = 'Drag to pan, scroll to zoom, drag a node to move it. Click a node to show its neighbours, ' +
    'double-click it to open its page. Keyboard: arrow keys move between nodes, Enter shows neighbours, ' +
    'Shift+Enter opens the page, Home returns to the centre, + and - zoom, 0 fits.';

  const live = new Set();  // mounted graphs, so that a redraw can free the ones whose element is gone
  let serial = 0;

  function make(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /* An app-relative link for a same-origin http(s) URL, else null: a node never links anywhere else. */
  function safeHref(href) {
    if (typeof href !== 'string' || !href) return null;
    let url;
    try { url = new URL(href, window.location.href); } catch (e) { return null; }
    if (url.origin !== window.location.origin || !/^https?:$/.test(url.protocol)) return null;
    return url.pathname + url.search + url.hash;
  }

  /* The kind colours, from kgqa-graph.css's custom properties (grey if the stylesheet did not load). */
  function palette(el) {
    const css = window.getComputedStyle(el);
    const read = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
    const colours = {};
    KINDS.forEach((kind) => { colours[kind] = read('--kgqa-' + kind, '#475569'); });
    colours.edge = read('--kgqa-edge', '#64748b');
    colours.weak = read('--kgqa-weak-edge', '#cbd5e1');
    colours.focus = read('--kgqa-focus', '#f59e0b');
    return colours;
  }

  function stylesheet(c) {
    const rules = [
      { selector: 'node', style: {
        'background-color': c.other, 'label': 'data(label)', 'font-size': 11, 'color': '#0f172a',
        'text-valign': 'bottom', 'text-halign': 'center', 'text-margin-y': 4,
        'text-wrap': 'ellipsis', 'text-max-width': '140px',
        'text-background-color': '#ffffff', 'text-background-opacity': 0.8, 'text-background-padding': '1px',
        'width': 22, 'height': 22, 'border-width': 2, 'border-color': '#ffffff' } },
    ];
    KINDS.forEach((kind) => {
      rules.push({ selector: 'node[kind = "' + kind + '"]', style: { 'background-color': c[kind] } });
    });
    rules.push(
      { selector: 'node[kind = "quote"]', style: { 'shape': 'round-rectangle', 'width': 18, 'height': 14,
        'font-style': 'italic' } },
      { selector: 'node.kgqa-centre', style: { 'width': 34, 'height': 34, 'font-size': 13, 'font-weight': 'bold' } },
      { selector: 'node.kgqa-expanded', style: { 'border-color': '#0f172a' } },
      { selector: 'node:selected', style: { 'border-color': c.focus, 'border-width': 5 } },
      { selector: 'edge', style: {
        'width': 1.5, 'line-color': c.edge, 'target-arrow-color': c.edge, 'target-arrow-shape': 'triangle',
        'curve-style': 'bezier', 'label': 'data(label)', 'font-size': 9, 'color': '#334155',
        'text-rotation': 'autorotate', 'text-wrap': 'ellipsis', 'text-max-width': '150px',
        'text-background-color': '#ffffff', 'text-background-opacity': 0.85, 'text-background-padding': '1px' } },
      // "Named in the same sentence" asserts no fact: dashed, pale, and no label (the legend explains it).
      { selector: 'edge[?weak]', style: { 'line-style': 'dashed', 'line-color': c.weak,
        'target-arrow-shape': 'none', 'label': '' } }
    );
    return rules;
  }

  class Graph {
    constructor(el) {
      this.el = el;
      this.centre = el.getAttribute('data-iri') || '';
      this.limit = Math.min(MAX_LIMIT, Math.max(1, parseInt(el.getAttribute('data-limit'), 10) || DEFAULT_LIMIT));
      this.openInTab = el.getAttribute('data-open') === 'tab';
      this.expanded = new Set();
      this.loading = new Set();
      this.id = 'kgqa-graph-' + (++serial);
      try {
        this.src = new URL(el.getAttribute('data-src') || DEFAULT_SRC, document.baseURI);
      } catch (e) {
        this.src = null;
      }
      this.build();
      if (!this.src || this.src.origin !== window.location.origin) {
        this.say('The graph can only be loaded from this site.', true);
        return;
      }
      this.load(this.centre, true);
    }

    build() {
      const el = this.el;
      el.textContent = '';
      if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '0');
      el.setAttribute('role', 'application');
      el.setAttribute('aria-roledescription', 'graph');
      if (!el.hasAttribute('aria-label')) el.setAttribute('aria-label', 'Neighbourhood graph');
      el.setAttribute('aria-describedby', this.id + '-help ' + this.id + '-status');

      const bar = make('div', 'kgqa-graph-toolbar');
      this.expandButton = make('button', 'kgqa-graph-expand', 'Show neighbours');
      this.openButton = make('button', 'kgqa-graph-open', 'Open page');
      const fit = make('button', 'kgqa-graph-fit', 'Fit');
      [this.expandButton, this.openButton, fit].forEach((b) => { b.type = 'button'; bar.appendChild(b); });
      this.status = make('span', 'kgqa-graph-status');
      this.status.id = this.id + '-status';
      this.status.setAttribute('role', 'status');
      this.status.setAttribute('aria-live', 'polite');
      bar.appendChild(this.status);

      this.canvas = make('div', 'kgqa-graph-canvas');
      this.canvas.setAttribute('aria-hidden', 'true');  // the list below says what the picture shows
      const help = make('p', 'kgqa-graph-help', HELP);
      help.id = this.id + '-help';
      this.legend = make('ul', 'kgqa-graph-legend');
      this.legend.setAttribute('aria-label', 'Legend');
      const details = make('details', 'kgqa-graph-list');
      this.listTitle = make('summary', '', 'The graph as a list');
      this.list = make('ul');
      details.append(this.listTitle, this.list);
      el.append(bar, this.canvas, this.legend, help, details);

      this.expandButton.addEventListener('click', () => this.expand(this.selected()));
      this.openButton.addEventListener('click', () => this.open(this.selected()));
      fit.addEventListener('click', () => this.cy && this.cy.fit(undefined, 30));
      el.addEventListener('keydown', (event) => this.key(event));
      this.updateButtons();

      if (typeof window.cytoscape !== 'function') {
        this.say('The graph library did not load; the list below still shows the neighbours.', true);
        return;
      }
      const cy = window.cytoscape({
        container: this.canvas, style: stylesheet(palette(el)), elements: [],
        minZoom: 0.15, maxZoom: 4, boxSelectionEnabled: false, selectionType: 'single',
      });
      this.cy = cy;
      cy.on('tap', 'node', (event) => {
        el.focus({ preventScroll: true });
        this.select(event.target);
        this.expand(event.target);
      });
      cy.on('dbltap', 'node', (event) => this.open(event.target));
      cy.on('tap', (event) => {
        if (event.target === cy) el.focus({ preventScroll: true });
      });
      cy.on('select unselect', 'node', () => this.updateButtons());
      // A graph drawn while hidden (a tab not shown yet) has no size: redraw when it gets one.
      if (typeof ResizeObserver === 'function') {
        this.resizer = new ResizeObserver(() => {
          const wasEmpty = cy.width() === 0 || cy.height() === 0;
          cy.resize();
          if (wasEmpty && cy.width() > 0) cy.fit(undefined, 30);
        });
        this.resizer.observe(this.canvas);
      }
    }

    destroy() {
      if (this.resizer) this.resizer.disconnect();
      if (this.cy) this.cy.destroy();
      this.cy = null;
    }

    say(text, isError) {
      this.status.textContent = text;
      this.status.classList.toggle('kgqa-graph-error', !!isError);
    }

    selected() {
      if (!this.cy) return null;
      const sel = this.cy.nodes(':selected');
      return sel.nonempty() ? sel[0] : null;
    }

    describe(node) {
      return node.data('label') + ' (' + node.data('kind') + ')';
    }

    select(node) {
      if (!node || !this.cy) return;
      this.cy.nodes(':selected').unselect();
      node.select();
      const ext = this.cy.extent();
      const p = node.position();
      if (p.x < ext.x1 || p.x > ext.x2 || p.y < ext.y1 || p.y > ext.y2) this.cy.center(node);
      let hint = node.data('href') ? ' Shift+Enter opens its page.' : '';
      if (node.data('expandable') && !this.expanded.has(node.id())) hint = ' Enter shows its neighbours.' + hint;
      this.say(this.describe(node) + ' selected.' + hint);
      this.updateButtons();
    }

    updateButtons() {
      const node = this.selected();
      this.expandButton.disabled = !node || !node.data('expandable') || this.expanded.has(node.id());
      this.openButton.disabled = !node || !node.data('href');
    }

    key(event) {
      if (event.target !== this.el || !this.cy || event.altKey || event.ctrlKey || event.metaKey) return;
      const moves = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
      const node = this.selected();
      let handled = true;
      if (moves[event.key]) {
        this.move(moves[event.key][0], moves[event.key][1]);
      } else if (event.key === 'Enter') {
        if (!node) this.select(this.cy.getElementById(this.centre));
        else if (event.shiftKey) this.open(node);
        else this.expand(node);
      } else if (event.key === 'Home') {
        this.select(this.cy.getElementById(this.centre));
      } else if (event.key === 'Escape') {
        this.cy.nodes(':selected').unselect();
        this.say('Nothing selected.');
      } else if (event.key === '+' || event.key === '=') {
        this.zoom(1.25);
      } else if (event.key === '-') {
        this.zoom(0.8);
      } else if (event.key === '0') {
        this.cy.fit(undefined, 30);
      } else {
        handled = false;
      }
      if (handled) event.preventDefault();
    }

    zoom(factor) {
      const cy = this.cy;
      cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    }

    /* Select the nearest node in direction (dx, dy) of the selected one, preferring nodes straight that way;
       with none that way, the next (or previous) node in the list order. */
    move(dx, dy) {
      const cy = this.cy;
      const current = this.selected();
      if (!current) {
        this.select(cy.getElementById(this.centre).nonempty() ? cy.getElementById(this.centre) : cy.nodes()[0]);
        return;
      }
      const from = current.position();
      let best = null;
      let bestScore = Infinity;
      cy.nodes().forEach((node) => {
        if (node.same(current)) return;
        const p = node.position();
        const vx = p.x - from.x;
        const vy = p.y - from.y;
        const along = vx * dx + vy * dy;
        if (along <= 0) return;
        const score = along + 2 * Math.abs(vx * dy - vy * dx);
        if (score < bestScore) { bestScore = score; best = node; }
      });
      if (!best) {
        const nodes = cy.nodes();
        const step = dx + dy > 0 ? 1 : nodes.length - 1;
        best = nodes[(nodes.indexOf(current) + step) % nodes.length];
      }
      this.select(best);
    }

    open(node) {
      if (!node) return;
      const href = node.data('href');
      if (!href) {
        this.say(this.describe(node) + ' has no page.');
        return;
      }
      if (this.openInTab) window.open(href, '_blank', 'noopener');
      else window.location.assign(href);
    }

    expand(node) {
      if (!node) return Promise.resolve();
      if (!node.data('expandable')) {
        this.say(this.describe(node) + ' has no neighbours of its own; double-click or Shift+Enter opens it.');
        return Promise.resolve();
      }
      if (this.expanded.has(node.id())) {
        this.say('The neighbours of ' + this.describe(node) + ' are shown.');
        return Promise.resolve();
      }
      return this.load(node.id(), false);
    }

    async load(iri, first) {
      if (!iri || this.loading.has(iri)) return;
      this.loading.add(iri);
      this.el.setAttribute('aria-busy', 'true');
      this.say('Loading the neighbours…');
      const url = new URL(this.src.href);
      url.searchParams.set('iri', iri);
      url.searchParams.set('limit', String(this.limit));
      const abort = new AbortController();
      const timer = window.setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
      try {
        const response = await fetch(url.href, { headers: { Accept: 'application/json' },
          credentials: 'same-origin', signal: abort.signal });
        let body = null;
        try { body = await response.json(); } catch (e) { body = null; }
        if (!response.ok) {
          const message = body && body.error && body.error.message;
          throw new Error(typeof message === 'string' ? message : 'HTTP ' + response.status);
        }
        if (!body || !Array.isArray(body.nodes) || !Array.isArray(body.edges)) {
          throw new Error('the answer was not a neighbourhood');
        }
        this.merge(iri, body, first);
      } catch (error) {
        const why = error && error.name === 'AbortError' ? 'it took too long' : String(error && error.message);
        this.say('Could not load the neighbours: ' + why, true);
      } finally {
        window.clearTimeout(timer);
        this.loading.delete(iri);
        if (!this.loading.size) this.el.removeAttribute('aria-busy');
      }
    }

    merge(iri, data, first) {
      const cy = this.cy;
      this.expanded.add(iri);
      if (!cy) {
        this.renderList(data.nodes.map((n) => ({ id: n.id, label: n.label, kind: n.kind, href: safeHref(n.href) })));
        return;
      }
      const origin = cy.getElementById(iri);
      const at = origin.nonempty() ? origin.position() : { x: 0, y: 0 };
      let room = MAX_NODES - cy.nodes().length;
      let full = false;
      const added = [];
      cy.batch(() => {
        data.nodes.forEach((n) => {
          if (!n || typeof n.id !== 'string' || cy.getElementById(n.id).nonempty()) return;
          if (room <= 0) { full = true; return; }
          room -= 1;
          added.push(cy.add({ group: 'nodes', position: { x: at.x, y: at.y }, data: {
            id: n.id, label: String(n.label || n.id), kind: KINDS.indexOf(n.kind) >= 0 ? n.kind : 'other',
            href: safeHref(n.href), expandable: n.expandable !== false } }));
        });
        data.edges.forEach((e) => {
          if (!e || typeof e.source !== 'string' || typeof e.target !== 'string') return;
          const id = e.source + '\u0000' + e.target;
          if (cy.getElementById(id).nonempty()) return;
          if (cy.getElementById(e.source).empty() || cy.getElementById(e.target).empty()) return;
          cy.add({ group: 'edges', data: { id: id, source: e.source, target: e.target,
            label: String(e.label || ''), weak: !!e.weak } });
        });
        cy.getElementById(iri).addClass('kgqa-expanded');
        if (first) cy.getElementById(iri).addClass('kgqa-centre');
      });
      const centre = cy.getElementById(iri);
      if (first) {
        cy.layout({ name: 'concentric', animate: false, fit: true, padding: 30, minNodeSpacing: 40,
          concentric: (node) => (node.same(centre) ? 2 : 1), levelWidth: () => 1 }).run();
        // A few nodes fitted to the whole canvas would be drawn huge: no more than CLOSE_ZOOM.
        if (cy.zoom() > CLOSE_ZOOM) {
          cy.zoom(CLOSE_ZOOM);
          cy.center();
        }
      } else if (added.length) {
        // The new nodes start on a ring around the node they came from; a force-directed pass (cose, in
        // Cytoscape's core) from those positions then spreads the whole graph so the rings do not overlap.
        const radius = 90 + 12 * added.length;
        cy.collection(added).union(centre).layout({ name: 'concentric', animate: false, fit: false,
          boundingBox: { x1: at.x - radius, y1: at.y - radius, w: 2 * radius, h: 2 * radius },
          concentric: (node) => (node.same(centre) ? 2 : 1), levelWidth: () => 1 }).run();
        cy.layout({ name: 'cose', animate: false, randomize: false, fit: true, padding: 30,
          nodeDimensionsIncludeLabels: true, idealEdgeLength: () => 80, nodeRepulsion: () => 40000,
          gravity: 20, numIter: 600 }).run();
        // A big graph fitted whole would shrink its labels out of reading: stop at READABLE_ZOOM, on the new part.
        if (cy.zoom() < READABLE_ZOOM) {
          cy.zoom(READABLE_ZOOM);
          cy.center(centre);
        }
      }
      const name = centre.nonempty() ? this.describe(centre) : iri;
      let text = first ? name + ': ' + (cy.nodes().length - 1) + ' neighbours.'
        : name + ': ' + added.length + ' new neighbours.';
      if (data.truncated) text += ' Only the closest are shown.';
      if (full) text += ' The graph is full (' + MAX_NODES + ' nodes); open a page to go further.';
      this.say(text);
      this.renderLegend();
      this.renderList(cy.nodes().map((n) => n.data()));
      this.updateButtons();
      this.el.dispatchEvent(new CustomEvent('kgqa-graph-change', { bubbles: true,
        detail: { iri: iri, nodes: cy.nodes().length, added: added.length } }));
    }

    renderLegend() {
      const present = new Set(this.cy.nodes().map((n) => n.data('kind')));
      this.legend.textContent = '';
      KINDS.filter((kind) => present.has(kind)).forEach((kind) => {
        const li = make('li', 'kgqa-graph-legend-kind');
        li.append(make('span', 'kgqa-graph-swatch kgqa-' + kind), document.createTextNode(kind));
        this.legend.appendChild(li);
      });
      if (this.cy.edges('[?weak]').nonempty()) {
        const li = make('li', 'kgqa-graph-legend-weak');
        li.append(make('span', 'kgqa-graph-swatch kgqa-weak'), document.createTextNode('named in the same sentence'));
        this.legend.appendChild(li);
      }
    }

    renderList(nodes) {
      this.listTitle.textContent = 'The graph as a list (' + nodes.length + ' nodes)';
      this.list.textContent = '';
      nodes.forEach((n) => {
        const li = make('li');
        const name = n.href ? make('a', '', n.label) : make('span', '', n.label);
        if (n.href) {
          name.href = n.href;
          if (this.openInTab) { name.target = '_blank'; name.rel = 'noopener'; }
        }
        li.append(name, document.createTextNode(' (' + n.kind + ')'));
        if (n.expandable !== false && n.kind !== 'quote' && !this.expanded.has(n.id) && this.cy) {
          const more = make('button', '', 'Show neighbours');
          more.type = 'button';
          more.setAttribute('aria-label', 'Show the neighbours of ' + n.label);
          more.addEventListener('click', () => this.expand(this.cy.getElementById(n.id)));
          li.appendChild(more);
        }
        this.list.appendChild(li);
      });
    }
  }

  function mountAll(root) {
    live.forEach((graph) => {
      if (!graph.el.isConnected) { graph.destroy(); live.delete(graph); }
    });
    const scope = root || document;
    const found = Array.from(scope.querySelectorAll ? scope.querySelectorAll('.kgqa-graph[data-iri]') : []);
    if (scope.matches && scope.matches('.kgqa-graph[data-iri]')) found.unshift(scope);
    found.forEach((el) => {
      const old = el.kgqaGraph;
      if (old) {
        // A redraw may patch the element in place (Gradio does): a new IRI or lost children mean a new graph.
        if (old.centre === el.getAttribute('data-iri') && el.contains(old.canvas)) return;
        old.destroy();
        live.delete(old);
      }
      const graph = new Graph(el);
      el.kgqaGraph = graph;
      live.add(graph);
    });
  }

  window.kgqaGraph = Object.freeze({ mountAll: mountAll });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => mountAll(document));
  } else {
    mountAll(document);
  }
}());
