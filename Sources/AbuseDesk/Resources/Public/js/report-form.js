// The report form, improved when scripts run: dependent choices update at once, rows are added and
// removed in place, the browser's time zone is preselected, and problems get the focus. Without this
// script the form still works: its buttons ask the server to redraw it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var form = document.getElementById("report-form");
  if (!form) { return; }
  var taxonomy = JSON.parse(document.getElementById("taxonomy").textContent);
  var threat = document.getElementById("threatType");
  var incident = document.getElementById("incidentType");
  var method = document.getElementById("attackMethod");
  var methodField = document.getElementById("attackMethod-field");
  var targets = document.getElementById("targets");
  var rowCount = document.getElementById("targetRows");
  var maximum = parseInt(targets.getAttribute("data-maximum"), 10) || 10;

  function option(value, label, selected) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = label;
    element.selected = !!selected;
    return element;
  }

  function replaceOptions(select, prompt, values, current) {
    while (select.firstChild) { select.removeChild(select.firstChild); }
    select.appendChild(option("", prompt, false));
    values.forEach(function (value) { select.appendChild(option(value, value, value === current)); });
  }

  function selectedThreat() {
    return taxonomy.filter(function (entry) { return entry.name === threat.value; })[0];
  }

  function selectedIncident() {
    var entry = selectedThreat();
    if (!entry) { return undefined; }
    return entry.incidentTypes.filter(function (item) { return item.name === incident.value; })[0];
  }

  function updateIncidents() {
    var entry = selectedThreat();
    var current = incident.value;
    replaceOptions(incident, entry ? "Choose an incident type" : "Choose a threat type first",
      entry ? entry.incidentTypes.map(function (item) { return item.name; }) : [], current);
    updateMethods();
    updateTargetLabels();
  }

  function updateMethods() {
    var item = selectedIncident();
    var methods = item ? item.attackMethods : [];
    var current = method.value;
    replaceOptions(method, "Choose an attack method", methods, current);
    methodField.hidden = methods.length === 0;
    if (methods.length === 0) {
      method.removeAttribute("required");
      method.removeAttribute("aria-required");
    } else {
      method.setAttribute("required", "");
      method.setAttribute("aria-required", "true");
    }
  }

  function updateTargetLabels() {
    var isURL = threat.value === "URL";
    var label = isURL ? "Offending URL" : (threat.value ? "Offending IP address" : "Offending IP address or URL");
    Array.prototype.forEach.call(targets.querySelectorAll(".source-label"), function (span) { span.textContent = label; });
    Array.prototype.forEach.call(targets.querySelectorAll(".ip-only"), function (field) { field.hidden = isURL; });
  }

  threat.addEventListener("change", updateIncidents);
  incident.addEventListener("change", updateMethods);

  // Rows: renumber names, ids and labels so that the server reads them as a fresh form would send them.
  function rows() { return Array.prototype.slice.call(targets.querySelectorAll(".target-row")); }

  function renumber() {
    var all = rows();
    all.forEach(function (row, index) {
      row.setAttribute("data-row", String(index));
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (input) {
        var name = input.name.replace(/^target-\d+-/, "target-" + index + "-");
        input.name = name;
        input.id = name;
      });
      Array.prototype.forEach.call(row.querySelectorAll("label"), function (label) {
        var target = label.getAttribute("for");
        if (target) { label.setAttribute("for", target.replace(/^target-\d+-/, "target-" + index + "-")); }
      });
      Array.prototype.forEach.call(row.querySelectorAll(".row-number"), function (span) { span.textContent = String(index + 1); });
      var remove = row.querySelector(".remove-row");
      if (remove) {
        remove.textContent = "Remove row " + (index + 1);
        remove.hidden = all.length === 1;
      }
    });
    rowCount.value = String(all.length);
    var add = document.getElementById("add-row");
    if (add) { add.hidden = all.length >= maximum; }
  }

  function addRow() {
    var all = rows();
    if (all.length >= maximum) { return; }
    var copy = all[all.length - 1].cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("input"), function (input) {
      input.value = "";
      input.removeAttribute("aria-invalid");
    });
    Array.prototype.forEach.call(copy.querySelectorAll(".field-error"), function (error) { error.parentNode.removeChild(error); });
    Array.prototype.forEach.call(copy.querySelectorAll(".has-error"), function (field) { field.classList.remove("has-error"); });
    if (!copy.querySelector(".remove-row")) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-small remove-row";
      copy.appendChild(button);
    }
    all[all.length - 1].parentNode.insertBefore(copy, all[all.length - 1].nextSibling);
    renumber();
    copy.querySelector("input").focus();
  }

  function removeRow(row) {
    var all = rows();
    if (all.length <= 1) { return; }
    var index = all.indexOf(row);
    row.parentNode.removeChild(row);
    renumber();
    var remaining = rows();
    remaining[Math.min(index, remaining.length - 1)].querySelector("input").focus();
  }

  targets.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.id === "add-row") {
      event.preventDefault();
      addRow();
    } else if (button.classList.contains("remove-row")) {
      event.preventDefault();
      removeRow(button.closest(".target-row"));
    }
  });
  // Every row gets a remove button that works in place.
  rows().forEach(function (row) {
    if (!row.querySelector(".remove-row")) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-small remove-row";
      row.appendChild(button);
    }
  });
  renumber();

  // The browser's own UTC offset, on a fresh form.
  var zone = document.getElementById("timeZone");
  if (zone && zone.getAttribute("data-autodetect") === "true") {
    var minutes = -new Date().getTimezoneOffset();
    var sign = minutes < 0 ? "-" : "+";
    var magnitude = Math.abs(minutes);
    var text = sign + String(Math.floor(magnitude / 60)).padStart(2, "0") + ":" + String(magnitude % 60).padStart(2, "0");
    Array.prototype.forEach.call(zone.options, function (item) { item.selected = item.value === text; });
  }

  // One report per press: a second submit while the first is on its way is ignored. The button keeps
  // its name and value (a disabled button would not send them); a page restored from the history
  // cache can be sent again.
  var submitButton = document.getElementById("submit-report");
  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    sending = true;
    form.setAttribute("aria-busy", "true");
    if (submitButton) { submitButton.textContent = "Sending…"; }
  });
  window.addEventListener("pageshow", function () {
    sending = false;
    form.removeAttribute("aria-busy");
    if (submitButton) { submitButton.textContent = "Submit report"; }
  });

  // Problems: the summary gets the focus, so that a screen reader reads them first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
