//! Freeing large or many-piece values off the UI thread.
//!
//! Dropping a finished search's model (hundreds of megabytes) or the engine's per-line strings
//! once they are copied into the model (hundreds of thousands of small allocations) takes tens
//! of milliseconds: a frame would stall, or spend its ingestion budget in `free`. One
//! long-lived thread drops whatever it is sent.

use std::any::Any;
use std::sync::OnceLock;

use crossbeam_channel::Sender;

/// The disposal thread's inbox; `None` when the thread could not start.
static INBOX: OnceLock<Option<Sender<Box<dyn Any + Send>>>> = OnceLock::new();

/// Drops `value` on the disposal thread, or here when there is none (slower, not wrong).
pub fn dispose<T: Send + 'static>(value: T) {
    let inbox = INBOX.get_or_init(|| {
        let (sender, receiver) = crossbeam_channel::unbounded::<Box<dyn Any + Send>>();
        std::thread::Builder::new()
            .name("trawl-free".to_string())
            .spawn(move || receiver.into_iter().for_each(drop))
            .ok()
            .map(|_| sender)
    });
    if let Some(sender) = inbox {
        // Should the thread be gone, the value comes back in the error and is dropped here.
        let _ = sender.send(Box::new(value));
    }
}
