// nightly web UI: a little plain JavaScript, no build step. Everything works without it
// except the live progress of a rerun (the page can be reloaded instead).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (window.history.length > 1) { e.preventDefault(); window.history.back(); }
    });
  });
  // Forms are sent once: a second click while the first is on its way does nothing.
  document.querySelectorAll("form[method=post]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (e.defaultPrevented) return;
      if (f.dataset.sent) { e.preventDefault(); return; }
      f.dataset.sent = "1";
    });
  });
  var run = document.getElementById("run");
  if (run) pollRun(run);
});

function pollRun(box) {
  var url = box.getAttribute("data-status-url");
  var msg = document.getElementById("run-message");
  var lines = document.getElementById("run-lines");
  var links = document.getElementById("run-links");
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (st) {
        msg.textContent = st.message;
        msg.className = (st.done && st.error) ? "error" : "";
        lines.textContent = st.lines.join("\n");
        if (st.done) { links.hidden = false; return; }
        setTimeout(tick, 1000);
      })
      .catch(function (err) { msg.textContent = "状況を読めません（" + err.message + "）。再読み込みしてください。"; });
  }
  tick();
}
