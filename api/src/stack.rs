//! Stack overflow is a verdict, not a crash.
//!
//! CPython's recursion limit counts nested Python calls, and it holds only when every thread
//! has the stack it assumes: [`THREAD_STACK_BYTES`], the 8 MiB of a main thread (a
//! `createthread` thread had 2 MiB, and recursion through `sorted(key=...)` overflowed it long
//! before the limit). Several C paths of CPython 3.11 also recurse with no check at all, on
//! objects a program can build under the checker's rules: `hash()` of bound methods nested
//! through `type(obj.method)(method, x)`, the freeing of nested `iter(callable, sentinel)`
//! objects, `next()` of nested `map`, `enumerate`, `zip` or `filter` objects. Some 300,000
//! levels overflow any stack.
//!
//! So the sandbox child handles `SIGSEGV` and `SIGBUS` itself, on an alternate signal stack
//! (a thread whose stack is exhausted cannot run a handler on it). Every thread that runs
//! program code records the *guard region* at the low end of its stack: for a
//! `createthread` thread, the lowest [`OWN_GUARD_BYTES`] of its stack, made inaccessible here,
//! with the C library's guard page below them; for the main thread, the addresses just below
//! the lowest its stack may grow to under `RLIMIT_STACK`. A fault inside the faulting thread's
//! guard region is a stack overflow: the handler writes one line to standard error and ends
//! the process at once with [`STACK_OVERFLOW_EXIT`] (verdict `stack-overflow`). Only `write`
//! and `_exit` run there, both async-signal-safe. Any other fault is not the program's doing
//! (it would be a bug in CPython or in repy): the handler restores the default action and
//! returns, the instruction faults again, and the process dies of the signal (`crashed`).
//!
//! Everything here is installed before confinement (reading `/proc/self/maps` needs the file
//! system), except the per-thread set-up of `createthread` threads, which makes only calls
//! the seccomp allow-list grants (`mprotect` without `PROT_EXEC`, `mmap`, `sigaltstack`).

use std::cell::Cell;
use std::ffi::c_void;

/// The exit code of a stack overflow (the table's `StackOverflow`, 121).
pub const STACK_OVERFLOW_EXIT: i32 = nanny::ExitStatus::StackOverflow as i32;

/// The stack of every thread that runs program code: the main thread's `RLIMIT_STACK` is set
/// to it, and `createthread` threads are created with it. CPython's default recursion limit
/// (1,000) fits in it with a wide margin; the nanny's address-space backstop counts it per
/// thread.
pub const THREAD_STACK_BYTES: usize = 8 << 20;

/// The bytes at the low end of a `createthread` thread's stack made inaccessible, so that a
/// C function with a large frame cannot step over the C library's single guard page
/// unnoticed.
pub const OWN_GUARD_BYTES: usize = 64 << 10;

/// How far below the main thread's lowest stack address a fault still counts as an overflow:
/// the kernel keeps other mappings at least this far (`stack_guard_gap`, 256 pages) from a
/// growing stack.
const MAIN_GUARD_GAP: usize = 1 << 20;

/// The size of an alternate signal stack this module allocates (when a thread has none).
const ALT_STACK_BYTES: usize = 64 << 10;

/// What the handler writes before ending the run.
const MESSAGE: &[u8] = b"\nrepy: stack overflow: the program nested calls or objects too deeply for the interpreter's C stack; the run was ended (stack-overflow)\n";

thread_local! {
    /// The calling thread's guard region `[low, high)`; empty when it has none. A constant
    /// initialiser and a type without a destructor: reading it in a signal handler is a
    /// plain thread-local load.
    static GUARD: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// The page size.
fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(4096).max(4096)
}

/// The `SIGSEGV`/`SIGBUS` handler (see the module documentation).
extern "C" fn on_fault(signal: libc::c_int, info: *mut libc::siginfo_t, _context: *mut c_void) {
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler. A positive si_code
    // means the kernel raised the signal for a fault, so si_addr is the faulting address.
    let address = unsafe {
        if (*info).si_code > 0 {
            Some((*info).si_addr() as usize)
        } else {
            None
        }
    };
    let (low, high) = GUARD.try_with(Cell::get).unwrap_or((0, 0));
    if let Some(address) = address {
        if low <= address && address < high {
            // SAFETY: write and _exit are async-signal-safe; MESSAGE is a static buffer.
            unsafe {
                libc::write(libc::STDERR_FILENO, MESSAGE.as_ptr().cast(), MESSAGE.len());
                libc::_exit(STACK_OVERFLOW_EXIT);
            }
        }
    }
    // SAFETY: resetting a signal to its default action is async-signal-safe; returning makes
    // the faulting instruction fault again, and the default action ends the process.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
    }
}

