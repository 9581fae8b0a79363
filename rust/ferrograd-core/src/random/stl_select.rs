//! libstdc++'s `std::nth_element`, `std::sort` and `std::partial_sort`, step for step, so that
//! PyTorch's CPU `topk` (which calls them) orders *equal* keys exactly as it does on Linux.
//!
//! The C++ standard leaves the order of equivalent elements unspecified, so only replaying the
//! same pivots, partitions and heap moves reproduces it. The algorithms are GCC's introselect,
//! introsort (16-element insertion-sort threshold) and heap select/sort.

/// `comp(a, b)`: "a goes before b", a strict weak order.
pub(crate) trait Before<E>: Fn(&E, &E) -> bool {}
impl<E, F: Fn(&E, &E) -> bool> Before<E> for F {}

const INSERTION_THRESHOLD: usize = 16;

/// floor(log2(n)) for n > 0 (GCC's `std::__lg`).
fn lg(n: usize) -> usize {
    (usize::BITS - 1 - n.leading_zeros()) as usize
}

/// `std::nth_element(v.begin(), v.begin() + nth, v.end(), comp)`.
pub(crate) fn nth_element<E: Copy>(v: &mut [E], nth: usize, comp: &impl Before<E>) {
    if v.is_empty() || nth >= v.len() {
        return;
    }
    let (mut first, mut last) = (0usize, v.len());
    let mut depth = 2 * lg(v.len());
    while last - first > 3 {
        if depth == 0 {
            heap_select(&mut v[first..last], nth + 1 - first, comp);
            v.swap(first, nth);
            return;
        }
        depth -= 1;
        let cut = first + partition_pivot(&mut v[first..last], comp);
        if cut <= nth {
            first = cut;
        } else {
            last = cut;
        }
    }
    insertion_sort(&mut v[first..last], comp);
}

/// `std::sort(v.begin(), v.end(), comp)`.
pub(crate) fn sort<E: Copy>(v: &mut [E], comp: &impl Before<E>) {
    if v.len() > 1 {
        introsort_loop(v, 2 * lg(v.len()), comp);
        final_insertion_sort(v, comp);
    }
}

/// `std::partial_sort(v.begin(), v.begin() + middle, v.end(), comp)`.
pub(crate) fn partial_sort<E: Copy>(v: &mut [E], middle: usize, comp: &impl Before<E>) {
    let middle = middle.min(v.len());
    heap_select(v, middle, comp);
    sort_heap(&mut v[..middle], comp);
}

