// The browser phone: each key press goes to the server, which walks the call through the real
// webhooks; the page shows (and optionally reads aloud) what comes back.
"use strict";

(() => {
  const app = document.getElementById("simulator");
  const transcript = document.getElementById("transcript");
  const statusLine = document.getElementById("status");
  const digitsLine = document.getElementById("digits");
  const callButton = document.getElementById("call");
  const callLabel = callButton.querySelector(".call-label");
  const silenceButton = document.getElementById("silence");
  const clearButton = document.getElementById("clear");
  const readAloud = document.getElementById("read-aloud");
  const showRequests = document.getElementById("show-requests");
  const keys = Array.from(document.querySelectorAll(".key"));
  const emptyNote = document.getElementById("empty");
  const speech = "speechSynthesis" in window ? window.speechSynthesis : null;
  const OUTCOMES = { completed: "Answered", busy: "Busy", "no-answer": "No answer", failed: "Failed" };

  const timer = document.getElementById("timer");
  let state = null; // the server's signed token for a call waiting at a Gather
  let inCall = false;
  let busy = false;
  let clock = null;

  function startClock() {
    const started = Date.now();
    const tick = () => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      timer.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    };
    tick();
    clock = setInterval(tick, 1000);
  }

  function stopClock() {
    clearInterval(clock);
    clock = null;
  }

  function dialOutcome() {
    return document.querySelector('input[name="dial-outcome"]:checked').value;
  }

  function setStatus(text, kind) {
    statusLine.textContent = text;
    statusLine.className = "screen-status" + (kind ? " " + kind : "");
  }

  function updateControls() {
    const canPress = inCall && state !== null && !busy;
    keys.forEach((key) => { key.disabled = !canPress; });
    silenceButton.disabled = !canPress;
    callButton.disabled = busy;
    callButton.classList.toggle("hang-up", inCall);
    callLabel.textContent = inCall ? "Hang up" : "Call";
    clearButton.disabled = inCall || transcript.querySelector("li:not(.empty)") === null;
  }

  function add(className, ...children) {
    emptyNote.hidden = true;
    const item = document.createElement("li");
    item.className = className;
    item.append(...children);
    transcript.append(item);
    transcript.scrollTop = transcript.scrollHeight;
    return item;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function phoneIcon() {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2");
    svg.append(path);
    return svg;
  }

  function speak(text, language) {
    if (!speech || !readAloud.checked || !text) return;
    const utterance = new SpeechSynthesisUtterance(text);
    if (language) {
      utterance.lang = language;
      const voices = speech.getVoices();
      const base = language.split("-")[0];
      utterance.voice = voices.find((v) => v.lang === language)
        || voices.find((v) => v.lang.startsWith(base)) || null;
    }
    speech.speak(utterance);
  }

  function path(url) {
    try { const u = new URL(url); return u.pathname + u.search; } catch { return url; }
  }

  const render = {
    requested(e) {
      const sent = Object.entries(e.params).map(([k, v]) => `${k}=${v}`).join(" ");
      add("requested", `${e.method} ${path(e.url)}${sent ? "  " + sent : ""}`);
    },
    said(e) {
      const meta = [e.voice, e.language, e.loop === 0 ? "looped" : e.loop > 1 ? `×${e.loop}` : ""]
        .filter(Boolean).join(" · ");
      add("bubble said", element("span", "Phone tree", "who-speaks"), element("p", e.text),
        ...(meta ? [element("span", meta, "meta")] : []));
      speak(e.text, e.language);
    },
    played(e) { add("bubble said", element("p", `♪ Plays ${e.url}`)); },
    paused(e) { add("note", `Pause, ${e.seconds} s`); },
    gathering(e) {
      const wanted = e.num_digits ? `${e.num_digits} key${e.num_digits === 1 ? "" : "s"}` : "keys";
      add("note", `Waiting for ${wanted} · ${e.timeout} s`);
      setStatus(`Press ${e.num_digits === 1 ? "a key" : "keys"}`, "live");
    },
    pressed(e) { add("bubble pressed", "You pressed", element("kbd", e.keys)); },
    timedout(e) { add("bubble timedout", `You said nothing (${e.seconds} s went by)`); },
    unheard(e) { add("note", `Keys ${e.keys} went unheard`); },
    dialed(e) {
      const text = element("div");
      text.append(element("div", "Dialing"), element("span", e.target, "number"),
        element("span", OUTCOMES[e.outcome] || e.outcome, "chip " + e.outcome));
      add("dialed", phoneIcon(), text);
      setStatus(`Dialing ${e.target}`, "live");
    },
    ended(e) { add("ended", `Call ended · ${e.reason}`); },
    failed(e) { showError(e.message); },
  };

  function showError(message) {
    const item = add("failed-event", element("strong", "The app answered badly"), element("span", message));
    item.setAttribute("role", "alert");
  }

  function endCall(kind) {
    stopClock();
    inCall = false;
    state = null;
    digitsLine.textContent = "\u00a0";
    if (kind === "failed") setStatus("Call failed", "failed");
    else setStatus(kind === "hung-up" ? "You hung up" : "Call ended");
  }

  async function step(payload) {
    busy = true;
    updateControls();
    try {
      const response = await fetch(app.dataset.stepUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": app.dataset.csrfToken },
        body: JSON.stringify({ ...payload, state, dial_outcome: dialOutcome() }),
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        showError(data.error || `The simulator answered HTTP ${response.status}.`);
        endCall("failed");
        return;
      }
      data.events.forEach((event) => (render[event.kind] || (() => add("note", event.line)))(event));
      state = data.state;
      digitsLine.textContent = data.digits || "\u00a0";
      if (state === null) endCall(data.error ? "failed" : "ended");
    } catch (error) {
      showError(`Could not reach the simulator: ${error.message}`);
      endCall("failed");
    } finally {
      busy = false;
      updateControls();
    }
  }

  function press(key) {
    if (!inCall || state === null || busy) return;
    if (speech) speech.cancel(); // a key press cuts the prompt short, as on a real call
    digitsLine.textContent = key;
    step({ action: "press", keys: key });
  }

  callButton.addEventListener("click", () => {
    if (speech) speech.cancel();
    if (inCall) {
      add("ended", "Call ended · you hung up");
      endCall("hung-up");
      updateControls();
      return;
    }
    inCall = true;
    timer.textContent = "";
    startClock();
    setStatus("Calling…", "live");
    step({ action: "start" });
  });

  silenceButton.addEventListener("click", () => {
    if (!inCall || state === null || busy) return;
    step({ action: "silence" });
  });

  keys.forEach((key) => key.addEventListener("click", () => press(key.dataset.key)));

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.matches("input, textarea")) return;
    const key = keys.find((k) => k.dataset.key === event.key);
    if (!key || key.disabled) return;
    event.preventDefault();
    key.classList.add("pressed");
    setTimeout(() => key.classList.remove("pressed"), 120);
    press(event.key);
  });

  clearButton.addEventListener("click", () => {
    transcript.querySelectorAll("li:not(.empty)").forEach((item) => item.remove());
    emptyNote.hidden = false;
    setStatus("Ready to call");
    updateControls();
  });

  showRequests.addEventListener("change", () => {
    transcript.classList.toggle("hide-requests", !showRequests.checked);
  });

  readAloud.addEventListener("change", () => {
    if (!readAloud.checked && speech) speech.cancel();
  });
  if (!speech) {
    readAloud.disabled = true;
    readAloud.closest("label").title = "This browser cannot read aloud.";
  }

  updateControls();
})();
