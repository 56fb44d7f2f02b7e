// Invigilation console: refresh the candidates' table every 15 seconds, unless the invigilator is
// working in it (focus inside, or a field typed into). Without this file the page has a button.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("console-rows");
    if (!region) { return; }
    var dirty = false;
    region.addEventListener("input", function () { dirty = true; });
    var stamp = document.getElementById("console-updated");
    window.setInterval(function () {
      if (dirty || region.contains(document.activeElement)) { return; }
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html || dirty || region.contains(document.activeElement)) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("console-rows");
          if (fresh) {
            region.innerHTML = fresh.innerHTML;
            if (stamp) { stamp.textContent = new Date().toLocaleTimeString(); }
          }
        })
        .catch(function () { /* the next round tries again */ });
    }, 15000);
  });
})();
