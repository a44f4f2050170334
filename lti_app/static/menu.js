/* On a narrow screen the header is one row: the menu opens from a button.
   Without this script the button stays hidden and the menu is always shown. */
(function () {
  "use strict";
  var header = document.querySelector(".topbar");
  var button = header && header.querySelector(".menu-toggle");
  if (!button) { return; }
  header.classList.add("has-toggle");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    header.classList.toggle("is-open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("is-open")) {
      button.setAttribute("aria-expanded", "false");
      header.classList.remove("is-open");
      button.focus();
    }
  });
})();
