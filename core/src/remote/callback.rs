//! A remote key whose signatures come from a function the caller supplies: the shape every
//! language's callback (Python callable, Java interface, C function pointer) wraps.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use super::{Provider, SignatureInput};

/// The caller's signer: given the digest (or the signing input, see [`SignatureInput`]), returns
/// the raw RSASSA-PKCS1-v1_5 signature, or a message saying why it could not (the provider's error
/// text; it must not contain a credential).
pub type SignCallback = Arc<dyn Fn(&[u8]) -> Result<Vec<u8>, String> + Send + Sync + 'static>;

/// How long a callback may take by default: a cloud KMS answers in tens of milliseconds; a call
/// still running after this is treated as failed, so a request never hangs on a stuck network.
pub const DEFAULT_CALLBACK_TIMEOUT: Duration = Duration::from_secs(10);

/// Calls that outlived their timeout and are still running. A synchronous function cannot be
/// interrupted, so each holds a thread until it returns; past this many, new calls are refused at
/// once instead of piling up threads behind a provider that no longer answers.
const MAX_ABANDONED_CALLS: usize = 8;

/// How a callback key calls its callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallbackOptions {
    /// What the callback is given (default: the SHA-256 digest).
    pub input: SignatureInput,
    /// How long one call may take (default [`DEFAULT_CALLBACK_TIMEOUT`]). `None` calls the
    /// callback on the signing thread with no bound; with a bound it runs on a helper thread.
    pub timeout: Option<Duration>,
}

impl Default for CallbackOptions {
    fn default() -> Self {
        CallbackOptions {
            input: SignatureInput::Digest,
            timeout: Some(DEFAULT_CALLBACK_TIMEOUT),
        }
    }
}

impl CallbackOptions {
    /// Options from what a binding's caller gave: `None` takes the default (the digest; a 10 s
    /// timeout); a timeout of 0 ms means none (the callback runs on the signing thread); a
    /// negative one is `INVALID_ARGUMENT`.
    pub fn from_optional(
        input: Option<SignatureInput>,
        timeout_ms: Option<i64>,
    ) -> crate::Result<Self> {
        let defaults = CallbackOptions::default();
        let timeout = match timeout_ms {
            None => defaults.timeout,
            Some(0) => None,
            Some(ms) => Some(Duration::from_millis(u64::try_from(ms).map_err(|_| {
                crate::Error::new(
                    crate::ErrorCode::InvalidArgument,
                    format!("the callback timeout {ms} ms is negative"),
                )
            })?)),
        };
        Ok(CallbackOptions {
            input: input.unwrap_or(defaults.input),
            timeout,
        })
    }
}

pub(crate) struct CallbackProvider {
    callback: SignCallback,
    options: CallbackOptions,
    abandoned: Arc<AtomicUsize>,
}

const RUNNING: u8 = 0;
const DONE: u8 = 1;
const ABANDONED: u8 = 2;

impl CallbackProvider {
    pub(crate) fn new(callback: SignCallback, options: CallbackOptions) -> Self {
        CallbackProvider {
            callback,
            options,
            abandoned: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn call_with_timeout(&self, input: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
        let abandoned = self.abandoned.load(Ordering::SeqCst);
        if abandoned >= MAX_ABANDONED_CALLS {
            return Err(format!(
                "{abandoned} earlier calls to the callback outlived their timeout and have not returned yet"
            ));
        }
        let (tx, rx) = mpsc::sync_channel(1);
        let state = Arc::new(AtomicU8::new(RUNNING));
        let callback = Arc::clone(&self.callback);
        let input_copy = input.to_vec();
        let thread_state = Arc::clone(&state);
        let thread_abandoned = Arc::clone(&self.abandoned);
        std::thread::Builder::new()
            .name("nuvera-remote-sign".to_owned())
            .spawn(move || {
                let result = call_guarded(&callback, &input_copy);
                // Released before the answer: once a signature returns, no helper thread holds
                // the callback (a binding frees its user data when the last key goes).
                drop(callback);
                // Sent before the state changes, so a waiter that sees DONE finds it.
                let _ = tx.send(result);
                if thread_state.swap(DONE, Ordering::SeqCst) == ABANDONED {
                    thread_abandoned.fetch_sub(1, Ordering::SeqCst);
                }
            })
            .map_err(|e| format!("cannot start a thread for the callback: {e}"))?;
        match rx.recv_timeout(timeout) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Counted before the state flips, so the thread's decrement never comes first.
                self.abandoned.fetch_add(1, Ordering::SeqCst);
                if state.swap(ABANDONED, Ordering::SeqCst) == DONE {
                    self.abandoned.fetch_sub(1, Ordering::SeqCst);
                    if let Ok(result) = rx.try_recv() {
                        return result;
                    }
                }
                Err(format!(
                    "the callback did not return within {} ms",
                    timeout.as_millis()
                ))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err("the callback's thread ended without an answer".to_owned())
            }
        }
    }
}

/// Calls the callback; a panic becomes its failure message instead of unwinding through the signer.
fn call_guarded(callback: &SignCallback, input: &[u8]) -> Result<Vec<u8>, String> {
    match catch_unwind(AssertUnwindSafe(|| callback(input))) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            Err(format!("the callback panicked: {what}"))
        }
    }
}

impl Provider for CallbackProvider {
    fn input(&self) -> SignatureInput {
        self.options.input
    }

    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, String> {
        match self.options.timeout {
            None => call_guarded(&self.callback, input),
            Some(timeout) => self.call_with_timeout(input, timeout),
        }
    }

    fn describe(&self) -> String {
        "the signing callback".to_owned()
    }
}
