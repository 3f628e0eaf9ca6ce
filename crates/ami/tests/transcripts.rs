//! Replays the real Asterisk transcripts in ../shared/ami through the codec (in chunks of
//! every size) and the tracker, and checks the calls each agent would see.

use std::path::PathBuf;

use ringside_ami::codec::{Decoder, Frame};
use ringside_ami::tracker::{AgentIdentity, CallTracker};
use ringside_core::{CallEvent, EndCause, Timestamp};

fn transcript(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("RINGSIDE_AMI_TRANSCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ami"));
    let path = dir.join(format!("{name}.ami"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read transcript {}: {e}", path.display()))
}

/// A small deterministic generator: chunk sizes from 1 byte to 4 kB.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

/// What a user would see: a compact line per event.
fn describe(e: &CallEvent) -> String {
    match e {
        CallEvent::IncomingRinging { from, queue, .. } => {
            format!("ringing from {}{}", from.number, queue.as_ref().map(|q| format!(" via {q}")).unwrap_or_default())
        }
        CallEvent::OutgoingDialing { to, .. } => format!("dialing {}", to.number),
        CallEvent::Answered { .. } => "answered".into(),
        CallEvent::PartyChanged { remote, .. } => format!("now with {}", remote.number),
        CallEvent::Ended { cause: EndCause::AnsweredElsewhere { by }, .. } => {
            format!("ended answered elsewhere by {}", by.as_deref().unwrap_or("(not named)"))
        }
        CallEvent::Ended { cause, .. } => format!("ended {cause:?}"),
        CallEvent::AgentPaused { paused, reason, .. } => {
            format!("paused={paused} {}", reason.clone().unwrap_or_default())
        }
        CallEvent::TeamMember { .. } => "team".into(),
        other => format!("{other:?}"),
    }
}

fn replay(name: &str, ext: &str, seed: u64) -> Vec<CallEvent> {
    replay_bytes(name, &transcript(name), ext, seed)
}

fn replay_bytes(name: &str, bytes: &[u8], ext: &str, seed: u64) -> Vec<CallEvent> {
    let mut rng = Lcg(seed);
    let mut decoder = Decoder::default();
    let me = AgentIdentity::new(ext, vec![format!("Local/{ext}@agents")]);
    let mut tracker = CallTracker::new(me);
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let n = (rng.next() % 4096 + 1).min(bytes.len() - pos);
        decoder.extend(&bytes[pos..pos + n]);
        pos += n;
        while let Some(frame) = decoder.next_frame().expect("transcripts are valid AMI") {
            if let Frame::Message(m) = frame {
                tracker.handle(&m, Timestamp(0), &mut out);
            }
        }
    }
    assert_eq!(decoder.pending(), 0, "{name}: bytes left over");
    out
}

fn seen(name: &str, ext: &str) -> Vec<String> {
    let first = replay(name, ext, 1);
    // Chunking never changes the outcome.
    for seed in 2..12 {
        assert_eq!(replay(name, ext, seed), first, "{name}: chunking changed the events (seed {seed})");
    }
    first.iter().map(describe).filter(|l| l != "team").collect()
}

/// Only the call flow; queue membership reports are checked on their own.
fn calls_seen(name: &str, ext: &str) -> Vec<String> {
    seen(name, ext).into_iter().filter(|l| !l.starts_with("paused=")).collect()
}

#[test]
fn direct_call_answered() {
    assert_eq!(
        calls_seen("a_inbound_direct_answered", "100"),
        ["ringing from +380441234567", "answered", "ended Completed"]
    );
    assert!(calls_seen("a_inbound_direct_answered", "101").is_empty(), "agent 101 is not involved");
}

#[test]
fn direct_call_unanswered_is_missed() {
    let events = calls_seen("b_inbound_direct_unanswered", "100");
    assert_eq!(events, ["ringing from +380441234567", "ended NoAnswer"]);
}

