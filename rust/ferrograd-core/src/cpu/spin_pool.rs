//! A small pool of threads that spin-wait between jobs, used to split the large kernels
//! (matrix products, reductions, elementwise loops).
//!
//! Why not rayon: rayon's idle workers yield their core and go to sleep within microseconds,
//! so on a busy machine a kernel lasting a few hundred microseconds often runs on the calling
//! thread alone while the worker waits to be scheduled again (measured: no speed-up at all for
//! a 256x256 product on a loaded 2-core machine, and 1.3x instead of PyTorch's 1.85x for a
//! row sum of a 2048x2048 matrix on two cores). OpenMP runtimes, which PyTorch's BLAS uses,
//! keep their threads spinning for a while after each parallel region; this pool does the
//! same for `SPIN`, then parks its threads until the next job.
//!
//! A job is `f(0..tasks)`, cut into one contiguous share per thread, as OpenMP's static schedule
//! does: the caller takes the first share and worker `k` the `k`-th, so thread `k` reads the
//! same part of a tensor in every kernel. On machines whose cores have separate last-level
//! caches this matters: a 2048 x 2048 row sum ran at 88 GB/s when the two threads swapped halves
//! between calls, 131 GB/s when each kept its half in its own cache. Tasks are claimed one at a
//! time, and a thread that has finished its share goes on with what is left of the others', so
//! a descheduled worker only delays the tasks it has already claimed.
//! The caller returns only after every worker has left the job, which is what makes lending
//! the borrowed closure to the workers sound. After `fork()` the child has no workers, and the
//! caller then simply runs every task itself.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long an idle worker keeps spinning before it parks.
const SPIN: Duration = Duration::from_micros(500);

/// One published job. Lives on the caller's stack for the duration of [`run`].
struct Job<'a> {
    f: &'a (dyn Fn(usize) + Sync),
    tasks: usize,
    /// The next unclaimed task of each thread's share.
    next: Vec<Counter>,
    panicked: AtomicBool,
}

/// A claim counter on a cache line of its own, so threads claiming in their own shares do not
/// contend for one line.
#[repr(align(64))]
struct Counter(AtomicUsize);

impl<'a> Job<'a> {
    fn new(f: &'a (dyn Fn(usize) + Sync), tasks: usize, shares: usize) -> Self {
        let next = (0..shares)
            .map(|s| Counter(AtomicUsize::new(s * tasks / shares)))
            .collect();
        Job {
            f,
            tasks,
            next,
            panicked: AtomicBool::new(false),
        }
    }

    /// Claims and runs the tasks of thread `me`'s share, then what is left of the others'
    /// shares, until none are left; a panic is recorded, not propagated.
    fn work(&self, me: usize) {
        let shares = self.next.len();
        for k in 0..shares {
            let share = (me + k) % shares;
            let end = (share + 1) * self.tasks / shares;
            loop {
                let i = self.next[share].0.fetch_add(1, SeqCst);
                if i >= end {
                    break;
                }
                if catch_unwind(AssertUnwindSafe(|| (self.f)(i))).is_err() {
                    self.panicked.store(true, SeqCst);
                }
            }
        }
    }
}

struct Pool {
    workers: usize,
    /// The process that started the workers: a forked child has none and runs jobs alone.
    owner: u32,
    /// The current job (null when none); type-erased `*const Job`.
    job: AtomicPtr<()>,
    /// Bumped for every job, so a worker can tell a new job from the last one.
    generation: AtomicU64,
    /// Workers inside a job (they register before reading `job`).
    active: AtomicUsize,
    sleeping: AtomicUsize,
    park: Mutex<()>,
    wake: Condvar,
    /// One job at a time; a caller that finds the pool busy runs its job alone.
    submit: Mutex<()>,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        // As many threads as rayon uses (RAYON_NUM_THREADS is honoured), the caller included.
        super::fork_guard::install();
        let workers = rayon::current_num_threads().saturating_sub(1);
        let mut spawned = 0;
        for _ in 0..workers {
            // Worker ids count the threads that started, so shares 1..=spawned all have one.
            let id = spawned + 1;
            let started = std::thread::Builder::new()
                .name("ferrograd-worker".into())
                .spawn(move || worker(id));
            spawned += started.is_ok() as usize;
        }
        Pool {
            workers: spawned,
            owner: std::process::id(),
            job: AtomicPtr::new(std::ptr::null_mut()),
            generation: AtomicU64::new(0),
            active: AtomicUsize::new(0),
            sleeping: AtomicUsize::new(0),
            park: Mutex::new(()),
            wake: Condvar::new(),
            submit: Mutex::new(()),
        }
    })
}

/// The number of threads a job can use (the caller included).
pub fn threads() -> usize {
    pool().workers + 1
}

/// Worker `id` (1-based: the caller of a job is thread 0) runs jobs until the process ends.
fn worker(id: usize) {
    let p = pool();
    let mut seen = p.generation.load(SeqCst);
    loop {
        wait_for_job(p, seen);
        seen = p.generation.load(SeqCst);
        p.active.fetch_add(1, SeqCst);
        let job = p.job.load(SeqCst) as *const Job<'static>;
        if !job.is_null() {
            // SAFETY: the caller keeps the job alive until `active` drops to zero, and it
            // cannot see zero while this worker is registered (see `run`).
            unsafe { (*job).work(id) };
        }
        p.active.fetch_sub(1, SeqCst);
    }
}

