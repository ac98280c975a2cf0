// txad dashboard: progressive enhancement only. Every page works without this file; it refreshes the
// Overview's numbers in place from /dashboard/overview.json every few seconds while the page is visible.
"use strict";
(function () {
  var root = document.querySelector("[data-refresh]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-refresh");
  var seconds = Math.max(2, parseInt(root.getAttribute("data-seconds"), 10) || 5);
  var busy = false;
  function apply(doc) {
    var stats = doc.stats || {};
    Object.keys(stats).forEach(function (key) {
      var el = root.querySelector('[data-stat="' + key + '"]');
      if (el && el.textContent !== stats[key]) { el.textContent = stats[key]; }
    });
    var model = root.querySelector('[data-stat="model_version"]');
    if (model && typeof doc.model_version === "string") { model.textContent = doc.model_version; }
  }
  function tick() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (doc) { if (doc) { apply(doc); } })
      .catch(function () { /* keep the last numbers; the next tick tries again */ })
      .then(function () { busy = false; });
  }
  setInterval(tick, seconds * 1000);
})();
// Keyboard shortcuts of the review pages: an element with data-shortcut="x" is chosen (radio) or pressed (button)
// when x is typed outside a text field — f/l choose fraud/legitimate, c claims, n claims the next alert.
(function () {
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && target.type !== "radio") { return; }
    var el = document.querySelector('[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (!el) { return; }
    event.preventDefault();
    if (el.type === "radio") { el.checked = true; el.focus(); } else { el.click(); }
  });
})();
