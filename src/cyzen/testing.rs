//! Virtual time for native tests: a [`Runtime`] whose clock only moves when every task is waiting,
//! a tiny single-threaded executor, and a scripted server. Pacing windows, backoff sequences and
//! refresh races are then checked exactly, without wall clocks.
//!
//! `sleep` registers a timer; `send` logs the request, asks the script for an answer and a latency,
//! and completes after that latency. The executor polls woken tasks; when none is woken it jumps
//! the clock to the earliest timer.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::{Payload, Request, Response};
use crate::runtime::{Runtime, Wait};

/// What the script answers: a response or a transport error, after `latency_ms`.
pub struct Reply {
    pub outcome: Result<Response<Value>>,
    pub latency_ms: f64,
}

impl Reply {
    pub fn ok(response: Response<Value>) -> Reply {
        Reply { outcome: Ok(response), latency_ms: 10.0 }
    }

    /// An answer whose body the "engine" parses: JSON when it is JSON, else text.
    pub fn json(status: u16, body: &str) -> Reply {
        let payload = match serde_json::from_str(body) {
            Ok(doc) => Payload::Json(doc),
            Err(_) if body.is_empty() => Payload::Empty,
            Err(_) => Payload::Text(Value::String(body.to_string())),
        };
        Reply::ok(Response::new(status, payload))
    }

    /// The same answer with a `Retry-After` header.
    pub fn retry_after(mut self, value: &str) -> Reply {
        if let Ok(response) = &mut self.outcome {
            response.retry_after = Some(value.to_string());
        }
        self
    }

    pub fn err(error: Error) -> Reply {
        Reply { outcome: Err(error), latency_ms: 10.0 }
    }

    pub fn after(mut self, latency_ms: f64) -> Reply {
        self.latency_ms = latency_ms;
        self
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Logged {
    pub at: f64,
    pub request: Request,
}

type Script = Box<dyn FnMut(&Request, f64) -> Reply>;

struct Inner {
    now: Cell<f64>,
    timers: RefCell<Vec<(f64, Waker)>>,
    script: RefCell<Script>,
    log: RefCell<Vec<Logged>>,
    in_flight: Cell<usize>,
    max_in_flight: Cell<usize>,
    store: RefCell<BTreeMap<String, String>>,
    waits: RefCell<Vec<(u64, Wait)>>,
    /// `Some` when the runtime stands for a host with a coordinator: the locks held.
    locks: RefCell<Option<BTreeSet<String>>>,
}

/// The simulated runtime (cheap to clone; clones share the clock, the script and the log).
#[derive(Clone)]
pub struct Sim(Rc<Inner>);

impl Sim {
    /// A runtime starting at `start_ms` (Unix ms), answering with `script`.
    pub fn new(start_ms: f64, script: impl FnMut(&Request, f64) -> Reply + 'static) -> Sim {
        Sim(Rc::new(Inner {
            now: Cell::new(start_ms),
            timers: RefCell::new(Vec::new()),
            script: RefCell::new(Box::new(script)),
            log: RefCell::new(Vec::new()),
            in_flight: Cell::new(0),
            max_in_flight: Cell::new(0),
            store: RefCell::new(BTreeMap::new()),
            waits: RefCell::new(Vec::new()),
            locks: RefCell::new(None),
        }))
    }

    /// From now on `lock` is exclusive across every caller of this runtime (a host with a
    /// coordinator shared by isolates); by default it is granted at once, as without one.
    pub fn coordinate(&self) {
        *self.0.locks.borrow_mut() = Some(BTreeSet::new());
    }

    /// The value stored under `key` (the token store shared by every caller).
    pub fn stored(&self, key: &str) -> Option<String> {
        self.0.store.borrow().get(key).cloned()
    }

    /// Stores a value directly (another instance writing the shared store).
    pub fn store(&self, key: &str, value: Option<&str>) {
        let mut store = self.0.store.borrow_mut();
        match value {
            Some(v) => store.insert(key.to_string(), v.to_string()),
            None => store.remove(key),
        };
    }

    /// Number of keys stored.
    pub fn stored_keys(&self) -> usize {
        self.0.store.borrow().len()
    }

    /// Every request sent so far.
    pub fn log(&self) -> Vec<Logged> {
        self.0.log.borrow().clone()
    }

    /// Requests whose URL ends with `suffix`.
    pub fn sent_to(&self, suffix: &str) -> Vec<Logged> {
        self.log().into_iter().filter(|l| l.request.url.ends_with(suffix)).collect()
    }

    /// Every wait so far: its length and its reason.
    pub fn waits(&self) -> Vec<(u64, Wait)> {
        self.0.waits.borrow().clone()
    }

    /// The most requests that were ever in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.0.max_in_flight.get()
    }

    /// Current virtual time.
    pub fn now(&self) -> f64 {
        self.0.now.get()
    }

    fn timer(&self, deadline: f64) -> SleepUntil {
        SleepUntil { sim: self.clone(), deadline }
    }
}

struct SleepUntil {
    sim: Sim,
    deadline: f64,
}

impl Future for SleepUntil {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.sim.0.now.get() >= self.deadline {
            return Poll::Ready(());
        }
        self.sim.0.timers.borrow_mut().push((self.deadline, cx.waker().clone()));
        Poll::Pending
    }
}

impl Runtime for Sim {
    type Value = Value;

    fn now_ms(&self) -> f64 {
        self.0.now.get()
    }

