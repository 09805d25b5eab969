//! In-memory storage shared by request tasks: poison-tolerant locks and a map bounded by eviction.
//!
//! A handler never panics while it holds a lock, but a bug elsewhere could; recovering the guard from a
//! poisoned lock keeps the sandbox answering instead of turning every later request into a panic. The maps
//! keep at most a configured number of entries, dropping the oldest first, so a long benchmark or soak test
//! cannot grow the process without bound.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Locks `mutex`, taking over the data even if another thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Read-locks `lock`, tolerating poisoning like [`lock`].
pub(crate) fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

/// Write-locks `lock`, tolerating poisoning like [`lock`].
pub(crate) fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

/// The ledger's hash maps: std's, hashed with foldhash (see the sandbox's Cargo.toml).
pub(crate) type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A map that forgets its oldest entries beyond `capacity`.
#[derive(Debug)]
pub(crate) struct BoundedMap<K, V> {
    map: Map<K, V>,
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V> BoundedMap<K, V> {
    /// An empty map keeping at most `capacity` entries (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            map: Map::default(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    pub(crate) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key)
    }

    pub(crate) fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.map.get_mut(key)
    }

    pub(crate) fn contains_key<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.contains_key(key)
    }

    /// Inserts a new entry (an existing key keeps its place) and returns the entries evicted to make room,
    /// so the caller can clean indexes that point at them.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Vec<(K, V)> {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        let mut evicted = Vec::new();
        while self.map.len() > self.capacity {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(value) = self.map.remove(&oldest) {
                evicted.push((oldest, value));
            }
        }
        evicted
    }

    /// Removes an entry and its place in the eviction order.
    pub(crate) fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let value = self.map.remove(key)?;
        self.order.retain(|k| k.borrow() != key);
        Some(value)
    }

    /// The values, oldest first.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.order.iter().filter_map(|k| self.map.get(k))
    }

    /// The values, mutably, in no particular order.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.map.iter_mut()
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_oldest_and_reports_it() {
        let mut map = BoundedMap::new(2);
        assert!(map.insert("a", 1).is_empty());
        assert!(map.insert("b", 2).is_empty());
        assert!(map.insert("a", 3).is_empty(), "re-inserting keeps the place");
        assert_eq!(map.insert("c", 4), vec![("a", 3)]);
        assert_eq!(map.values().copied().collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn a_removed_key_inserted_again_is_the_newest() {
        let mut map = BoundedMap::new(2);
        map.insert("a", 1);
        map.insert("b", 2);
        assert_eq!(map.remove("a"), Some(1));
        assert_eq!(map.remove("a"), None);
        map.insert("a", 3);
        assert_eq!(map.insert("c", 4), vec![("b", 2)], "the old place of `a` is gone");
        assert_eq!(map.values().copied().collect::<Vec<_>>(), vec![3, 4]);
    }

    #[test]
    fn a_poisoned_lock_is_taken_over() {
        let mutex = std::sync::Arc::new(Mutex::new(1));
        let clone = std::sync::Arc::clone(&mutex);
        let _ = std::thread::spawn(move || {
            let _guard = lock(&clone);
            panic!("poison it");
        })
        .join();
        assert!(mutex.is_poisoned());
        *lock(&mutex) += 1;
        assert_eq!(*lock(&mutex), 2);
    }
}
