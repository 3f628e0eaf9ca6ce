// One store per window, fed by the runtime: a snapshot, then every `session` event. Both
// windows (desk and card) hold the same picture because both follow the same runtime; nothing
// the agent types lives only in one window (the note is the runtime's: see notes.svelte.ts).
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { About } from "../bindings/About";
import type { AgentState } from "../bindings/AgentState";
import type { CallCard } from "../bindings/CallCard";
import type { DeskSetup } from "../bindings/DeskSetup";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { Notice } from "../bindings/Notice";
import type { PopupView } from "../bindings/PopupView";
import type { SessionOutput } from "../bindings/SessionOutput";
import type { Snapshot } from "../bindings/Snapshot";
import type { SourceStatus } from "../bindings/SourceStatus";
import type { TeamMember } from "../bindings/TeamMember";
import { api, errorMessage } from "./api";
import { probeFrom } from "./probe";
import { t } from "./words";

export class Session {
  agent = $state<AgentState | null>(null);
  source = $state<SourceStatus | null>(null);
  cards = $state<Record<string, CallCard>>({});
  /** Callers waiting for a call back (the tray's count). */
  missed = $state(0);
  popup = $state<PopupView>({ calls: [], more: 0, compact: false });
  about = $state<About | null>(null);
  /** The pause reasons and whether this desk supervises (the config's). */
  setup = $state<DeskSetup>({ supervisor: false, queues: [], pause_reasons: [] });
  /** The supervised queues' members, by interface. */
  team = $state<Record<string, TeamMember>>({});
  /** Ringside cannot run: why, in words. Stays on screen. */
  fatal = $state<string | null>(null);
  /** The last failure the agent has not dismissed. */
  error = $state<ErrorReport | string | null>(null);
  /** A clock for timers, ticking once a second. */
  now = $state(Date.now());

  /** Newest call first. */
  sorted = $derived(Object.values(this.cards).sort((a, b) => b.ring_at - a.ring_at));

  /** What the window does with outputs beyond the store (a notice, a finished call). */
  onOutput: (output: SessionOutput) => void = () => {};
  onNotice: (notice: Notice) => void = () => {};
  /** A notice that no longer holds (an incoming call was answered): by its tag. */
  onWithdrawn: (tag: string) => void = () => {};

  #pending: SessionOutput[] | null = null;
  #unlisten: UnlistenFn[] = [];

  /** Listens first, then asks: a "ready" or "fatal" sent in between is not missed. */
  async start(): Promise<void> {
    this.#unlisten.push(
      await listen<SessionOutput>("session", (e) => this.#output(e.payload)),
      await listen<Snapshot>("snapshot", (e) => this.#apply(e.payload)),
      await listen("ready", () => void this.resync()),
      await listen<string>("fatal", (e) => this.#fail(e.payload)),
      await listen<ErrorReport>("notice", (e) => this.showError(e.payload)),
    );
    setInterval(() => (this.now = Date.now()), 1000);
    const about = await api.about();
    this.about = about;
    probeFrom(about);
    if (about.phase === "failed") this.#fail(about.error ?? t("app-not-running"));
    else if (about.phase === "running") await this.resync();
    // else: still starting; "ready" brings the first snapshot.
  }

  /** Events arriving while a snapshot is on its way are replayed after it: every output
   * replaces what it names, so the replay ends at the newest state. */
  async resync(): Promise<void> {
    if (this.#pending) return;
    this.#pending = [];
    try {
      this.#apply(await api.snapshot());
      this.about = await api.about();
      this.clearError();
    } catch (e) {
      this.showError(e);
    } finally {
      const replay = this.#pending ?? [];
      this.#pending = null;
      for (const output of replay) this.#applyOutput(output);
    }
  }

  #apply(snapshot: Snapshot) {
    this.agent = snapshot.agent;
    this.source = snapshot.source;
    this.cards = Object.fromEntries(snapshot.cards.map((c) => [c.call_id, c]));
    this.popup = snapshot.popup;
    this.setup = snapshot.setup;
    this.team = Object.fromEntries(snapshot.team.map((m) => [m.interface, m]));
    this.onOutput({ kind: "missed_calls", value: this.missed });
  }

  #output(output: SessionOutput) {
    if (this.#pending) this.#pending.push(output);
    else this.#applyOutput(output);
  }

  #applyOutput(output: SessionOutput) {
    switch (output.kind) {
      case "card":
        this.cards[output.value.call_id] = output.value;
        break;
      case "card_removed":
        delete this.cards[output.value];
        break;
      case "agent":
        this.agent = output.value;
        break;
      case "source":
        this.source = output.value;
        break;
      case "missed_calls":
        this.missed = output.value;
        break;
      case "notice":
        this.onNotice(output.value);
        break;
      case "notice_withdrawn":
        this.onWithdrawn(output.value.tag);
        break;
      case "popup":
        this.popup = output.value;
        break;
      case "team_member":
        this.team[output.value.interface] = output.value;
        break;
      case "team_member_left":
        delete this.team[output.value];
        break;
      default:
        break; // commands for the PBX: not shown here
    }
    this.onOutput(output);
  }

  #fail(message: string) {
    this.fatal = message;
    this.error = message;
  }

  showError(e: unknown) {
    this.error = typeof e === "object" && e !== null ? (e as ErrorReport) : errorMessage(e);
  }

  clearError() {
    if (this.fatal) return; // a fatal error stays
    this.error = null;
  }

  /** Runs a command the agent asked for: its failure is shown, its success clears an old one. */
  async run<T>(command: Promise<T>): Promise<T> {
    try {
      const result = await command;
      this.clearError();
      return result;
    } catch (e) {
      this.showError(e);
      throw e;
    }
  }

  /** As `run`, for what the window reads by itself: a success does not clear an unread error. */
  async read<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (e) {
      this.showError(e);
      throw e;
    }
  }

  /** The card of the agent's current call, if any. */
  get currentCall(): string | null {
    const agent = this.agent;
    if (!agent) return null;
    if (agent.state === "ringing" || agent.state === "on_call") return agent.call;
    if (agent.state === "wrap_up") return agent.call;
    return null;
  }
}

/** Whether queue calls reach the agent now, or will once the current call is done. */
export function accepting(agent: AgentState | null): boolean {
  if (!agent) return false;
  if (agent.state === "available") return true;
  if ("resume" in agent) return agent.resume.kind === "available";
  return false;
}

/** Talk time in seconds, live while the call goes on. */
export function talkSecs(card: CallCard, now: number): number {
  if (card.status === "on_call" && card.answer_at != null) return (now - card.answer_at) / 1000;
  return card.talk_secs;
}