/// Why the stack-overflow handling could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// A system call failed.
    #[error("{call}: {source}")]
    Os {
        /// The call that failed.
        call: &'static str,
        /// The error.
        source: std::io::Error,
    },
    /// `/proc/self/maps` lists no mapping holding the current stack.
    #[error("cannot find the main thread's stack in /proc/self/maps")]
    NoStackMapping,
}

fn os(call: &'static str) -> StackError {
    StackError::Os {
        call,
        source: std::io::Error::last_os_error(),
    }
}

/// An alternate signal stack this module mapped for the calling thread.
#[derive(Debug)]
struct AltStack {
    base: *mut c_void,
    len: usize,
}

/// Gives the calling thread an alternate signal stack if it has none (Rust's runtime gives
/// its threads one; this does not rely on it). Returns the one it mapped, if any.
fn ensure_alt_stack() -> Result<Option<AltStack>, StackError> {
    // SAFETY: sigaltstack with a null new stack only reads the current one into `current`.
    let mut current: libc::stack_t = unsafe { std::mem::zeroed() };
    // SAFETY: `current` is a valid stack_t to write into.
    if unsafe { libc::sigaltstack(std::ptr::null(), &mut current) } != 0 {
        return Err(os("sigaltstack"));
    }
    if current.ss_flags & libc::SS_DISABLE == 0 {
        return Ok(None);
    }
    let len = ALT_STACK_BYTES.max(libc::SIGSTKSZ);
    // SAFETY: an anonymous private mapping at an address of the kernel's choosing.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return Err(os("mmap (alternate signal stack)"));
    }
    let stack = libc::stack_t {
        ss_sp: base,
        ss_flags: 0,
        ss_size: len,
    };
    // SAFETY: `stack` describes the mapping just made, which lives until AltStack::drop.
    if unsafe { libc::sigaltstack(&stack, std::ptr::null_mut()) } != 0 {
        let err = os("sigaltstack");
        // SAFETY: unmapping the mapping just made, which nothing else uses.
        unsafe { libc::munmap(base, len) };
        return Err(err);
    }
    Ok(Some(AltStack { base, len }))
}

impl Drop for AltStack {
    fn drop(&mut self) {
        let disable = libc::stack_t {
            ss_sp: std::ptr::null_mut(),
            ss_flags: libc::SS_DISABLE,
            ss_size: 0,
        };
        // SAFETY: the thread stops using the alternate stack, then it is unmapped; no
        // handler runs on it at this point (the thread is not in a handler).
        unsafe {
            if libc::sigaltstack(&disable, std::ptr::null_mut()) == 0 {
                libc::munmap(self.base, self.len);
            }
        }
    }
}

/// Installs the handler for the process and sets up the calling thread, the main thread of
/// the sandbox child: its `RLIMIT_STACK` becomes [`THREAD_STACK_BYTES`] (or the hard limit, if
/// lower), so the main thread has the same stack as the others whatever the caller's limit
/// was, and its guard region is recorded. Call once, before confinement and before any
/// thread starts.
pub fn install_for_main_thread() -> Result<(), StackError> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit to write into.
    if unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut limit) } != 0 {
        return Err(os("getrlimit(RLIMIT_STACK)"));
    }
    let wanted = THREAD_STACK_BYTES as libc::rlim_t;
    let soft = if limit.rlim_max == libc::RLIM_INFINITY {
        wanted
    } else {
        wanted.min(limit.rlim_max)
    };
    if soft != limit.rlim_cur {
        limit.rlim_cur = soft;
        // SAFETY: `limit` is a valid rlimit; the soft limit stays within the hard one.
        if unsafe { libc::setrlimit(libc::RLIMIT_STACK, &limit) } != 0 {
            return Err(os("setrlimit(RLIMIT_STACK)"));
        }
    }
    let (start, end, is_main_stack) = current_stack_mapping()?;
    let page = page_size();
    let guard = if is_main_stack {
        // The stack may grow down to `end - soft`; the kernel refuses to grow it further
        // and the access faults just below.
        let low = end.saturating_sub(usize::try_from(soft).unwrap_or(usize::MAX));
        (low.saturating_sub(MAIN_GUARD_GAP), low + page)
    } else {
        // Forked from a thread other than the main one: a fixed pthread stack whose guard
        // page lies just below the mapping.
        (start.saturating_sub(MAIN_GUARD_GAP), start + page)
    };
    GUARD.with(|g| g.set(guard));
    // The main thread's alternate stack lives as long as the process.
    std::mem::forget(ensure_alt_stack()?);
    install_handler()
}

