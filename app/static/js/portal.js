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
      // The rendered choice (role=textbox) is named by the label too: select2 names it
      // only by a title, which it removes while the placeholder shows.
      $container.find(".select2-selection__rendered").attr("aria-labelledby", label.id);
      // A multiple select2 is typed into through an inline search field.
      $container.find(".select2-search__field").attr("aria-label", $.trim($(label).text()));
    } else if ($select.attr("aria-label")) {
      $box.attr("aria-label", $select.attr("aria-label"));
    }
  }

  var select2French = {
    noResults: function () { return tr("No results found"); },
    searching: function () { return tr("Searching…"); },
    removeAllItems: function () { return tr("Remove all items"); },
    removeItem: function () { return tr("Remove item"); },
    errorLoading: function () { return tr("The results could not be loaded."); }
  };

  function initSelect2(elements) {
    if (!$.fn.select2) { return; }
    $(elements).each(function () {
      var $select = $(this);
      if ($select.data("select2")) { $select.select2("destroy"); }
      // FAB's blank choice is value "__None", shown as such: the placeholder instead.
      var blank = $select.find('option[value="__None"]');
      blank.text("");
      var multiple = $select.prop("multiple");
      $select.select2({
        placeholder: blank.length ? { id: "__None", text: tr("Select a State") } : tr("Select a State"),
        // A multiple select2 has a remove button per choice; its « clear all » <span> in the
        // <ul> of choices breaks the list's structure (axe: list).
        allowClear: !multiple,
        width: "100%",
        theme: "bootstrap",
        language: select2French
      });
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

  // A table that scrolls sideways inside .table-responsive: a named, focusable region, so a
  // keyboard user can scroll it (the attributes go away when it fits again).
  function regionLabel(box) {
    var caption = box.querySelector("caption");
    var text = caption ? $.trim(caption.textContent) : "";
    if (!text) {
      var heading = $(box).prevAll("h1, h2, h3, h4").first();
      if (!heading.length) { heading = $(box).closest("section, main").find("h1, h2, h3").first(); }
      text = $.trim(heading.text());
    }
    return fill(t.scroll_region, text || document.title);
  }

  function scrollRegions() {
    $(".table-responsive, [data-scroll-region]").each(function () {
      var box = this;
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-portal-region", "1");
        if (!box.getAttribute("role")) { box.setAttribute("role", "region"); }
        if (!box.getAttribute("aria-label") && !box.getAttribute("aria-labelledby")) {
          box.setAttribute("aria-label", regionLabel(box));
        }
      } else if (!scrolls && box.getAttribute("data-portal-region")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-portal-region");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  var regionFrame = null;
  $(window).on("resize", function () {
    if (regionFrame === null) {
      regionFrame = window.requestAnimationFrame(function () { regionFrame = null; scrollRegions(); });
    }
  });

  $(function () {
    scrollRegions();
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
