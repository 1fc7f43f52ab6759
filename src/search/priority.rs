//! Running the search below the caller's priority, for a caller with frames to draw.
//!
//! A window on a machine with few cores shares them with the search threads; when its UI
//! thread wakes for a frame it should get a core at once, not after a search thread's time
//! slice. Lowering the search threads' priority does that without slowing the search on an
//! otherwise idle machine: priority only decides who runs when threads compete.

/// How far below the caller the search threads run on Linux. At nice +10 a thread weighs about
/// a tenth of one at the caller's level, so the UI thread preempts it as soon as it wakes.
#[cfg(target_os = "linux")]
const NICE_INCREMENT: libc::c_int = 10;

/// Lowers the calling thread's priority; threads it starts afterwards inherit it.
///
/// On Linux a thread's nice value is its own (not the process's), hence the thread id.
#[cfg(target_os = "linux")]
pub(crate) fn lower_current_thread() {
    // SAFETY: two system calls about the calling thread, with no pointers. They cannot fail
    // for the thread itself (raising nice needs no privilege); if one did, the thread would
    // keep its priority, which is only slower for the window, not wrong.
    unsafe {
        let thread = libc::id_t::try_from(libc::gettid()).unwrap_or(0);
        let current = libc::getpriority(libc::PRIO_PROCESS, thread);
        libc::setpriority(
            libc::PRIO_PROCESS,
            thread,
            current.saturating_add(NICE_INCREMENT).min(19),
        );
    }
}

/// Elsewhere the search runs at the caller's priority. (macOS would take a QoS class and
/// Windows `SetThreadPriority`; neither can be built and checked on this project's machine.)
#[cfg(not(target_os = "linux"))]
pub(crate) fn lower_current_thread() {}
