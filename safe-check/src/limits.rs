//! Limits that protect the checker itself from abusive input. Each one, when crossed,
//! refuses the program with its own diagnostic (see `docs/rules/E00*.md`).

/// Largest program accepted, in bytes of UTF-8 (E002). The CPython parser needs time and
/// memory roughly proportional to the input (about 5 s per MiB of dense code on a slow
/// core), so this also bounds the time of one check.
pub const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;

/// Memory that checking and compiling a program may use, per byte of source, on top of the
/// program's `memory` limit (measured: about 170 bytes per byte for dense code in a debug
/// build, up to ~400 in the worst programs tried; this leaves room). The supervisor allows it
/// until the program's first line, so the checker's memory is never the program's.
pub const PREPARATION_BYTES_PER_SOURCE_BYTE: u64 = 512;

/// Memory the preparation may use whatever the program's size (interpreter start-up work
/// done after the fork, the checker's tables).
pub const PREPARATION_BASE_BYTES: u64 = 32 * 1024 * 1024;

/// Deepest node accepted, counted in AST levels below the module (E003). Real programs
/// stay well under 100; long `elif` chains and long `a + b + ...` chains are what reach a few
/// hundred. The walk itself uses an explicit stack, so this bounds the trees handed to later
/// stages (CPython's compiler recurses over the same tree), not this crate's stack.
pub const MAX_DEPTH: u32 = 500;

/// Most AST nodes accepted (E004), not counting operators and expression contexts. A dense
/// 1,000-line program has about 10,000.
pub const MAX_NODES: usize = 1_000_000;
