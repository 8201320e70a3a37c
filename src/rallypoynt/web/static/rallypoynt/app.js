// Behaviour every page shares, kept out of the markup: the Content-Security-Policy runs no
// inline script or on*= handler.
(function () {
  "use strict";
  // <button data-confirm="Delete …?">: ask before the form is sent; Cancel sends nothing.
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest && event.target.closest("[data-confirm]");
    if (trigger && !window.confirm(trigger.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // The phone's Menu button (app.css shows it below 720px): it opens and closes the account
  // links and the modules; Escape closes them and gives the focus back to the button.
  var toggle = document.querySelector(".menu-toggle");
  function setMenu(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.body.classList.toggle("menu-open", open);
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      setMenu(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setMenu(false);
        toggle.focus();
      }
    });
  }

  // <details class="disclosure">: open on a wide screen. Browsers with ::details-content do
  // this in app.css (no summary at all); the others get it opened here.
  var supportsContent = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (!supportsContent && window.matchMedia("(min-width: 961px)").matches) {
    document.querySelectorAll("details.disclosure").forEach(function (details) {
      details.open = true;
    });
  }
})();
