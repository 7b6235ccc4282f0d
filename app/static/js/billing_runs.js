// Billing runs page: follow the runs underway; reload the page (flash, totals) once each is over.
(function () {
  "use strict";
  var rows = document.querySelectorAll('tr[data-finished="false"]');
  function poll(row) {
    fetch(row.getAttribute("data-status-url"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (run) {
        var bar = row.querySelector('[data-field="progress"]');
        var count = row.querySelector('[data-field="count"]');
        bar.max = run.families_total || 1;
        bar.value = run.families_done;
        count.textContent = run.families_done + " / " + run.families_total + " " +
          (count.getAttribute("data-unit") || "");
        row.querySelector('[data-field="state"]').textContent = run.state_label;
        if (run.finished) { window.location.reload(); } else { setTimeout(function () { poll(row); }, 2000); }
      })
      .catch(function () { setTimeout(function () { poll(row); }, 5000); });
  }
  Array.prototype.forEach.call(rows, poll);
})();
