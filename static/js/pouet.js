// Progressive enhancement only: every page works without this file.
// The compose counter counts as the server does: a link is 23 characters whatever its
// length, and a remote mention (@user@domain) counts its username only.
(function () {
  "use strict";

  var URL_RE = /https?:\/\/[^\s<>"]+/g;
  var REMOTE_MENTION_RE = /(^|[^\w/@.])@(\w{1,30})@[a-z0-9-]+(\.[a-z0-9-]+)+/gi;

  function length(text) {
    var counted = text.replace(URL_RE, "x".repeat(23)).replace(REMOTE_MENTION_RE, "$1@$2");
    return Array.from(counted).length;
  }

  function setUp(counter) {
    var form = counter.closest("form");
    var textarea = document.getElementById(counter.dataset.counterFor);
    if (!form || !textarea) return;
    var max = parseInt(textarea.dataset.counterMax, 10);
    var warning = form.querySelector("[name=spoiler_text]");
    function update() {
      var left = max - length(textarea.value.trim()) - (warning ? warning.value.trim().length : 0);
      counter.textContent = left;
      counter.classList.toggle("over", left < 0);
    }
    textarea.addEventListener("input", update);
    if (warning) warning.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-counter-for]").forEach(setUp);
  });
})();
