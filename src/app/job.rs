//! Work that must not run in a frame (reading files back for a copy, laying out or filtering
//! millions of results, building a copy's text), on a thread of its own: started, polled each
//! frame, and the window woken when it has something to show.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender, TryRecvError};

/// One piece of background work and its answer. Dropping it asks the work to stop (it sees
/// its `cancel` flag) and drops the answer.
pub(crate) struct Job<T> {
    answer: Receiver<Message<T>>,
    cancel: Arc<AtomicBool>,
}

enum Message<T> {
    /// A partial answer, shown until the whole one comes (a filter's first screenful).
    Update(T),
    Done(T),
}

/// What [`Job::poll`] saw.
pub(crate) enum Polled<T> {
    /// Still working.
    Running,
    /// Still working, and this is what it has so far.
    Update(T),
    /// Done, with its answer.
    Done(T),
    /// The thread ended without an answer (it panicked).
    Lost,
}

/// What a job hands partial answers to.
pub(crate) struct Updates<T> {
    tx: Sender<Message<T>>,
    wake: egui::Context,
}

impl<T> Updates<T> {
    /// Hands a partial answer to the window and wakes it.
    pub(crate) fn send(&self, value: T) {
        // Nobody waits any more when the job was dropped.
        let _ = self.tx.send(Message::Update(value));
        self.wake.request_repaint();
    }
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a thread named `name`; the window repaints when it is done. `None` when
    /// no thread could be started.
    pub(crate) fn spawn(
        name: &str,
        ctx: &egui::Context,
        work: impl FnOnce(&AtomicBool) -> T + Send + 'static,
    ) -> Option<Self> {
        Self::spawn_with_updates(name, ctx, move |cancel, _| work(cancel))
    }

    /// [`spawn`](Self::spawn) for work that can hand partial answers on before its last one.
    pub(crate) fn spawn_with_updates(
        name: &str,
        ctx: &egui::Context,
        work: impl FnOnce(&AtomicBool, &Updates<T>) -> T + Send + 'static,
    ) -> Option<Self> {
        let (tx, answer) = crossbeam_channel::unbounded();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let updates = Updates {
            tx,
            wake: ctx.clone(),
        };
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                // A frame preempts the job at once on a machine with few cores (the job keeps
                // its share otherwise): typing stays smooth while a filter runs.
                crate::search::make_current_thread_background();
                let result = work(&flag, &updates);
                let _ = updates.tx.send(Message::Done(result));
                updates.wake.request_repaint();
            })
            .ok()?;
        Some(Job { answer, cancel })
    }

    /// The answer, once there is one; a partial answer before it, if the work sent one.
    pub(crate) fn poll(&self) -> Polled<T> {
        let mut last = None;
        loop {
            match self.answer.try_recv() {
                Ok(Message::Done(value)) => return Polled::Done(value),
                Ok(Message::Update(value)) => last = Some(value),
                Err(TryRecvError::Empty) => {
                    return last.map_or(Polled::Running, Polled::Update);
                }
                Err(TryRecvError::Disconnected) => {
                    return last.map_or(Polled::Lost, Polled::Update);
                }
            }
        }
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}
