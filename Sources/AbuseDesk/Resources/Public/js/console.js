// The console works without scripts; where they run, a box in the queue's header ticks every report
// of the page at once.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  all.hidden = false;
  all.addEventListener("change", function () {
    var boxes = document.querySelectorAll("input[name='report_ids']");
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
  });
})();
