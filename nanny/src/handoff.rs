//! The hand-off page: shared memory through which the sandbox child tells the supervisor, for
//! the run report, what its confinement put in force and how the program ended (its
//! violations or its uncaught exception), returns a value, and through which a batch's
//! supervisor hands each call its request.
//!
//! One [`SharedMapping`] (no cells, a data area of fixed-size [`Slot`]s), mapped before the
//! fork. A slot holds one length-prefixed text: an 8-byte little-endian length, then the
//! bytes. The child writes each slot once per run (or per call); the parent reads them after
//! the child has ended, bounded by the slot's size; a batch's supervisor writes the request
//! before it asks the zygote for the call's fork, which reads it.
//!
//! **Trust.** A child that scribbles on the page can only spoil its own report's
//! `confinement`, `violations` or `exception` entries or its own value (a length that does not
//! fit its slot, or text that is not UTF-8, reads as nothing, and the parent then reports the
//! entry as unreadable); it reaches no other run's report. In a batch each call process is a
//! fresh fork of the zygote, and the supervisor clears the outcome and value slots before
//! each call.
//!
//! The slot sizes are nanny's: the value slot holds [`VALUE_SLOT`] bytes, and whoever limits
//! the values it writes there (the API's `VALUE_LIMIT`) checks that limit against it.

use std::marker::PhantomData;

use crate::shared::{MapError, SharedMapping};

/// Bytes of text the confinement and outcome slots hold.
pub const REPORT_SLOT: usize = 32 * 1024 - LENGTH;

/// Bytes of text the value and request slots hold: the most JSON a value or a call's
/// arguments may take.
pub const VALUE_SLOT: usize = 8 * 1024 * 1024;

/// The size of a slot's length prefix.
const LENGTH: usize = 8;

/// The size of the data area: the two small slots, then the two large ones (pages of a shared
/// anonymous mapping take memory only once written).
const SIZE: usize = 2 * (LENGTH + REPORT_SLOT) + 2 * (LENGTH + VALUE_SLOT);

/// Errors while creating the page.
#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    /// The shared mapping cannot be made.
    #[error("cannot map the hand-off page")]
    Map(#[source] MapError),
}

/// What a slot of the page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// What confinement put in force (`confine::ConfineStatus` as JSON), or its error.
    Confinement,
    /// How the program ended: its violations or its uncaught exception, as JSON.
    Outcome,
    /// The value of the expression or the call, as JSON.
    Value,
    /// The next call of a batch, as JSON (`{"function", "args", "kwargs"}`), written by the
    /// parent.
    Request,
}

impl Slot {
    /// The slot's offset in the data area.
    fn offset(self) -> usize {
        match self {
            Slot::Confinement => 0,
            Slot::Outcome => LENGTH + REPORT_SLOT,
            Slot::Value => 2 * (LENGTH + REPORT_SLOT),
            Slot::Request => 2 * (LENGTH + REPORT_SLOT) + LENGTH + VALUE_SLOT,
        }
    }

    /// Bytes of text the slot holds (its length prefix aside).
    fn capacity(self) -> usize {
        match self {
            Slot::Confinement | Slot::Outcome => REPORT_SLOT,
            Slot::Value | Slot::Request => VALUE_SLOT,
        }
    }
}

/// A handle on the hand-off page. Clones share the page; a clone moved into the sandbox
/// closure before the fork is the child's.
///
/// A handle is used from the thread that made it only (it is neither `Send` nor `Sync`), so
/// that no two threads of one process ever copy a slot at once (`crate::shared`'s rules);
/// between the two processes, the order of a run keeps writes and reads apart (the child
/// writes, then ends, then the parent reads).
#[derive(Debug, Clone)]
pub struct Handoff {
    mapping: SharedMapping,
    /// Neither `Send` nor `Sync`.
    one_thread: PhantomData<*const ()>,
}

