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
  // Choosing a suggestion fills the invoice number(s) and the fee of its form; they
  // can still be edited before sending. The radio's value is "N1,N2;FEE".
  document.querySelectorAll("form.resolve").forEach(function (f) {
    f.querySelectorAll("input[name=suggestion]").forEach(function (r) {
      r.addEventListener("change", function () {
        if (!r.checked) return;
        var parts = r.value.split(";");
        f.elements["invoice"].value = parts[0].split(",").join(", ");
        f.elements["fee"].value = parts.length > 1 && parts[1] !== "0" ? parts[1] : "";
        f.querySelectorAll("table.sugg tr").forEach(function (tr) { tr.classList.remove("chosen"); });
        var tr = r.closest("tr");
        if (tr) tr.classList.add("chosen");
      });
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
