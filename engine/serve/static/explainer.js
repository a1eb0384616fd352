/* The explainer: pick a year and a worksheet, fill in the form generated from the worksheet's input
   schema, and read the filled-in worksheet (POST .../explain) or two years side by side
   (POST .../compare/{year}). The state lives in the URL (?year=&worksheet=&compare=&<input>=),
   so a link reproduces the page. Uses only this server's API; no library, no build step. */
"use strict";

const $ = (id) => document.getElementById(id);
const RESERVED = new Set(["year", "worksheet", "compare"]);
let schema = null;          // the worksheet's input schema (GET /years/{y}/worksheets/{n})
let startInputs = {};       // inputs from the URL, applied once to the first form built

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

async function getJSON(url, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(url, options);
  const data = await response.json();
  if (!response.ok) throw Object.assign(new Error(data.detail || response.statusText), {problem: data});
  return data;
}

function setOptions(select, values, chosen, blank) {
  select.replaceChildren(...(blank ? [el("option", {value: "", text: blank})] : []),
    ...values.map((v) => el("option", {value: String(v), text: String(v)})));
  if (chosen !== undefined && values.map(String).includes(String(chosen))) select.value = String(chosen);
}

async function loadYears(params) {
  const {years} = await getJSON("/years");
  const newest = years[years.length - 1];
  setOptions($("year"), years, params.get("year") || newest);
  await loadWorksheets(params.get("worksheet") || "tax_calculation");
  setOptions($("compare"), years.filter((y) => String(y) !== $("year").value), params.get("compare") || "",
             "(no comparison)");
}

async function loadWorksheets(chosen) {
  const {worksheets} = await getJSON(`/years/${$("year").value}/worksheets`);
  const select = $("worksheet");
  select.replaceChildren(...worksheets.map((w) => el("option", {value: w.name, text: `${w.title} (${w.name})`})));
  if (worksheets.some((w) => w.name === chosen)) select.value = chosen;
  await loadForm();
}

function fieldFor(name, prop, required) {
  const id = `in-${name}`;
  const help = prop.description ? el("small", {className: "hint", id: `${id}-help`, text: prop.description}) : null;
  const described = help ? `${id}-help` : null;
  const kind = prop["x-ctax-type"];
  let control;
  if (prop.enum || kind === "boolean") {
    const values = (prop.enum || [true, false]).filter((v) => v !== null);  // null: the blank option
    control = el("select", {id, name, "aria-describedby": described, required: required || null});
    const blank = prop.default !== undefined ? `(default: ${show(prop.default)})` : required ? "(choose)" : "(none)";
    control.append(el("option", {value: "", text: blank}),
                   ...values.map((v) => el("option", {value: String(v), text: show(v)})));
  } else {
    const type = kind === "date" ? "date" : "text";
    const hint = prop.default !== undefined ? `default ${show(prop.default)}` : required ? "required" : "";
    control = el("input", {id, name, type, "aria-describedby": described, placeholder: hint,
                           inputmode: ["money", "number", "integer"].includes(kind) ? "decimal" : null,
                           required: required || null, autocomplete: "off"});
  }
  control.dataset.kind = kind;
  const label = el("label", {for: id, text: prop.title + (required ? " (required)" : "")});
  return el("div", {className: "field"}, label, control, help);
}

async function loadForm() {
  const described = await getJSON(`/years/${$("year").value}/worksheets/${$("worksheet").value}`);
  schema = described.inputs;
  $("worksheet-title").textContent = `${described.title}. ${described.citation}`;
  const required = new Set(schema.required || []);
  $("fields").replaceChildren(...Object.entries(schema.properties).map(
    ([name, prop]) => fieldFor(name, prop, required.has(name))));
  for (const [name, value] of Object.entries(startInputs)) {
    const control = $(`in-${name}`);
    if (control) control.value = value;
  }
  startInputs = {};
  updateShare();
}

function formInputs() {
  const inputs = {};
  for (const control of $("fields").querySelectorAll("input, select")) {
    if (control.value === "") continue;
    const kind = control.dataset.kind;
    inputs[control.name] = kind === "boolean" ? control.value === "true" : control.value;
  }
  return inputs;
}

function stateURL() {
  const params = new URLSearchParams({year: $("year").value, worksheet: $("worksheet").value});
  if ($("compare").value) params.set("compare", $("compare").value);
  for (const [name, value] of Object.entries(formInputs())) params.set(name, String(value));
  return `${location.pathname}?${params}`;
}

function updateShare() { $("share").href = stateURL(); }

function show(value) {  // as engine.render.show: yes/no, none, lists joined
  if (value === null || value === undefined) return "none";
  if (value === true) return "yes";
  if (value === false) return "no";
  if (Array.isArray(value)) return value.map(show).join("; ");
  return String(value);
}

function cell(text, label, className) { return el("td", {className, "data-label": label, text}); }

