//! Admission: at most `concurrency` runs at once, at most `queue` more waiting for a slot;
//! anything beyond is refused at once (429) rather than left to pile up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The run slots and the queue in front of them.
#[derive(Debug)]
pub struct Admission {
    slots: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    concurrency: usize,
    queue: usize,
}

/// Every slot is busy and the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("every slot is busy and the queue is full")]
pub struct Full;

/// A request admitted: it holds a slot, or a place in the queue until one frees.
#[derive(Debug)]
pub enum Ticket {
    /// A slot, held until the permit is dropped.
    Running(OwnedSemaphorePermit),
    /// A place in the queue.
    Queued(QueuePlace),
}

/// A place in the queue; leaving it (getting a slot, or being dropped) frees it.
#[derive(Debug)]
pub struct QueuePlace {
    slots: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
}

impl Drop for QueuePlace {
    fn drop(&mut self) {
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Ticket {
    /// Waits for a slot (at once if the ticket holds one).
    pub async fn slot(self) -> OwnedSemaphorePermit {
        match self {
            Ticket::Running(permit) => permit,
            Ticket::Queued(place) => {
                // The semaphore is never closed: `acquire_owned` cannot fail. Were it closed,
                // the run would still be bounded by the queue it came through.
                let permit = Arc::clone(&place.slots).acquire_owned().await;
                drop(place);
                match permit {
                    Ok(permit) => permit,
                    Err(_) => unreachable_closed(),
                }
            }
        }
    }
}

/// The semaphore is owned by [`Admission`], which never closes it.
#[cold]
fn unreachable_closed() -> ! {
    unreachable!("the admission semaphore is never closed")
}

impl Admission {
    /// `concurrency` slots (at least 1) and a queue of `queue` places in front of them.
    pub fn new(concurrency: usize, queue: usize) -> Admission {
        let concurrency = concurrency.max(1);
        Admission {
            slots: Arc::new(Semaphore::new(concurrency)),
            waiting: Arc::new(AtomicUsize::new(0)),
            concurrency,
            queue,
        }
    }

    /// Admits a request: a free slot, else a place in the queue, else [`Full`].
    pub fn admit(&self) -> Result<Ticket, Full> {
        if let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() {
            return Ok(Ticket::Running(permit));
        }
        self.waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |waiting| {
                (waiting < self.queue).then_some(waiting + 1)
            })
            .map_err(|_| Full)?;
        Ok(Ticket::Queued(QueuePlace {
            slots: Arc::clone(&self.slots),
            waiting: Arc::clone(&self.waiting),
        }))
    }

    /// How many requests wait for a slot.
    pub fn queued(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// How many slots are in use.
    pub fn in_flight(&self) -> usize {
        self.concurrency
            .saturating_sub(self.slots.available_permits())
    }

    /// How many runs may run at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// How many requests may wait.
    pub fn queue(&self) -> usize {
        self.queue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn admission_runs_queues_then_refuses() {
        let admission = Admission::new(1, 1);
        let first = admission.admit().expect("a free slot");
        assert!(matches!(first, Ticket::Running(_)));
        assert_eq!(admission.in_flight(), 1);
        let second = admission.admit().expect("a place in the queue");
        assert!(matches!(second, Ticket::Queued(_)));
        assert_eq!(admission.queued(), 1);
        assert_eq!(admission.admit().map(|_| ()), Err(Full));
        // The first run ends: the queued one gets its slot, and the queue frees.
        drop(first);
        let permit = second.slot().await;
        assert_eq!(admission.queued(), 0);
        assert_eq!(admission.in_flight(), 1);
        assert!(matches!(admission.admit(), Ok(Ticket::Queued(_))));
        drop(permit);
    }

    #[tokio::test]
    async fn admission_frees_the_place_of_a_request_that_gives_up() {
        let admission = Admission::new(1, 1);
        let _running = admission.admit().expect("a free slot");
        let queued = admission.admit().expect("a place in the queue");
        drop(queued);
        assert_eq!(admission.queued(), 0);
        assert!(admission.admit().is_ok());
    }
}
