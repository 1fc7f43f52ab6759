//! README promises.
