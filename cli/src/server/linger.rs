//! A lingering close: when the server closes a connection whose client is still sending (a
//! request refused before its body was read), closing at once makes the kernel answer the unread
//! bytes with a reset, and many HTTP clients (Node's fetch among them) then report a broken pipe
//! instead of the refusal they were sent. So, as nginx's `lingering_close` does, the write side is
//! shut first (the client gets the whole answer and an end of stream), then the connection stays
//! open a short while for the client to close it, reading and discarding at most
//! [`MAX_DISCARDED_BYTES`] (contract §6: an unauthenticated body is never read past 64 KiB).

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// Longest time a closing connection waits for its client to close.
pub const LINGER: Duration = Duration::from_secs(2);

/// Most bytes read (and discarded) from a closing connection, body already buffered included.
pub const MAX_DISCARDED_BYTES: usize = 32 * 1024;

/// A TCP stream whose shutdown lingers (see the module's documentation).
pub struct LingeringStream {
    inner: TcpStream,
    closing: Option<Closing>,
}

struct Closing {
    deadline: Pin<Box<Sleep>>,
    discarded: usize,
    write_shut: bool,
}

impl LingeringStream {
    /// Wraps an accepted connection.
    pub fn new(inner: TcpStream) -> Self {
        LingeringStream {
            inner,
            closing: None,
        }
    }
}

impl AsyncRead for LingeringStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for LingeringStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let closing = this.closing.get_or_insert_with(|| Closing {
            deadline: Box::pin(tokio::time::sleep(LINGER)),
            discarded: 0,
            write_shut: false,
        });
        if !closing.write_shut {
            match Pin::new(&mut this.inner).poll_shutdown(cx) {
                Poll::Ready(Ok(())) => closing.write_shut = true,
                // A client that is gone: nothing to linger for.
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let mut scratch = [0u8; 4096];
        while closing.discarded < MAX_DISCARDED_BYTES {
            let room = scratch.len().min(MAX_DISCARDED_BYTES - closing.discarded);
            let mut buf = ReadBuf::new(&mut scratch[..room]);
            match Pin::new(&mut this.inner).poll_read(cx, &mut buf) {
                // End of stream or an error: the client has closed, so may we.
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => closing.discarded += buf.filled().len(),
                Poll::Pending => break,
            }
        }
        // Still sending past what we read, or silent: wait for it to close, until the deadline.
        closing.deadline.as_mut().poll(cx).map(|()| Ok(()))
    }
}
