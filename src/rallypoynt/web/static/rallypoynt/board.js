// Drag a card onto another column: the card's own move form is submitted, so the
// board behaves the same with or without a mouse (the select and button still work).
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    dragged = event.target.closest(".board-card");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.engagement);
    dragged.classList.add("is-dragging");
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    board.querySelectorAll(".is-target").forEach(function (el) { el.classList.remove("is-target"); });
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest(".board-column");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.add("is-target");
  });
  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("is-target");
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest(".board-column");
    if (!column || !dragged) return;
    event.preventDefault();
    var form = dragged.querySelector("form.board-move");
    if (dragged.closest(".board-column") === column || !form) return;
    var select = form.querySelector("select[name=to]");
    if (select) select.value = column.dataset.column;
    form.requestSubmit();
  });
})();
