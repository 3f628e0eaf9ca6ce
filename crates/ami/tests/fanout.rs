//! Differential test of `Fanout` (issue #14): for every transcript in ../shared/ami, and for
//! agent sets covering the extensions seen there and some never seen, the fan-out gives every
//! agent exactly, in order, the events an independent `CallTracker` fed every message gives —
//! also through a re-sync in the middle, as the relay does it, and with recording links.

use std::path::PathBuf;

use ringside_ami::codec::{Decoder, Frame};
use ringside_ami::tracker::{AgentIdentity, CallTracker};
use ringside_ami::{Fanout, Message, RecordingLink};
use ringside_core::{CallEvent, Timestamp};

fn dir() -> PathBuf {
    std::env::var_os("RINGSIDE_AMI_TRANSCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ami"))
}

/// Every `*.ami` transcript, by name, sorted.
fn transcripts() -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir())
        .expect("the transcripts directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ami"))
        .map(|p| {
            let name = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let bytes = std::fs::read(&p).expect("readable transcript");
            (name, bytes)
        })
        .collect();
    all.sort();
    assert!(all.len() >= 10, "transcripts missing: {}", all.len());
    all
}

fn messages_of(bytes: &[u8]) -> Vec<Message> {
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

fn identities(with_pjsip: bool) -> Vec<AgentIdentity> {
    ["100", "101", "102", "120", "900", "999", "1000", "10"]
        .iter()
        .map(|ext| {
            let mut interfaces = vec![format!("Local/{ext}@agents")];
            if with_pjsip {
                interfaces.push(format!("PJSIP/{ext}"));
            }
            AgentIdentity::new(*ext, interfaces)
        })
        .chain([
            // Interfaces written in another case, and an agent known only by a SIP device.
            AgentIdentity::new("100", vec!["local/100@AGENTS".into()]),
            AgentIdentity::new("101", vec!["PJSIP/101".into()]),
            AgentIdentity::new("555", vec![]),
        ])
        .collect()
}

/// What happens to the message stream: plain, or a re-sync (as the relay does it) before
/// message `at`.
#[derive(Clone, Copy)]
enum Run<'a> {
    Plain,
    ResyncAt { at: usize, channels: &'a [Message], members: &'a [Message] },
}

fn naive(ids: &[AgentIdentity], link: Option<&RecordingLink>, msgs: &[Message], run: Run) -> Vec<Vec<CallEvent>> {
    let mut trackers: Vec<CallTracker> = ids
        .iter()
        .map(|id| {
            let t = CallTracker::new(id.clone());
            match link {
                Some(l) => t.with_recording(l.clone()),
                None => t,
            }
        })
        .collect();
    let mut seen = vec![Vec::new(); ids.len()];
    for (n, m) in msgs.iter().enumerate() {
        if let Run::ResyncAt { at, channels, members } = run {
            if at == n {
                let now = Timestamp(n as u64);
                for (i, t) in trackers.iter_mut().enumerate() {
                    let live = t.live_calls();
                    t.resync(channels, &live, now, &mut seen[i]);
                    for member in members {
                        t.handle(member, now, &mut seen[i]);
                    }
                    seen[i].push(CallEvent::Resynced { at: now });
                }
            }
        }
        for (i, t) in trackers.iter_mut().enumerate() {
            t.handle(m, Timestamp(n as u64), &mut seen[i]);
        }
    }
    // The team state is not per agent: the fan-out leaves it to its caller (checked below).
    for events in &mut seen {
        events.retain(|e| !matches!(e, CallEvent::TeamMember { .. }));
    }
    seen
}

fn fanned(ids: &[AgentIdentity], link: Option<&RecordingLink>, msgs: &[Message], run: Run) -> Vec<Vec<CallEvent>> {
    let mut fanout = Fanout::new(ids.iter().cloned());
    if let Some(l) = link {
        fanout = fanout.with_recording(l.clone());
    }
    let mut out = Vec::new();
    for (n, m) in msgs.iter().enumerate() {
        if let Run::ResyncAt { at, channels, members } = run {
            if at == n {
                fanout.resync(channels, members, Timestamp(n as u64), &mut out);
            }
        }
        fanout.handle(m, Timestamp(n as u64), &mut out);
    }
    let mut seen = vec![Vec::new(); ids.len()];
    for (agent, e) in out {
        seen[agent].push(e);
    }
    seen
}

