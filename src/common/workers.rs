//! Independent jobs run side by side, two at a time, with results in the order the jobs were given.
//!
//! Polars parallelises inside an operation, but a query has serial stretches (a sort's merge, a small join, a
//! collect's bookkeeping), so one query at a time leaves cores idle. Running the next job meanwhile fills them.
//! Results keep the input order, so what a run writes never depends on which worker finished first.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// How many jobs run at once. Two fill one job's serial stretches; more would each hold a query's intermediate
/// frames at the same time, so memory would grow with the number of cores, not with the batch.
const SIDE_BY_SIDE: usize = 2;

/// Runs `job` on every item, [`SIDE_BY_SIDE`] at a time (one on a single core), and returns the results in the
/// order of `items`. After a job fails no new job starts, and the first failure in input order among the jobs that
/// ran is returned.
pub(crate) fn in_order<T, R, E, F>(items: Vec<T>, job: F) -> Result<Vec<R>, E>
where
    T: Send,
    R: Send,
    E: Send,
    F: Fn(T) -> Result<R, E> + Sync,
{
    let count = items.len();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(SIDE_BY_SIDE)
        .min(count);
    let queue = Mutex::new(items.into_iter().enumerate());
    let results: Mutex<Vec<Option<Result<R, E>>>> = Mutex::new((0..count).map(|_| None).collect());
    let failed = AtomicBool::new(false);
    let span = tracing::Span::current();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let _span = span.enter();
                while !failed.load(Ordering::Relaxed) {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                    let Some((index, item)) = next else { break };
                    let result = job(item);
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn results_keep_the_order_of_the_jobs() {
        let squares = in_order((0..50u64).collect(), |n| {
            std::thread::sleep(std::time::Duration::from_micros((50 - n) * 20));
            Ok::<_, ()>(n * n)
        });
        assert_eq!(squares, Ok((0..50u64).map(|n| n * n).collect()));
    }

    #[test]
    fn the_first_failure_in_input_order_is_returned() {
        let result = in_order(vec![1, 2, 3, 4], |n| if n >= 3 { Err(n) } else { Ok(n) });
        assert_eq!(result, Err(3));
    }

    #[test]
    fn no_jobs_give_no_results() {
        assert_eq!(in_order(Vec::<u8>::new(), Ok::<_, ()>), Ok(vec![]));
    }
}