#[test]
fn queue_call_rings_both_agents_once_and_101_sees_answered_elsewhere() {
    assert_eq!(
        calls_seen("c_inbound_queue", "100"),
        ["ringing from +380441234567 via support", "answered", "ended Completed"]
    );
    // Asterisk says 100 answered (DialEnd ANSWER of 100's leg) before 101's leg is cancelled,
    // and names the member (AgentConnect, MemberName "Agent 100") just after 101's leg is gone.
    assert_eq!(
        calls_seen("c_inbound_queue", "101"),
        [
            "ringing from +380441234567 via support",
            "ended answered elsewhere by 100",
            "ended answered elsewhere by Agent 100"
        ]
    );
}

/// `name`'s messages with those `moved` picks taken out and put back after the first message
/// `after` picks (in their order).
fn reordered(name: &str, moved: impl Fn(&str) -> bool, after: impl Fn(&str) -> bool) -> Vec<u8> {
    let text = String::from_utf8(transcript(name)).expect("transcripts are text");
    let messages: Vec<&str> = text.split_inclusive("\r\n\r\n").collect();
    let taken: Vec<&str> = messages.iter().copied().filter(|m| moved(m)).collect();
    assert!(!taken.is_empty(), "nothing to move");
    let mut out = String::new();
    let mut placed = false;
    for m in messages.iter().copied().filter(|m| !moved(m)) {
        out.push_str(m);
        if !placed && after(m) {
            taken.iter().for_each(|t| out.push_str(t));
            placed = true;
        }
    }
    assert!(placed, "no place to move them to");
    out.into_bytes()
}

fn calls_seen_in(bytes: &[u8], ext: &str) -> Vec<String> {
    let first = replay_bytes("reordered", bytes, ext, 1);
    for seed in 2..6 {
        assert_eq!(replay_bytes("reordered", bytes, ext, seed), first, "chunking changed the events (seed {seed})");
    }
    first.iter().map(describe).filter(|l| l != "team" && !l.starts_with("paused=")).collect()
}

#[test]
fn who_answered_is_named_whether_the_pbx_says_so_before_or_after_the_cancel() {
    let colleague_answered = |m: &str| {
        (m.starts_with("Event: DialEnd") && m.contains("DestChannel: Local/100@agents") && m.contains("ANSWER"))
            || m.starts_with("Event: AgentConnect")
    };
    let last_hangup_of_101 =
        |m: &str| m.starts_with("Event: Hangup\r\n") && m.contains("Channel: Local/101@agents-00000006;2");
    // Both after 101's leg is gone: the end first, then who, as the PBX tells it.
    let late = reordered("c_inbound_queue", colleague_answered, last_hangup_of_101);
    assert_eq!(
        calls_seen_in(&late, "101"),
        [
            "ringing from +380441234567 via support",
            "ended answered elsewhere by (not named)",
            "ended answered elsewhere by 100",
            "ended answered elsewhere by Agent 100"
        ]
    );
    // Both while 101 still rings, before its leg is cancelled: the end names the member at once.
    let early = reordered("c_inbound_queue", colleague_answered, |m| {
        m.starts_with("Event: DialBegin") && m.contains("DestChannel: Local/101@agents")
    });
    assert_eq!(
        calls_seen_in(&early, "101"),
        ["ringing from +380441234567 via support", "ended answered elsewhere by Agent 100"]
    );
    // Agent 100's own card is unchanged by any of it.
    assert_eq!(calls_seen_in(&late, "100"), ["ringing from +380441234567 via support", "answered", "ended Completed"]);
}

#[test]
fn a_phone_the_same_channel_never_rang_here_does_not_name_anyone() {
    // The customer's call was placed by an Originate whose own DialEnd ANSWER (no Channel,
    // DestChannel Local/600@inbound-…;1) follows: it is not a colleague.
    let seen = calls_seen("c_inbound_queue", "101");
    assert!(seen.iter().all(|l| !l.contains("600")), "{seen:?}");
}

