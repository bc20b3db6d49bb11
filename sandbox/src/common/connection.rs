//! The one thing a handler may ask of the connection it came on: to close it without answering
//! (the `drop` and `drop-after` faults). Runtime-free, so both front-ends use it: the native
//! server closes the socket, the in-process `fetch` rejects with a `TypeError`.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;

use futures_util::task::AtomicWaker;

#[derive(Debug, Default)]
struct Signal {
    killed: AtomicBool,
    waker: AtomicWaker,
}

/// Request extension: lets a handler close its connection without answering.
#[derive(Clone, Debug, Default)]
pub struct ConnectionKiller(Arc<Signal>);

impl ConnectionKiller {
    /// Closes the connection as soon as possible; no response bytes are written.
    pub fn kill(&self) {
        self.0.killed.store(true, Ordering::SeqCst);
        self.0.waker.wake();
    }

    /// Whether [`kill`](Self::kill) was called.
    pub fn is_killed(&self) -> bool {
        self.0.killed.load(Ordering::SeqCst)
    }

    /// Completes once [`kill`](Self::kill) is called.
    pub fn killed(&self) -> impl Future<Output = ()> + Send + '_ {
        std::future::poll_fn(move |cx| {
            self.0.waker.register(cx.waker());
            if self.is_killed() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}
