/* Mes réservations: a click on a cell books, cancels or withdraws it without reloading.
   Progressive enhancement: every cell is a submit button of a plain POST form; here the
   click becomes a fetch to the JSON API (same rules, checked on the server) and the cell
   takes the state the server returns. The server's French sentences are shown as they are
   and announced by the live region; nothing is decided here. */
(function () {
  "use strict";

  var root = document.getElementById("planning");
  if (!root || !window.fetch || !window.JSON) { return; }

  var api = root.getAttribute("data-api");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var token = tokenMeta ? tokenMeta.getAttribute("content") : "";
  var toast = document.getElementById("pl-toast");
  var status = document.getElementById("pl-status");
  var closeButton = null;
  var lastCell = null;

  function hideToast() {
    var hadFocus = closeButton && document.activeElement === closeButton;
    toast.classList.remove("is-visible", "is-error", "is-request", "is-done");
    status.textContent = "";
    if (closeButton) { closeButton.hidden = true; }  // not reachable with Tab once hidden
    if (hadFocus && lastCell) { lastCell.focus(); }
  }

  function announce(text, kind) {
    if (!closeButton) {
      closeButton = document.createElement("button");
      closeButton.type = "button";
      closeButton.className = "pl-toast-close";
      closeButton.setAttribute("aria-label", root.getAttribute("data-close") || "Fermer");
      closeButton.innerHTML = '<span aria-hidden="true">&times;</span>';
      closeButton.addEventListener("click", hideToast);
      toast.appendChild(closeButton);
    }
    closeButton.hidden = false;
    toast.classList.remove("is-error", "is-request", "is-done");
    toast.classList.add("is-visible", "is-" + kind);
    // Emptied first so that the same sentence twice is announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 30);
  }

  function update(button, cell) {
    button.setAttribute("data-state", cell.state);
    button.setAttribute("data-late", cell.late ? "true" : "false");
    button.setAttribute("data-note", cell.note ? "true" : "false");
    if (cell.seats) { button.setAttribute("data-seats", cell.seats); } else { button.removeAttribute("data-seats"); }
    button.setAttribute("aria-label", cell.aria_label);
    if (cell.title) { button.setAttribute("title", cell.title); } else { button.removeAttribute("title"); }
    var label = button.querySelector(".pl-label");
    if (label) { label.textContent = cell.label; }
  }

  function failure(response) {
    if (response.status === 401 || response.status === 403) {
      return Promise.resolve(root.getAttribute("data-session"));
    }
    return response.json().then(
      function (data) { return data.message || root.getAttribute("data-error"); },
      function () { return root.getAttribute("data-error"); }
    );
  }

  function send(button) {
    if (button.getAttribute("aria-busy") === "true") { return; }
    button.setAttribute("aria-busy", "true");
    lastCell = button;
    var body = {
      child_id: button.getAttribute("data-child"),
      service_id: button.getAttribute("data-service"),
      day: button.getAttribute("data-date"),
      action: "toggle"
    };
    fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": token
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) {
        return failure(response).then(function (text) { announce(text, "error"); });
      }
      return response.json().then(function (data) {
        update(button, data.cell);
        announce(data.message, data.request_id ? "request" : "done");
      });
    }).catch(function () {
      announce(root.getAttribute("data-error"), "error");
    }).then(function () {
      button.removeAttribute("aria-busy");
    });
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.pl-cell") : null;
    if (!button || !root.contains(button)) { return; }
    event.preventDefault();
    send(button);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toast.classList.contains("is-visible")) { hideToast(); }
  });
})();
