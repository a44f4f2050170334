/* Shadowing pages: the other library's name only when it is chosen, copy
   buttons, a confirmation before deleting, the worksheet's print button.
   Without JavaScript everything is shown and works as plain forms. */
(function () {
  "use strict";
  document.querySelectorAll("[data-show-when]").forEach(function (wrapper) {
    var rule = wrapper.getAttribute("data-show-when").split("=");
    var select = document.getElementById(rule[0]);
    if (!select) { return; }
    var input = wrapper.querySelector("input");
    function update() {
      // Kept visible while it shows an error or holds a name.
      var show = select.value === rule[1] || wrapper.classList.contains("has-error");
      wrapper.hidden = !show;
    }
    select.addEventListener("change", function () {
      update();
      if (!wrapper.hidden && input) { input.focus(); }
    });
    update();
  });

  var status = document.querySelector(".copy-status");
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.value !== undefined ? source.value : source.textContent.trim();
      navigator.clipboard.writeText(text).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied"); }
      }, function () {
        if (source.select) { source.select(); }
      });
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
