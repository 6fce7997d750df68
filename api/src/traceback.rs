//! Formats an uncaught exception the way RepyV2 users expect to read it.
//!
//! Every frame the program can produce is its own (the API is Rust, so no wrapper frame of
//! the sandbox appears), so the whole traceback is the user traceback. Source lines are shown
//! for frames of the main program, whose source the sandbox holds; nothing is read from disk.

use std::fmt::Write as _;

use pyo3::prelude::*;

/// One frame of a traceback.
struct Frame {
    filename: String,
    line: Option<usize>,
    function: String,
}

/// Collects the frames of `err`'s traceback, innermost last.
fn frames(py: Python<'_>, err: &PyErr) -> Vec<Frame> {
    // A traceback is at most as deep as the recursion limit allows plus what C code adds;
    // the walk is bounded all the same.
    const MAX_WALK: usize = 100_000;
    let mut frames = Vec::new();
    let mut tb = err.traceback(py).map(|tb| tb.into_any());
    while let Some(current) = tb {
        if current.is_none() || frames.len() >= MAX_WALK {
            break;
        }
        let frame = (|| -> PyResult<Frame> {
            let code = current.getattr("tb_frame")?.getattr("f_code")?;
            let line = current.getattr("tb_lineno")?.extract::<usize>().ok();
            Ok(Frame {
                filename: code.getattr("co_filename")?.extract()?,
                line,
                function: code.getattr("co_name")?.extract()?,
            })
        })();
        if let Ok(frame) = frame {
            frames.push(frame);
        }
        tb = current.getattr("tb_next").ok();
    }
    frames
}

/// The class name of the exception as the report shows it (`ValueError`,
/// `repy.RepyArgumentError`, or the program's own class name).
fn class_name(py: Python<'_>, err: &PyErr) -> String {
    let ty = err.get_type(py);
    let name = ty
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    match ty.module().map(|m| m.to_string()) {
        Ok(module) if module == "repy" => format!("repy.{name}"),
        _ => name,
    }
}

/// The longest exception message a traceback shows (the rest is counted, not printed): its
/// size must not be the program's to choose.
pub const MAX_MESSAGE_CHARS: usize = 10_000;

/// The exception's message, `str(exc)` (cut to [`MAX_MESSAGE_CHARS`]), or a placeholder when
/// `__str__` itself fails.
fn message(py: Python<'_>, err: &PyErr) -> String {
    let text = err
        .value(py)
        .str()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "<exception str() failed>".into());
    cut(&text, MAX_MESSAGE_CHARS).into_owned()
}

/// The longest file name, function name or source line a traceback shows; longer ones are
/// cut (the program chooses them: virtual-namespace names, generated source lines).
pub const MAX_FIELD_CHARS: usize = 200;

/// Frames shown from each end of a long traceback; the ones between are counted, not shown.
pub const KEPT_FRAMES: usize = 25;

/// Identical consecutive frames shown before the rest are collapsed, as CPython does.
const REPEATS_SHOWN: usize = 3;

/// `text` cut to `max` characters, saying how much was left out.
fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let total = text.chars().count();
    if total <= max {
        return text.into();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}... ({} more characters)", total - max).into()
}

/// `text` cut to [`MAX_FIELD_CHARS`].
fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    cut(text, MAX_FIELD_CHARS)
}

/// The frames to show: runs of one identical frame collapsed after [`REPEATS_SHOWN`] into a
/// count, then at most [`KEPT_FRAMES`] entries from each end.
enum Entry<'a> {
    Frame(&'a Frame),
    Repeated(usize),
    Omitted(usize),
}

fn entries(frames: &[Frame]) -> Vec<Entry<'_>> {
    let same = |a: &Frame, b: &Frame| {
        a.filename == b.filename && a.line == b.line && a.function == b.function
    };
    let mut collapsed = Vec::new();
    let mut index = 0;
    while let Some(frame) = frames.get(index) {
        let run = frames[index..]
            .iter()
            .take_while(|other| same(frame, other))
            .count();
        for _ in 0..run.min(REPEATS_SHOWN) {
            collapsed.push(Entry::Frame(frame));
        }
        if run > REPEATS_SHOWN {
            collapsed.push(Entry::Repeated(run - REPEATS_SHOWN));
        }
        index += run;
    }
    if collapsed.len() <= 2 * KEPT_FRAMES {
        return collapsed;
    }
    let omitted = collapsed.len() - 2 * KEPT_FRAMES;
    let tail = collapsed.split_off(collapsed.len() - KEPT_FRAMES);
    collapsed.truncate(KEPT_FRAMES);
    collapsed.push(Entry::Omitted(omitted));
    collapsed.extend(tail);
    collapsed
}

