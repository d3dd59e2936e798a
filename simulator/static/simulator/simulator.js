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
  const sayForm = document.getElementById("say-form");
  const sayWords = document.getElementById("say-words");
  const sayConfidence = document.getElementById("say-confidence");
  const sayButton = document.getElementById("say");
  const micButton = document.getElementById("mic");
  // The browser's own speech recognition, where it has one (Chrome's is prefixed).
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition || null;
  const emptyNote = document.getElementById("empty");
  const speech = "speechSynthesis" in window ? window.speechSynthesis : null;
  // The page's words, in the staff member's language (simulator.views.page_labels).
  const labels = JSON.parse(document.getElementById("simulator-labels").textContent);
  const say = (name, values = {}) =>
    labels[name].replace(/\{(\w+)\}/g, (placeholder, key) => (key in values ? values[key] : placeholder));

  const timer = document.getElementById("timer");
  let state = null; // the server's signed token for a call waiting at a Gather
  let inCall = false;
  let busy = false;
  let clock = null;
  let listeningIn = ""; // the language the waiting Gather hears words in; "" for keys only

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

  // The language the call starts in: its code, or "" for the line's default.
  function language() {
    const chooser = document.getElementById("language");
    return chooser ? chooser.value : "";
  }

  function setStatus(text, kind) {
    statusLine.textContent = text;
    statusLine.className = "screen-status" + (kind ? " " + kind : "");
  }

  function updateControls() {
    const canPress = inCall && state !== null && !busy;
    keys.forEach((key) => { key.disabled = !canPress; });
    silenceButton.disabled = !canPress;
    [sayWords, sayConfidence, sayButton, micButton].forEach((control) => { control.disabled = !canPress; });
    callButton.disabled = busy;
    callButton.classList.toggle("hang-up", inCall);
    callLabel.textContent = inCall ? say("hang_up") : say("call");
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
      if (e.text) add("bubble text-message", element("span", say("text_message"), "who-speaks"), element("p", e.text));
    },
    said(e) {
      const meta = [e.voice, e.language, e.loop === 0 ? say("looped") : e.loop > 1 ? `×${e.loop}` : ""]
        .filter(Boolean).join(" · ");
      add("bubble said", element("span", say("phone_tree"), "who-speaks"), element("p", e.text),
        ...(meta ? [element("span", meta, "meta")] : []));
      speak(e.text, e.language);
    },
    played(e) { add("bubble said", element("p", say("plays", { url: e.url }))); },
    paused(e) { add("note", say("pause", { seconds: e.seconds })); },
    gathering(e) {
      if (e.menu) add("note menu", say("at_menu", { menu: e.menu }));
      const wanted = e.num_digits === 1 ? "waiting_for_a_key"
        : e.num_digits ? "waiting_for_keys" : "waiting_for_any_keys";
      const words = e.speech_language ? " · " + say("or_words_in", { language: e.speech_language }) : "";
      add("note", say(wanted, { count: e.num_digits, seconds: e.timeout }) + words);
      listeningIn = e.speech_language;
      setStatus(say(e.speech_language ? "press_or_say" : e.num_digits === 1 ? "press_a_key" : "press_keys"), "live");
    },
    recording(e) {
      add("note", e.finish_on_key
        ? say("recording", { keys: e.finish_on_key.split("").join(" / ") })
        : say("recording_any_length"));
      setStatus(say("press_a_key"), "live");
    },
    pressed(e) { add("bubble pressed", say("you_pressed"), element("kbd", e.keys)); },
    spoke(e) {
      add("bubble pressed", say("you_said"), element("q", e.words),
        element("span", say("confidence", { confidence: e.confidence.toFixed(2) }), "meta"));
    },
    notlistening(e) { add("note", say("not_listening", { words: e.words })); },
    timedout(e) { add("bubble timedout", say("said_nothing", { seconds: e.seconds })); },
    unheard(e) { add("note", say("unheard", { keys: e.keys })); },
    dialed(e) {
      const text = element("div");
      text.append(element("div", say("dialing")), element("span", e.target, "number"),
        element("span", labels.outcomes[e.outcome] || e.outcome, "chip " + e.outcome));
      add("dialed", phoneIcon(), text);
      setStatus(say("dialing_number", { number: e.target }), "live");
    },
    ended(e) { add("ended", say("call_ended_because", { reason: labels.reasons[e.reason] || e.reason })); },
    failed(e) { showError(e.message); },
  };

  function showError(message) {
    const item = add("failed-event", element("strong", say("answered_badly")), element("span", message));
    item.setAttribute("role", "alert");
  }

  function endCall(kind) {
    stopClock();
    inCall = false;
    state = null;
    digitsLine.textContent = "\u00a0";
    if (kind === "failed") setStatus(say("call_failed"), "failed");
    else setStatus(say(kind === "hung-up" ? "status_hung_up" : "call_ended"));
  }

  async function step(payload) {
    busy = true;
    updateControls();
    try {
      const response = await fetch(app.dataset.stepUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": app.dataset.csrfToken },
        body: JSON.stringify({ ...payload, state, dial_outcome: dialOutcome(), language: language() }),
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        showError(data.error || say("http_error", { status: response.status }));
        endCall("failed");
        return;
      }
      data.events.forEach((event) => (render[event.kind] || (() => add("note", event.line)))(event));
      state = data.state;
      digitsLine.textContent = data.digits || "\u00a0";
      if (state === null) endCall(data.error ? "failed" : "ended");
    } catch (error) {
      showError(say("unreachable", { error: error.message }));
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

  function sayAloud(words, confidence) {
    if (!inCall || state === null || busy || !words.trim()) return;
    if (speech) speech.cancel(); // speaking cuts the prompt short too
    step({ action: "say", words: words.trim(), confidence });
  }

  sayForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const confidence = sayConfidence.value === "" ? null : Number(sayConfidence.value);
    sayAloud(sayWords.value, confidence);
    sayWords.value = "";
  });

  if (Recognition) {
    micButton.hidden = false;
    micButton.addEventListener("click", () => {
      const recognition = new Recognition();
      recognition.lang = listeningIn || document.documentElement.lang;
      recognition.onresult = (event) => {
        const best = event.results[0][0];
        sayAloud(best.transcript, Math.min(Math.max(best.confidence || 0, 0), 1));
      };
      recognition.start();
    });
  }

  callButton.addEventListener("click", () => {
    if (speech) speech.cancel();
    if (inCall) {
      add("ended", say("you_hung_up"));
      endCall("hung-up");
      updateControls();
      return;
    }
    inCall = true;
    timer.textContent = "";
    startClock();
    setStatus(say("calling"), "live");
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
    setStatus(say("ready"));
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
    readAloud.closest("label").title = say("cannot_read_aloud");
  }

  updateControls();
})();
