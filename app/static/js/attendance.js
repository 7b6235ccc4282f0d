// Attendance sheet: « Tous présents » (hidden without JavaScript) marks present every child
// not yet marked, except those whose family declared an absence; the agent then corrects
// the exceptions and saves.
(function () {
  "use strict";
  var button = document.getElementById("all-present");
  if (!button) { return; }
  var help = document.getElementById("all-present-help");
  button.hidden = false;
  if (help) { help.hidden = false; button.setAttribute("aria-describedby", help.id); }
  button.addEventListener("click", function () {
    document.querySelectorAll("tr[data-booking]").forEach(function (row) {
      if (row.hasAttribute("data-declared-absence")) { return; }
      if (row.querySelector("input[type=radio]:checked")) { return; }
      var present = row.querySelector("input.att-present");
      if (present) { present.checked = true; }
    });
  });
})();
