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
})();
