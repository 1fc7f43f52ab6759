//! SIGTERM, SIGINT and SIGHUP close the window the way its close button does, so that the state
//! is saved on the way out (a session logging out, `kill`, Ctrl+C in the terminal it was
//! started from), instead of ending the process where it stands.
//!
//! The signals are blocked in every thread (the mask is set before any other thread starts, and
//! threads inherit it) and one thread waits for them with `sigwait`: a signal handler could not
//! safely wake the window. Child processes (the editor) start with an empty mask: the standard
//! library clears it when it spawns them. A second signal ends the process at once.

#[cfg(unix)]
mod unix {
    use std::sync::atomic::{AtomicBool, Ordering};

    const SIGNALS: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP];

    /// Whether the signals were blocked (then someone must wait for them).
    static BLOCKED: AtomicBool = AtomicBool::new(false);

    fn signal_set() -> libc::sigset_t {
        // SAFETY: sigemptyset initialises the set it is given; sigaddset adds valid signals.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in SIGNALS {
                libc::sigaddset(&mut set, signal);
            }
            set
        }
    }

    /// Blocks the signals in the calling thread and the threads it starts from now on. Call
    /// it before the window starts any thread.
    pub(crate) fn hold() {
        let set = signal_set();
        // SAFETY: the set is initialised; the old mask is not asked for.
        let blocked = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
        BLOCKED.store(blocked == 0, Ordering::Relaxed);
    }

    /// Starts the thread that closes the window (through `ctx`) when a signal arrives.
    pub(crate) fn close_window_on_signal(ctx: egui::Context) {
        if !BLOCKED.load(Ordering::Relaxed) {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("trawl-signals".into())
            .spawn(move || {
                let set = signal_set();
                let mut asked = false;
                loop {
                    let mut signal: libc::c_int = 0;
                    // SAFETY: the set is initialised and `signal` is writable.
                    if unsafe { libc::sigwait(&set, &mut signal) } != 0 {
                        return;
                    }
                    if asked {
                        // Closing did not end it: a second signal ends it now.
                        std::process::exit(128 + signal);
                    }
                    asked = true;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    ctx.request_repaint();
                }
            });
        if spawned.is_err() {
            // Nobody would take the signals: let them end the process as before.
            let set = signal_set();
            // SAFETY: as in `hold`.
            unsafe {
                libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(unix)]
pub(crate) use unix::{close_window_on_signal, hold};

/// Elsewhere the system's own handling stays.
#[cfg(not(unix))]
pub(crate) fn hold() {}

/// Elsewhere the system's own handling stays.
#[cfg(not(unix))]
pub(crate) fn close_window_on_signal(_ctx: egui::Context) {}
