// The dashboard's own script: the workspace key (session storage only), the Authorization header
// on every htmx request and fetch, and the actions, which call the HTTP API (/v1) like the CLI.
"use strict";

const KEY = "aloma.key";
const base = document.body.dataset.base || "";
const $ = (selector, root = document) => root.querySelector(selector);

function key() {
  return sessionStorage.getItem(KEY);
}

function showSignIn(message) {
  $("#main").hidden = true;
  $("#sign-out").hidden = true;
  $("#who").textContent = "";
  $("#sign-in").hidden = false;
  $("#sign-in-error").textContent = message || "";
  $("#key").focus();
}

function signedIn() {
  $("#sign-in").hidden = true;
  $("#main").hidden = false;
  $("#sign-out").hidden = false;
  htmx.trigger(document.body, "aloma:signed-in");
}

function signOut(message) {
  sessionStorage.removeItem(KEY);
  showSignIn(message);
}

function flash(message, isError) {
  const box = $("#flash");
  box.textContent = message;
  box.classList.toggle("error", Boolean(isError));
  box.hidden = !message;
}

// Calls /v1 with the key; a 401 signs out, any other failure is shown and thrown.
async function api(method, path, body) {
  const init = { method, headers: { Authorization: `Bearer ${key()}` } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const answer = await fetch(base + path, init);
  const text = await answer.text();
  const parsed = text ? JSON.parse(text) : null;
  if (answer.status === 401) {
    signOut("Key refused: sign in again.");
    throw new Error("unauthorized");
  }
  if (!answer.ok) {
    const message = parsed && parsed.error ? parsed.error.message : `HTTP ${answer.status}`;
    flash(message, true);
    throw new Error(message);
  }
  return parsed;
}

const refresh = () => htmx.trigger(document.body, "aloma:refresh");
const taskPath = (id, verb) => `/v1/tasks/${encodeURIComponent(id)}/${verb}`;

// The filter form as /v1 takes it: times (shown and typed in UTC) as epoch milliseconds.
function filterOf(form) {
  const filter = {};
  for (const [name, value] of new FormData(form)) {
    if (value) filter[name] = name.startsWith("created_") ? Date.parse(`${value}Z`) : value;
  }
  return filter;
}

async function bulk(action) {
  const filter = filterOf($("#filters"));
  const progress = $("#bulk-progress");
  let cursor = null;
  let matched = 0;
  let changed = 0;
  let skipped = 0;
  progress.textContent = `${action}: starting…`;
  do {
    const page = await api("POST", "/v1/tasks/bulk", { action, filter, limit: 100, cursor });
    matched += page.matched;
    changed += page.changed.length;
    skipped += page.skipped.length;
    cursor = page.next;
    progress.textContent = `${action}: ${changed} changed, ${skipped} skipped of ${matched} matched${cursor ? "…" : ", done"}`;
  } while (cursor);
  htmx.trigger(document.body, "aloma:bulk-done");
}

async function toggleStep(box) {
  const name = box.dataset.step;
  const step = await api("GET", `/v1/steps/${encodeURIComponent(name)}`);
  await api("PUT", `/v1/steps/${encodeURIComponent(name)}`, { source: step.source, enabled: box.checked });
  flash(`${name} ${box.checked ? "enabled" : "disabled"}`);
  htmx.trigger(document.body, "aloma:steps-changed");
}

const actions = {
  "sign-out": () => signOut(""),
  resume: async (el) => {
    await api("POST", taskPath(el.dataset.task, "resume"));
    flash("Resumed.");
    refresh();
  },
  cancel: async (el) => {
    await api("POST", taskPath(el.dataset.task, "cancel"));
    flash("Cancelled.");
    refresh();
  },
  clone: async (el) => {
    const task = await api("POST", taskPath(el.dataset.task, "clone"), { data: null, name: null });
    window.location.assign(`${base}/ui/tasks/${encodeURIComponent(task.id)}`);
  },
  close: (el) => {
    $(el.dataset.target).replaceChildren();
  },
  bulk: (el) => bulk(el.dataset.bulk),
};

// The timeline's buttons load fragments on demand: one listener, instead of htmx attributes on each
// of a long story's buttons that htmx would have to process one by one when the timeline arrives.
function timelineLoad(el) {
  const id = encodeURIComponent(el.closest("[data-task]").dataset.task);
  const at = el.dataset.at;
  const task = `${base}/ui/f/tasks/${id}`;
  if (el.dataset.value !== undefined) {
    const path = encodeURIComponent(el.dataset.value);
    return [`${task}/value?at=${at}&path=${path}`, el.nextElementSibling];
  }
  if (el.dataset.rerun !== undefined) return [`${task}/rerun?run=${el.dataset.rerun}`, $("#rerun-panel")];
  return [`${task}/data?at=${at}`, $("#data-panel")];
}

document.addEventListener("click", (event) => {
  const el = event.target.closest(".timeline button");
  if (!el) return;
  const [url, target] = timelineLoad(el);
  htmx.ajax("GET", url, { target, swap: "innerHTML" });
});

document.addEventListener("click", (event) => {
  const el = event.target.closest("button[data-action]");
  if (el && actions[el.dataset.action]) {
    Promise.resolve(actions[el.dataset.action](el)).catch(() => {});
  }
});

document.addEventListener("change", (event) => {
  const box = event.target.closest("input[data-action='toggle-step']");
  if (box) toggleStep(box).catch(() => { box.checked = !box.checked; });
});

// Live JSON validation of every textarea marked data-json: its form cannot be sent while invalid.
function checkJson(area) {
  const status = area.form.querySelector(".json-status");
  const submit = area.form.querySelector("button[type=submit]");
  let message = "valid JSON";
  try {
    const value = JSON.parse(area.value);
    if (value === null || typeof value !== "object" || Array.isArray(value)) message = "must be a JSON object";
  } catch (error) {
    message = error.message;
  }
  const ok = message === "valid JSON";
  area.setAttribute("aria-invalid", String(!ok));
  status.textContent = message;
  status.classList.toggle("error", !ok);
  submit.disabled = !ok;
  return ok;
}

document.addEventListener("input", (event) => {
  if (event.target.matches("textarea[data-json]")) checkJson(event.target);
});

async function submitRerun(form) {
  const area = form.querySelector("textarea");
  if (!checkJson(area)) return;
  const edited = area.value !== area.defaultValue;
  const body = { from: Number(form.dataset.run), data: edited ? JSON.parse(area.value) : null };
  await api("POST", taskPath(form.dataset.task, "rerun"), body);
  flash(`Rerun from #${form.dataset.run}${edited ? " with edited data" : ""}.`);
  $("#rerun-panel").replaceChildren();
  refresh();
}

async function submitStep(form) {
  const name = form.dataset.step;
  const error = form.querySelector(".error");
  error.textContent = "";
  try {
    await api("PUT", `/v1/steps/${encodeURIComponent(name)}`, { source: form.elements.source.value });
  } catch (failure) {
    error.textContent = failure.message;
    return;
  }
  flash(`Saved ${name}.`);
  htmx.trigger(document.body, "aloma:steps-changed");
}

async function submitMatch(form) {
  const area = form.querySelector("textarea");
  if (!checkJson(area)) return;
  const answer = await api("POST", "/v1/steps/match", { data: JSON.parse(area.value) });
  const list = document.createElement("ul");
  list.className = "match-list";
  for (const step of answer.steps) {
    const item = document.createElement("li");
    item.textContent = `${step.name} (version ${step.version}${step.enabled ? "" : ", disabled"})`;
    list.append(item);
  }
  if (!answer.steps.length) list.textContent = "No step matches this data.";
  $("#match-result").replaceChildren(list);
}

async function submitSignIn() {
  const candidate = $("#key").value.trim();
  const answer = await fetch(`${base}/ui/f/whoami`, { headers: { Authorization: `Bearer ${candidate}` } });
  if (answer.status === 401) {
    showSignIn("Key refused: no workspace has this key.");
    return;
  }
  sessionStorage.setItem(KEY, candidate);
  $("#key").value = "";
  signedIn();
}

const forms = {
  "sign-in-form": submitSignIn,
  "rerun-form": submitRerun,
  "match-form": submitMatch,
  filters: () => htmx.trigger($("#filters"), "input"),
};

document.addEventListener("submit", (event) => {
  const form = event.target;
  const handler = forms[form.id] || (form.classList.contains("step-edit") ? submitStep : null);
  if (!handler) return;
  event.preventDefault();
  Promise.resolve(handler(form)).catch(() => {});
});

// htmx: no request leaves without the key, and a refused key signs out.
document.addEventListener("htmx:configRequest", (event) => {
  const current = key();
  if (!current) {
    event.preventDefault();
    return;
  }
  event.detail.headers.Authorization = `Bearer ${current}`;
});

document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if (status === 401) {
    signOut("Key refused: sign in again.");
    return;
  }
  let message = `HTTP ${status}`;
  try {
    message = JSON.parse(event.detail.xhr.responseText).error.message;
  } catch (_) {
    // not an API error body: keep the status
  }
  flash(message, true);
});

// A polled task head that shows a new version brings the timeline up to date.
let seenVersion = null;

document.addEventListener("htmx:afterSwap", (event) => {
  const head = event.target.id === "task-head" ? $(".task-head", event.target) : null;
  if (head) {
    if (seenVersion !== null && head.dataset.version !== seenVersion) {
      htmx.trigger(document.body, "aloma:timeline");
    }
    seenVersion = head.dataset.version;
  }
  if (event.target.id === "data-panel" || event.target.id === "rerun-panel") {
    event.target.scrollIntoView({ block: "nearest" });
  }
  for (const area of event.target.querySelectorAll("textarea[data-json]")) checkJson(area);
});

document.addEventListener("DOMContentLoaded", () => {
  for (const area of document.querySelectorAll("textarea[data-json]")) checkJson(area);
  // After htmx has processed the page (its listener was added first).
  setTimeout(() => (key() ? signedIn() : showSignIn("")), 0);
});
