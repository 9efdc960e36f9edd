// Live preview of the learner's subscript: validity, label sizes, output shape, coloured diagram.
// Plain JavaScript, no build step; the server sends the explanation HTML (escaped, classes only).
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      const args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function text(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = content;
    return node;
  }

  function setupPreview() {
    const input = document.getElementById("answer");
    const preview = document.getElementById("preview");
    if (!input || !preview) return;
    let latest = 0;
    const update = debounce(function () {
      const value = input.value;
      const request = ++latest;
      if (!value.trim()) {
        preview.replaceChildren(text("p", "muted", "Type a subscript to see what it does."));
        preview.dataset.state = "empty";
        return;
      }
      const params = new URLSearchParams({ subscript: value, shapes: input.dataset.shapes, names: input.dataset.names });
      fetch("/api/explain?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
        .then(function (result) {
          if (request !== latest) return; // a newer keystroke has its own request
          if (!result.ok) {
            preview.dataset.state = "invalid";
            preview.replaceChildren(
              text("p", "preview-invalid", "Not valid yet (" + result.body.error + "): " + result.body.message)
            );
            return;
          }
          const data = result.body;
          const sizes = Object.entries(data.sizes)
            .filter(function (entry) { return !entry[0].startsWith("..."); })
            .map(function (entry) { return entry[0] + "=" + entry[1]; }).join(", ");
          preview.dataset.state = "valid";
          const summary = text("p", "preview-valid",
            "Valid: " + data.operation + ". Sizes " + sizes + "; output shape (" + data.output_shape.join(", ") +
            (data.output_shape.length === 1 ? ",)" : ")"));
          summary.id = "preview-summary";
          const diagram = document.createElement("div");
          diagram.innerHTML = data.html; // server-rendered, escaped fragment
          preview.replaceChildren(summary, diagram);
        })
        .catch(function () {
          preview.dataset.state = "error";
          preview.replaceChildren(text("p", "muted", "Preview unavailable."));
        });
    }, 150);
    input.addEventListener("input", update);
    update();
  }

  function setupCheatsheetFilter() {
    const search = document.getElementById("q");
    const table = document.getElementById("cheatsheet");
    if (!search || !table) return;
    search.addEventListener("input", function () {
      const query = search.value.toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = query && row.textContent.toLowerCase().indexOf(query) === -1;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupPreview();
    setupCheatsheetFilter();
  });
})();
