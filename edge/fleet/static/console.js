// Live updates for the console's pages: the server renders HTML fragments and sends them as
// server-sent events; this script only puts them in place. No build step, no framework.
(function () {
  "use strict";
  var url = document.body.dataset.live;
  if (!url || !window.EventSource) { return; }
  var state = document.getElementById("live-state");
  var source = new EventSource(url);
  function parse(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  }
  function upsert(tbody, node, prepend) {
    if (!tbody || !node) { return; }
    var old = document.getElementById(node.id);
    if (old) { old.replaceWith(node); }
    else if (prepend) { tbody.prepend(node); }
    else { tbody.append(node); }
    node.classList.add("fresh");
    var empty = document.getElementById("no-rows");
    if (empty) { empty.remove(); }
  }
  source.onopen = function () { if (state) { state.textContent = "live"; } };
  source.onerror = function () { if (state) { state.textContent = "reconnecting…"; } };
  source.addEventListener("incident", function (e) {
    upsert(document.getElementById("incident-rows"), parse(e.data), true);
  });
  source.addEventListener("incident-update", function (e) {
    var node = parse(e.data);
    if (node && document.getElementById(node.id)) { upsert(document.getElementById("incident-rows"), node, true); }
  });
  source.addEventListener("incident-live", function (e) {
    var box = document.getElementById("incident-live");
    if (box) { box.innerHTML = e.data; }
  });
  source.addEventListener("device", function (e) {
    upsert(document.getElementById("device-rows"), parse(e.data), false);
  });
})();
