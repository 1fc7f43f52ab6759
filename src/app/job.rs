//! Work that must not run in a frame (reading files back for a copy), on a thread of its own:
//! started, polled each frame, and the window woken when it is done.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, TryRecvError};

/// One piece of background work and its answer. Dropping it asks the work to stop (it sees
/// its `cancel` flag) and drops the answer.
pub(crate) struct Job<T> {
    answer: Receiver<T>,
    cancel: Arc<AtomicBool>,
}

/// What [`Job::poll`] saw.
pub(crate) enum Polled<T> {
    /// Still working.
    Running,
    /// Done, with its answer.
    Done(T),
    /// The thread ended without an answer (it panicked).
    Lost,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a thread named `name`; the window repaints when it is done. `None` when
    /// no thread could be started.
    pub(crate) fn spawn(
        name: &str,
        ctx: &egui::Context,
        work: impl FnOnce(&AtomicBool) -> T + Send + 'static,
    ) -> Option<Self> {
        let (tx, answer) = crossbeam_channel::bounded(1);
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let wake = ctx.clone();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let result = work(&flag);
                // Nobody waits any more when the job was dropped.
                let _ = tx.send(result);
                wake.request_repaint();
            })
            .ok()?;
        Some(Job { answer, cancel })
    }

    /// The answer, once there is one.
    pub(crate) fn poll(&self) -> Polled<T> {
        match self.answer.try_recv() {
            Ok(value) => Polled::Done(value),
            Err(TryRecvError::Empty) => Polled::Running,
            Err(TryRecvError::Disconnected) => Polled::Lost,
        }
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}
