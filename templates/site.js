// docket site: optional enhancements. Every page is complete without this
// script; it only adds sorting (click a column heading) and filtering
// (type in the box above long tables). `?filter=text` in the address
// pre-fills every filter, so a filtered list can be bookmarked or linked.
(function () {
  "use strict";
  var preset = new URLSearchParams(window.location.search).get("filter") || "";

  // Hints about what the script adds stay hidden when it does not run.
  document.querySelectorAll("[data-js][hidden]").forEach(function (el) { el.hidden = false; });

  function applyFilter(table, text) {
    var needle = text.trim().toLowerCase();
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    for (var i = 0; i < rows.length; i++) {
      rows[i].hidden = needle !== "" && rows[i].textContent.toLowerCase().indexOf(needle) === -1;
    }
  }

  document.querySelectorAll("p.filter").forEach(function (p) {
    var wrap = p.nextElementSibling;
    var table = wrap && wrap.querySelector("table");
    var input = p.querySelector("input");
    if (!table || !input) return;
    p.hidden = false;
    input.value = preset;
    input.addEventListener("input", function () { applyFilter(table, input.value); });
    applyFilter(table, preset);
  });

  function key(cell) {
    var text = cell ? cell.textContent.trim() : "";
    var n = Number(text.replace(/[^0-9.\-]/g, ""));
    return { text: text, num: text !== "" && /^-?[0-9.]+/.test(text) && !/\d-\d/.test(text) ? n : NaN };
  }

  document.querySelectorAll("table.data").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 2 || !table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          var c = !isNaN(x.num) && !isNaN(y.num) ? x.num - y.num : x.text.localeCompare(y.text);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