/// Installs [`on_fault`] for `SIGSEGV` and `SIGBUS`, on the alternate stack.
fn install_handler() -> Result<(), StackError> {
    let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut c_void) = on_fault;
    for signal in [libc::SIGSEGV, libc::SIGBUS] {
        // SAFETY: a zeroed sigaction is a valid starting point; the handler is an
        // extern "C" function with the SA_SIGINFO signature, and the mask is emptied.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                return Err(os("sigaction"));
            }
        }
    }
    Ok(())
}

/// The mapping in `/proc/self/maps` that holds the calling thread's stack: its start, its
/// end, and whether it is the process's main stack (`[stack]`).
fn current_stack_mapping() -> Result<(usize, usize, bool), StackError> {
    let marker = 0u8;
    let here = std::ptr::addr_of!(marker) as usize;
    let maps = std::fs::read_to_string("/proc/self/maps").map_err(|source| StackError::Os {
        call: "read /proc/self/maps",
        source,
    })?;
    for line in maps.lines() {
        let Some((range, rest)) = line.split_once(' ') else {
            continue;
        };
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (
            usize::from_str_radix(start, 16),
            usize::from_str_radix(end, 16),
        ) else {
            continue;
        };
        if start <= here && here < end {
            return Ok((start, end, rest.trim_end().ends_with("[stack]")));
        }
    }
    Err(StackError::NoStackMapping)
}

/// The guard of a `createthread` thread: set up by [`ThreadGuard::install`] at the start of
/// the thread, undone when dropped at its end.
#[derive(Debug)]
pub struct ThreadGuard {
    /// The region made inaccessible, to make accessible again.
    protected: Option<(usize, usize)>,
    _alt_stack: Option<AltStack>,
}

impl ThreadGuard {
    /// Records the calling thread's guard region, makes the lowest [`OWN_GUARD_BYTES`] of its
    /// stack inaccessible, and gives it an alternate signal stack if it has none. A failure
    /// leaves the thread without a guard region: an overflow then ends as `crashed`.
    pub fn install() -> ThreadGuard {
        let Some((low, size)) = thread_stack() else {
            return ThreadGuard {
                protected: None,
                _alt_stack: ensure_alt_stack().ok().flatten(),
            };
        };
        let page = page_size();
        let own = if size > 4 * OWN_GUARD_BYTES {
            OWN_GUARD_BYTES
        } else {
            0
        };
        // SAFETY: [low, low + own) is the bottom of this thread's own stack, far below the
        // frames in use (the thread has just started); nothing else uses those pages.
        let protected = (own > 0
            && unsafe { libc::mprotect(low as *mut c_void, own, libc::PROT_NONE) } == 0)
            .then_some((low, own));
        let high = low + protected.map_or(page, |(_, len)| len);
        GUARD.with(|g| g.set((low.saturating_sub(OWN_GUARD_BYTES), high)));
        ThreadGuard {
            protected,
            _alt_stack: ensure_alt_stack().ok().flatten(),
        }
    }
}

impl Drop for ThreadGuard {
    fn drop(&mut self) {
        GUARD.with(|g| g.set((0, 0)));
        if let Some((low, len)) = self.protected {
            // SAFETY: gives this thread's own stack pages back their protection, so that the
            // C library can reuse the stack for another thread.
            unsafe { libc::mprotect(low as *mut c_void, len, libc::PROT_READ | libc::PROT_WRITE) };
        }
    }
}

/// The calling thread's usable stack: its lowest address and its size (not for the main
/// thread, whose stack the C library finds by reading `/proc`).
fn thread_stack() -> Option<(usize, usize)> {
    // SAFETY: pthread_getattr_np initialises `attr` for the calling thread, which is then
    // read and destroyed; for a thread other than the main one it reads only the thread's
    // descriptor.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut address: *mut c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let got = libc::pthread_attr_getstack(&attr, &mut address, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (got == 0 && !address.is_null()).then_some((address as usize, size))
    }
}