#[test]
fn queue_pause_state_follows_queue_member_pause() {
    assert_eq!(seen("d_queue_pause", "100"), ["paused=false ", "paused=true Lunch break", "paused=false "]);
    assert_eq!(seen("d_queue_pause", "101"), ["paused=false ", "paused=true Meeting", "paused=false "]);
}

#[test]
fn click_to_call_is_one_outgoing_call() {
    assert_eq!(calls_seen("e_originate_click2call", "100"), ["dialing 0441234567", "answered", "ended Completed"]);
}

#[test]
fn agent_dialing_from_the_phone_is_tracked() {
    assert_eq!(calls_seen("n_agent_dials_out", "100"), ["dialing 380677654321", "answered", "ended Completed"]);
}

#[test]
fn blind_transfer_moves_the_card() {
    assert_eq!(calls_seen("h_blind_transfer", "100"), ["ringing from +380441234567", "answered", "ended Transferred"]);
    assert_eq!(calls_seen("h_blind_transfer", "101"), ["ringing from +380441234567", "answered", "ended Completed"]);
}

#[test]
fn burst_of_200_calls_loses_nothing() {
    let events = replay("g_burst_200", "100", 7);
    let rings = events.iter().filter(|e| matches!(e, CallEvent::IncomingRinging { .. })).count();
    let ends = events.iter().filter(|e| matches!(e, CallEvent::Ended { .. })).count();
    assert!(rings > 0, "agent 100 rang in the burst");
    assert_eq!(rings, ends, "every call that rang also ended");
    assert!(events.iter().all(|e| !matches!(e, CallEvent::Ended { cause: EndCause::Interrupted, .. })));
}

/// Feeds a transcript and returns its messages, for tests that drive the tracker by hand.
fn messages(name: &str) -> Vec<ringside_ami::Message> {
    messages_of(&transcript(name))
}

fn messages_of(bytes: &[u8]) -> Vec<ringside_ami::Message> {
    let mut decoder = Decoder::default();
    decoder.extend(bytes);
    let mut out = Vec::new();
    while let Some(frame) = decoder.next_frame().expect("valid AMI") {
        if let Frame::Message(m) = frame {
            out.push(m);
        }
    }
    out
}

#[test]
fn resync_mid_call_shows_the_answered_call_and_ends_stale_ones() {
    let msgs = messages("l_resync_midcall");
    let channels: Vec<_> = msgs.iter().filter(|m| m.event() == Some("CoreShowChannel")).cloned().collect();
    assert_eq!(channels.len(), 4);

    // A call we were showing before the connection dropped, which the PBX no longer has.
    let mut tracker = CallTracker::new(AgentIdentity::new("100", vec!["Local/100@agents".into()]));
    let mut out = Vec::new();
    for m in messages("b_inbound_direct_unanswered").iter().take_while(|m| m.event() != Some("DialEnd")) {
        tracker.handle(m, Timestamp(0), &mut out);
    }
    assert_eq!(tracker.live_calls().len(), 1, "a ringing call before the drop");
    out.clear();

    let before = tracker.live_calls();
    tracker.resync(&channels, &before, Timestamp(5), &mut out);
    let seen: Vec<String> = out.iter().map(describe).collect();
    assert_eq!(seen, ["ended Interrupted", "ringing from +380441234567", "answered"]);
    assert_eq!(out[1].call().map(|c| c.as_str()), Some("1795307682.46"));

    // Re-syncing again changes nothing: the call is known.
    out.clear();
    tracker.resync(&channels, &tracker.live_calls(), Timestamp(6), &mut out);
    assert!(out.is_empty(), "{out:?}");
    // Agent 101 has no call in that snapshot.
    let mut t101 = CallTracker::new(AgentIdentity::new("101", vec!["Local/101@agents".into()]));
    t101.resync(&channels, &[], Timestamp(5), &mut out);
    assert!(out.is_empty());
}