fn assert_same(what: &str, ids: &[AgentIdentity], link: Option<&RecordingLink>, msgs: &[Message], run: Run) {
    let want = naive(ids, link, msgs, run);
    let got = fanned(ids, link, msgs, run);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(got[i], want[i], "{what}: agent #{i} {id:?} differs");
    }
}

fn link() -> RecordingLink {
    RecordingLink {
        variable: "mixmonitor_filename".into(),
        url_template: Some("https://pbx.example.com/rec/{file}".into()),
    }
}

/// `bytes` with `ChanVariable: MIXMONITOR_FILENAME=<file>` on every BridgeEnter and Hangup.
fn with_recording_variable(bytes: &[u8], file: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for message in text.split_inclusive("\r\n\r\n") {
        let at = (message.starts_with("Event: BridgeEnter") || message.starts_with("Event: Hangup"))
            .then(|| message.find("\r\nLinkedid: ").and_then(|i| message[i + 2..].find("\r\n").map(|j| i + 2 + j + 2)))
            .flatten();
        match at {
            Some(at) => {
                out.push_str(&message[..at]);
                out.push_str(&format!("ChanVariable: MIXMONITOR_FILENAME={file}\r\n"));
                out.push_str(&message[at..]);
            }
            None => out.push_str(message),
        }
    }
    out.into_bytes()
}

#[test]
fn every_transcript_every_agent_same_events() {
    let mut nonempty = 0;
    for (name, bytes) in transcripts() {
        let msgs = messages_of(&bytes);
        for pjsip in [false, true] {
            let ids = identities(pjsip);
            assert_same(&name, &ids, None, &msgs, Run::Plain);
            nonempty += naive(&ids, None, &msgs, Run::Plain).iter().filter(|s| !s.is_empty()).count();
            assert_same(&format!("{name} (recording link)"), &ids, Some(&link()), &msgs, Run::Plain);
        }
        let recorded = messages_of(&with_recording_variable(&bytes, "/var/spool/asterisk/monitor/x.wav"));
        assert_same(&format!("{name} (recorded)"), &identities(true), Some(&link()), &recorded, Run::Plain);
    }
    assert!(nonempty > 20, "the transcripts gave the agents too little to compare: {nonempty}");
}

#[test]
fn resync_in_the_middle_of_every_transcript_same_events() {
    let all = transcripts();
    let snapshot = |name: &str| {
        let msgs = messages_of(&all.iter().find(|(n, _)| n == name).expect("resync transcript").1);
        let channels: Vec<Message> = msgs.iter().filter(|m| m.event() == Some("CoreShowChannel")).cloned().collect();
        let members: Vec<Message> = msgs.iter().filter(|m| m.event() == Some("QueueMember")).cloned().collect();
        (channels, members)
    };
    let snapshots = [snapshot("l_resync_midcall"), snapshot("l_resync_idle")];
    assert_eq!(snapshots[0].0.len(), 4);
    let ids = identities(true);
    for (name, bytes) in &all {
        if name.starts_with("g_") {
            continue; // the burst is covered below, without re-syncs
        }
        let msgs = messages_of(bytes);
        for (channels, members) in &snapshots {
            for k in 0..=8 {
                let at = msgs.len() * k / 8;
                let run = Run::ResyncAt { at, channels, members };
                assert_same(&format!("{name} re-synced before message {at}"), &ids, None, &msgs, run);
            }
        }
    }
}