function linesTable(explained) {
  const rows = explained.lines.map((line) => {
    const formula = el("td", {"data-label": "Formula"}, el("code", {text: line.expression}), el("br"),
                       "= ", el("code", {className: "substituted", text: line.substituted}));
    return el("tr", {className: line.output ? "output" : null, "data-id": line.id},
      cell(line.line, "Line", "num line"), cell(line.label, "Label", "label"),
      cell(line.value, "Value", "num value"), formula, cell(line.table_row, "Table row", "table-row"),
      cell(line.citation, "Source", "cite"));
  });
  const head = el("tr", {}, ...["Line", "Label", "Value", "Formula", "Table row", "Source"].map(
    (h) => el("th", {scope: "col", text: h})));
  return el("div", {className: "scroll"}, el("table", {className: "lines"}, el("thead", {}, head),
                                             el("tbody", {}, ...rows)));
}

function renderResult(explained) {
  const outputs = el("dl", {className: "outputs", id: "outputs"});
  for (const output of explained.outputs) {
    outputs.append(el("dt", {text: `${output.line ? `Line ${output.line}: ` : ""}${output.label}`}),
                   el("dd", {"data-output": output.id, text: output.value}));
  }
  const parts = [el("h2", {text: `${explained.title} (${explained.year})`, tabindex: "-1", id: "result-title"}),
                 el("h3", {text: "Outputs"}), outputs, el("h3", {text: "The filled-in worksheet"}),
                 linesTable(explained)];
  for (const line of explained.lines) {
    if (line.step) parts.push(el("h3", {text: `Line ${line.line}: ${line.step.title}`}), linesTable(line.step));
  }
  if (explained.checks.length) {
    parts.push(el("h3", {text: "Checks"}), el("ul", {}, ...explained.checks.map((c) => el("li", {},
      `${c.label}: `, c.holds ? "holds" : el("span", {className: "fails", text: "FAILS"})))));
  }
  $("result").replaceChildren(...parts);
}

function renderComparison(data) {
  const [a, b] = data.years;
  const rows = data.lines.map((line) => {
    const why = el("td", {"data-label": "Changed figures", className: "because"});
    if (line.change) {
      why.append(el("ul", {}, ...line.because.map((c) => el("li", {},
        `${c.table}: ${c.text} `, el("span", {className: "cite", text: `[${a}: ${c.old_citation || "none"} | ${b}: ${c.new_citation || "none"}]`})))));
    }
    return el("tr", {className: line.change ? "changed" : null, "data-id": line.id},
      cell(line.line, "Line", "num"), cell(line.label, "Label"), cell(line.old_text, String(a), "num old"),
      cell(line.new_text, String(b), "num new"),
      cell(line.change ? `changed ${line.change === "changed" ? "" : line.change}`.trim() : "", "Change", "change"),
      why);
  });
  const head = el("tr", {}, ...["Line", "Label", String(a), String(b), "Change", "Changed figures"].map(
    (h) => el("th", {scope: "col", text: h})));
  $("comparison").replaceChildren(el("h2", {text: `${data.worksheet}: ${a} and ${b} side by side`}),
    el("div", {className: "scroll"}, el("table", {className: "lines", id: "compare-table"},
                                        el("thead", {}, head), el("tbody", {}, ...rows))));
}

function showError(error) {
  const field = error.problem && error.problem.field;
  const control = field && $(`in-${field}`);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-errormessage", "error");
  }
  $("error").textContent = error.message;
  if (control) control.focus();
}

async function submit(event) {
  event.preventDefault();
  $("error").textContent = "";
  for (const control of $("fields").querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  const base = `/years/${$("year").value}/worksheets/${$("worksheet").value}`;
  const inputs = formInputs();
  history.replaceState(null, "", stateURL());
  updateShare();
  try {
    renderResult(await getJSON(`${base}/explain`, inputs));
    if ($("compare").value) renderComparison(await getJSON(`${base}/compare/${$("compare").value}`, inputs));
    else $("comparison").replaceChildren();
    document.body.dataset.state = "done";
    $("result-title").focus();
  } catch (error) {
    $("result").replaceChildren();
    $("comparison").replaceChildren();
    document.body.dataset.state = "error";
    showError(error);
  }
}

async function loading(work) {  // data-state says when the form can be used (tests wait on it)
  document.body.dataset.state = "loading";
  try {
    await work();
    document.body.dataset.state = "ready";
  } catch (error) {
    document.body.dataset.state = "error";
    showError(error);
  }
}

async function start() {
  const params = new URLSearchParams(location.search);
  for (const [name, value] of params) if (!RESERVED.has(name)) startInputs[name] = value;
  $("year").addEventListener("change", () => loading(async () => {
    const years = [...$("year").options].map((o) => o.value);
    await loadWorksheets($("worksheet").value);
    setOptions($("compare"), years.filter((y) => y !== $("year").value), $("compare").value, "(no comparison)");
  }));
  $("worksheet").addEventListener("change", () => loading(loadForm));
  $("pick").addEventListener("input", updateShare);
  $("pick").addEventListener("submit", submit);
  try {
    await loadYears(params);
    document.body.dataset.state = "ready";
    if ([...params.keys()].some((k) => !RESERVED.has(k))) $("pick").requestSubmit();
  } catch (error) {
    showError(error);
  }
}

start();