#[test]
fn resync_when_idle_reports_nothing() {
    let msgs = messages("l_resync_idle");
    let channels: Vec<_> = msgs.iter().filter(|m| m.event() == Some("CoreShowChannel")).cloned().collect();
    let mut tracker = CallTracker::new(AgentIdentity::new("100", vec!["Local/100@agents".into()]));
    let mut out = Vec::new();
    tracker.resync(&channels, &[], Timestamp(0), &mut out);
    assert!(out.is_empty());
    // The QueueStatus part of the same re-sync gives the pause state.
    for m in msgs.iter().filter(|m| m.event() == Some("QueueMember")) {
        tracker.handle(m, Timestamp(0), &mut out);
    }
    assert_eq!(out.iter().map(describe).collect::<Vec<_>>(), ["team", "paused=false ", "team"]);
}

#[test]
fn resync_answer_that_races_a_hangup_does_not_revive_the_call() {
    let channels: Vec<_> =
        messages("l_resync_midcall").into_iter().filter(|m| m.event() == Some("CoreShowChannel")).collect();
    let mut tracker = CallTracker::new(AgentIdentity::new("100", vec!["Local/100@agents".into()]));
    let mut out = Vec::new();
    tracker.resync(&channels, &[], Timestamp(0), &mut out);
    // The call ends while a second re-sync is under way…
    for half in ["1", "2"] {
        let hangup = ringside_ami::Message::from_pairs([
            ("Event", "Hangup"),
            ("Channel", format!("Local/100@agents-00000018;{half}").as_str()),
            ("Linkedid", "1795307682.46"),
            ("Cause", "16"),
        ]);
        tracker.handle(&hangup, Timestamp(1), &mut out);
    }
    assert!(matches!(out.last(), Some(CallEvent::Ended { cause: EndCause::Completed, .. })), "{out:?}");
    out.clear();
    // …whose answer, taken before the hangup, still lists the channels.
    tracker.resync(&channels, &tracker.live_calls(), Timestamp(2), &mut out);
    assert!(out.is_empty(), "an ended call came back: {out:?}");
}

#[test]
fn supervisor_view_follows_queue_status_and_pause_events() {
    use ringside_core::{MemberState, Team};
    let mut team = Team::new(vec!["support".into()]);
    let mut tracker = CallTracker::new(AgentIdentity::new("900", vec!["Local/900@agents".into()]));
    let mut states = Vec::new();
    for m in messages("d_queue_pause") {
        let mut out = Vec::new();
        tracker.handle(&m, Timestamp(0), &mut out);
        for e in out {
            if let CallEvent::TeamMember { update, .. } = e {
                if let Some(Some(member)) = team.apply(update) {
                    if member.interface == "Local/100@agents" {
                        states.push(member.state());
                    }
                }
            }
        }
    }
    assert_eq!(
        states,
        [
            MemberState::Available,
            MemberState::Paused { reason: Some("Lunch break".into()), since: Some(Timestamp(1_795_304_655_000)) },
            MemberState::Available,
        ]
    );
    // Agent 102 was added (paused, "Not ready yet") and removed again.
    assert!(team.member("Local/102@agents").is_none());
    assert_eq!(team.members().count(), 2);
}

#[test]
fn resync_answer_that_predates_a_new_call_does_not_end_it() {
    // Connected, re-sync requested with no call live; a call rings before the (empty) answer.
    let mut tracker = CallTracker::new(AgentIdentity::new("100", vec!["Local/100@agents".into()]));
    let live_before = tracker.live_calls();
    let mut out = Vec::new();
    for m in messages("a_inbound_direct_answered").iter().take_while(|m| m.event() != Some("DialEnd")) {
        tracker.handle(m, Timestamp(0), &mut out);
    }
    assert_eq!(tracker.live_calls().len(), 1);
    out.clear();
    tracker.resync(&[], &live_before, Timestamp(1), &mut out);
    assert!(out.is_empty(), "a newer call was ended by an older answer: {out:?}");
    assert_eq!(tracker.live_calls().len(), 1);
}

