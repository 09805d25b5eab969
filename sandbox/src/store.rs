//! In-memory storage shared by request tasks: poison-tolerant locks and a map bounded by eviction.
//!
//! A handler never panics while it holds a lock, but a bug elsewhere could; recovering the guard from a
//! poisoned lock keeps the sandbox answering instead of turning every later request into a panic. The maps
//! keep at most a configured number of entries, dropping the oldest first, so a long benchmark or soak test
//! cannot grow the process without bound.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
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
///
/// The entries live in a ring, oldest first, each under its sequence number; the index holds only (hash, sequence
/// number) pairs. So a key is stored once, an insert at the bound moves one entry in and one out instead of
/// hashing it out of a table of large values, and the index's own upkeep (growing, clearing out removed slots)
/// moves 16-byte pairs, never an entry.
#[derive(Debug)]
pub(crate) struct BoundedMap<K, V> {
    /// The entries, oldest first; `None` where one was removed before its turn to be forgotten.
    ring: VecDeque<Option<(K, V)>>,
    /// The sequence number of `ring[0]`.
    first: u64,
    /// Every live entry: its key's hash and its sequence number.
    index: HashTable<(u64, u64)>,
    hasher: foldhash::fast::RandomState,
    /// Live entries.
    len: usize,
    capacity: usize,
}

impl<K: Eq + Hash, V> BoundedMap<K, V> {
    /// An empty map keeping at most `capacity` entries (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            ring: VecDeque::new(),
            first: 0,
            index: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            len: 0,
            capacity: capacity.max(1),
        }
    }

    /// The position in `ring` of the entry under `key`.
    fn position<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
    {
        self.position_hashed(self.hasher.hash_one(key), key)
    }

    /// [`Self::position`] of a key already hashed.
    fn position_hashed<Q: Hash + Eq + ?Sized>(&self, hash: u64, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
    {
        let (ring, first) = (&self.ring, self.first);
        let holds = |seq: u64| slot(ring, first, seq).is_some_and(|(k, _)| k.borrow() == key);
        let &(_, seq) = self.index.find(hash, |&(h, seq)| h == hash && holds(seq))?;
        usize::try_from(seq - first).ok()
    }

    pub(crate) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let at = self.position(key)?;
        self.ring.get(at)?.as_ref().map(|(_, v)| v)
    }

    pub(crate) fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let at = self.position(key)?;
        self.ring.get_mut(at)?.as_mut().map(|(_, v)| v)
    }

    pub(crate) fn contains_key<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.position(key).is_some()
    }

    /// Inserts an entry (an existing key keeps its place and takes the new value) and returns the entry forgotten
    /// to make room, if one was, so the caller can clean indexes that point at it.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<(K, V)> {
        let hash = self.hasher.hash_one(&key);
        if let Some(slot) = self.position_hashed(hash, &key).and_then(|at| self.ring.get_mut(at)) {
            *slot = Some((key, value));
            return None;
        }
        let seq = self.first + self.ring.len() as u64;
        self.ring.push_back(Some((key, value)));
        self.index.insert_unique(hash, (hash, seq), |&(h, _)| h);
        self.len += 1;
        if self.len > self.capacity {
            self.pop_oldest()
        } else {
            None
        }
    }

    /// Takes out the oldest live entry, and the holes before it.
    fn pop_oldest(&mut self) -> Option<(K, V)> {
        while let Some(front) = self.ring.pop_front() {
            let seq = self.first;
            self.first += 1;
            if let Some((key, value)) = front {
                self.unindex(&key, seq);
                self.len -= 1;
                return Some((key, value));
            }
        }
        None
    }

    /// Removes the index's pair for the entry `seq` under `key`.
    fn unindex(&mut self, key: &K, seq: u64) {
        let hash = self.hasher.hash_one(key);
        if let Ok(found) = self.index.find_entry(hash, |&(h, s)| h == hash && s == seq) {
            found.remove();
        }
    }

    /// Removes an entry; its place in the ring is left empty until the ring drops it.
    pub(crate) fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let at = self.position(key)?;
        let (key, value) = self.ring.get_mut(at)?.take()?;
        self.unindex(&key, self.first + at as u64);
        self.len -= 1;
        self.tidy();
        Some(value)
    }

    /// Drops the empty places at the front, and packs the ring when most of it is empty places (removals behind a
    /// long-lived oldest entry), so that it stays within twice the entries it holds.
    fn tidy(&mut self) {
        while matches!(self.ring.front(), Some(None)) {
            self.ring.pop_front();
            self.first += 1;
        }
        if self.ring.len() <= 2 * self.len + 16 {
            return;
        }
        let live: Vec<(K, V)> = self.ring.drain(..).flatten().collect();
        self.index.clear();
        self.first = 0;
        for (seq, (key, value)) in (0u64..).zip(live) {
            let hash = self.hasher.hash_one(&key);
            self.index.insert_unique(hash, (hash, seq), |&(h, _)| h);
            self.ring.push_back(Some((key, value)));
        }
    }

    /// The values, oldest first.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.ring.iter().flatten().map(|(_, v)| v)
    }

    /// The entries, mutably, oldest first.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.ring.iter_mut().flatten().map(|(k, v)| (&*k, v))
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.ring.iter_mut().flatten().map(|(_, v)| v)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// The entry of sequence number `seq` in a ring whose front is `first`, if it is live.
fn slot<K, V>(ring: &VecDeque<Option<(K, V)>>, first: u64, seq: u64) -> Option<&(K, V)> {
    let at = usize::try_from(seq.checked_sub(first)?).ok()?;
    ring.get(at)?.as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_oldest_and_reports_it() {
        let mut map = BoundedMap::new(2);
        assert!(map.insert("a", 1).is_none());
        assert!(map.insert("b", 2).is_none());
        assert!(map.insert("a", 3).is_none(), "re-inserting keeps the place");
        assert_eq!(map.insert("c", 4), Some(("a", 3)));
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
        assert_eq!(map.insert("c", 4), Some(("b", 2)), "the old place of `a` is gone");
        assert_eq!(map.values().copied().collect::<Vec<_>>(), vec![3, 4]);
    }

    #[test]
    fn removals_behind_a_long_lived_entry_leave_the_ring_bounded() {
        let mut map = BoundedMap::new(1_000);
        map.insert(u64::MAX, 0);
        for i in 0..10_000u64 {
            map.insert(i, i);
            assert_eq!(map.remove(&i), Some(i));
        }
        assert_eq!(map.len(), 1);
        assert!(map.ring.len() <= 2 + 16, "{} places for one entry", map.ring.len());
        assert_eq!(map.get(&u64::MAX), Some(&0));
        map.insert(7, 7);
        assert_eq!(
            map.values().copied().collect::<Vec<_>>(),
            vec![0, 7],
            "oldest first, after packing"
        );
    }

    #[test]
    fn at_the_bound_each_insert_forgets_exactly_the_oldest() {
        let mut map = BoundedMap::new(3);
        for i in 0..3 {
            assert!(map.insert(i.to_string(), i).is_none());
        }
        for i in 3..100 {
            assert_eq!(map.insert(i.to_string(), i), Some(((i - 3).to_string(), i - 3)));
            assert!(!map.contains_key(&*(i - 3).to_string()));
            assert_eq!(map.get(&*(i - 2).to_string()), Some(&(i - 2)));
            assert_eq!(map.len(), 3);
        }
        *map.get_mut("99").expect("kept") += 1;
        assert_eq!(map.values().copied().collect::<Vec<_>>(), vec![97, 98, 100]);
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
