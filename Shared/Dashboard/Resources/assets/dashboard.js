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