#[test]
fn attended_transfer_hands_the_customer_to_the_target() {
    // Agent 100 consults 101, then completes the transfer.
    assert_eq!(
        calls_seen("i_attended_transfer", "100"),
        ["ringing from +380441234567", "answered", "ended Transferred"]
    );
    assert_eq!(
        calls_seen("i_attended_transfer", "101"),
        ["ringing from 120", "answered", "now with +380441234567", "ended Completed"]
    );
    // "Blond": 100 hangs up while 101 still rings; 101 answers the customer directly.
    assert_eq!(
        calls_seen("i2_attended_transfer_blond_hangup_while_ringing", "100"),
        ["ringing from +380441234567", "answered", "ended Transferred"]
    );
    assert_eq!(
        calls_seen("i2_attended_transfer_blond_hangup_while_ringing", "101"),
        ["ringing from 120", "now with +380441234567", "answered", "ended Completed"]
    );
}

/// `name` as Asterisk sends it with `channelvars = MIXMONITOR_FILENAME` once MixMonitor runs:
/// every BridgeEnter and Hangup carries `ChanVariable: MIXMONITOR_FILENAME=<file>` after its
/// channel block.
fn with_recording_variable(name: &str, file: &str) -> Vec<u8> {
    let text = String::from_utf8(transcript(name)).expect("transcripts are text");
    let mut out = String::new();
    for message in text.split_inclusive("\r\n\r\n") {
        if message.starts_with("Event: BridgeEnter") || message.starts_with("Event: Hangup") {
            let var = format!("ChanVariable: MIXMONITOR_FILENAME={file}\r\n");
            let at = message.find("\r\nLinkedid: ").and_then(|i| message[i + 2..].find("\r\n").map(|j| i + 2 + j + 2));
            let at = at.expect("channel events carry a Linkedid");
            out.push_str(&message[..at]);
            out.push_str(&var);
            out.push_str(&message[at..]);
        } else {
            out.push_str(message);
        }
    }
    out.into_bytes()
}

#[test]
fn a_recorded_call_names_its_recording_once_as_an_address() {
    let bytes = with_recording_variable("a_inbound_direct_answered", "/var/spool/asterisk/monitor/in 100 #1.wav");
    let link = ringside_ami::RecordingLink {
        variable: "mixmonitor_filename".into(),
        url_template: Some("https://pbx.example.com/rec/{file}".into()),
    };
    let run = |link: Option<ringside_ami::RecordingLink>, ext: &str| {
        let me = AgentIdentity::new(ext, vec![format!("Local/{ext}@agents")]);
        let mut tracker = CallTracker::new(me);
        if let Some(link) = link {
            tracker = tracker.with_recording(link);
        }
        let mut out = Vec::new();
        for m in messages_of(&bytes) {
            tracker.handle(&m, Timestamp(0), &mut out);
        }
        out.iter().map(describe).filter(|l| l != "team" && !l.starts_with("paused=")).collect::<Vec<_>>()
    };
    let seen = run(Some(link.clone()), "100");
    let recordings: Vec<&String> = seen.iter().filter(|l| l.starts_with("Recording")).collect();
    assert_eq!(recordings.len(), 1, "once per call, not once per event: {seen:?}");
    assert!(recordings[0].contains("url: \"https://pbx.example.com/rec/in%20100%20%231.wav\""), "{seen:?}");
    let pos = |what: &str| seen.iter().position(|l| l.starts_with(what)).unwrap_or(usize::MAX);
    assert!(pos("ringing") < pos("Recording") && pos("Recording") < pos("ended"), "{seen:?}");
    // Without the setting, or for an agent not on the call, nothing changes.
    assert_eq!(run(None, "100"), ["ringing from +380441234567", "answered", "ended Completed"]);
    assert!(run(Some(link), "101").is_empty());
}
