//! A record's fields (and field spans): a small map from names to values, kept as a
//! vector sorted by name, with names interned and the sorted list of names (the
//! shape) shared, so that records with the same fields share it.
//!
//! Loading builds hundreds of thousands of records with the same few field names: a
//! `BTreeMap<String, _>` per record cost a `String` and tree nodes each, and finding a
//! field compared strings. Here names are `Arc<str>` from one interner, so a record's
//! names cost no allocation, and a lookup with an interned name (rules intern theirs)
//! finds it by address before falling back to comparing strings.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

/// Names longer than this are not interned (they are rarely field names).
const MAX_INTERNED_LEN: usize = 64;
/// At most this many names are interned, so odd data cannot grow the table forever.
const MAX_INTERNED: usize = 1 << 16;

/// The shared `Arc<str>` for `s`. Interning only makes lookups and clones cheaper:
/// names that are not interned (too long, too many) still compare equal by content.
pub fn intern(s: &str) -> Arc<str> {
    static NAMES: OnceLock<Mutex<HashSet<Arc<str>, foldhash::fast::RandomState>>> = OnceLock::new();
    if s.len() > MAX_INTERNED_LEN {
        return s.into();
    }
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(a) = names.get(s) {
        return a.clone();
    }
    let a: Arc<str> = s.into();
    if names.len() < MAX_INTERNED {
        names.insert(a.clone());
    }
    a
}

/// The sorted names of a `FieldMap`, shared by every map with the same names: the
/// 100,000 rows of a table have one shape between them, not a name per cell.
type Shape = Arc<[Arc<str>]>;

/// At most this many shapes are remembered for sharing (per thread); past it, a new
/// shape is still correct, only not shared.
const MAX_SHAPES: usize = 4096;

/// A hash of a sequence of names' addresses (with its length), and its length: the key
/// of the per-thread caches below, which hold the names so that no other takes their
/// addresses.
fn hash_addresses(addresses: impl Iterator<Item = *const u8>) -> (u64, usize) {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::fast::FixedState::with_seed(0x5eed).build_hasher();
    let mut len = 0usize;
    for a in addresses {
        (a as usize).hash(&mut h);
        len += 1;
    }
    len.hash(&mut h);
    (h.finish(), len)
}

/// The shared shape with exactly `names` (compared by address: names are interned), or
/// a new one.
fn shape_of(names: Vec<Arc<str>>) -> Shape {
    shape_for(names.iter(), || Shape::from(names.as_slice()))
}

/// The shared shape with exactly the names `names` gives (compared by address), else
/// `make()`, remembered for the next map with these names. Looking a shape up clones
/// and drops no `Arc`: for a table, every row's names are found, not made.
fn shape_for<'k>(
    names: impl Iterator<Item = &'k Arc<str>> + Clone,
    make: impl FnOnce() -> Shape,
) -> Shape {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static SHAPES: RefCell<HashMap<u64, Shape>> = RefCell::new(HashMap::new());
    }
    let (key, len) = hash_addresses(names.clone().map(|n| n.as_ptr()));
    if len == 0 {
        static EMPTY: OnceLock<Shape> = OnceLock::new();
        return EMPTY.get_or_init(|| Arc::from(Vec::new())).clone();
    }
    SHAPES.with(|shapes| {
        let mut shapes = shapes.borrow_mut();
        if let Some(s) = shapes.get(&key) {
            if s.len() == len && s.iter().zip(names).all(|(a, b)| Arc::ptr_eq(a, b)) {
                return s.clone();
            }
            return make();
        }
        let s = make();
        if shapes.len() < MAX_SHAPES {
            shapes.insert(key, s.clone());
        }
        s
    })
}

/// Names in the order met, and the rank of each in sorted order.
type Order = (Vec<Arc<str>>, Vec<u32>);

