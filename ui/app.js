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
    linkServiceCode: $("link-service-code"),
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
    historySearch: $("history-search"),
    historyFilters: $("history-filters"),
    historyMissedOnly: $("history-missed-only"),
    historyDirection: $("history-direction"),
    historyOutcome: $("history-outcome"),
    historySince: $("history-since"),
    historyEmpty: $("history-empty"),
    historyMore: $("history-more"),
    callBacks: $("call-backs"),
    callBacksBadge: $("call-backs-badge"),
    callBacksList: $("call-backs-list"),
    callBacksEmpty: $("call-backs-empty"),
    callBackTemplate: document.getElementById("call-back-template"),
    notices: $("notices"),
    noticeTemplate: document.getElementById("notice-template"),
  };

  // What the session told us last. Cards by call id; the callers waiting for a call back:
  // their count (the badge) and the list, by number.
  const model = {
    agent: null,
    source: null,
    cards: new Map(),
    fatal: null,
    connections: [],
    missed: 0,
    callBacks: new Map(),
  };

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

  // Local midnight `daysAgo` days before today.
  function startOfDay(daysAgo) {
    const now = new Date();
    return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo).getTime();
  }

  // When something happened, as short as it can be said: "10:42" today, "Tue 10:42" this
  // week, "12 Mar 10:42" before (with the year when it is not this one).
  function when(ms) {
    const time = clock(ms);
    if (ms >= startOfDay(0)) return time;
    const date = new Date(ms);
    if (ms >= startOfDay(6)) return `${date.toLocaleDateString([], { weekday: "short" })} ${time}`;
    const parts = { day: "numeric", month: "short" };
    if (date.getFullYear() !== new Date().getFullYear()) parts.year = "numeric";
    return `${date.toLocaleDateString([], parts)} ${time}`;
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
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

  // Commands fail with `{code, args, message}`: the code says what happened (the window
  // reacts to it and, once translated, words it); `message` is the English fallback.
  function errorMessage(e) {
    if (e && typeof e === "object" && typeof e.message === "string") return e.message;
    return String(e);
  }

  function showError(error) {
    ui.errorText.textContent = errorMessage(error);
    ui.error.hidden = false;
    if (error && typeof error === "object" && error.code) ui.error.dataset.code = error.code;
    else delete ui.error.dataset.code;
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

  // As `call`, for what the window reads by itself (a list refreshing): a success does not
  // clear an error the agent has not read yet.
  async function ask(command, args) {
    try {
      return await invoke(command, args);
    } catch (e) {
      showError(e);
      throw e;
    }
  }

  // Calls a number back over the connection in the dial box (the default one unless the agent
  // chose another): the ended card's "Call back" and the call-back list's "Call".
  // The number came from the caller (a stranger): one with a service code (* or #) is asked
  // about first (the runtime refuses it with `dial.service_code` until the agent confirms).
  function callBack(number) {
    const via = ui.dialVia.value || null;
    return call("dial", { number, via, confirmed: false }).catch((e) => {
      if (e && e.code === "dial.service_code") {
        clearError();
        confirmLink({ number, customers: [], lookup_failed: null, connections: null, service_code: true, via });
        return;
      }
      throw e;
    });
  }

  // A call's recording, in the browser; the runtime knows the address, the window never sends one.
  function openRecording(callId) {
    return call("open_recording", { callId });
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
    else if (source.kind === "disconnected") ui.source.textContent = `PBX disconnected: ${errorMessage(source.reason)}`;
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
        if (card) callBack(card.number).catch(() => {});
      });
      field(el, "card-recording").addEventListener("click", () => {
        openRecording(el.dataset.callId).catch(() => {});
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
              noteStatus.textContent = errorMessage(e);
              // Kept in memory and saved later (a full disk): a warning, not lost work.
              noteStatus.dataset.state = e && e.code === "history.not_saved_kept" ? "kept" : "unsaved";
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
    field(el, "card-recording").hidden = card.status !== "ended" || !card.recording_url;
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
    // The count is sent when it changes: one sent before we listened (or lost while we lagged)
    // is read again.
    refreshCallBacks().catch(() => {});
  }

  function applyOutput(output) {
    switch (output.kind) {
      case "card":
        model.cards.set(output.value.call_id, output.value);
        renderCards();
        // An open history shows a call as soon as it is over.
        if (output.value.status === "ended" && ui.history.open) scheduleHistory(500);
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
      case "notice":
        showNotice(output.value);
        break;
      case "notice_withdrawn":
        for (const el of [...ui.notices.children].filter((n) => n.dataset.tag === output.value.tag)) {
          dismissNotice(el);
        }
        break;
      case "missed_calls":
        model.missed = output.value;
        renderBadge();
        refreshCallBacks().catch(() => {});
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
  // At most this many calls are shown; a search finds older ones.
  const HISTORY_LIMIT = 200;
  const DAY_MS = 24 * 3600 * 1000;

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

  // The start of the "since" filter's period, in ms; null for any time.
  function sinceMs(choice) {
    if (choice === "today") return startOfDay(0);
    const days = Number(choice);
    return choice && days > 0 ? Date.now() - days * DAY_MS : null;
  }

  function historyQuery() {
    const text = ui.historySearch.value.trim();
    return {
      text: text || null,
      missed_only: ui.historyMissedOnly.checked,
      direction: ui.historyDirection.value || null,
      outcome: ui.historyOutcome.value || null,
      since: sinceMs(ui.historySince.value),
      until: null,
      limit: HISTORY_LIMIT,
    };
  }

  function filtered(query) {
    return !!(query.text || query.missed_only || query.direction || query.outcome || query.since != null);
  }

  // An element with a class, a test id and text (never markup).
  function textElement(tag, className, testid, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (testid) el.dataset.testid = testid;
    el.textContent = text == null ? "" : String(text);
    return el;
  }

  function historyRow(c) {
    const li = document.createElement("li");
    li.className = "history-call";
    li.dataset.callId = c.call_id;
    li.dataset.testid = "history-call";
    li.dataset.outcome = c.outcome;
    li.dataset.direction = c.direction;

    const number = c.number_raw || "Number withheld";
    const who = c.customer
      ? customerName(c.customer)
      : c.caller_name && c.caller_name !== c.number_raw
        ? c.caller_name
        : "";
    let outcome = HISTORY_OUTCOMES[c.outcome] || c.outcome;
    if (c.failure) outcome += `: ${c.failure}`;
    const facts = [
      ["history-time", when(c.ring_at)],
      ["history-direction", DIRECTIONS[c.direction] || c.direction],
      ["history-number", number],
      ["history-who", who],
      ["history-outcome", outcome],
      ["history-talk-time", c.answer_at != null ? `talked ${duration(c.talk_secs)}` : ""],
      ["history-queue", c.queue ? `queue ${c.queue}` : ""],
      ["history-connection", c.connection ? `via ${c.connection}` : ""],
    ].filter(([, text]) => text);
    const head = document.createElement("div");
    head.className = "history-head";
    facts.forEach(([testid, text], i) => {
      if (i > 0) head.append(" · ");
      head.append(textElement("span", testid, testid, text));
    });
    head.title = new Date(c.ring_at).toLocaleString();
    li.append(head);

    if (c.note) li.append(textElement("div", "history-note", "history-note", c.note));
    if (c.unsaved) {
      li.append(textElement("div", "history-unsaved", "history-unsaved", "Not written to disk yet: Ringside keeps retrying"));
    }
    if (c.write_back.length) {
      li.append(
        textElement("div", "history-write-back", "history-write-back", `CRM: ${c.write_back.map(writeBackText).join("; ")}`),
      );
    }
    if (c.recording_url) {
      const actions = document.createElement("div");
      actions.className = "history-actions";
      const recording = textElement("button", "", "recording-button", "Recording");
      recording.type = "button";
      recording.addEventListener("click", () => openRecording(c.call_id).catch(() => {}));
      actions.append(recording);
      li.append(actions);
    }
    return li;
  }

  // Answers can arrive out of order (the agent types on): only the newest search is shown.
  const historySearch = { seq: 0, timer: null };

  // The list is busy (aria-busy) from the agent's change until the answer to it is shown.
  async function renderHistory() {
    clearTimeout(historySearch.timer);
    const seq = ++historySearch.seq;
    ui.historyCalls.setAttribute("aria-busy", "true");
    const query = historyQuery();
    let calls;
    try {
      calls = await ask("search_history", { query });
    } catch (e) {
      if (seq === historySearch.seq) ui.historyCalls.setAttribute("aria-busy", "false");
      throw e;
    }
    if (seq !== historySearch.seq) return;
    ui.historyCalls.replaceChildren(...calls.map(historyRow));
    ui.historyEmpty.hidden = calls.length > 0;
    ui.historyEmpty.textContent = filtered(query) ? "No calls match." : "No calls yet.";
    ui.historyMore.hidden = calls.length < HISTORY_LIMIT;
    ui.historyMore.textContent = `The newest ${HISTORY_LIMIT} calls are shown: search to find older ones.`;
    ui.historyCalls.setAttribute("aria-busy", "false");
  }

  function scheduleHistory(ms) {
    clearTimeout(historySearch.timer);
    historySearch.seq += 1; // an answer on its way is already out of date
    ui.historyCalls.setAttribute("aria-busy", "true");
    historySearch.timer = setTimeout(() => renderHistory().catch(() => {}), ms);
  }

  // ---- call-back list ------------------------------------------------------------------------

  function renderBadge() {
    const n = model.missed;
    ui.callBacksBadge.hidden = !(n > 0);
    ui.callBacksBadge.textContent = n > 0 ? String(n) : "";
    ui.callBacksBadge.title = n > 0 ? `${plural(n, "caller", "callers")} waiting for a call back` : "";
  }

  // Who is waiting: the customer, else the name the caller's line gave, else the number.
  function callBackName(cb) {
    if (cb.customer) return customerName(cb.customer);
    if (cb.caller_name && cb.caller_name.trim()) return cb.caller_name;
    return cb.number_raw || cb.number_normalized;
  }

  function callBackItem(number) {
    const item = ui.callBackTemplate.content.firstElementChild.cloneNode(true);
    item.dataset.number = number;
    field(item, "call-back-call").addEventListener("click", () => {
      const cb = model.callBacks.get(item.dataset.number);
      if (cb) callBack(cb.number_raw || cb.number_normalized).catch(() => {});
    });
    const done = field(item, "call-back-done");
    done.addEventListener("click", () => {
      done.disabled = true;
      call("mark_called_back", { number: item.dataset.number })
        .then(() => refreshCallBacks())
        .catch(() => {})
        .finally(() => {
          done.disabled = false;
        });
    });
    return item;
  }

  function renderCallBacks(list) {
    const existing = new Map([...ui.callBacksList.children].map((el) => [el.dataset.number, el]));
    model.callBacks = new Map(list.map((cb) => [cb.number_normalized, cb]));
    // The same element for the same number, so a button under the agent's pointer stays put.
    const items = list.map((cb) => {
      const item = existing.get(cb.number_normalized) || callBackItem(cb.number_normalized);
      const name = callBackName(cb);
      setText(item, "call-back-name", name);
      setText(item, "call-back-number", cb.number_raw);
      field(item, "call-back-number").hidden = !cb.number_raw || cb.number_raw === name;
      setText(item, "call-back-missed", plural(cb.missed, "missed call", "missed calls"));
      setText(item, "call-back-last", when(cb.last_at)).title = new Date(cb.last_at).toLocaleString();
      setText(item, "call-back-queue", cb.queue ? ` · queue ${cb.queue}` : "");
      return item;
    });
    ui.callBacksList.replaceChildren(...items);
    ui.callBacksEmpty.hidden = list.length > 0;
  }

  const callBacksRead = { seq: 0 };

  async function refreshCallBacks() {
    const seq = ++callBacksRead.seq;
    const list = await ask("call_backs");
    if (seq !== callBacksRead.seq) return;
    renderCallBacks(list);
    model.missed = list.length;
    renderBadge();
  }

  // The tray's missed-calls item: open the list.
  function showCallBacks() {
    ui.callBacks.open = true;
    ui.callBacks.scrollIntoView({ block: "nearest" });
    refreshCallBacks().catch(() => {});
  }

  // ---- notices -------------------------------------------------------------------------------

  // A notice that is not urgent goes away by itself after this long.
  const NOTICE_MS = 30000;
  const MAX_NOTICES = 4;
  const noticeTimers = new WeakMap();

  function dismissNotice(el) {
    clearTimeout(noticeTimers.get(el));
    el.remove();
  }

  // The session's typed notices in words (the shell words them the same way for the desktop
  // notification: src-tauri/words.rs).
  function noticeWords(notice) {
    switch (notice.kind) {
      case "auto_paused":
        return {
          tag: "auto-pause",
          urgent: true,
          summary: "Ringside stopped accepting calls for you",
          body:
            `${notice.missed} queue calls in a row rang out unanswered, so you are paused in every queue ` +
            `(reason: "${notice.reason}"). Switch "accepting calls" back on when you are at your desk.`,
        };
      case "missed_call": {
        const who = [notice.name, notice.number].find((w) => w && w.trim()) || "a withheld number";
        return {
          tag: "missed-calls",
          urgent: false,
          summary: `Missed call from ${who}`,
          body:
            notice.waiting > 1
              ? `${notice.waiting} callers are on your call-back list.`
              : "The caller is on your call-back list.",
        };
      }
      case "wrap_up_resumed":
        return {
          tag: "wrap-up",
          urgent: false,
          summary: "Your wrap-up goes on",
          body:
            "Ringside restarted during your wrap-up. It ends by itself in " +
            `${Math.max(0, Math.round((notice.ends_at - Date.now()) / 1000))} s; finish it sooner here.`,
        };
      case "incoming_call": {
        const name = notice.name && notice.name.trim() ? notice.name : null;
        const number = notice.number && notice.number.trim() ? notice.number : null;
        return {
          tag: "incoming-call",
          urgent: false,
          summary: `Incoming call from ${name || number || "a withheld number"}`,
          body: name && number ? number : "",
        };
      }
      case "wrap_up_pause_cleared":
        return {
          tag: "wrap-up",
          urgent: false,
          summary: "You accept calls again",
          body:
            "Your queues were still paused for a wrap-up that is over (Ringside had quit or lost the PBX), " +
            "so Ringside switched accepting calls back on.",
        };
      default:
        return { tag: notice.kind, urgent: false, summary: notice.kind, body: "" };
    }
  }

  // A newer notice with the same tag takes the older one's place.
  function showNotice(typed) {
    const notice = noticeWords(typed);
    const el = ui.noticeTemplate.content.firstElementChild.cloneNode(true);
    el.dataset.tag = notice.tag;
    el.dataset.urgent = notice.urgent ? "true" : "false";
    el.setAttribute("role", notice.urgent ? "alert" : "status");
    setText(el, "notice-summary", notice.summary);
    setText(el, "notice-body", notice.body);
    field(el, "notice-close").addEventListener("click", () => dismissNotice(el));
    const older = [...ui.notices.children].find((o) => o.dataset.tag === notice.tag);
    if (older) {
      clearTimeout(noticeTimers.get(older));
      older.replaceWith(el);
    } else {
      ui.notices.prepend(el);
    }
    while (ui.notices.children.length > MAX_NOTICES) dismissNotice(ui.notices.lastElementChild);
    if (!notice.urgent) noticeTimers.set(el, setTimeout(() => dismissNotice(el), NOTICE_MS));
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
    if (callsLinksWithoutAsking() && !request.service_code) {
      call("dial", { number: request.number, via: null, confirmed: true }).catch(() => {});
      return;
    }
    ui.linkServiceCode.hidden = !request.service_code;
    // "Call links without asking" never covers service codes: not offered for them.
    ui.linkAlways.closest("label").hidden = Boolean(request.service_code);
    ui.linkAlways.checked = false;
    ui.linkNumber.textContent = request.number;
    const names = request.customers.map(customerName);
    let who = names.length === 0 ? "Not in your customers" : names.join(", ");
    if (request.lookup_failed) who += ` (lookup failed: ${request.lookup_failed})`;
    ui.linkCustomer.textContent = who;
    if (request.connections) fillConnections(ui.linkVia, request.connections);
    else {
      ui.linkVia.replaceChildren(...[...ui.dialVia.options].map((o) => o.cloneNode(true)));
      ui.linkVia.value = request.via || ui.dialVia.value;
    }
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
    call("dial", { number, via: ui.dialVia.value || null, confirmed: true })
      .then(() => {
        ui.dialNumber.value = "";
      })
      .catch(() => {});
  });

  ui.linkConfirm.addEventListener("close", () => {
    if (ui.linkConfirm.returnValue === "call") {
      if (ui.linkAlways.checked && ui.linkServiceCode.hidden) setCallLinksWithoutAsking(true);
      const number = ui.linkConfirm.dataset.number;
      call("dial", { number, via: ui.linkVia.value || null, confirmed: true }).catch(() => {});
    }
  });

  ui.askLinks.checked = !callsLinksWithoutAsking();
  ui.askLinks.addEventListener("change", () => setCallLinksWithoutAsking(!ui.askLinks.checked));

  // The call-back list and the history share the space under the cards: one open at a time.
  ui.history.addEventListener("toggle", () => {
    if (!ui.history.open) return;
    ui.callBacks.open = false;
    renderHistory().catch(() => {});
  });
  ui.callBacks.addEventListener("toggle", () => {
    if (!ui.callBacks.open) return;
    ui.history.open = false;
    refreshCallBacks().catch(() => {});
  });

  // Words of one or two characters cannot use the search index (seconds on a long history,
  // while notes wait): they are searched when the agent presses Enter, not while typing.
  function searchOnEnterOnly(text) {
    if (/^[\d\s+()\-./]+$/.test(text)) return text.replace(/\D/g, "").length < 3;
    return text.split(/\s+/).some((w) => w && [...w].length < 3);
  }

  // Searching as the agent types: a quarter of a second after the last key; a filter at once.
  ui.historySearch.addEventListener("input", () => {
    if (!searchOnEnterOnly(ui.historySearch.value.trim())) scheduleHistory(250);
  });
  for (const filter of [ui.historyMissedOnly, ui.historyDirection, ui.historyOutcome, ui.historySince]) {
    filter.addEventListener("change", () => renderHistory().catch(() => {}));
  }
  ui.historyFilters.addEventListener("submit", (e) => {
    e.preventDefault();
    renderHistory().catch(() => {});
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
    await listen("ringside://show-call-backs", () => showCallBacks());
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
