// Live translation on /translate: as the learner types, GET /api/translate/preview and show the einsum and the
// explainer's picture. Plain JavaScript, no build step; the form works without it (GET /translate).
(function () {
  "use strict";

  function node(tag, className, content) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (content !== undefined) element.textContent = content;
    return element;
  }

  function showError(result, message, code, column) {
    const box = node("div", "verdict wrong");
    box.id = "translate-error";
    box.appendChild(node("p", "", message));
    if (column && code.indexOf("\n") === -1) {
      box.appendChild(node("pre", "caret", code + "\n" + " ".repeat(column - 1) + "^"));
    }
    result.replaceChildren(box);
  }

  function showTranslation(result, data) {
    const box = node("div", "verdict correct");
    box.id = "translation";
    const call = node("code", "translation-call", data.call);
    call.id = "translation-call";
    const first = node("p");
    first.appendChild(call);
    const shape = data.output_shape.join(", ") + (data.output_shape.length === 1 ? "," : "");
    const verified = node("p", "muted",
      "Verified: the code and this einsum agree on random operands of these shapes (shape, dtype and values). " +
      "Result shape (" + shape + ").");
    verified.id = "translation-verified";
    const link = node("a", "", "Open this einsum in the explainer");
    link.id = "translation-explain";
    link.href = data.explain_url;
    const linkLine = node("p");
    linkLine.appendChild(link);
    box.append(first, verified);
    if (data.names_note) {
      const names = node("p", "", "In the picture and text below, " + data.names_note);
      names.id = "translation-names";
      box.append(names);
    }
    if (data.unused_note) {
      const unused = node("p", "muted", data.unused_note);
      unused.id = "translation-unused";
      box.append(unused);
    }
    box.append(linkLine);
    const heading = node("h2", "", data.operation);
    heading.id = "translation-operation";
    const parts = [box, heading];
    if (data.svg) {
      const picture = node("div", "translation-picture");
      picture.innerHTML = data.svg; // server-rendered SVG
      parts.push(picture);
    }
    const explanation = node("div");
    explanation.innerHTML = data.html; // server-rendered, escaped fragment
    parts.push(explanation);
    result.replaceChildren.apply(result, parts);
  }

  function setup() {
    const form = document.getElementById("translate-form");
    const code = document.getElementById("code");
    const operandsInput = document.getElementById("operands");
    const result = document.getElementById("translate-result");
    if (!form || !code || !operandsInput || !result) return;
    let latest = 0;
    let timer = null;

    function update() {
      const request = ++latest;
      const source = code.value;
      if (!source.trim()) {
        result.replaceChildren(node("p", "muted", "Type numpy code to see its einsum."));
        return;
      }
      const query = new URLSearchParams({ code: source, operands: operandsInput.value });
      // The preview route answers every input with a 200 (valid: false and a message for code that is not
      // one einsum yet), so a half-typed expression logs no HTTP error in the console.
      fetch("/api/translate/preview?" + query.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (answer) {
          if (request !== latest) return; // a newer keystroke has its own request
          if (answer.valid) {
            showTranslation(result, answer);
            history.replaceState(null, "", "/translate?" + query.toString());
          } else if (answer.error === "unfinished") {
            // still being typed (an open bracket, a trailing +): a quiet line, not a red error box
            const line = node("p", "muted translate-unfinished", answer.message);
            line.id = "translate-unfinished";
            result.replaceChildren(line);
          } else {
            showError(result, answer.message, source.trim(), answer.column);
          }
        })
        .catch(function () {
          if (request === latest) result.replaceChildren(node("p", "muted", "Translation unavailable."));
        });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(update, 200);
    }
    code.addEventListener("input", later);
    operandsInput.addEventListener("input", later);
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