/// `entries` sorted by name, of a repeated name the last kept (as inserting them one by
/// one into a map would). The order that sorts a sequence of names (by address) is
/// remembered, so that the next map whose names come in the same order (the next line
/// of a JSON Lines file) is sorted by numbers, comparing no text.
fn sort_entries<K: std::borrow::Borrow<Arc<str>>, T>(entries: Vec<(K, T)>) -> Vec<(K, T)> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        /// By the hash of the names' addresses: the names (held, so that no other
        /// name takes their address) and each one's rank.
        static ORDERS: RefCell<HashMap<u64, Order>> = RefCell::new(HashMap::new());
    }
    let name = |e: &(K, T)| -> *const u8 { e.0.borrow().as_ptr() };
    if !entries
        .windows(2)
        .any(|w| w[0].0.borrow() >= w[1].0.borrow())
    {
        return entries;
    }
    let (key, _) = hash_addresses(entries.iter().map(name));
    // names in an order met before: sorted by the ranks remembered
    let found = ORDERS.with(|o| {
        let o = o.borrow();
        match o.get(&key) {
            Some((names, ranks))
                if names.len() == entries.len()
                    && names
                        .iter()
                        .zip(&entries)
                        .all(|(n, e)| n.as_ptr() == name(e)) =>
            {
                Ok(by_ranks(entries, ranks))
            }
            _ => Err(entries),
        }
    });
    let mut entries = match found {
        Ok(sorted) => return sorted,
        Err(entries) => entries,
    };
    // stable: of equal names, the later stays later
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].0.borrow().cmp(entries[b].0.borrow()));
    let repeated = order
        .windows(2)
        .any(|w| entries[w[0]].0.borrow() == entries[w[1]].0.borrow());
    if !repeated && entries.len() <= u32::MAX as usize {
        let mut ranks = vec![0u32; entries.len()];
        for (rank, &i) in order.iter().enumerate() {
            ranks[i] = rank as u32;
        }
        ORDERS.with(|o| {
            let mut o = o.borrow_mut();
            if o.len() < MAX_SHAPES {
                let names = entries.iter().map(|e| e.0.borrow().clone()).collect();
                o.insert(key, (names, ranks.clone()));
            }
        });
        return by_ranks(entries, &ranks);
    }
    entries.sort_by(|a, b| a.0.borrow().cmp(b.0.borrow()));
    let mut out: Vec<(K, T)> = Vec::with_capacity(entries.len());
    for e in entries {
        match out.last_mut() {
            Some(last) if *last.0.borrow() == *e.0.borrow() => *last = e,
            _ => out.push(e),
        }
    }
    out
}

/// `entries` in the order of their ranks (a permutation of `0..entries.len()`).
fn by_ranks<E>(entries: Vec<E>, ranks: &[u32]) -> Vec<E> {
    let mut ranked: Vec<(u32, E)> = ranks.iter().copied().zip(entries).collect();
    ranked.sort_unstable_by_key(|(r, _)| *r);
    ranked.into_iter().map(|(_, e)| e).collect()
}

/// A map from field names to `T`, sorted by name like the `BTreeMap` it replaces. The
/// names are a shared [`Shape`]; the values are the map's own.
#[derive(Clone)]
pub struct FieldMap<T> {
    keys: Shape,
    values: Vec<T>,
}

/// A record's fields.
pub type Fields = FieldMap<super::Value>;

impl<T> Default for FieldMap<T> {
    fn default() -> Self {
        FieldMap {
            keys: shape_of(Vec::new()),
            values: Vec::new(),
        }
    }
}

impl<T: PartialEq> PartialEq for FieldMap<T> {
    fn eq(&self, o: &Self) -> bool {
        self.keys.len() == o.keys.len()
            && self.keys.iter().zip(o.keys.iter()).all(|(a, b)| a == b)
            && self.values == o.values
    }
}

impl<T: fmt::Debug> fmt::Debug for FieldMap<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<T> FieldMap<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// From pairs in any order; of a repeated name the last value is kept (as
    /// inserting them one by one into a map would).
    pub fn from_unsorted(entries: Vec<(Arc<str>, T)>) -> Self {
        let entries = sort_entries(entries);
        let (names, values): (Vec<Arc<str>>, Vec<T>) = entries.into_iter().unzip();
        FieldMap {
            keys: shape_of(names),
            values,
        }
    }

    /// From pairs with borrowed names, in any order; of a repeated name the last value
    /// is kept. Names already in a shape are not cloned.
    pub fn from_pairs(entries: Vec<(&Arc<str>, T)>) -> Self {
        let entries = sort_entries(entries);
        let names = entries.iter().map(|(k, _)| *k);
        let keys = shape_for(names.clone(), || names.cloned().collect());
        // a new vector of exactly the values: collecting in place would keep the
        // pairs' larger allocation
        let mut values = Vec::with_capacity(entries.len());
        values.extend(entries.into_iter().map(|(_, v)| v));
        FieldMap { keys, values }
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        // a binary search in which an interned name (rules and loaders intern theirs)
        // is recognised by its address, without comparing text; a linear scan of
        // the addresses first cost a pass over every field of a wide record (61 in
        // GDELT) on each lookup, and a whole pass on a miss (a missing value)
        self.keys.binary_search_by(|k| {
            if std::ptr::eq(k.as_ptr(), name.as_ptr()) && k.len() == name.len() {
                std::cmp::Ordering::Equal
            } else {
                (**k).cmp(name)
            }
        })
    }

    pub fn get(&self, name: &str) -> Option<&T> {
        self.find(name).ok().map(|i| &self.values[i])
    }
    pub fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        self.find(name).ok().map(|i| &mut self.values[i])
    }
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Set `name` to `v`, returning the value it replaces.
    pub fn insert(&mut self, name: &str, v: T) -> Option<T> {
        match self.find(name) {
            Ok(i) => Some(std::mem::replace(&mut self.values[i], v)),
            Err(i) => {
                let mut names = self.keys.to_vec();
                names.insert(i, intern(name));
                self.keys = shape_of(names);
                // exact: a record gets its `id` added once, and doubling the vector
                // for it doubled the record
                self.values.reserve_exact(1);
                self.values.insert(i, v);
                None
            }
        }
    }
    pub fn remove(&mut self, name: &str) -> Option<T> {
        let i = self.find(name).ok()?;
        let mut names = self.keys.to_vec();
        names.remove(i);
        self.keys = shape_of(names);
        Some(self.values.remove(i))
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// The fields sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.keys.iter().map(|k| &**k).zip(self.values.iter())
    }
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| &**k)
    }
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.values.iter()
    }
}

