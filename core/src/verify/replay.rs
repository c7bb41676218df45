//! Replay protection: each `jti` is accepted once within its token's lifetime.

use std::cmp::Reverse;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A store of used `jti`s. The verifier only records tokens that are correctly signed and
/// unexpired, so a store's size is bounded by the legitimate request rate times the lifetime.
/// Implement it over a shared store (Redis, a database) to run several verifiers.
pub trait ReplayCache: Send + Sync {
    /// Records `key` until `forget_after` (Unix seconds) and returns true, or returns false when
    /// `key` is already recorded and not yet forgotten: a replay. Must be atomic.
    fn first_use(&self, key: &str, forget_after: u64, now: u64) -> bool;

    /// Entries currently held (for metrics and tests).
    fn len(&self) -> usize;

    /// True when nothing is held.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Default)]
struct Shard {
    forget_after: HashMap<Arc<str>, u64>,
    by_expiry: BinaryHeap<Reverse<(u64, Arc<str>)>>,
}

impl Shard {
    fn forget_expired(&mut self, now: u64) {
        while let Some(Reverse((at, _))) = self.by_expiry.peek() {
            if *at > now {
                break;
            }
            if let Some(Reverse((at, key))) = self.by_expiry.pop() {
                // The key may have been re-recorded with a later expiry since; keep that one.
                if self.forget_after.get(&key) == Some(&at) {
                    self.forget_after.remove(&key);
                }
            }
        }
    }
}

/// The in-process replay cache: sharded so concurrent verifications rarely contend. Each write
/// forgets the expired entries of its own shard and of one more, taken in turn, so every shard is
/// swept whatever the traffic pattern and memory stays bounded by the live entries.
pub struct InMemoryReplayCache {
    shards: Vec<Mutex<Shard>>,
    next_sweep: AtomicUsize,
}

const SHARDS: usize = 16;

impl Default for InMemoryReplayCache {
    fn default() -> Self {
        InMemoryReplayCache {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            next_sweep: AtomicUsize::new(0),
        }
    }
}

impl InMemoryReplayCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self, index: usize) -> MutexGuard<'_, Shard> {
        // A panic while holding the lock cannot leave a shard inconsistent in a way that matters
        // more than refusing all later requests would.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn shard_of(key: &str) -> usize {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        (hasher.finish() % SHARDS as u64) as usize
    }
}

impl ReplayCache for InMemoryReplayCache {
    fn first_use(&self, key: &str, forget_after: u64, now: u64) -> bool {
        // One lock at a time: the sweep's lock is released before the key's shard is locked.
        let sweep = self.next_sweep.fetch_add(1, Ordering::Relaxed) % SHARDS;
        self.lock(sweep).forget_expired(now);
        let mut shard = self.lock(Self::shard_of(key));
        shard.forget_expired(now);
        if shard.forget_after.contains_key(key) {
            return false;
        }
        let key: Arc<str> = Arc::from(key);
        shard.forget_after.insert(key.clone(), forget_after);
        shard.by_expiry.push(Reverse((forget_after, key)));
        true
    }

    fn len(&self) -> usize {
        (0..SHARDS).map(|i| self.lock(i).forget_after.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jti_is_accepted_once_until_it_is_forgotten() {
        let cache = InMemoryReplayCache::new();
        assert!(cache.first_use("a", 100, 10));
        assert!(!cache.first_use("a", 100, 50));
        assert!(cache.first_use("b", 100, 50));
        // After its forget time the entry is gone and memory is returned.
        assert!(cache.first_use("c", 300, 200));
        let held_after_expiry: usize = cache.len();
        assert!(held_after_expiry <= 3);
        for i in 0..1000 {
            assert!(cache.first_use(&format!("k{i}"), 1_000 + i, 1_000));
        }
        for i in 0..SHARDS {
            assert!(cache.first_use(&format!("late{i}"), 5_000, 4_000));
        }
        assert_eq!(
            cache.len(),
            SHARDS,
            "every expired entry is dropped once each shard was swept"
        );
    }

    #[test]
    fn concurrent_first_use_admits_exactly_one() {
        let cache = Arc::new(InMemoryReplayCache::new());
        let winners: usize = (0..8)
            .map(|_| {
                let cache = cache.clone();
                std::thread::spawn(move || {
                    (0..500)
                        .filter(|i| cache.first_use(&format!("j{i}"), 1_000, 0))
                        .count()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum();
        assert_eq!(winners, 500);
    }
}
