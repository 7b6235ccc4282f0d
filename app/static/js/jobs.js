// Background jobs' progress bars (templates staff/_job_progress.html): poll each unfinished
// job's JSON status, move the <progress>, its text and the estimated time; reload the page
// (its report is rendered by the server) once the job is over.
(function () {
  "use strict";
  function duration(box, seconds) {
    if (seconds >= 90) {
      return box.getAttribute("data-minutes-label").replace("__N__", Math.round(seconds / 60));
    }
    return box.getAttribute("data-seconds-label").replace("__N__", seconds);
  }
  function field(box, name) { return box.querySelector('[data-job-field="' + name + '"]'); }
  function show(box, job) {
    var bar = field(box, "bar");
    bar.max = job.total || 1;
    bar.value = job.total ? job.done : (job.finished ? 1 : 0);
    bar.textContent = job.percent + " %";
    field(box, "state").textContent = job.state_label;
    var text = field(box, "text");
    text.textContent = box.getAttribute("data-text-label").replace("__D__", job.done)
      .replace("__T__", job.total).replace("__P__", job.percent);
    field(box, "eta").textContent = job.eta_seconds === null ? "" :
      box.getAttribute("data-eta-label").replace("__TIME__", duration(box, job.eta_seconds));
  }
  function poll(box) {
    fetch(box.getAttribute("data-job-status-url"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        show(box, job);
        if (job.finished) {
          if (box.getAttribute("data-reload") === "true") { window.location.reload(); }
        } else {
          setTimeout(function () { poll(box); }, 1000);
        }
      })
      .catch(function () { setTimeout(function () { poll(box); }, 5000); });
  }
  Array.prototype.forEach.call(document.querySelectorAll('[data-job-status-url][data-finished="false"]'), poll);
})();
