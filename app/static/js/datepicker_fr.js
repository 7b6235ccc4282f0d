/* The calendar of the back office's date fields (app/views/dates.py) in French:
   bootstrap-datepicker's "fr" language (day and month names, Monday first). */
(function ($) {
  if (!$ || !$.fn || !$.fn.datepicker) { return; }
  $.fn.datepicker.dates.fr = {
    days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    daysShort: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
    daysMin: ["di", "lu", "ma", "me", "je", "ve", "sa"],
    months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"],
    monthsShort: ["janv.", "févr.", "mars", "avril", "mai", "juin", "juil.", "août",
                  "sept.", "oct.", "nov.", "déc."],
    today: "Aujourd'hui",
    monthsTitle: "Mois",
    clear: "Effacer",
    weekStart: 1,
    format: "dd/mm/yyyy"
  };
}(window.jQuery));