/// The burst with each call moved to its own agent among 1,000 (`Local/N@agents` and
/// `PJSIP/N`), twice over with the second pass's calls renamed: many agents, many calls at
/// once, several calls on the same agent.
fn burst_for_many_agents() -> Vec<Message> {
    let all = transcripts();
    let bytes = &all.iter().find(|(n, _)| n == "g_burst_200").expect("g_burst_200").1;
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut calls: Vec<String> = Vec::new();
    for pass in 0..2usize {
        for (k, message) in text.split_inclusive("\r\n\r\n").enumerate() {
            if k == 0 && pass > 0 {
                continue; // the banner line opens the first message only
            }
            let linkedid = ["\nLinkedid: ", "\nDestLinkedid: "]
                .iter()
                .find_map(|key| message.find(key).map(|i| &message[i + key.len()..]))
                .and_then(|rest| rest.split("\r\n").next())
                .map(str::to_owned);
            let Some(linkedid) = linkedid else {
                out.push_str(message);
                continue;
            };
            let i = match calls.iter().position(|c| *c == linkedid) {
                Some(i) => i,
                None => {
                    calls.push(linkedid);
                    calls.len() - 1
                }
            };
            // 200 calls over 150 agents in each pass: some agents get two at once.
            let ext = 2000 + (i * 7 + pass * 500) % 1000 % 150 + pass * 500;
            let mut m =
                message.replace("100@agents", &format!("{ext}@agents")).replace(": 100\r\n", &format!(": {ext}\r\n"));
            if pass > 0 {
                m = m.replace("Linkedid: 1795", "Linkedid: 2795").replace("Uniqueid: 1795", "Uniqueid: 2795");
            }
            out.push_str(&m);
        }
    }
    messages_of(out.as_bytes())
}

fn many_agents() -> Vec<AgentIdentity> {
    (2000..3000)
        .map(|n| AgentIdentity::new(n.to_string(), vec![format!("Local/{n}@agents"), format!("PJSIP/{n}")]))
        .collect()
}

#[test]
fn a_thousand_agents_over_the_burst_same_events_and_bounded_index() {
    let msgs = burst_for_many_agents();
    let ids = many_agents();
    let want = naive(&ids, None, &msgs, Run::Plain);
    let busy = want.iter().filter(|s| s.iter().any(|e| matches!(e, CallEvent::IncomingRinging { .. }))).count();
    assert!(busy >= 200, "the renamed burst rings too few agents: {busy}");
    let mut fanout = Fanout::new(ids.iter().cloned());
    let mut out = Vec::new();
    for (n, m) in msgs.iter().enumerate() {
        fanout.handle(m, Timestamp(n as u64), &mut out);
    }
    let mut got = vec![Vec::new(); ids.len()];
    for (agent, e) in out {
        got[agent].push(e);
    }
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(got[i], want[i], "agent #{i} {id:?} differs");
    }
    // Every call ended: nothing is left in the indexes.
    assert_eq!(fanout.indexed(), (0, 0));
}

#[test]
fn queue_member_events_reach_only_the_member_and_the_team_state_is_left_to_the_caller() {
    let all = transcripts();
    let msgs = messages_of(&all.iter().find(|(n, _)| n == "d_queue_pause").expect("transcript").1);
    let ids = identities(true);
    let mut fanout = Fanout::new(ids.iter().cloned());
    let mut out = Vec::new();
    let mut team = 0;
    for (n, m) in msgs.iter().enumerate() {
        fanout.handle(m, Timestamp(n as u64), &mut out);
        team += usize::from(ringside_ami::team::member_update(m).is_some());
    }
    assert!(team >= 2, "the transcript has too few queue-member events: {team}");
    // Each agent's own pause, and no copy of the team state per agent.
    assert!(out.iter().all(|(_, e)| !matches!(e, CallEvent::TeamMember { .. })), "{out:?}");
    let paused: std::collections::BTreeSet<&str> = out
        .iter()
        .filter(|(_, e)| matches!(e, CallEvent::AgentPaused { .. }))
        .map(|(a, _)| ids[*a].extension.as_str())
        .collect();
    // 100 and 101 pause; 102 joins the queue and leaves it. Nobody else hears of it.
    assert_eq!(paused.into_iter().collect::<Vec<_>>(), ["100", "101", "102"]);
    // A desk's own tracker still tells its desk the team.
    let mut desk = CallTracker::new(ids[0].clone());
    let mut seen = Vec::new();
    for m in &msgs {
        desk.handle(m, Timestamp(0), &mut seen);
    }
    assert_eq!(seen.iter().filter(|e| matches!(e, CallEvent::TeamMember { .. })).count(), team);
}

