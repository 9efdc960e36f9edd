// The puzzle page in place: live preview of the subscript, check / hint / solution without a reload.
// Plain JavaScript, no build step. Without JavaScript every form posts and the server renders the page.
// The server sends the explanation HTML (escaped text, classes only); everything else is set as text.
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

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function postForm(form, accept) {
    return fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: accept },
      credentials: "same-origin",
    });
  }

  // A form the page handles itself: post it asking for JSON, hand the answer to `show`.
  function onJsonSubmit(form, show) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      postForm(form, "application/json")
        .then(function (response) { return response.json(); })
        .then(show);
    });
  }

  // --- live preview --------------------------------------------------------------------------
  function setupPreview(state) {
    const input = document.getElementById("answer");
    const preview = document.getElementById("preview");
    if (!input || !preview) return;
    let latest = 0;
    const update = debounce(function () {
      const value = input.value;
      const request = ++latest;
      if (!value.trim()) {
        preview.replaceChildren(el("p", { className: "muted", text: "Type a subscript to see what it computes." }));
        preview.dataset.state = "empty";
        return;
      }
      const params = new URLSearchParams({ subscript: value, puzzle: input.dataset.puzzle });
      fetch("/api/preview?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (request !== latest) return; // a newer keystroke has its own request
          if (!data.valid) {
            preview.dataset.state = "invalid";
            preview.replaceChildren(el("p", { className: "preview-invalid", text: "Not valid yet: " + data.message }));
            return;
          }
          const sizes = Object.keys(data.sizes).map(function (k) { return k + "=" + data.sizes[k]; }).join(", ");
          const shape = "(" + data.output_shape.join(", ") + (data.output_shape.length === 1 ? ",)" : ")");
          preview.dataset.state = "valid";
          const summary = el("p", {
            className: "preview-valid", id: "preview-summary",
            text: "Valid: " + data.operation + ". Sizes " + (sizes || "none") + "; output shape " + shape + ".",
          });
          const body = document.createElement("div");
          body.innerHTML = data.html; // server-rendered, escaped fragment
          preview.replaceChildren(summary, body);
        })
        .catch(function () {
          preview.dataset.state = "error";
          preview.replaceChildren(el("p", { className: "muted", text: "Preview unavailable." }));
        });
    }, 150);
    input.addEventListener("input", function () {
      state.markStale(input.value);
      update();
    });
    if (preview.dataset.state !== "verdict") update(); // a server verdict already explains this answer
  }

  // --- verdict -------------------------------------------------------------------------------
  // The message's lines indented by four spaces (a subscript with a caret under a place in it) are
  // one preformatted block, so the caret lines up; the other lines are paragraphs (as on the server).
  function messageBlocks(message) {
    const blocks = [];
    message.split("\n").forEach(function (line) {
      const code = line.startsWith("    ");
      const text = code ? line.slice(4) : line;
      const last = blocks[blocks.length - 1];
      if (last && last.code === code) last.text += "\n" + text;
      else blocks.push({ code: code, text: text });
    });
    return blocks.map(function (block) {
      if (block.code) return el("pre", { className: "caret", tabindex: "0", text: block.text });
      return el("p", { text: block.text });
    });
  }

  function renderVerdict(slot, verdict, next, request) {
    const box = el("div", { className: "verdict " + (verdict.correct ? "correct" : "wrong"), id: "verdict" }, [
      el("strong", { id: "verdict-title", text: (verdict.correct ? "✓ " : "✗ ") + verdict.title }),
      el("div", { id: "verdict-message" }, messageBlocks(verdict.message || "")),
    ]);
    box.dataset.answer = verdict.answer || "";
    if (verdict.fix && request) {
      // the fix stays hidden until asked for: showing it counts as a hint (the server keeps count)
      const button = el("button", { type: "button", id: "fix-button", className: "secondary", text: "Show the fix (counts as a hint)" });
      const holder = el("p", {}, [button]);
      button.addEventListener("click", function () {
        button.disabled = true;
        fetch("/api/fix", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(request),
          credentials: "same-origin",
        })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            holder.replaceWith(el("p", { id: "fix", text: "Fix: " }, [
              el("code", { id: "fix-subscript", text: data.fix || "" }),
              document.createTextNode(" (the closest right answer in your letters)"),
            ]));
          })
          .catch(function () { button.disabled = false; });
      });
      box.appendChild(holder);
    }
    if (verdict.correct && next) {
      box.appendChild(el("p", {}, [el("a", { href: "/puzzles/" + next, id: "next-link", text: "Next puzzle →" })]));
    }
    slot.replaceChildren(box);
  }

  function markSolved() {
    const slot = document.getElementById("solved-slot");
    if (slot && !document.getElementById("solved-mark")) {
      slot.replaceChildren(document.createTextNode(" "), el("span", { className: "mark", id: "solved-mark", text: "✓ solved" }));
      const count = document.getElementById("solved-count");
      if (count) count.textContent = String(Number(count.textContent) + 1);
    }
  }

  function setupCheck(state) {
    const form = document.getElementById("answer-form");
    const slot = document.getElementById("verdict-slot");
    if (!form || !slot) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const data = new FormData(form);
      const body = { puzzle: Number(form.dataset.puzzle), backend: String(data.get("backend") || "numpy") };
      if (form.dataset.kind === "code") {
        body.steps = {};
        data.forEach(function (value, key) { if (key.indexOf("step_") === 0) body.steps[key.slice(5)] = String(value); });
      } else {
        body.answer = String(data.get("answer") || "");
      }
      const focused = document.activeElement;
      const button = document.getElementById("check-button");
      button.disabled = true;
      fetch("/api/check", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      })
        .then(function (response) { return response.json().then(function (json) { return { ok: response.ok, json: json }; }); })
        .then(function (result) {
          if (!result.ok) {
            renderVerdict(slot, { correct: false, title: "Cannot check this", message: result.json.message }, null);
          } else {
            renderVerdict(slot, result.json, form.dataset.next, body);
            if (result.json.correct) markSolved();
          }
          state.checked = body.answer;
        })
        .catch(function () {
          renderVerdict(slot, { correct: false, title: "No answer from the server", message: "Try again in a moment." }, null);
        })
        .finally(function () {
          button.disabled = false;
          const input = document.getElementById("answer");
          // the learner keeps typing where they were
          if (focused && focused !== document.body && focused !== button) focused.focus();
          else if (input) input.focus();
        });
    });
  }

  // --- hints and solution --------------------------------------------------------------------
  function setupHint() {
    const form = document.getElementById("hint-form");
    const list = document.getElementById("hint-list");
    if (!form || !list) return;
    onJsonSubmit(form, function (data) {
      list.replaceChildren.apply(list, data.hints.map(function (hint, i) {
        return el("p", { className: "hint", text: "Hint " + (i + 1) + "/" + data.total + ": " + hint });
      }));
      if (!data.more) {
        form.replaceWith(el("p", { className: "muted", id: "no-more-hints", text: "That was the last hint." }));
        list.lastChild.setAttribute("tabindex", "-1");
        list.lastChild.focus();
      }
    });
  }

  function setupSolution() {
    const form = document.getElementById("solution-form");
    const list = document.getElementById("solution-list");
    if (!form || !list) return;
    onJsonSubmit(form, function (data) {
      list.replaceChildren.apply(list, data.solutions.map(function (s) { return el("pre", { className: "solution", tabindex: "0", text: s }); }));
      form.remove();
      list.setAttribute("tabindex", "-1");
      list.focus();
    });
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
    const state = {
      checked: null,
      markStale: function (value) {
        const verdict = document.getElementById("verdict");
        if (verdict && verdict.dataset.answer !== value) verdict.classList.add("stale");
        else if (verdict) verdict.classList.remove("stale");
      },
    };
    setupPreview(state);
    setupCheck(state);
    setupHint();
    setupSolution();
    setupCheatsheetFilter();
  });
})();
