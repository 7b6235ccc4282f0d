// Staff request queue: the bulk « Valider » / « Refuser » buttons.
$(function () {
  "use strict";
  $("#queue-validate").on("click", function () {
    return window.modelActions.execute_multiple("validate", $(this).data("confirmation"));
  });
  $("#queue-refuse").on("click", function () {
    return window.modelActions.execute_multiple("refuse", false);
  });
});