/// Renders `err` as the sandbox reports an uncaught exception. `program` is the main
/// program's filename and `source` its text, used to show the failing lines.
///
/// The text is bounded whatever the program does (it is written to standard error when the
/// program ends): repeated frames are collapsed, at most 2 × [`KEPT_FRAMES`] entries and
/// [`MAX_FIELD_CHARS`] per name or line are shown, and the message is cut to
/// [`MAX_MESSAGE_CHARS`]: about 45 kB at most.
pub fn render(py: Python<'_>, err: &PyErr, program: &str, source: &str) -> String {
    render_with_message(py, err, &message(py, err), program, source)
}

/// The printed traceback and the report's summary of `err`, with the exception's `str()` —
/// the program's own `__str__`, which runs while the run ends — called once for both.
pub fn report(
    py: Python<'_>,
    err: &PyErr,
    program: &str,
    source: &str,
) -> (String, ExceptionSummary) {
    let text = message(py, err);
    (
        render_with_message(py, err, &text, program, source),
        summarize_with_message(py, err, &text),
    )
}

/// [`render`] with the message already computed.
fn render_with_message(
    py: Python<'_>,
    err: &PyErr,
    text: &str,
    program: &str,
    source: &str,
) -> String {
    let mut out =
        String::from("---\nUncaught exception!\n---\nTraceback (most recent call last):\n");
    let frames = frames(py, err);
    for entry in entries(&frames) {
        let frame = match entry {
            Entry::Frame(frame) => frame,
            Entry::Repeated(count) => {
                let _ = writeln!(
                    out,
                    "  [Previous line repeated {count} more time{}]",
                    if count == 1 { "" } else { "s" }
                );
                continue;
            }
            Entry::Omitted(count) => {
                let _ = writeln!(out, "  ... {count} more frames ...");
                continue;
            }
        };
        let line = frame
            .line
            .map_or_else(|| "?".to_string(), |l| l.to_string());
        let _ = writeln!(
            out,
            "  \"{}\", line {}, in {}",
            bounded(&frame.filename),
            line,
            bounded(&frame.function)
        );
        if frame.filename == program {
            if let Some(text) = frame
                .line
                .and_then(|l| source.lines().nth(l.saturating_sub(1)))
            {
                let _ = writeln!(out, "    {}", bounded(text.trim()));
            }
        }
    }
    let _ = writeln!(
        out,
        "Exception (with class '{}'): {}\n---",
        bounded(&class_name(py, err)),
        text
    );
    out
}

/// The most frames of an uncaught exception the run report keeps (the innermost ones).
pub const MAX_REPORT_FRAMES: usize = 20;

/// The longest exception message, or frame name, the run report keeps.
pub const MAX_REPORT_CHARS: usize = 500;

/// An uncaught exception as the run report records it, bounded whatever the program raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionSummary {
    /// The class name as the traceback shows it (`ValueError`, `repy.RepyArgumentError`).
    pub class: String,
    /// `str(exc)`, cut to [`MAX_REPORT_CHARS`] characters.
    pub message: String,
    /// The innermost [`MAX_REPORT_FRAMES`] frames, outermost first, as
    /// `"file", line N, in function`.
    pub frames: Vec<String>,
    /// How many frames the traceback had in all.
    pub frame_count: usize,
}

/// `text` cut to [`MAX_REPORT_CHARS`] characters, for the run report.
fn report_bounded(text: &str) -> String {
    cut(text, MAX_REPORT_CHARS).into_owned()
}

/// The report's summary of `err`: class, bounded message, bounded traceback.
pub fn summarize(py: Python<'_>, err: &PyErr) -> ExceptionSummary {
    summarize_with_message(py, err, &message(py, err))
}

/// [`summarize`] with the message already computed.
fn summarize_with_message(py: Python<'_>, err: &PyErr, text: &str) -> ExceptionSummary {
    let all = frames(py, err);
    let frame_count = all.len();
    let frames = all
        .iter()
        .skip(frame_count.saturating_sub(MAX_REPORT_FRAMES))
        .map(|frame| {
            let line = frame
                .line
                .map_or_else(|| "?".to_string(), |l| l.to_string());
            format!(
                "\"{}\", line {line}, in {}",
                report_bounded(&frame.filename),
                report_bounded(&frame.function)
            )
        })
        .collect();
    ExceptionSummary {
        class: report_bounded(&class_name(py, err)),
        message: report_bounded(text),
        frames,
        frame_count,
    }
}

/// The main program's name and source, for reports rendered away from the main flow
/// (threads, `getlasterror`).
static PROGRAM: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();

/// Records the main program's name and source. Called once, before the program runs.
pub fn set_program(filename: &str, source: &str) {
    let _ = PROGRAM.set((filename.to_string(), source.to_string()));
}

/// The main program's name and source, once recorded.
pub(crate) fn program() -> Option<&'static (String, String)> {
    PROGRAM.get()
}

/// Renders `err` with the recorded main program's lines.
pub fn render_for_program(py: Python<'_>, err: &PyErr) -> String {
    match PROGRAM.get() {
        Some((filename, source)) => render(py, err, filename, source),
        None => render(py, err, "", ""),
    }
}
