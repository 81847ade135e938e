//! `recur review --timings`: each phase's wall time and the process's memory, on stderr.
//!
//! The libraries only time their phases (a callback told each phase's name and wall time);
//! memory is read here, from `/proc/self/status` (Linux; elsewhere the columns stay empty).

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One timed phase.
struct Row {
    phase: String,
    wall: Duration,
    /// CPU time (user and system, all threads) the process spent in the phase, for laps:
    /// on a shared machine wall time says little alone.
    cpu: Option<Duration>,
    /// Peak resident memory of the process so far (VmHWM), in bytes.
    peak: Option<u64>,
    /// Resident memory when the phase ended (VmRSS), in bytes.
    resident: Option<u64>,
}

/// The phases of one run, when `--timings` asks for them; a no-op otherwise.
pub struct Timings {
    enabled: bool,
    start: Instant,
    lap: Mutex<(Instant, Option<Duration>)>,
    rows: Mutex<Vec<Row>>,
}

impl Timings {
    pub fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Self {
            enabled,
            start: now,
            lap: Mutex::new((now, cpu_time())),
            rows: Mutex::new(Vec::new()),
        }
    }

    /// End the phase `phase`, begun at the last lap (or the start).
    pub fn lap(&self, phase: &str) {
        if !self.enabled {
            return;
        }
        let now = (Instant::now(), cpu_time());
        let (wall, cpu) = match self.lap.lock() {
            Ok(mut last) => {
                let (then, cpu_then) = std::mem::replace(&mut *last, now);
                let cpu = now.1.zip(cpu_then).map(|(n, t)| n.saturating_sub(t));
                (now.0.duration_since(then), cpu)
            }
            Err(_) => (Duration::ZERO, None),
        };
        self.push(phase.to_owned(), wall, cpu);
    }

    /// A phase inside a library call, timed there (`parent: phase`); the call as a whole is
    /// a lap of its own.
    pub fn inner(&self, parent: &str, phase: &str, wall: Duration) {
        if self.enabled {
            self.push(format!("  {parent}: {phase}"), wall, None);
        }
    }

    fn push(&self, phase: String, wall: Duration, cpu: Option<Duration>) {
        let (peak, resident) = memory();
        if let Ok(mut rows) = self.rows.lock() {
            rows.push(Row {
                phase,
                wall,
                cpu,
                peak,
                resident,
            });
        }
    }

    /// The table, for stderr; empty when not enabled.
    pub fn table(&self) -> String {
        if !self.enabled {
            return String::new();
        }
        let mib = |bytes: Option<u64>| {
            bytes.map_or_else(
                || "-".to_owned(),
                |b| format!("{:.0}", b as f64 / 1048576.0),
            )
        };
        let secs = |time: Option<Duration>| {
            time.map_or_else(|| "-".to_owned(), |t| format!("{:.3}", t.as_secs_f64()))
        };
        let mut out = format!(
            "{:<44} {:>9} {:>9} {:>11} {:>10}\n",
            "phase", "wall (s)", "CPU (s)", "peak (MiB)", "RSS (MiB)"
        );
        if let Ok(rows) = self.rows.lock() {
            for row in rows.iter() {
                out.push_str(&format!(
                    "{:<44} {:>9.3} {:>9} {:>11} {:>10}\n",
                    row.phase,
                    row.wall.as_secs_f64(),
                    secs(row.cpu),
                    mib(row.peak),
                    mib(row.resident)
                ));
            }
        }
        let (peak, resident) = memory();
        out.push_str(&format!(
            "{:<44} {:>9.3} {:>9} {:>11} {:>10}\n",
            "total",
            self.start.elapsed().as_secs_f64(),
            secs(cpu_time()),
            mib(peak),
            mib(resident)
        ));
        out.push_str("(indented phases are inside the line below them; some run in parallel)\n");
        out
    }
}

/// The process's peak and current resident memory in bytes (VmHWM, VmRSS), where the system
/// tells them.
fn memory() -> (Option<u64>, Option<u64>) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return (None, None);
    };
    let field = |name: &str| {
        status.lines().find_map(|line| {
            let value = line.strip_prefix(name)?.trim().strip_suffix("kB")?;
            value.trim().parse::<u64>().ok().map(|kib| kib * 1024)
        })
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// The CPU time the process has used (user and system, all threads), from
/// `/proc/self/stat` in clock ticks of 1/100 s (the Linux `USER_HZ`).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_timings_print_nothing() {
        let timings = Timings::new(false);
        timings.lap("reading");
        assert_eq!(timings.table(), "");
    }

    #[test]
    fn table_lists_phases_in_order_with_memory() {
        let timings = Timings::new(true);
        timings.inner("review", "patterns", Duration::from_millis(1500));
        timings.lap("review");
        let table = timings.table();
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("phase"), "{table}");
        assert!(lines[1].starts_with("  review: patterns"), "{table}");
        assert!(lines[1].contains("1.500"), "{table}");
        assert!(lines[2].starts_with("review "), "{table}");
        assert!(lines[3].starts_with("total "), "{table}");
        if cfg!(target_os = "linux") {
            // A running process has a resident size.
            assert!(!lines[3].trim_end().ends_with(" -"), "{table}");
        }
    }
}
