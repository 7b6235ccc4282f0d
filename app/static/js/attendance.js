// Attendance sheet: the « Tous présents » button (hidden without JavaScript).
(function () {
  "use strict";
  var button = document.getElementById("all-present");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    document.querySelectorAll("input.att-present").forEach(function (radio) { radio.checked = true; });
  });
})();
