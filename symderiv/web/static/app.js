// symderiv's page: live preview, results fetched from /result and typeset with the bundled KaTeX,
// copy buttons on every displayed formula, the URL kept as a shareable link. No network beyond this server.
"use strict";

(function () {
  const form = document.getElementById("form");
  const result = document.getElementById("result");
  const preview = document.getElementById("preview");
  const latex = document.getElementById("latex");
  const status = document.getElementById("status");
  const UI = JSON.parse(document.body.dataset.ui);
  const lang = () => document.getElementById("lang").value;
  const words = () => UI[lang()] || UI.en;

  function tex(el, display) {
    const source = el.dataset.latex !== undefined ? el.dataset.latex : el.textContent.trim();
    el.dataset.latex = source;
    // htmlAndMathml: the MathML carries the LaTeX in its <annotation>, so what is seen is what is copied
    katex.render(source, el, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
  }

  function copyText(text, button) {
    const done = () => {
      document.body.dataset.lastCopied = text;
      button.classList.add("done");
      const label = button.textContent;
      button.textContent = words().copied;
      setTimeout(() => { button.textContent = label; button.classList.remove("done"); }, 1200);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text) && done());
    } else if (fallbackCopy(text)) {
      done();
    }
  }

  function fallbackCopy(text) {  // a page reached over plain http on another address: no Clipboard API
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }

  function copyButtons(source) {
    const bar = document.createElement("div");
    bar.className = "copy";
    for (const [key, make] of [["copy_latex", (s) => s], ["copy_md", (s) => "$$\n" + s + "\n$$"]]) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = key.replace("_", "-");
      b.dataset.uiKey = key;
      b.textContent = words()[key];
      b.addEventListener("click", () => copyText(make(source), b));
      bar.appendChild(b);
    }
    return bar;
  }

  function typeset(root) {
    for (const el of root.querySelectorAll(".math.inline")) tex(el, false);
    for (const el of root.querySelectorAll(".math.block")) {
      tex(el, true);
      const box = document.createElement("div");
      box.className = "formula";
      el.replaceWith(box);
      box.appendChild(el);
      box.appendChild(copyButtons(el.dataset.latex));
    }
  }

  function showPreview() {
    const text = latex.value.trim();
    if (!text) { preview.textContent = ""; return; }
    katex.render(text, preview, { displayMode: true, throwOnError: false, output: "htmlAndMathml" });
  }

  function translate() {
    const w = words();
    document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
    document.title = w.title;
    for (const el of document.querySelectorAll("[data-ui-key]")) {
      if (w[el.dataset.uiKey]) el.textContent = w[el.dataset.uiKey];
    }
  }

  function setMode() {
    const mode = form.querySelector("input[name=mode]:checked").value;
    document.body.dataset.mode = mode;
    const label = document.getElementById("latex-label");
    label.dataset.uiKey = mode === "verify" ? "latex_verify" : "latex";
    label.textContent = words()[label.dataset.uiKey];
    latex.placeholder = mode === "verify" ? "\\sigma(x)" : latex.dataset.seed;
  }

  function query() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      const v = String(value).trim();
      if (!v) continue;
      const mode = params.get("mode");
      if ((name === "claim" || name === "steps") && mode !== "verify") continue;
      if (name === "hessian" && mode !== "derive") continue;
      if (name === "start" && mode !== "optimize") continue;
      params.append(name, v);
    }
    return params.toString();
  }

  async function submit(push) {
    const qs = query();
    status.textContent = words().working;
    const t0 = performance.now();
    try {
      const response = await fetch("/result?" + qs);
      result.innerHTML = await response.text();
      typeset(result);
      const ms = Math.round(performance.now() - t0);
      status.textContent = ms + " ms";
      document.body.dataset.resultMs = String(ms);
      if (push) history.pushState(null, "", "/?" + qs);
    } catch (err) {
      status.textContent = String(err);
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); submit(true); });
  for (const radio of form.querySelectorAll("input[name=mode]")) radio.addEventListener("change", setMode);
  document.getElementById("lang").addEventListener("change", () => {
    translate();
    if (result.textContent.trim()) submit(true);  // the result in the new language, and its link
  });
  latex.dataset.seed = latex.placeholder;
  document.getElementById("example").addEventListener("click", () => {
    latex.value = latex.dataset.seed;
    document.getElementById("where").value = document.getElementById("where").placeholder;
    form.querySelector("input[name=mode][value=derive]").checked = true;
    setMode();
    showPreview();
  });
  let timer = 0;
  latex.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(showPreview, 120); });
  window.addEventListener("popstate", () => location.reload());

  setMode();
  showPreview();
  typeset(result);
  document.body.dataset.ready = "1";
})();
