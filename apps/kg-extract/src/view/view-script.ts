// The HTML view's browser code, inlined into the page as plain JavaScript (no modules, no network): draws the
// precomputed layout in SVG, lists the entities, filters by the search box (or #q=... in the URL), shows a node's
// facts on click, and pans/zooms with the mouse. It marks <body data-rendered="true"> when it has drawn everything.

export const VIEW_SCRIPT = String.raw`
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var svg = document.getElementById("graph");
  var byId = {};
  var nodeEls = {};
  var adjacency = {};
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function short(s) { return s.length > 40 ? s.slice(0, 39) + "\u2026" : s; }
  data.nodes.forEach(function (n) { byId[n.id] = n; adjacency[n.id] = []; });
  var edgeLayer = el("g", { "class": "edges" }, svg);
  var labelLayer = el("g", { "class": "edge-labels" }, svg);
  var nodeLayer = el("g", { "class": "nodes" }, svg);
  data.edges.forEach(function (e) {
    var a = byId[e.source], b = byId[e.target];
    adjacency[a.id].push(e);
    adjacency[b.id].push(e);
    var line = el("line", { "class": "edge", "data-source": a.key, "data-target": b.key, x1: a.x, y1: a.y, x2: b.x, y2: b.y, "marker-end": "url(#arrow)" }, edgeLayer);
    el("title", {}, line).textContent = a.name + " " + e.relation + " " + b.name + " (" + e.documents.join(", ") + ")";
    var label = el("text", { "class": "edge-label", x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 3, "data-source": a.key, "data-target": b.key }, labelLayer);
    label.textContent = e.relation;
  });
  data.nodes.forEach(function (n) {
    var g = el("g", { "class": "node " + n.kind, "data-key": n.key, transform: "translate(" + n.x + "," + n.y + ")" }, nodeLayer);
    el("circle", { r: 4 + Math.min(10, Math.sqrt(adjacency[n.id].length) * 2) }, g);
    el("text", { "class": "node-label", x: 9, y: 4 }, g).textContent = short(n.name);
    el("title", {}, g).textContent = n.name + " (" + n.kind + ", " + n.documents.length + " document(s))";
    g.addEventListener("click", function () { focus(n); });
    nodeEls[n.id] = g;
  });
  var list = document.getElementById("entity-list");
  var items = [];
  data.nodes.slice().sort(function (a, b) { return a.name.localeCompare(b.name); }).forEach(function (n) {
    var li = document.createElement("li");
    li.setAttribute("data-key", n.key);
    li.className = n.kind;
    li.textContent = n.name + " (" + adjacency[n.id].length + ")";
    li.addEventListener("click", function () { focus(n); });
    list.appendChild(li);
    items.push({ li: li, node: n });
  });
  function fact(e) { return byId[e.source].name + " \u2014 " + e.relation + " \u2192 " + byId[e.target].name; }
  function focus(n) {
    var near = {};
    near[n.id] = true;
    adjacency[n.id].forEach(function (e) { near[e.source] = true; near[e.target] = true; });
    data.nodes.forEach(function (m) { nodeEls[m.id].classList.toggle("dim", !near[m.id]); nodeEls[m.id].classList.toggle("focus", m.id === n.id); });
    var d = document.getElementById("details");
    d.innerHTML = "";
    var h = document.createElement("h2");
    h.textContent = n.name;
    d.appendChild(h);
    var p = document.createElement("p");
    p.textContent = n.kind + "; documents: " + (n.documents.join(", ") || "none");
    d.appendChild(p);
    var ul = document.createElement("ul");
    adjacency[n.id].forEach(function (e) { var li = document.createElement("li"); li.textContent = fact(e); ul.appendChild(li); });
    d.appendChild(ul);
  }
  function search(q) {
    q = q.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (it) {
      var hit = q === "" || it.node.name.toLowerCase().indexOf(q) >= 0 || it.node.key.indexOf(q) >= 0;
      it.li.hidden = !hit;
      if (hit) shown++;
      nodeEls[it.node.id].classList.toggle("match", q !== "" && hit);
      nodeEls[it.node.id].classList.toggle("dim", q !== "" && !hit);
    });
    document.getElementById("stats").textContent = shown + " of " + data.nodes.length + " entities, " + data.edges.length + " facts, " + data.numDocuments + " documents";
  }
  var box = document.getElementById("search");
  box.addEventListener("input", function () { search(box.value); });
  var m = /[#&]q=([^&]*)/.exec(location.hash);
  if (m) box.value = decodeURIComponent(m[1]);
  search(box.value);
  var vb = { x: 0, y: 0, w: data.width, h: data.height };
  function applyView() { svg.setAttribute("viewBox", vb.x + " " + vb.y + " " + vb.w + " " + vb.h); }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var f = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    var r = svg.getBoundingClientRect();
    var px = vb.x + ((ev.clientX - r.left) / r.width) * vb.w, py = vb.y + ((ev.clientY - r.top) / r.height) * vb.h;
    vb = { x: px - (px - vb.x) * f, y: py - (py - vb.y) * f, w: vb.w * f, h: vb.h * f };
    applyView();
  }, { passive: false });
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, y: ev.clientY, vb: vb }; });
  window.addEventListener("mouseup", function () { drag = null; });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var r = svg.getBoundingClientRect();
    vb = { x: drag.vb.x - ((ev.clientX - drag.x) / r.width) * vb.w, y: drag.vb.y - ((ev.clientY - drag.y) / r.height) * vb.h, w: vb.w, h: vb.h };
    applyView();
  });
  applyView();
  document.body.setAttribute("data-nodes", String(nodeLayer.childNodes.length));
  document.body.setAttribute("data-edges", String(edgeLayer.childNodes.length));
  document.body.setAttribute("data-rendered", "true");
})();
`;
