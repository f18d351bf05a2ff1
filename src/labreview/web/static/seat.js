// labreview seat page: live updates over server-sent events, scores saved as they are clicked.
// Without this script the page works as a plain form (POST, then the page again).
"use strict";
(function () {
  const live = document.getElementById("live");
  if (!live) return;
  const base = live.dataset.base;
  const problem = document.getElementById("problem");
  const connection = document.getElementById("connection");
  let source = null;
  let pending = 0;
  let again = false;

  function say(text) {
    if (!problem) return;
    problem.textContent = text || "";
    problem.hidden = !text;
  }

  function selections(form) {
    const chosen = {};
    if (!form) return chosen;
    for (const input of form.querySelectorAll("input[type=radio]:checked")) chosen[input.name] = input.value;
    return chosen;
  }

  // Swap in the live parts; a ballot being filled in keeps what was chosen on this page.
  function swap(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const oldBallot = document.getElementById("ballot");
    const newBallot = template.content.getElementById("ballot");
    if (oldBallot && newBallot && oldBallot.dataset.key === newBallot.dataset.key &&
        oldBallot.dataset.state === "voting" && newBallot.dataset.state === "voting") {
      const chosen = selections(oldBallot.querySelector("form"));
      for (const [name, value] of Object.entries(chosen)) {
        for (const input of newBallot.querySelectorAll("input[type=radio]")) {
          if (input.name === name) input.checked = input.value === value;
        }
      }
    }
    live.replaceChildren(template.content);
    bind();
    tick();
  }

  async function refresh() {
    if (pending) { again = true; return; }
    pending += 1;
    try {
      const response = await fetch(base + "/live", { headers: { "X-Labreview": "fetch" }, cache: "no-store" });
      const text = await response.text();
      if (response.ok) {
        swap(text);
      } else {
        const doc = new DOMParser().parseFromString(text, "text/html");
        const message = doc.querySelector("main p");
        say(message ? message.textContent : "This link no longer works.");
        if (response.status === 404 || response.status === 410) stop();
      }
    } catch (error) {
      if (connection) connection.textContent = "Connection lost; trying again…";
    } finally {
      pending -= 1;
      if (again) { again = false; refresh(); }
    }
  }

  async function post(fields) {
    const form = document.getElementById("ballot-form");
    if (!form) return;
    const body = new URLSearchParams();
    body.set("key", form.elements.key.value);
    body.set("csrf", form.elements.csrf.value);
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    try {
      const response = await fetch(base + "/score", {
        method: "POST", body: body, headers: { "X-Labreview": "fetch", "Accept": "application/json" },
      });
      const answer = await response.json();
      say(answer.ok ? "" : answer.message);
    } catch (error) {
      say("Your score could not be sent; check the connection and try again.");
    }
    refresh();
  }

  function bind() {
    const form = document.getElementById("ballot-form");
    if (!form || form.dataset.bound) return;
    form.dataset.bound = "yes";
    form.addEventListener("change", (event) => {
      const input = event.target;
      if (input.type === "radio") post({ criterion: input.name, value: input.value });
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      post(selections(form));
    });
  }

  let started = Date.now();
  function tick() {
    started = Date.now();
    for (const clock of document.querySelectorAll("[data-clock]")) clock.dataset.start = clock.dataset.clock;
  }
  function show(seconds) {
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }
  setInterval(() => {
    const passed = Math.floor((Date.now() - started) / 1000);
    for (const clock of document.querySelectorAll("[data-clock][data-running=yes]")) {
      clock.textContent = show(Number(clock.dataset.start || clock.dataset.clock) + passed);
    }
  }, 1000);

  function stop() {
    if (source) source.close();
    source = null;
    if (connection) connection.textContent = "This page no longer updates.";
  }

  function listen() {
    if (!window.EventSource) return;
    source = new EventSource(base + "/events");
    source.addEventListener("open", () => {
      if (connection) connection.textContent = "Live: this page updates by itself.";
      document.body.dataset.live = "yes";
      refresh();
    });
    source.addEventListener("change", () => refresh());
    source.addEventListener("error", () => {
      document.body.dataset.live = "no";
      if (connection) connection.textContent = "Connection lost; trying again…";
    });
  }

  bind();
  tick();
  listen();
})();