impl Handoff {
    /// Maps the page, empty, shared with every child forked afterwards.
    pub fn create() -> Result<Self, HandoffError> {
        Ok(Self {
            mapping: SharedMapping::create(SIZE).map_err(HandoffError::Map)?,
            one_thread: PhantomData,
        })
    }

    /// Empties `slot` (reads of it give nothing until written again).
    pub fn clear(&self, slot: Slot) {
        // What the slot held is zeroed, not only forgotten: the page is shared with every
        // later call of a batch or request of a pool, none of which may find an earlier one's
        // text in it.
        let mut len = [0u8; LENGTH];
        // SAFETY: as in `write`: no other copy is under way in this process.
        let held = unsafe { self.mapping.read_data(slot.offset(), &mut len) };
        let held = if held {
            usize::try_from(u64::from_le_bytes(len))
                .unwrap_or(usize::MAX)
                .min(slot.capacity())
        } else {
            slot.capacity()
        };
        self.write(slot, "");
        let zeros = vec![0u8; held];
        // SAFETY: as in `write`.
        let zeroed = unsafe { self.mapping.write_data(slot.offset() + LENGTH, &zeros) };
        debug_assert!(zeroed, "a hand-off slot out of the page");
    }

    /// Bytes of text `slot` holds.
    pub fn capacity(slot: Slot) -> usize {
        slot.capacity()
    }

    /// Whether `text` fits in `slot` whole.
    pub fn fits(slot: Slot, text: &str) -> bool {
        text.len() <= slot.capacity()
    }

    /// Writes `text` into `slot`, truncated to the slot's capacity (possibly inside a UTF-8
    /// sequence: such a text then reads as nothing). The length goes last, so a reader that
    /// sees it sees the text.
    pub fn write(&self, slot: Slot, text: &str) {
        let bytes = &text.as_bytes()[..text.len().min(slot.capacity())];
        let len = (bytes.len() as u64).to_le_bytes();
        // SAFETY: a handle never leaves its thread and every clone of it in this process is
        // in that thread too (`Handoff` is neither `Send` nor `Sync`), and this call is the
        // only copy under way in it.
        let written = unsafe {
            self.mapping.write_data(slot.offset() + LENGTH, bytes)
                && self.mapping.write_data(slot.offset(), &len)
        };
        debug_assert!(written, "a hand-off slot out of the page");
    }

