// Import page: follow the run underway; reload the page (report, invitations) once it is over.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  function poll() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        var bar = box.querySelector('[data-field="progress"]');
        var count = box.querySelector('[data-field="count"]');
        bar.max = job.total || 1;
        bar.value = job.done;
        count.textContent = job.done + " / " + job.total + " " + (count.getAttribute("data-unit") || "");
        document.querySelector('[data-field="state"]').textContent = job.state_label;
        if (job.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