impl<'a, T> IntoIterator for &'a FieldMap<T> {
    type Item = (&'a str, &'a T);
    type IntoIter = std::iter::Zip<
        std::iter::Map<std::slice::Iter<'a, Arc<str>>, fn(&'a Arc<str>) -> &'a str>,
        std::slice::Iter<'a, T>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        let name: fn(&'a Arc<str>) -> &'a str = |k| k;
        self.keys.iter().map(name).zip(self.values.iter())
    }
}

impl<K: AsRef<str>, T> FromIterator<(K, T)> for FieldMap<T> {
    fn from_iter<I: IntoIterator<Item = (K, T)>>(iter: I) -> Self {
        FieldMap::from_unsorted(
            iter.into_iter()
                .map(|(k, v)| (intern(k.as_ref()), v))
                .collect(),
        )
    }
}

impl<T> From<BTreeMap<String, T>> for FieldMap<T> {
    fn from(m: BTreeMap<String, T>) -> Self {
        m.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_sorted_map() {
        let mut m: FieldMap<i32> = [("b", 1), ("a", 2), ("b", 3)].into_iter().collect();
        assert_eq!(m.iter().collect::<Vec<_>>(), vec![("a", &2), ("b", &3)]);
        assert_eq!(m.insert("c", 4), None);
        assert_eq!(m.insert("a", 5), Some(2));
        assert_eq!(m.get("a"), Some(&5));
        assert_eq!(m.get(&String::from("c")), Some(&4));
        assert_eq!(m.remove("b"), Some(3));
        assert!(!m.contains_key("b"));
        assert_eq!(m.keys().collect::<Vec<_>>(), vec!["a", "c"]);
        let long = "x".repeat(100);
        m.insert(&long, 6);
        assert_eq!(m.get(&long), Some(&6));
        assert_eq!(m.keys().collect::<Vec<_>>(), vec!["a", "c", long.as_str()]);
    }

    proptest::proptest! {
        /// Maps made from pairs in any order, with repeated names, are the sorted maps
        /// a `BTreeMap` gives, the first time (sorted by text) and the next times
        /// (sorted by remembered ranks).
        #[test]
        fn any_order_sorts_as_a_btreemap(
            names in proptest::collection::vec(proptest::sample::select(vec!["a", "b", "cc", "d", "ee", "f", "zz"]), 0..12),
        ) {
            let mut want = BTreeMap::new();
            for (i, n) in names.iter().enumerate() {
                want.insert(n.to_string(), i);
            }
            let want: Vec<(&str, &usize)> = want.iter().map(|(k, v)| (k.as_str(), v)).collect();
            for _ in 0..3 {
                let pairs: Vec<(Arc<str>, usize)> =
                    names.iter().enumerate().map(|(i, n)| (intern(n), i)).collect();
                let m = FieldMap::from_unsorted(pairs.clone());
                proptest::prop_assert_eq!(m.iter().collect::<Vec<_>>(), want.clone());
                let m = FieldMap::from_pairs(pairs.iter().map(|(k, v)| (k, *v)).collect());
                let got: Vec<(&str, usize)> = m.iter().map(|(k, v)| (k, *v)).collect();
                let wanted: Vec<(&str, usize)> = want.iter().map(|(k, v)| (*k, **v)).collect();
                proptest::prop_assert_eq!(got, wanted);
            }
        }
    }

    #[test]
    fn maps_with_the_same_names_share_them() {
        let row = |v: i32| -> FieldMap<i32> { [("y", v), ("x", v)].into_iter().collect() };
        let (a, mut b) = (row(1), row(2));
        assert!(Arc::ptr_eq(&a.keys, &b.keys));
        assert_ne!(a, b);
        b.insert("z", 3);
        assert!(!Arc::ptr_eq(&a.keys, &b.keys));
        assert_eq!(b.keys().collect::<Vec<_>>(), vec!["x", "y", "z"]);
        assert_eq!(a.keys().collect::<Vec<_>>(), vec!["x", "y"]);
        b.remove("z");
        assert!(Arc::ptr_eq(&a.keys, &b.keys), "back to the shared shape");
        assert_eq!(FieldMap::<i32>::new(), FieldMap::from_unsorted(Vec::new()));
    }
}
