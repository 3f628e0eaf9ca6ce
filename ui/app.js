// Ringside's window. Plain JS, no bundler: Tauri's API comes from window.__TAURI__.
//
// SECURITY: caller names, numbers, queue names and PBX messages come from strangers. They are
// only ever put into the page with textContent (never innerHTML), and the CSP forbids inline
// script anyway.
"use strict";

(() => {
  const tauri = window.__TAURI__;
  const invoke = tauri.core.invoke;
  const listen = tauri.event.listen;

  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const ui = {
    agentState: $("agent-state"),
    agentDetail: $("agent-detail"),
    source: $("source-status"),
    accepting: $("accepting-toggle"),
    reason: $("pause-reason"),
    login: $("login-button"),
    wrapUp: $("wrap-up"),
    wrapUpTimer: $("wrap-up-timer"),
    wrapUpSave: $("wrap-up-save"),
    wrapUpCancel: $("wrap-up-cancel"),
    error: $("error"),
    errorText: $("error-text"),
    errorClose: $("error-close"),
    cards: $("cards"),
    noCards: $("no-cards"),
    about: $("about"),
    template: document.getElementById("card-template"),
    customerTemplate: document.getElementById("customer-template"),
    dialForm: $("dial-form"),
    dialNumber: $("dial-number"),
    dialVia: $("dial-via"),
    linkConfirm: $("link-confirm"),
    linkNumber: $("link-number"),
    linkCustomer: $("link-customer"),
    linkVia: $("link-via"),
    linkAlways: $("link-always"),
    askLinks: $("settings-ask-links"),
    settings: $("settings"),
    settingsConnections: $("settings-connections"),
    settingsDetected: $("settings-detected"),
    settingsHandlers: $("settings-handlers"),
    becomeHandler: $("become-handler"),
    history: $("history"),
    historyCalls: $("history-calls"),
  };

  // What the session told us last. Cards by call id.
  const model = { agent: null, source: null, cards: new Map(), fatal: null, connections: [] };

  const AGENT_LABELS = {
    logged_out: "logged out",
    available: "accepting calls",
    paused: "paused",
    ringing: "ringing",
    on_call: "on a call",
    wrap_up: "in wrap-up",
  };
  const DIRECTIONS = { incoming: "Incoming", outgoing: "Outgoing" };
  const STATUSES = { ringing: "Ringing", dialing: "Dialing", on_call: "On call", ended: "Ended" };
  const OUTCOMES = {
    completed: "Completed",
    no_answer: "Missed",
    answered_elsewhere: "Answered elsewhere",
    abandoned: "Caller hung up",
    busy: "Busy",
    transferred: "Transferred",
    failed: "Failed",
    interrupted: "Interrupted",
  };

  // ---- formatting -------------------------------------------------------------------------

  function duration(secs) {
    secs = Math.max(0, Math.floor(secs));
    const h = Math.floor(secs / 3600);
    const m = Math.floor((secs % 3600) / 60);
    const s = String(secs % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  function clock(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function talkSecs(card) {
    if (card.status === "on_call" && card.answer_at != null) {
      return (Date.now() - card.answer_at) / 1000;
    }
    return card.talk_secs;
  }

  function outcomeText(outcome) {
    if (!outcome) return "";
    const words = OUTCOMES[outcome.kind] || outcome.kind;
    return outcome.detail ? `${words}: ${outcome.detail}` : words;
  }

  // Whether queue calls reach the agent now, or will once the current call is done.
  function accepting(agent) {
    if (!agent) return false;
    if (agent.state === "available") return true;
    if (agent.resume) return agent.resume.kind === "available";
    return false;
  }

  // ---- messages ---------------------------------------------------------------------------

  function showError(message) {
    ui.errorText.textContent = String(message);
    ui.error.hidden = false;
  }

  function clearError() {
    if (model.fatal) return; // a fatal error stays
    ui.error.hidden = true;
    ui.errorText.textContent = "";
  }

  async function call(command, args) {
    try {
      const result = await invoke(command, args);
      clearError();
      return result;
    } catch (e) {
      showError(e);
      throw e;
    }
  }

  // ---- rendering --------------------------------------------------------------------------

  function renderAgent() {
    const agent = model.agent;
    const state = agent ? agent.state : model.fatal ? "failed" : "starting";
    ui.agentState.dataset.state = state;
    ui.agentState.textContent = agent ? AGENT_LABELS[agent.state] || agent.state : model.fatal ? "not running" : "starting…";

    let detail = "";
    if (agent && agent.state === "paused") {
      detail = agent.reason ? `${agent.reason}, since ${clock(agent.since)}` : `since ${clock(agent.since)}`;
    } else if (agent && agent.since != null && agent.state !== "logged_out") {
      detail = `since ${clock(agent.since)}`;
    }
    ui.agentDetail.textContent = detail;

    const loggedIn = !!agent && agent.state !== "logged_out";
    ui.accepting.checked = accepting(agent);
    ui.accepting.disabled = !loggedIn;
    ui.reason.disabled = !loggedIn;
    ui.login.textContent = loggedIn ? "Log out" : "Log in";
    ui.login.disabled = !agent;
    ui.login.dataset.action = loggedIn ? "log_out" : "log_in";

    ui.wrapUp.hidden = !(agent && agent.state === "wrap_up");
    renderTimers();
    renderCards(); // the hang-up button follows the agent's current call
  }

  function renderSource() {
    const source = model.source;
    if (!source) {
      ui.source.dataset.kind = "none";
      ui.source.textContent = "";
      return;
    }
    ui.source.dataset.kind = source.kind;
    if (source.kind === "connected") ui.source.textContent = `PBX: ${source.source}`;
    else if (source.kind === "disconnected") ui.source.textContent = `PBX disconnected: ${source.reason}`;
    else ui.source.textContent = "Connecting to the PBX…";
  }

  function cardElement(id) {
    for (const el of ui.cards.children) {
      if (el.dataset.callId === id) return el;
    }
    return null;
  }

  function field(el, testid) {
    return el.querySelector(`[data-testid="${testid}"]`);
  }

  function setText(el, testid, text) {
    const target = field(el, testid);
    target.textContent = text == null ? "" : String(text);
    return target;
  }

  function customerName(c) {
    return c.company ? `${c.name} (${c.company})` : c.name;
  }

  // One line for the card's "Customer" row: who is calling, or why we do not know.
  function customerText(card) {
    const found = card.customers || [];
    const state = card.lookup && card.lookup.state;
    if (found.length === 1 || (found.length > 1 && found[0].chosen)) return customerName(found[0]);
    if (found.length > 1) return `${found.length} customers share this number: pick the caller`;
    switch (state) {
      case "internal":
        return "Colleague (internal call)";
      case "pending":
        return "Looking up…";
      case "failed":
        return "Not found (lookup failed)";
      case "done":
        return "Unknown caller";
      default:
        return "";
    }
  }

  function orderText(order) {
    return [order.title, order.status, order.amount].filter((part) => part).join(" · ");
  }

  // The pick list: every customer found, the chosen one first; text only.
  function renderCustomers(el, card) {
    const list = field(el, "card-customers");
    const found = card.customers || [];
    const picking = found.length > 1;
    list.replaceChildren(
      ...found.map((c) => {
        const item = ui.customerTemplate.content.firstElementChild.cloneNode(true);
        item.dataset.source = c.source;
        item.dataset.customerId = c.id;
        item.dataset.chosen = c.chosen ? "true" : "false";
        setText(item, "customer-name", c.name);
        setText(item, "customer-company", c.company || "");
        setText(item, "customer-reason", c.reason);
        setText(item, "customer-source", c.source === "directory" ? "customer directory" : c.source);
        field(item, "customer-chosen").hidden = !c.chosen;
        field(item, "customer-orders").replaceChildren(
          ...(c.orders || []).map((o) => {
            const li = document.createElement("li");
            li.textContent = orderText(o);
            return li;
          }),
        );
        const pick = field(item, "customer-pick");
        pick.hidden = !picking || c.chosen;
        pick.addEventListener("click", () => {
          call("choose_customer", { callId: card.call_id, source: c.source, customerId: c.id }).catch(() => {});
        });
        const open = field(item, "customer-open");
        open.hidden = !c.url;
        open.addEventListener("click", () => {
          call("open_customer_page", { callId: card.call_id, source: c.source, customerId: c.id }).catch(() => {});
        });
        return item;
      }),
    );

    const failed = card.lookup && card.lookup.state === "failed";
    field(el, "card-lookup-problem").hidden = !failed;
    setText(el, "card-lookup-error", failed ? `Lookup failed: ${card.lookup.detail}` : "");

    const unknown = found.length === 0 && card.lookup && (card.lookup.state === "done" || failed);
    const form = field(el, "card-create-form");
    field(el, "card-create").hidden = !unknown || !form.hidden;
    if (!unknown) form.hidden = true;
    setText(el, "card-create-number", card.number);
  }

  function renderCard(card) {
    let el = cardElement(card.call_id);
    if (!el) {
      el = ui.template.content.firstElementChild.cloneNode(true);
      el.dataset.callId = card.call_id;
      field(el, "card-dismiss").addEventListener("click", () => {
        call("dismiss", { callId: el.dataset.callId }).catch(() => {});
      });
      field(el, "card-hang-up").addEventListener("click", () => {
        call("hang_up").catch(() => {});
      });
      field(el, "card-call").addEventListener("click", () => {
        const card = model.cards.get(el.dataset.callId);
        if (card) call("dial", { number: card.number, via: ui.dialVia.value || null }).catch(() => {});
      });
      field(el, "card-lookup-retry").addEventListener("click", () => {
        call("retry_lookup", { callId: el.dataset.callId }).catch(() => {});
      });
      // Notes are saved as the agent types: half a second after the last key.
      const note = field(el, "card-note");
      const noteStatus = field(el, "card-note-status");
      let noteTimer = null;
      note.addEventListener("input", () => {
        clearTimeout(noteTimer);
        noteStatus.textContent = "…";
        noteTimer = setTimeout(() => {
          invoke("save_note", { callId: el.dataset.callId, text: note.value })
            .then(() => {
              noteStatus.textContent = "saved";
              noteStatus.dataset.state = "saved";
            })
            .catch((e) => {
              noteStatus.textContent = String(e);
              noteStatus.dataset.state = "unsaved";
            });
        }, 500);
      });
      invoke("note", { callId: card.call_id })
        .then((text) => {
          if (text && !note.value) note.value = text;
        })
        .catch(() => {});
      const form = field(el, "card-create-form");
      field(el, "card-create").addEventListener("click", () => {
        form.hidden = false;
        field(el, "card-create").hidden = true;
        field(el, "card-create-name").focus();
      });
      field(el, "card-create-cancel").addEventListener("click", () => {
        form.hidden = true;
        field(el, "card-create").hidden = false;
      });
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const name = field(el, "card-create-name").value.trim();
        const company = field(el, "card-create-company").value.trim() || null;
        if (!name) return;
        call("create_customer", { callId: el.dataset.callId, name, company })
          .then(() => {
            form.reset();
            form.hidden = true;
          })
          .catch(() => {});
      });
    }
    el.dataset.status = card.status;
    el.dataset.direction = card.direction;
    setText(el, "card-direction", DIRECTIONS[card.direction] || card.direction);
    setText(el, "card-status", STATUSES[card.status] || card.status);
    setText(el, "card-talk-time", card.answer_at != null ? duration(talkSecs(card)) : "");
    setText(el, "card-number", card.number || "Number withheld");
    setText(el, "card-number-normalized", card.number_normalized || "—");
    setText(el, "card-caller-name", card.caller_name || "");
    setText(el, "card-queue", card.queue || "—");
    setText(el, "card-customer", customerText(card) || "—");
    renderCustomers(el, card);
    setText(el, "card-outcome", card.outcome ? outcomeText(card.outcome) : "—");

    const current = model.agent && model.agent.call === card.call_id;
    field(el, "card-hang-up").hidden = !(current && card.status !== "ended");
    // Calling back makes sense once this call is over, and only for an outside number.
    const internal = card.lookup && card.lookup.state === "internal";
    field(el, "card-call").hidden = card.status !== "ended" || !card.number_normalized || internal;
    field(el, "card-dismiss").hidden = card.status !== "ended";
    return el;
  }

  // Newest call on top.
  function renderCards() {
    const cards = [...model.cards.values()].sort((a, b) => b.ring_at - a.ring_at);
    const wanted = new Set(cards.map((c) => c.call_id));
    for (const el of [...ui.cards.children]) {
      if (!wanted.has(el.dataset.callId)) el.remove();
    }
    let previous = null;
    for (const card of cards) {
      const el = renderCard(card);
      const expected = previous ? previous.nextElementSibling : ui.cards.firstElementChild;
      if (el !== expected) {
        if (previous) previous.after(el);
        else ui.cards.prepend(el);
      }
      previous = el;
    }
    ui.noCards.hidden = cards.length > 0;
  }

  // Once a second: talk time and the wrap-up countdown.
  function renderTimers() {
    for (const card of model.cards.values()) {
      if (card.status === "on_call" && card.answer_at != null) {
        const el = cardElement(card.call_id);
        if (el) setText(el, "card-talk-time", duration(talkSecs(card)));
      }
    }
    const agent = model.agent;
    if (agent && agent.state === "wrap_up") {
      ui.wrapUpTimer.textContent =
        agent.ends_at != null ? `${duration((agent.ends_at - Date.now()) / 1000)} left` : "until you finish it";
    }
  }

  // ---- the model ---------------------------------------------------------------------------

  function applySnapshot(snapshot) {
    model.agent = snapshot.agent;
    model.source = snapshot.source;
    model.cards = new Map(snapshot.cards.map((c) => [c.call_id, c]));
    renderSource();
    renderAgent();
    renderCards();
  }

  function applyOutput(output) {
    switch (output.kind) {
      case "card":
        model.cards.set(output.value.call_id, output.value);
        renderCards();
        break;
      case "card_removed":
        model.cards.delete(output.value);
        renderCards();
        break;
      case "agent":
        model.agent = output.value;
        renderAgent();
        break;
      case "source":
        model.source = output.value;
        renderSource();
        break;
      default:
        break; // commands for the PBX: nothing to show
    }
  }

  // Events that arrive while a snapshot is on its way are replayed after it: every output
  // replaces what it names, so the replay ends at the newest state.
  let pending = null;

  function onOutput(output) {
    if (pending) pending.push(output);
    else applyOutput(output);
  }

  async function resync() {
    if (pending) return;
    pending = [];
    try {
      applySnapshot(await invoke("snapshot"));
      renderAbout(await invoke("about"));
      await loadConnections();
      clearError();
    } catch (e) {
      showError(e);
    } finally {
      const replay = pending;
      pending = null;
      for (const output of replay) applyOutput(output);
    }
  }

  // ---- history -----------------------------------------------------------------------------

  const HISTORY_OUTCOMES = {
    answered: "Answered",
    missed: "Missed",
    answered_elsewhere: "Answered elsewhere",
    abandoned: "Caller hung up",
    failed: "Failed",
    busy: "Busy",
    transferred: "Transferred",
    interrupted: "Interrupted",
    in_progress: "In progress",
  };

  function writeBackText(w) {
    switch (w.state.state) {
      case "sent":
        return `${w.target}: sent`;
      case "failed":
        return `${w.target}: failed (${w.state.reason})`;
      default:
        return `${w.target}: pending`;
    }
  }

  async function renderHistory() {
    const calls = await call("recent_calls");
    ui.historyCalls.replaceChildren(
      ...calls.map((c) => {
        const li = document.createElement("li");
        li.dataset.callId = c.call_id;
        li.dataset.testid = "history-call";
        const who = c.customer ? c.customer.name : c.caller_name || "";
        const parts = [
          clock(c.ring_at),
          DIRECTIONS[c.direction] || c.direction,
          c.number_raw,
          who,
          HISTORY_OUTCOMES[c.outcome] || c.outcome,
        ].filter((p) => p);
        const head = document.createElement("div");
        head.textContent = parts.join(" · ");
        li.append(head);
        if (c.note) {
          const note = document.createElement("div");
          note.className = "history-note";
          note.dataset.testid = "history-note";
          note.textContent = c.note;
          li.append(note);
        }
        if (c.write_back.length) {
          const wb = document.createElement("div");
          wb.className = "history-write-back";
          wb.dataset.testid = "history-write-back";
          wb.textContent = c.write_back.map(writeBackText).join("; ");
          li.append(wb);
        }
        return li;
      }),
    );
  }

  // ---- calling out -------------------------------------------------------------------------

  function fillConnections(select, connections) {
    const chosen = select.value;
    select.replaceChildren(
      ...connections.map((c) => {
        const option = document.createElement("option");
        option.value = c.name;
        option.textContent = c.name === c.label ? c.name : `${c.name} (${c.label})`;
        option.selected = chosen ? c.name === chosen : c.default;
        return option;
      }),
    );
    select.hidden = connections.length < 2;
  }

  async function loadConnections() {
    model.connections = await invoke("connections");
    fillConnections(ui.dialVia, model.connections);
  }

  // The agent's own choice, kept in this computer's webview storage.
  const CALL_LINKS_KEY = "ringside.callLinksWithoutAsking";
  const callsLinksWithoutAsking = () => window.localStorage.getItem(CALL_LINKS_KEY) === "yes";
  function setCallLinksWithoutAsking(yes) {
    if (yes) window.localStorage.setItem(CALL_LINKS_KEY, "yes");
    else window.localStorage.removeItem(CALL_LINKS_KEY);
    ui.askLinks.checked = !yes;
  }

  // A tel: link clicked in another program: ask first, naming whoever it belongs to — unless
  // the agent chose to call links straight away.
  function confirmLink(request) {
    if (callsLinksWithoutAsking()) {
      call("dial", { number: request.number, via: null }).catch(() => {});
      return;
    }
    ui.linkAlways.checked = false;
    ui.linkNumber.textContent = request.number;
    const names = request.customers.map(customerName);
    let who = names.length === 0 ? "Not in your customers" : names.join(", ");
    if (request.lookup_failed) who += ` (lookup failed: ${request.lookup_failed})`;
    ui.linkCustomer.textContent = who;
    fillConnections(ui.linkVia, request.connections);
    ui.linkConfirm.dataset.number = request.number;
    if (!ui.linkConfirm.open) ui.linkConfirm.showModal();
  }

  async function renderSettings() {
    const settings = await call("dial_settings");
    fillConnections(ui.dialVia, settings.connections);
    ui.settingsConnections.replaceChildren(
      ...settings.connections.map((c) => {
        const li = document.createElement("li");
        li.textContent = `${c.name}: ${c.label}${c.default ? " (default)" : ""}`;
        return li;
      }),
    );
    const found = [];
    if (settings.detected.microsip) found.push(`MicroSIP at ${settings.detected.microsip}`);
    if (settings.detected.zoiper) found.push(`Zoiper at ${settings.detected.zoiper}`);
    ui.settingsDetected.textContent = found.length ? `Installed: ${found.join("; ")}` : "No MicroSIP or Zoiper found.";
    ui.settingsHandlers.replaceChildren(
      ...settings.handlers.map((h) => {
        const li = document.createElement("li");
        li.dataset.scheme = h.scheme;
        li.dataset.ringside = h.ringside ? "true" : "false";
        const current = h.ringside ? "Ringside" : h.current || "no application";
        li.textContent = `${h.scheme}: links open in ${current}`;
        return li;
      }),
    );
    ui.becomeHandler.hidden = settings.handlers.every((h) => h.ringside);
  }

  function renderAbout(about) {
    const parts = [`Ringside ${about.version}`];
    if (about.demo_pbx) parts.push(`demo PBX on ${about.demo_pbx}`);
    if (about.config_path) parts.push(`config: ${about.config_path}`);
    ui.about.textContent = parts.join(" · ");
  }

  function fatal(message) {
    model.fatal = String(message);
    showError(model.fatal);
    ui.errorClose.hidden = true;
    renderAgent();
  }

  // ---- controls ---------------------------------------------------------------------------

  ui.accepting.addEventListener("change", () => {
    const want = ui.accepting.checked;
    const reason = want ? null : ui.reason.value || null;
    // The PBX confirms the change; until then the toggle shows what was asked for.
    call("set_accepting_calls", { accepting: want, reason }).catch(() => renderAgent());
  });

  ui.login.addEventListener("click", () => {
    call(ui.login.dataset.action === "log_out" ? "log_out" : "log_in").catch(() => {});
  });

  ui.wrapUpSave.addEventListener("click", () => call("finish_wrap_up", { result: "saved" }).catch(() => {}));
  ui.wrapUpCancel.addEventListener("click", () => call("finish_wrap_up", { result: "cancelled" }).catch(() => {}));
  ui.errorClose.addEventListener("click", clearError);

  ui.dialForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const number = ui.dialNumber.value.trim();
    if (!number) return;
    call("dial", { number, via: ui.dialVia.value || null })
      .then(() => {
        ui.dialNumber.value = "";
      })
      .catch(() => {});
  });

  ui.linkConfirm.addEventListener("close", () => {
    if (ui.linkConfirm.returnValue === "call") {
      if (ui.linkAlways.checked) setCallLinksWithoutAsking(true);
      call("dial", { number: ui.linkConfirm.dataset.number, via: ui.linkVia.value || null }).catch(() => {});
    }
  });

  ui.askLinks.checked = !callsLinksWithoutAsking();
  ui.askLinks.addEventListener("change", () => setCallLinksWithoutAsking(!ui.askLinks.checked));

  ui.history.addEventListener("toggle", () => {
    if (ui.history.open) renderHistory().catch(() => {});
  });

  ui.settings.addEventListener("toggle", () => {
    if (ui.settings.open) renderSettings().catch(() => {});
  });
  ui.becomeHandler.addEventListener("click", () => {
    call("become_link_handler")
      .then(() => renderSettings())
      .catch(() => {});
  });

  // ---- start ------------------------------------------------------------------------------

  async function start() {
    await listen("session", (e) => onOutput(e.payload));
    await listen("snapshot", (e) => applySnapshot(e.payload));
    await listen("ready", () => resync());
    await listen("fatal", (e) => fatal(e.payload));
    await listen("notice", (e) => showError(e.payload));
    await listen("dial-request", (e) => confirmLink(e.payload));
    setInterval(renderTimers, 1000);
    // Listening first, then asking: a "ready" or "fatal" sent in between is not missed.
    const about = await invoke("about");
    renderAbout(about);
    if (about.phase === "failed") fatal(about.error);
    else if (about.phase === "running") await resync();
    // else: still starting; the "ready" event triggers the first snapshot.
  }

  start().catch((e) => showError(e));
})();
