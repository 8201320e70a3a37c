// The header search's dropdown and the results page's arrow keys (web/search.py). Progressive
// enhancement: without this file the header's form opens the results page. No inline script
// or markup from the server: options are built as DOM nodes from /search/suggest's JSON.
(function () {
  "use strict";
  var DELAY_MS = 150;

  function setUp(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var url = input.dataset.suggestUrl;
    var timer = null;
    var pending = null;
    var asked = "";
    var active = -1;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var all = options();
      if (!all.length) { return; }
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({block: "nearest"});
    }

    function option(id, label, detail, href) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.id = id;
      var link = document.createElement("a");
      link.href = href;
      link.tabIndex = -1;
      link.textContent = label;
      if (detail) {
        var small = document.createElement("span");
        small.className = "detail";
        small.textContent = detail;
        link.appendChild(small);
      }
      item.appendChild(link);
      return item;
    }

    function show(data) {
      list.textContent = "";
      var n = 0;
      data.groups.forEach(function (group) {
        var heading = document.createElement("li");
        heading.setAttribute("role", "presentation");
        heading.className = "header-search-group";
        heading.textContent = group.label;
        list.appendChild(heading);
        group.items.forEach(function (hit) {
          list.appendChild(option(list.id + "-" + n++, hit.label, hit.detail, hit.url));
        });
      });
      if (!n) {
        var none = document.createElement("li");
        none.setAttribute("role", "presentation");
        none.className = "header-search-empty";
        none.textContent = "Nothing you can see matches.";
        list.appendChild(none);
      }
      list.appendChild(option(list.id + "-all", "See all results for “" + data.q + "”", "", data.all_url));
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function ask() {
      var q = input.value.trim();
      if (q === asked) { return; }
      asked = q;
      if (pending) { pending.abort(); }
      if (!q) { close(); return; }
      pending = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(q), {
        headers: {"Accept": "application/json"},
        credentials: "same-origin",
        signal: pending.signal
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        // An answer to an older query (or a refused one) shows nothing.
        if (data && data.q === input.value.trim()) { show(data); } else if (!data) { close(); }
      }).catch(function () { /* aborted or offline: the form still opens the results page */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open) { asked = ""; ask(); return; }
        event.preventDefault();
        mark(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].querySelector("a").href);
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); } else { input.value = ""; asked = ""; }
      }
    });
    input.form.addEventListener("focusout", function (event) {
      if (!input.form.contains(event.relatedTarget)) { close(); }
    });
    // A click on an option goes where its link points; keep the input's focus until then.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  }

  // "/" anywhere outside a field jumps to the header search, as on most web apps.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    var box = document.getElementById("header-search-q");
    if (event.key === "/" && !typing && box && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  // The results page: ↑ and ↓ move between the results (and down from its search field).
  function resultsKeys(container) {
    var field = document.getElementById("search-page-q");
    function links() { return Array.prototype.slice.call(container.querySelectorAll("a")); }
    container.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (at < 0) { return; }
      event.preventDefault();
      var next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0 && field) { field.focus(); } else if (all[next]) { all[next].focus(); }
    });
    if (field) {
      field.addEventListener("keydown", function (event) {
        var all = links();
        if (event.key === "ArrowDown" && all.length) { event.preventDefault(); all[0].focus(); }
      });
    }
  }

  function start() {
    var input = document.getElementById("header-search-q");
    if (input && input.dataset.suggestUrl && window.fetch && window.AbortController) {
      setUp(input);
    }
    var results = document.querySelector("[data-search-results]");
    if (results) { resultsKeys(results); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
