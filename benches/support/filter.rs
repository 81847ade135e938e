//! The size filter the benches share (`#[path]`-included by each bench that needs it).

/// Whether a benchmark `group/name/n_incidents` of one of these names at this size was asked
/// for. Criterion's filter (the first free argument) is a regular expression; this understands
/// the plain substrings and `^`/`$` anchors that select a size, e.g. `/10000$`: generating a
/// million incidents only to skip them would take minutes.
pub fn wanted_of(group: &str, names: &[&str], n_incidents: usize) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let matches = |id: &str, filter: &str| {
        let (start, filter) = match filter.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, filter),
        };
        let (end, filter) = match filter.strip_suffix('$') {
            Some(rest) => (true, rest),
            None => (false, filter),
        };
        match (start, end) {
            (true, true) => id == filter,
            (true, false) => id.starts_with(filter),
            (false, true) => id.ends_with(filter),
            (false, false) => id.contains(filter),
        }
    };
    filters.is_empty()
        || filters.iter().any(|filter| {
            names
                .iter()
                .any(|name| matches(&format!("{group}/{name}/{n_incidents}"), filter))
        })
}