    async fn load(&self, key: &str) -> Result<Option<Value>> {
        Ok(self.stored(key).and_then(|text| serde_json::from_str(&text).ok()))
    }

    async fn save(&self, key: &str, value: Option<String>) -> Result<()> {
        self.store(key, value.as_deref());
        Ok(())
    }

    async fn sleep(&self, ms: u64, why: Wait) -> Result<()> {
        self.0.waits.borrow_mut().push((ms, why));
        self.timer(self.0.now.get() + ms as f64).await;
        Ok(())
    }

    async fn lock(&self, key: &str) -> Result<()> {
        loop {
            {
                let mut locks = self.0.locks.borrow_mut();
                let Some(held) = locks.as_mut() else { return Ok(()) };
                if held.insert(key.to_string()) {
                    return Ok(());
                }
            }
            self.timer(self.0.now.get() + 5.0).await;
        }
    }

    async fn unlock(&self, key: &str) {
        if let Some(held) = self.0.locks.borrow_mut().as_mut() {
            held.remove(key);
        }
    }

    async fn send(&self, request: Request) -> Result<Response<Value>> {
        let now = self.0.now.get();
        self.0.log.borrow_mut().push(Logged { at: now, request: request.clone() });
        let flight = self.0.in_flight.get() + 1;
        self.0.in_flight.set(flight);
        self.0.max_in_flight.set(self.0.max_in_flight.get().max(flight));
        let reply = (self.0.script.borrow_mut())(&request, now);
        self.timer(now + reply.latency_ms).await;
        self.0.in_flight.set(self.0.in_flight.get() - 1);
        reply.outcome
    }
}

/// A runtime that is one caller's own (one Workers request): it counts the timers it created, and
/// shares the clock and the server with the others.
pub struct Scoped {
    pub sim: Sim,
    pub sleeps: Cell<usize>,
}

impl Scoped {
    pub fn new(sim: &Sim) -> Scoped {
        Scoped { sim: sim.clone(), sleeps: Cell::new(0) }
    }
}

impl Runtime for Scoped {
    type Value = Value;

    fn now_ms(&self) -> f64 {
        self.sim.now_ms()
    }

    async fn load(&self, key: &str) -> Result<Option<Value>> {
        self.sim.load(key).await
    }

    async fn save(&self, key: &str, value: Option<String>) -> Result<()> {
        self.sim.save(key, value).await
    }

    async fn sleep(&self, ms: u64, why: Wait) -> Result<()> {
        self.sleeps.set(self.sleeps.get() + 1);
        self.sim.sleep(ms, why).await
    }

    async fn lock(&self, key: &str) -> Result<()> {
        self.sim.lock(key).await
    }

    async fn unlock(&self, key: &str) {
        self.sim.unlock(key).await
    }

    async fn send(&self, request: Request) -> Result<Response<Value>> {
        self.sim.send(request).await
    }
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A task for [`run`].
pub type Task<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Runs the tasks to completion in virtual time; results in task order. Panics on a deadlock
/// (every task waiting and no timer left).
pub fn run<'a, T>(sim: &Sim, tasks: Vec<Task<'a, T>>) -> Vec<T> {
    let flags: Vec<Arc<Flag>> = tasks.iter().map(|_| Arc::new(Flag(AtomicBool::new(true)))).collect();
    let mut tasks: Vec<Option<Task<'a, T>>> = tasks.into_iter().map(Some).collect();
    let mut results: Vec<Option<T>> = tasks.iter().map(|_| None).collect();
    let mut steps = 0u64;
    loop {
        let mut polled = false;
        for (i, slot) in tasks.iter_mut().enumerate() {
            let Some(task) = slot else { continue };
            if !flags[i].0.swap(false, Ordering::SeqCst) {
                continue;
            }
            polled = true;
            let waker = Waker::from(flags[i].clone());
            if let Poll::Ready(value) = task.as_mut().poll(&mut Context::from_waker(&waker)) {
                results[i] = Some(value);
                *slot = None;
            }
        }
        if tasks.iter().all(Option::is_none) {
            break;
        }
        if polled {
            continue;
        }
        steps += 1;
        assert!(steps < 10_000_000, "virtual time ran away");
        let mut timers = sim.0.timers.borrow_mut();
        let next = timers.iter().map(|(d, _)| *d).fold(f64::INFINITY, f64::min);
        assert!(next.is_finite(), "deadlock: every task waits and no timer is set");
        if next > sim.0.now.get() {
            sim.0.now.set(next);
        }
        let now = sim.0.now.get();
        let (due, rest): (Vec<_>, Vec<_>) = timers.drain(..).partition(|(d, _)| *d <= now);
        *timers = rest;
        drop(timers);
        due.into_iter().for_each(|(_, w)| w.wake());
    }
    results.into_iter().map(|r| r.expect("finished")).collect()
}

/// Runs one future in virtual time.
pub fn block_on<'a, T>(sim: &Sim, future: impl Future<Output = T> + 'a) -> T {
    run(sim, vec![Box::pin(future)]).pop().expect("one result")
}

/// Completes with `None` (dropping the inner future) once virtual time reaches `deadline`.
pub async fn cancel_at<F: Future>(sim: &Sim, deadline: f64, future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut timer = std::pin::pin!(sim.timer(deadline));
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(v) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// The largest number of log entries inside any `[t, t + 1000 ms)`.
pub fn max_per_second(log: &[Logged]) -> usize {
    let times: Vec<f64> = log.iter().map(|l| l.at).collect();
    super::pacing::max_in_any_window(&times, 1000.0)
}
