//! The g_burst_200 transcript spread over many agents, shared by the benches of a whole PBX
//! (`ringside-ami`'s `burst --only fanout`, `ringside-relay`'s `load`).

use ringside_ami::codec::{Decoder, Frame, Message};

/// The transcript with each call (by `Linkedid`) moved to its own agent among `agents`
/// (extensions 1000, 1001, …), decoded.
pub fn spread_over_agents(bytes: &[u8], agents: usize) -> Vec<Message> {
    let out = spread_text(bytes, agents);
    let mut d = Decoder::default();
    d.extend(out.as_bytes());
    let mut msgs = Vec::new();
    loop {
        match d.next_frame() {
            Ok(Some(Frame::Message(m))) => msgs.push(m),
            Ok(Some(Frame::Banner(_))) => {}
            Ok(None) => break,
            Err(e) => {
                eprintln!("codec error: {e}");
                std::process::exit(1);
            }
        }
    }
    msgs
}

/// The transcript's text with each call (by `Linkedid`) moved to its own agent among `agents`
/// (extensions 1000, 1001, …): `100@agents` and a field that is exactly `100` are renamed.
pub fn spread_text(bytes: &[u8], agents: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut calls: Vec<String> = Vec::new();
    for message in text.split_inclusive("\r\n\r\n") {
        let linkedid = ["\nLinkedid: ", "\nDestLinkedid: "]
            .iter()
            .find_map(|key| message.find(key).map(|i| &message[i + key.len()..]))
            .and_then(|rest| rest.split("\r\n").next());
        let Some(linkedid) = linkedid else {
            out.push_str(message);
            continue;
        };
        let i = calls.iter().position(|c| c == linkedid).unwrap_or_else(|| {
            calls.push(linkedid.to_owned());
            calls.len() - 1
        });
        let ext = 1000 + i % agents;
        out.push_str(
            &message.replace("100@agents", &format!("{ext}@agents")).replace(": 100\r\n", &format!(": {ext}\r\n")),
        );
    }
    out
}
