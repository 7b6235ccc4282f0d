/* Portail Famille: accessibility and French for what FAB's scripts build at run time.
   - FAB's alerts and select2 placeholders are English literals: translate them;
   - select2 hides the labelled <select>: name its combobox with the field's label;
   - the search filters (ab_filters.js) add unlabelled fields: name them. */
(function ($) {
  "use strict";

  var node = document.getElementById("portal-i18n");
  var t = node ? JSON.parse(node.textContent) : {};

  function tr(text) { return t[text] || text; }
  function fill(template, label) { return (template || "%(label)s").replace("%(label)s", label); }

  // FAB's ab_alert("No row selected") and friends.
  if (typeof window.ab_alert === "function") {
    var fabAlert = window.ab_alert;
    window.ab_alert = function (text) { return fabAlert(tr(text)); };
  }

  // ab_filters.js calls $.fn.datetimepicker, which FAB does not ship: use the datepicker.
  if (!$.fn.datetimepicker && $.fn.datepicker) {
    $.fn.datetimepicker = function () { return this.datepicker({ format: "yyyy-mm-dd" }); };
  }

  function labelSelect2(select) {
    var $select = $(select);
    var id = $select.attr("id");
    var $container = $select.next(".select2-container");
    if (!id || !$container.length) { return; }
    var label = document.querySelector('label[for="' + id + '"]');
    var $box = $container.find(".select2-selection");
    if (label) {
      if (!label.id) { label.id = id + "-label"; }
      var parts = [label.id];
      var rendered = $box.attr("aria-labelledby");
      if (rendered && rendered !== label.id) { parts.push(rendered); }
      $box.attr("aria-labelledby", parts.join(" "));
      // A multiple select2 is typed into through an inline search field.
      $container.find(".select2-search__field").attr("aria-label", $.trim($(label).text()));
    } else if ($select.attr("aria-label")) {
      $box.attr("aria-label", $select.attr("aria-label"));
    }
  }

  function initSelect2(elements) {
    if (!$.fn.select2) { return; }
    $(elements).each(function () {
      var $select = $(this);
      if ($select.data("select2")) { $select.select2("destroy"); }
      $select.select2({ placeholder: tr("Select a State"), allowClear: true, theme: "bootstrap" });
      labelSelect2(this);
    });
  }

  function nameFilterRow(row) {
    var $row = $(row);
    var $remove = $row.find("a.remove-filter");
    var label = $.trim($remove.clone().children().remove().end().text());
    $remove.attr("aria-label", fill(t.remove, label)).attr("role", "button");
    $remove.find(".close-icon").attr("aria-hidden", "true");
    $row.find("select.filter-op").attr("aria-label", fill(t.operation, label));
    $row.find(".filter_val").attr("aria-label", fill(t.value, label));
    $row.find("select").each(function () { labelSelect2(this); });
  }

  $(function () {
    initSelect2($("select.my_select2").not("#filter_form select"));

    var body = document.querySelector("#filter_form .filters tbody");
    if (body) {
      $(body).children("tr").each(function () { nameFilterRow(this); });
      new MutationObserver(function (changes) {
        changes.forEach(function (change) {
          $(change.addedNodes).filter("tr").each(function () { nameFilterRow(this); });
        });
      }).observe(body, { childList: true });
    }
  });
})(jQuery);
