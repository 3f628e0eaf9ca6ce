//! Throughput of codec + tracker on the g_burst_200 transcript (18,000 real events, 6.9 MB):
//! events/s and MB/s on one core, and the peak heap the pipeline needs.
//!
//! Run: `cargo bench -p ringside-ami --bench burst`. Prints figures; asserts nothing about time.

// Counting allocations needs a global allocator, which is unsafe by its nature.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use ringside_ami::codec::{Decoder, Frame};
use ringside_ami::tracker::{AgentIdentity, CallTracker};
use ringside_core::Timestamp;

/// Counts live heap bytes so the bench can report the peak.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    let dir = std::env::var_os("RINGSIDE_AMI_TRANSCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ami"));
    let path = dir.join("g_burst_200.ami");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    let rounds = 20;
    let chunk = 16 * 1024; // what one socket read typically brings
    let mut best = f64::MAX;
    let mut events = 0usize;
    let mut call_events = 0usize;
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    for _ in 0..rounds {
        let started = Instant::now();
        let mut decoder = Decoder::default();
        let mut tracker = CallTracker::new(AgentIdentity::new("100", vec!["Local/100@agents".into()]));
        let mut out = Vec::new();
        events = 0;
        call_events = 0;
        for piece in bytes.chunks(chunk) {
            decoder.extend(piece);
            loop {
                match decoder.next_frame() {
                    Ok(Some(Frame::Message(m))) => {
                        events += 1;
                        tracker.handle(&m, Timestamp(0), &mut out);
                        call_events += out.len();
                        out.clear();
                    }
                    Ok(Some(Frame::Banner(_))) => {}
                    Ok(None) => break,
                    Err(e) => {
                        eprintln!("codec error: {e}");
                        std::process::exit(1);
                    }
                }
            }
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    println!("g_burst_200: {} bytes, {events} AMI messages, {call_events} CallEvents for agent 100", bytes.len());
    println!("codec + tracker, best of {rounds}: {:.1} ms", best * 1e3);
    println!("  {:.0} events/s", events as f64 / best);
    println!("  {:.1} MB/s", bytes.len() as f64 / best / 1e6);
    println!("  peak heap above baseline: {:.1} KiB", peak as f64 / 1024.0);
}