    /// Reads what was written into `slot`, if anything readable: nothing for an empty slot, a
    /// length that does not fit the slot, or text that is not UTF-8.
    pub fn read(&self, slot: Slot) -> Option<String> {
        let mut len = [0u8; LENGTH];
        // SAFETY: as in `write`: no other copy is under way in this process.
        if !unsafe { self.mapping.read_data(slot.offset(), &mut len) } {
            return None;
        }
        let len = usize::try_from(u64::from_le_bytes(len))
            .ok()
            .filter(|l| *l > 0 && *l <= slot.capacity())?;
        let mut bytes = vec![0u8; len];
        // SAFETY: as above.
        if !unsafe { self.mapping.read_data(slot.offset() + LENGTH, &mut bytes) } {
            return None;
        }
        String::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearing_a_slot_zeroes_what_it_held() {
        let handoff = Handoff::create().expect("a hand-off page");
        handoff.write(Slot::Value, "the previous request's secret value");
        handoff.clear(Slot::Value);
        let mut bytes = vec![0xffu8; 64];
        // SAFETY: this test's handle is the only one in its thread.
        let read = unsafe {
            handoff
                .mapping
                .read_data(Slot::Value.offset() + LENGTH, &mut bytes)
        };
        assert!(read);
        assert!(bytes.iter().all(|b| *b == 0), "{bytes:?}");
        assert_eq!(handoff.read(Slot::Value), None);
    }

    const SLOTS: [Slot; 4] = [Slot::Confinement, Slot::Outcome, Slot::Value, Slot::Request];

    /// Writes a raw length into `slot`, as a scribbling child could.
    fn scribble_length(handoff: &Handoff, slot: Slot, len: u64) {
        // SAFETY: this test is the only thread using the page.
        let written = unsafe {
            handoff
                .mapping
                .write_data(slot.offset(), &len.to_le_bytes())
        };
        assert!(written);
    }

    #[test]
    fn each_slot_reads_back_what_was_written_and_nothing_once_cleared() {
        let handoff = Handoff::create().unwrap();
        for slot in SLOTS {
            assert_eq!(handoff.read(slot), None);
            handoff.write(slot, &format!("{slot:?} text"));
        }
        for slot in SLOTS {
            assert_eq!(handoff.read(slot), Some(format!("{slot:?} text")));
        }
        handoff.clear(Slot::Value);
        assert_eq!(handoff.read(Slot::Value), None);
        assert_eq!(handoff.read(Slot::Request), Some("Request text".into()));
    }

    #[test]
    fn slots_are_disjoint_and_within_the_page() {
        let mut end = 0;
        for slot in SLOTS {
            assert_eq!(
                slot.offset(),
                end,
                "{slot:?} does not follow the previous slot"
            );
            end = slot.offset() + LENGTH + slot.capacity();
        }
        assert_eq!(end, SIZE);
        assert_eq!(Handoff::capacity(Slot::Value), VALUE_SLOT);
        assert_eq!(Handoff::capacity(Slot::Outcome), 32 * 1024 - 8);
    }

    #[test]
    fn a_too_long_write_is_truncated_to_its_slot() {
        let handoff = Handoff::create().unwrap();
        let long = "x".repeat(REPORT_SLOT + 100);
        assert!(!Handoff::fits(Slot::Outcome, &long));
        assert!(Handoff::fits(Slot::Outcome, &long[..REPORT_SLOT]));
        handoff.write(Slot::Outcome, &long);
        assert_eq!(
            handoff.read(Slot::Outcome).map(|t| t.len()),
            Some(REPORT_SLOT)
        );
        // The next slot is untouched.
        assert_eq!(handoff.read(Slot::Value), None);
        let value = "v".repeat(VALUE_SLOT + 1);
        handoff.write(Slot::Value, &value);
        assert_eq!(handoff.read(Slot::Value).map(|t| t.len()), Some(VALUE_SLOT));
        assert_eq!(handoff.read(Slot::Request), None);
    }

    #[test]
    fn a_scribbled_length_reads_as_nothing() {
        let handoff = Handoff::create().unwrap();
        handoff.write(Slot::Confinement, "{}");
        for len in [REPORT_SLOT as u64 + 1, u64::MAX, 1 << 40] {
            scribble_length(&handoff, Slot::Confinement, len);
            assert_eq!(handoff.read(Slot::Confinement), None, "length {len}");
        }
        // A length within the slot reads what lies there, bounded by the slot.
        scribble_length(&handoff, Slot::Confinement, REPORT_SLOT as u64);
        let text = handoff.read(Slot::Confinement).unwrap();
        assert_eq!(text.len(), REPORT_SLOT);
        assert!(text.starts_with("{}"));
        // Text cut inside a UTF-8 sequence is not text.
        handoff.write(Slot::Outcome, "é");
        scribble_length(&handoff, Slot::Outcome, 1);
        assert_eq!(handoff.read(Slot::Outcome), None);
    }

    #[test]
    fn what_a_forked_child_writes_the_parent_reads() {
        let handoff = Handoff::create().unwrap();
        handoff.write(Slot::Request, r#"{"function": "f"}"#);
        let child_handoff = handoff.clone();
        let child = crate::process::fork_sandbox(move || {
            let request = child_handoff.read(Slot::Request).unwrap_or_default();
            child_handoff.write(Slot::Value, &format!("[{request}]"));
            0
        })
        .unwrap();
        assert_eq!(child.wait().unwrap(), crate::process::ChildEnd::Exited(0));
        assert_eq!(
            handoff.read(Slot::Value).as_deref(),
            Some(r#"[{"function": "f"}]"#)
        );
    }
}
