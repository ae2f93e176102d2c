// The annual summary: copy its plain text, print it. A file of its own: the Content-Security-Policy allows no
// inline script. The buttons are hidden in the HTML and shown here, so that without script none is dead.
(function () {
  "use strict";

  // Where navigator.clipboard is missing (a page served over plain HTTP to another machine): a selection.
  function copyThroughSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-buffer";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    document.body.removeChild(area);
    return done;
  }

  document.querySelectorAll("[data-copy-source]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copySource);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!source || !status) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent;
      var say = function (done) { status.textContent = done ? button.dataset.copied : button.dataset.failed; };
      status.textContent = "";
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { say(true); },
                                                 function () { say(copyThroughSelection(text)); });
      } else {
        say(copyThroughSelection(text));
      }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
