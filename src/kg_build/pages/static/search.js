// Suggestions as you type: an input with data-suggest asks /api/names (the kind of entity in
// the attribute's value, if any) and fills its <datalist> (query forms: the option is the
// entity's id, which the form accepts) or the list named by data-results (the search box:
// links to the entities' pages). Without JavaScript the forms still take names.
(function () {
  "use strict";
  function later(run, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(run, ms);
    };
  }
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var kind = input.getAttribute("data-suggest");
    var list = input.list;
    var target = input.getAttribute("data-results");
    var results = target ? document.getElementById(target) : null;
    var asked = 0;
    input.addEventListener("input", later(function () {
      var text = input.value.trim();
      var mine = ++asked;
      if (!text) {
        if (results) { results.textContent = ""; }
        return;
      }
      var url = "/api/names?q=" + encodeURIComponent(text) + (kind ? "&kind=" + encodeURIComponent(kind) : "");
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) {
          if (mine !== asked) { return; } // an older answer after a newer question
          if (list) {
            list.textContent = "";
            found.forEach(function (f) {
              var option = document.createElement("option");
              option.value = f.id;
              option.label = f.names.join(" · ");
              list.appendChild(option);
            });
          }
          if (results) {
            results.textContent = "";
            found.forEach(function (f) {
              var item = document.createElement("li");
              var link = document.createElement("a");
              if (f.href && f.href.charAt(0) === "/") { link.href = f.href; }
              link.textContent = f.names.join(" · ");
              item.appendChild(link);
              results.appendChild(item);
            });
          }
        })
        .catch(function () { /* suggestions are a help, not a need */ });
    }, 150));
  });
})();
