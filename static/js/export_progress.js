// Reloads the export progress page while the file is being built (the page works without it).
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box) return;
  var waiting = function (state) { return state === "queued" || state === "building"; };
  if (!waiting(box.getAttribute("data-state"))) return;
  var url = box.getAttribute("data-status-url");
  var poll = function () {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) return;
        if (!waiting(status.state)) { window.location.reload(); return; }
        var bar = document.getElementById("export-progress-bar");
        if (bar) bar.value = status.progress;
        var percent = document.querySelector("[data-testid=export-percent]");
        if (percent) percent.textContent = status.progress + "%";
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  };
  window.setTimeout(poll, 2000);
})();