/// Spins until the generation moves past `seen`, parking after `SPIN`.
fn wait_for_job(p: &Pool, seen: u64) {
    let start = Instant::now();
    let mut spins = 0u32;
    while p.generation.load(SeqCst) == seen {
        std::hint::spin_loop();
        spins = spins.wrapping_add(1);
        if spins % 256 == 0 && start.elapsed() > SPIN {
            p.sleeping.fetch_add(1, SeqCst);
            let mut guard = p.park.lock().unwrap_or_else(|e| e.into_inner());
            while p.generation.load(SeqCst) == seen {
                guard = p.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
            drop(guard);
            p.sleeping.fetch_sub(1, SeqCst);
            return;
        }
    }
}

/// Runs `f(i)` for every `i` in `0..tasks`, on the calling thread and the pool's workers,
/// returning when all are done. A panic in any task is re-raised here.
pub fn run(tasks: usize, f: &(dyn Fn(usize) + Sync)) {
    let p = pool();
    let usable = tasks > 1 && p.workers > 0 && std::process::id() == p.owner;
    let guard = match p.submit.try_lock() {
        Ok(g) if usable => Some(g),
        _ => None,
    };
    // Run alone, the caller takes the tasks in order, as one share.
    let shares = if guard.is_some() { threads() } else { 1 };
    let job = Job::new(f, tasks, shares);
    if let Some(_guard) = guard {
        p.job.store(&job as *const Job<'_> as *mut (), SeqCst);
        p.generation.fetch_add(1, SeqCst);
        if p.sleeping.load(SeqCst) > 0 {
            let _lock = p.park.lock().unwrap_or_else(|e| e.into_inner());
            p.wake.notify_all();
        }
        job.work(0);
        // Retract the job, then wait for the workers that took it: a worker registers in
        // `active` before it reads `job`, so once `job` is null and `active` is zero no worker
        // holds a reference to `job` and it may go out of scope.
        p.job.store(std::ptr::null_mut(), SeqCst);
        let mut spins = 0u32;
        while p.active.load(SeqCst) != 0 {
            std::hint::spin_loop();
            spins = spins.wrapping_add(1);
            if spins % 1024 == 0 {
                std::thread::yield_now(); // a descheduled worker may need this core
            }
        }
    } else {
        job.work(0);
    }
    if job.panicked.load(SeqCst) {
        resume_unwind(Box::new("a parallel task panicked"));
    }
}

/// Runs `f(i, &mut items[i])` for every item, on the pool (each item goes to one task).
pub fn for_each_mut<T: Send>(items: &mut [T], f: impl Fn(usize, &mut T) + Sync) {
    // An uncontended lock per item hands each task its item without unsafe code.
    let cells: Vec<Mutex<&mut T>> = items.iter_mut().map(Mutex::new).collect();
    run(cells.len(), &|i| {
        let mut item = cells[i].lock().unwrap_or_else(|e| e.into_inner());
        f(i, &mut item)
    });
}

/// Runs `f(index, piece)` for every `chunk`-long piece of `data` (the last may be shorter).
pub fn for_each_chunk_mut<T: Send>(
    data: &mut [T],
    chunk: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    let mut pieces: Vec<&mut [T]> = data.chunks_mut(chunk.max(1)).collect();
    for_each_mut(&mut pieces, |i, piece| f(i, piece));
}

/// `[f(0), f(1), ..., f(n - 1)]`, computed on the pool.
pub fn map<R: Send>(n: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let mut slots: Vec<Option<R>> = (0..n).map(|_| None).collect();
    for_each_mut(&mut slots, |i, slot| *slot = Some(f(i)));
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_runs_once() {
        let hits: Vec<AtomicUsize> = (0..1000).map(|_| AtomicUsize::new(0)).collect();
        for _ in 0..50 {
            run(hits.len(), &|i| {
                hits[i].fetch_add(1, SeqCst);
            });
        }
        assert!(hits.iter().all(|h| h.load(SeqCst) == 50));
        assert!(threads() >= 1);
    }

    #[test]
    fn a_thread_runs_its_own_share_first_then_the_others() {
        // 10 tasks in 3 shares: 0..3, 3..6, 6..10. Thread 1 alone takes its share, then
        // what is left of share 2, then of share 0.
        let order = Mutex::new(Vec::new());
        let record = |i: usize| order.lock().expect("not poisoned").push(i);
        let job = Job::new(&record, 10, 3);
        job.next[2].0.store(8, SeqCst); // tasks 6 and 7 already claimed by thread 2
        job.work(1);
        assert_eq!(
            *order.lock().expect("not poisoned"),
            [3, 4, 5, 8, 9, 0, 1, 2]
        );
    }

    #[test]
    fn map_and_chunks_cover_every_index_in_order() {
        assert_eq!(
            map(100, |i| i * i),
            (0..100).map(|i| i * i).collect::<Vec<_>>()
        );
        let mut data = vec![0usize; 1003];
        for_each_chunk_mut(&mut data, 10, |c, piece| {
            for (j, x) in piece.iter_mut().enumerate() {
                *x = c * 10 + j;
            }
        });
        assert_eq!(data, (0..1003).collect::<Vec<_>>());
    }

    #[test]
    fn nested_and_concurrent_calls_complete() {
        let total = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    run(8, &|_| {
                        run(4, &|_| {
                            total.fetch_add(1, SeqCst);
                        })
                    })
                });
            }
        });
        assert_eq!(total.load(SeqCst), 3 * 8 * 4);
    }

    #[test]
    fn panics_reach_the_caller() {
        let r = catch_unwind(|| run(16, &|i| assert!(i != 7)));
        assert!(r.is_err());
        run(4, &|_| {}); // the pool still works
    }
}