#[test]
fn hangup_finds_the_agents_channels() {
    let all = transcripts();
    let msgs = messages_of(&all.iter().find(|(n, _)| n == "a_inbound_direct_answered").expect("transcript").1);
    let mut fanout = Fanout::new(identities(false));
    let mut out = Vec::new();
    for m in msgs.iter().take_while(|m| m.event() != Some("Hangup")) {
        fanout.handle(m, Timestamp(0), &mut out);
    }
    let (agent, call) = out
        .iter()
        .find_map(|(a, e)| matches!(e, CallEvent::Answered { .. }).then(|| (*a, e.call().cloned())))
        .expect("an answered call");
    let call = call.expect("a call id");
    assert_eq!(agent, 0);
    let channels = fanout.agent_channels(agent, &call);
    assert!(!channels.is_empty() && channels.iter().all(|c| c.starts_with("Local/100@agents-")), "{channels:?}");
    assert!(fanout.agent_channels(1, &call).is_empty());
    assert!(fanout.agent_channels(10_000, &call).is_empty());
}

/// Shapes no transcript shows, for the index rules the transcripts do not need: a queue call
/// whose agent leg is not named after the member interface (found by `Interface`), a leg whose
/// later events name another `Linkedid` (found by the channel), and events that name nothing.
#[test]
fn hand_made_shapes_same_events() {
    let m = |pairs: &[(&str, &str)]| Message::from_pairs(pairs.iter().copied());
    let msgs = vec![
        // Agent 100's queue member interface rings a device named otherwise.
        m(&[
            ("Event", "AgentCalled"),
            ("Queue", "support"),
            ("Interface", "Local/100@agents"),
            ("Channel", "PJSIP/trunk-00000001"),
            ("CallerIDNum", "+380441234567"),
            ("Linkedid", "1.1"),
            ("DestChannel", "PJSIP/desk7-00000002"),
            ("DestLinkedid", "1.1"),
        ]),
        m(&[
            ("Event", "DialEnd"),
            ("Channel", "PJSIP/trunk-00000001"),
            ("DestChannel", "PJSIP/desk7-00000002"),
            ("DialStatus", "ANSWER"),
        ]),
        // The agent's phone dials out from a channel named after no device of theirs…
        m(&[
            ("Event", "DialBegin"),
            ("Channel", "Local/100@phone100-00000003;2"),
            ("CallerIDNum", "100"),
            ("Linkedid", "2.1"),
            ("DestChannel", "PJSIP/pstn-00000004"),
            ("DestLinkedid", "2.1"),
            ("DestExten", "0441234567"),
        ]),
        // …and its events then carry another Linkedid, or none.
        m(&[
            ("Event", "DialEnd"),
            ("Channel", "Local/100@phone100-00000003;2"),
            ("DestChannel", "PJSIP/pstn-00000004"),
            ("DialStatus", "ANSWER"),
        ]),
        m(&[("Event", "Hangup"), ("Channel", "Local/100@phone100-00000003;2"), ("Linkedid", "9.9"), ("Cause", "16")]),
        m(&[("Event", "Hangup"), ("Channel", "PJSIP/desk7-00000002"), ("Cause", "16")]),
        // Nothing to route by.
        m(&[("Event", "Hangup"), ("Cause", "16")]),
        m(&[("Event", "DeviceStateChange"), ("Device", "Local/100@agents"), ("State", "INUSE")]),
        m(&[("Response", "Success"), ("Message", "not an event")]),
    ];
    let ids = identities(true);
    let want = naive(&ids, None, &msgs, Run::Plain);
    assert!(want[0].len() >= 5, "agent 100 should ring, answer, dial out, answer, end: {:?}", want[0]);
    assert_same("hand-made", &ids, None, &msgs, Run::Plain);
    assert_same("hand-made (recording link)", &ids, Some(&link()), &msgs, Run::Plain);
}
