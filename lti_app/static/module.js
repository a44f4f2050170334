/* Module page: a quiz is not sent with questions left open (the server refuses
   it too), and after a reload the part the learner acted on is brought into
   view and focused (inside an LMS frame the anchor alone scrolls nothing). */
(function () {
  "use strict";
  function focusTarget() {
    var summary = document.getElementById("quiz-missing");
    var target = summary && !summary.hidden ? summary
      : (location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null);
    if (!target) { return; }
    if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    target.focus();
    target.scrollIntoView({block: "center"});
  }
  function answered(group) {
    var inputs = group.querySelectorAll("input[name^='q-']");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value.trim() !== "") {
        return true;
      }
    }
    return false;
  }
  function mark(group, open) {
    var error = group.querySelector(".field-error");
    group.classList.toggle("is-missing", open);
    if (error) { error.hidden = !open; }
    if (open) { group.setAttribute("aria-describedby", error.id); } else { group.removeAttribute("aria-describedby"); }
    var inputs = group.querySelectorAll("input[name^='q-']");
    for (var i = 0; i < inputs.length; i++) {
      if (open) { inputs[i].setAttribute("aria-invalid", "true"); } else { inputs[i].removeAttribute("aria-invalid"); }
    }
  }
  function checkQuiz(event) {
    var form = event.target;
    var groups = form.querySelectorAll(".question");
    var missing = [];
    for (var i = 0; i < groups.length; i++) {
      var open = !answered(groups[i]);
      mark(groups[i], open);
      if (open) { missing.push(groups[i]); }
    }
    var summary = document.getElementById("quiz-missing");
    if (!missing.length || !summary) { return; }
    event.preventDefault();
    var text = missing.length === 1 ? form.dataset.missingOne
      : form.dataset.missingMany.replace("{n}", String(missing.length));
    summary.textContent = "";
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = text;
    p.appendChild(strong);
    summary.appendChild(p);
    var list = document.createElement("ul");
    missing.forEach(function (group) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + group.id;
      link.textContent = form.dataset.question.replace("{n}", group.dataset.number);
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.appendChild(list);
    summary.hidden = false;
    summary.focus();
    summary.scrollIntoView({block: "center"});
  }
  function clearWhenAnswered(event) {
    var group = event.target.closest && event.target.closest(".question.is-missing");
    if (group && answered(group)) { mark(group, false); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.quiz-form");
    if (form) {
      form.addEventListener("submit", checkQuiz);
      form.addEventListener("change", clearWhenAnswered);
      form.addEventListener("input", clearWhenAnswered);
    }
    focusTarget();
  });
})();