fn introsort_loop<E: Copy>(v: &mut [E], mut depth: usize, comp: &impl Before<E>) {
    let mut last = v.len();
    while last > INSERTION_THRESHOLD {
        if depth == 0 {
            partial_sort(&mut v[..last], last, comp);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(&mut v[..last], comp);
        introsort_loop(&mut v[cut..last], depth, comp);
        last = cut;
    }
}

fn final_insertion_sort<E: Copy>(v: &mut [E], comp: &impl Before<E>) {
    if v.len() > INSERTION_THRESHOLD {
        insertion_sort(&mut v[..INSERTION_THRESHOLD], comp);
        for i in INSERTION_THRESHOLD..v.len() {
            unguarded_linear_insert(v, i, comp);
        }
    } else {
        insertion_sort(v, comp);
    }
}

/// Median of three moved to the front, then Hoare partition around it; returns the cut.
fn partition_pivot<E: Copy>(v: &mut [E], comp: &impl Before<E>) -> usize {
    let len = v.len();
    let mid = len / 2;
    move_median_to_first(v, 1, mid, len - 1, comp);
    // Unguarded partition of [1, len) around v[0]: the median guarantees both scans stop.
    let (mut lo, mut hi) = (1usize, len);
    loop {
        while lo < len && comp(&v[lo], &v[0]) {
            lo += 1;
        }
        hi -= 1;
        while hi > 0 && comp(&v[0], &v[hi]) {
            hi -= 1;
        }
        if lo >= hi {
            return lo;
        }
        v.swap(lo, hi);
        lo += 1;
    }
}

fn move_median_to_first<E: Copy>(v: &mut [E], a: usize, b: usize, c: usize, comp: &impl Before<E>) {
    let pick = if comp(&v[a], &v[b]) {
        if comp(&v[b], &v[c]) {
            b
        } else if comp(&v[a], &v[c]) {
            c
        } else {
            a
        }
    } else if comp(&v[a], &v[c]) {
        a
    } else if comp(&v[b], &v[c]) {
        c
    } else {
        b
    };
    v.swap(0, pick);
}

fn insertion_sort<E: Copy>(v: &mut [E], comp: &impl Before<E>) {
    for i in 1..v.len() {
        if comp(&v[i], &v[0]) {
            let val = v[i];
            v.copy_within(0..i, 1);
            v[0] = val;
        } else {
            unguarded_linear_insert(v, i, comp);
        }
    }
}

/// Shifts `v[i]` left past every element it goes before; something not after it exists to the
/// left (C++ relies on that; the `j > 0` test only guards against an inconsistent comparator).
fn unguarded_linear_insert<E: Copy>(v: &mut [E], i: usize, comp: &impl Before<E>) {
    let val = v[i];
    let mut j = i;
    while j > 0 && comp(&val, &v[j - 1]) {
        v[j] = v[j - 1];
        j -= 1;
    }
    v[j] = val;
}

fn heap_select<E: Copy>(v: &mut [E], middle: usize, comp: &impl Before<E>) {
    make_heap(&mut v[..middle], comp);
    for i in middle..v.len() {
        if middle > 0 && comp(&v[i], &v[0]) {
            // __pop_heap(first, middle, i): the root goes to i, v[i] sifts into the heap.
            let value = v[i];
            v[i] = v[0];
            adjust_heap(&mut v[..middle], 0, value, comp);
        }
    }
}

fn make_heap<E: Copy>(v: &mut [E], comp: &impl Before<E>) {
    let len = v.len();
    if len < 2 {
        return;
    }
    let mut parent = (len - 2) / 2;
    loop {
        let value = v[parent];
        adjust_heap(v, parent, value, comp);
        if parent == 0 {
            return;
        }
        parent -= 1;
    }
}

fn sort_heap<E: Copy>(v: &mut [E], comp: &impl Before<E>) {
    let mut last = v.len();
    while last > 1 {
        last -= 1;
        let value = v[last];
        v[last] = v[0];
        adjust_heap(&mut v[..last], 0, value, comp);
    }
}

/// GCC's `__adjust_heap`: move the hole at `hole` down to a leaf, then push `value` up.
fn adjust_heap<E: Copy>(v: &mut [E], mut hole: usize, value: E, comp: &impl Before<E>) {
    let len = v.len();
    let top = hole;
    let mut child = hole;
    while child < len.saturating_sub(1) / 2 {
        child = 2 * (child + 1);
        if comp(&v[child], &v[child - 1]) {
            child -= 1;
        }
        v[hole] = v[child];
        hole = child;
    }
    if len >= 2 && len & 1 == 0 && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        v[hole] = v[child - 1];
        hole = child - 1;
    }
    // __push_heap
    while hole > top {
        let parent = (hole - 1) / 2;
        if !comp(&v[parent], &value) {
            break;
        }
        v[hole] = v[parent];
        hole = parent;
    }
    v[hole] = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(n: usize, modulo: u64) -> Vec<(u64, usize)> {
        let mut x = 12345u64;
        (0..n)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 33) % modulo, i)
            })
            .collect()
    }

    #[test]
    fn orders_keys_correctly() {
        let less = |a: &(u64, usize), b: &(u64, usize)| a.0 < b.0;
        for n in [0, 1, 2, 3, 5, 16, 17, 40, 300] {
            let mut v = lcg(n, 7);
            sort(&mut v, &less);
            assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
            for k in 0..n {
                let mut v = lcg(n, 7);
                nth_element(&mut v, k, &less);
                assert!(v[..k].iter().all(|e| e.0 <= v[k].0));
                assert!(v[k..].iter().all(|e| e.0 >= v[k].0));
                let mut w = lcg(n, 7);
                partial_sort(&mut w, k, &less);
                let mut all = lcg(n, 7);
                all.sort();
                assert!(w[..k].iter().map(|e| e.0).eq(all[..k].iter().map(|e| e.0)));
            }
        }
    }
}
