//! Serving: the accept loop, one HTTP/1.1 connection task per client, graceful shutdown, and the handle
//! that stops a sandbox spawned on loopback when it is dropped.
//!
//! This is `axum::serve` written out, for one reason: the `drop_after_commit` fault must close a
//! connection without sending anything, which needs the connection in hand. Each connection task holds a
//! [`KillSwitch`] that its requests reach through [`kill_switch`]; pulling it makes the task drop the connection.
//! Its requests reach the sandbox's stop signal too ([`stopping`]): an answer that never ends by itself (the
//! dashboard's events stream) ends when the sandbox stops, so that the connection can close.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::Sandbox;

/// Closes the connection a request came on, without an answer.
#[derive(Clone, Debug)]
pub(crate) struct KillSwitch(Arc<Notify>);

/// What a connection's requests reach of the task serving it.
#[derive(Clone)]
struct Connection {
    kill: KillSwitch,
    shutdown: watch::Receiver<bool>,
}

tokio::task_local! {
    /// The connection whose task is running: a task-local rather than a request extension, so that a request
    /// carries nothing extra for what is rarely used.
    static CONNECTION: Connection;
}

/// The switch of the connection the running request came on; none outside the accept loop (a router driven
/// in-process).
pub(crate) fn kill_switch() -> Option<KillSwitch> {
    CONNECTION.try_with(|c| c.kill.clone()).ok()
}

/// The stop signal of the sandbox serving the running request, to wait on.
pub(crate) fn stopping() -> Stopping {
    Stopping(CONNECTION.try_with(|c| c.shutdown.clone()).ok())
}

/// A sandbox's stop signal ([`stopping`]); outside the accept loop nothing stops it.
pub(crate) struct Stopping(Option<watch::Receiver<bool>>);

impl Stopping {
    /// Resolves once the sandbox is asked to stop (or is gone).
    pub(crate) async fn wait(&mut self) {
        match &mut self.0 {
            Some(shutdown) => stopped(shutdown).await,
            None => std::future::pending().await,
        }
    }
}

impl KillSwitch {
    pub(crate) fn pull(&self) {
        // notify_one keeps a permit if the connection task is not waiting yet, so the pull is never lost.
        self.0.notify_one();
    }
}

/// Stops the sandbox it belongs to when dropped (or on [`SandboxHandle::stop`]): the listener closes and
/// open connections finish their current request, then close (those still open after 5 s are closed).
#[derive(Debug)]
pub struct SandboxHandle {
    base_url: String,
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<io::Result<()>>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT`, the base URL to give a client.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops accepting, lets open requests finish, and waits until every connection has closed: then nothing of
    /// the server holds the sandbox any more, and once the caller's own `Sandbox` values are dropped too, its state
    /// file is free for another sandbox ([`crate::SandboxBuilder::state`]).
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Stops the accept loop and closes every connection at once, without waiting.
    pub fn abort(&self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

impl Sandbox {
    /// Serves on `listener` until the process ends.
    ///
    /// # Errors
    ///
    /// Only if the listener's address cannot be read; accept errors (too many open files, a client gone
    /// before accept) are waited out, not returned.
    pub async fn serve(self, listener: TcpListener) -> io::Result<()> {
        self.serve_with_shutdown(listener, std::future::pending()).await
    }

    /// Serves on `listener` until `signal` completes (e.g. Ctrl-C), then lets open requests finish.
    ///
    /// # Errors
    ///
    /// See [`Sandbox::serve`].
    pub async fn serve_with_shutdown(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let (sender, receiver) = watch::channel(false);
        tokio::spawn(async move {
            signal.await;
            let _ = sender.send(true);
        });
        accept_loop(self.router(), listener, receiver).await
    }

    /// Binds `127.0.0.1:0`, serves there in a background task, and returns the base URL and the handle
    /// that stops it.
    ///
    /// # Errors
    ///
    /// When the loopback port cannot be bound.
    pub async fn spawn_on_loopback(&self) -> io::Result<(String, SandboxHandle)> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (shutdown, receiver) = watch::channel(false);
        let task = tokio::spawn(accept_loop(self.router(), listener, receiver));
        let handle = SandboxHandle {
            base_url: base_url.clone(),
            shutdown,
            task: Some(task),
        };
        Ok((base_url, handle))
    }
}

/// How long a stopping server waits for its open connections to finish their requests before it closes them.
const DRAIN: Duration = Duration::from_secs(5);

async fn accept_loop(app: Router, listener: TcpListener, mut shutdown: watch::Receiver<bool>) -> io::Result<()> {
    listener.local_addr()?;
    let for_connections = shutdown.clone();
    // The open connections, so that the loop ends only once they have: each holds the router, and with it the
    // sandbox and its state file. Dropping the set (an aborted loop) closes them all.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection(stream, app.clone(), for_connections.clone()));
                }
                Err(e) => {
                    // Typically EMFILE or a peer that left before accept: wait a moment, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // A closed connection's task is reaped, so the set holds only open ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = stopped(&mut shutdown) => break,
        }
    }
    drop((listener, app));
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(DRAIN, drained).await.is_err() {
        tracing::warn!(
            open = connections.len(),
            "connections still open after the drain; closed"
        );
        connections.shutdown().await;
    }
    Ok(())
}

async fn connection(stream: TcpStream, app: Router, mut shutdown: watch::Receiver<bool>) {
    // Small request/answer exchanges: send each answer at once instead of waiting to fill a segment.
    let _ = stream.set_nodelay(true);
    let kill = Arc::new(Notify::new());
    let reached = Connection {
        kill: KillSwitch(Arc::clone(&kill)),
        shutdown: shutdown.clone(),
    };
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| app.clone().oneshot(request));
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    CONNECTION
        .scope(reached, async move {
            tokio::pin!(conn);
            let mut draining = false;
            loop {
                tokio::select! {
                    _ = conn.as_mut() => return,
                    // Dropping the connection future closes the socket without an answer.
                    () = kill.notified() => return,
                    () = stopped(&mut shutdown), if !draining => {
                        conn.as_mut().graceful_shutdown();
                        draining = true;
                    }
                }
            }
        })
        .await;
}

/// Resolves once shutdown is asked for, or once nobody can ask any more (the handle is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
