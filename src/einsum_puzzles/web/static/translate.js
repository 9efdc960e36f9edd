// Live translation on /translate: as the learner types, POST /api/translate and show the einsum and the
// explainer's picture. Plain JavaScript, no build step; the form works without it (GET /translate).
(function () {
  "use strict";

  function node(tag, className, content) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (content !== undefined) element.textContent = content;
    return element;
  }

  function parseOperands(text) {
    const operands = {};
    const parts = text.split(/[\s,;]+/).filter(Boolean);
    for (const part of parts) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(part);
      if (!match) return { error: "cannot read '" + part + "': write each operand as NAME=SHAPE, e.g. a=2x5" };
      const shape = match[2].toLowerCase();
      if (shape === "scalar" || shape === "()") { operands[match[1]] = []; continue; }
      if (!/^\d+(x\d+)*$/.test(shape)) return { error: "cannot read the shape '" + match[2] + "': write sizes joined by 'x', such as 2x5" };
      operands[match[1]] = shape.split("x").map(Number);
    }
    return { operands: operands };
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
    box.append(first, verified, linkLine);
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
      const parsed = parseOperands(operandsInput.value);
      if (parsed.error) { showError(result, parsed.error, "", null); return; }
      fetch("/api/translate", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ code: source, operands: parsed.operands }),
      })
        .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
        .then(function (answer) {
          if (request !== latest) return; // a newer keystroke has its own request
          if (answer.ok) {
            showTranslation(result, answer.body);
            const query = new URLSearchParams({ code: source, operands: operandsInput.value });
            history.replaceState(null, "", "/translate?" + query.toString());
          } else {
            showError(result, answer.body.message || "cannot translate this", source.trim(), answer.body.column);
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
