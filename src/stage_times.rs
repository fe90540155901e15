//! Wall-clock marks between the stages of a translation, printed to stderr when the
//! environment says `C2GOASM_RS_TIMES=1` (issue #12: where the command line's time goes,
//! measured on the real process rather than in a benchmark harness). Off, a mark costs
//! one load of a cached flag.

use std::sync::OnceLock;
use std::time::Instant;

/// The process's first mark; `None` when timing is off.
fn origin() -> Option<Instant> {
    static ORIGIN: OnceLock<Option<Instant>> = OnceLock::new();
    *ORIGIN.get_or_init(|| {
        std::env::var_os("C2GOASM_RS_TIMES")
            .is_some_and(|v| v == "1")
            .then(Instant::now)
    })
}

/// Prints `stage` with the milliseconds since the first mark (and the thread, so marks
/// of helper threads can be told apart).
pub fn mark(stage: &str) {
    if let Some(start) = origin() {
        use std::io::Write;
        let ms = start.elapsed().as_secs_f64() * 1e3;
        let thread = std::thread::current();
        let who = thread.name().unwrap_or("helper");
        let _ = writeln!(
            std::io::stderr().lock(),
            "time {ms:7.2} ms  {who:6} {stage}"
        );
    }
}
