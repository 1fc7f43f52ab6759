//! Search threads that give way to a caller with frames to draw.
//!
//! A window on a machine with few cores shares them with the search threads. When its UI
//! thread wakes for a frame it should get a core at once, not after a search thread's time
//! slice, or a click on Cancel waits for the search it cancels.
//!
//! On Linux the search threads are marked `SCHED_BATCH`: a thread woken for a frame preempts
//! them at once, while they keep the weight of any other thread. (A lower weight, nice +10, was
//! tried and reverted: in a real window Mesa's software renderer, which draws on the CPU at the
//! normal weight, then took the cores from the search. The figures are in
//! benches/ui-results.md.)

/// Marks the calling thread as background work (the engine's search threads, and a caller's
/// own background jobs); threads it starts afterwards inherit it.
#[cfg(target_os = "linux")]
pub fn make_current_thread_background() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `param` is a valid, initialised `sched_param` that outlives the call; pid 0 is
    // the calling thread. Moving from SCHED_OTHER to SCHED_BATCH needs no privilege; should it
    // fail all the same, the thread keeps its policy, which is only less responsive, not wrong.
    unsafe {
        libc::sched_setscheduler(0, libc::SCHED_BATCH, &param);
    }
}

/// Elsewhere the search threads keep the caller's scheduling. (macOS would take a QoS class and
/// Windows a background mode; neither can be built and checked on this project's machine.)
#[cfg(not(target_os = "linux"))]
pub fn make_current_thread_background() {}
