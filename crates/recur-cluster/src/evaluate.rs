//! Agreement of mined patterns with known classes (planted causes, or a team's own
//! categories): normalized and adjusted mutual information, per-pattern purity and the classes
//! each pattern mixes, per-class coverage, and recurrence precision and recall.
//!
//! One-offs on either side (an incident in no pattern, or one without a class) count as
//! singletons: each is its own cluster. Leaving one-offs out would reward a mining that
//! declares every hard incident a one-off.
//!
//! Everything here is linear in the incidents (plus the distinct cluster sizes for the
//! adjusted mutual information): it runs at a million.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A pattern's two largest classes must not both exceed this share of it: above, the pattern
/// mixes causes.
pub const MIXED_SHARE: f64 = 0.10;

/// The agreement of one clustering with the classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Incidents compared.
    pub n_incidents: usize,
    /// Normalized mutual information (arithmetic mean), one-offs as singletons.
    pub nmi: f64,
    /// Adjusted mutual information (arithmetic mean), one-offs as singletons.
    pub ami: f64,
    /// Share of incidents in no pattern.
    pub one_off_share: f64,
    /// Share of incidents without a class.
    pub unclassed_share: f64,
    /// Each pattern's purity and the classes it mixes, by pattern id.
    pub patterns: Vec<PatternPurity>,
    /// Each class's coverage, by class name.
    pub classes: Vec<ClassCoverage>,
}

/// How pure one pattern is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternPurity {
    /// The pattern's id.
    pub pattern: usize,
    /// Its members.
    pub size: usize,
    /// Share of members in its largest class (members without a class count as their own).
    pub purity: f64,
    /// Its classes with their member counts, largest first (ties by name); members without a
    /// class are counted under `""`.
    pub classes: Vec<(String, usize)>,
    /// Whether its two largest classes each exceed [`MIXED_SHARE`] of it.
    pub mixed: bool,
}

/// Where one class went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassCoverage {
    /// The class.
    pub class: String,
    /// Its incidents.
    pub size: usize,
    /// The pattern holding most of its incidents, if any is in a pattern.
    pub main_pattern: Option<usize>,
    /// Share of the class in that pattern.
    pub main_share: f64,
    /// Share of the class left one-off.
    pub one_off_share: f64,
    /// Whether some pattern has this class as its largest class.
    pub has_own_pattern: bool,
}

/// Recurrence claims against the known ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecurrenceScore {
    /// Claims made.
    pub found: usize,
    /// Known recurrences.
    pub known: usize,
    /// Claims that name the known earlier incident.
    pub correct: usize,
    /// `correct / found` (1 when nothing was claimed).
    pub precision: f64,
    /// `correct / known` (1 when nothing is known).
    pub recall: f64,
}

/// Compare `assignment` (pattern of each incident, `None` for a one-off) with `classes` (class
/// of each incident, `None` for none). The slices are compared over their common length.
pub fn evaluate<S: AsRef<str>>(assignment: &[Option<usize>], classes: &[Option<S>]) -> Evaluation {
    let n = assignment.len().min(classes.len());
    let found: Vec<Side<usize>> = assignment[..n]
        .iter()
        .enumerate()
        .map(|(i, p)| p.map_or(Side::Single(i), Side::Group))
        .collect();
    let known: Vec<Side<&str>> = classes[..n]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.as_ref()
                .map_or(Side::Single(i), |c| Side::Group(c.as_ref()))
        })
        .collect();
    let (nmi, ami) = mutual_information_scores(&found, &known);
    let share = |count: usize| if n == 0 { 0.0 } else { count as f64 / n as f64 };

    let mut by_pattern: BTreeMap<usize, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut by_class: BTreeMap<&str, (usize, usize, BTreeMap<usize, usize>)> = BTreeMap::new();
    for (pattern, class) in assignment[..n].iter().zip(&classes[..n]) {
        let class = class.as_ref().map(AsRef::as_ref);
        if let Some(pattern) = pattern {
            *by_pattern
                .entry(*pattern)
                .or_default()
                .entry(class.unwrap_or(""))
                .or_default() += 1;
        }
        if let Some(class) = class {
            let entry = by_class.entry(class).or_default();
            entry.0 += 1;
            match pattern {
                Some(pattern) => *entry.2.entry(*pattern).or_default() += 1,
                None => entry.1 += 1,
            }
        }
    }
    let patterns: Vec<PatternPurity> = by_pattern
        .into_iter()
        .map(|(pattern, counts)| purity(pattern, counts))
        .collect();
    let owners: BTreeSet<&str> = patterns
        .iter()
        .filter_map(|p| p.classes.first().map(|(class, _)| class.as_str()))
        .collect();
    let classes_out = by_class
        .iter()
        .map(|(class, (size, one_offs, in_patterns))| {
            let main = in_patterns
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)));
            ClassCoverage {
                class: (*class).to_owned(),
                size: *size,
                main_pattern: main.map(|(p, _)| *p),
                main_share: main.map_or(0.0, |(_, c)| *c as f64 / *size as f64),
                one_off_share: *one_offs as f64 / *size as f64,
                has_own_pattern: owners.contains(class),
            }
        })
        .collect();
    Evaluation {
        n_incidents: n,
        nmi,
        ami,
        one_off_share: share(assignment[..n].iter().filter(|p| p.is_none()).count()),
        unclassed_share: share(classes[..n].iter().filter(|c| c.is_none()).count()),
        patterns,
        classes: classes_out,
    }
}

/// Score recurrence claims `(later id, earlier id)` against the known ones. A later incident
/// claimed twice counts once, with its first claim.
pub fn score_recurrences<S: AsRef<str>>(found: &[(S, S)], known: &[(S, S)]) -> RecurrenceScore {
    let known: BTreeMap<&str, &str> = known
        .iter()
        .map(|(later, earlier)| (later.as_ref(), earlier.as_ref()))
        .collect();
    let mut claimed: BTreeMap<&str, &str> = BTreeMap::new();
    for (later, earlier) in found {
        claimed.entry(later.as_ref()).or_insert(earlier.as_ref());
    }
    let correct = claimed
        .iter()
        .filter(|(later, earlier)| known.get(*later) == Some(*earlier))
        .count();
    let ratio = |part: usize, whole: usize| {
        if whole == 0 {
            1.0
        } else {
            part as f64 / whole as f64
        }
    };
    RecurrenceScore {
        found: claimed.len(),
        known: known.len(),
        correct,
        precision: ratio(correct, claimed.len()),
        recall: ratio(correct, known.len()),
    }
}

/// Normalized mutual information of two labelings (arithmetic-mean normalization, as
/// scikit-learn's default): 1 for identical partitions, 0 for independent ones.
pub fn normalized_mutual_information<A: Ord, B: Ord>(a: &[A], b: &[B]) -> f64 {
    mutual_information_scores(a, b).0
}

/// Adjusted mutual information of two labelings (arithmetic-mean normalization, as
/// scikit-learn's default): 1 for identical partitions, about 0 for chance agreement.
pub fn adjusted_mutual_information<A: Ord, B: Ord>(a: &[A], b: &[B]) -> f64 {
    mutual_information_scores(a, b).1
}

/// A label where `Single(i)` is a singleton cluster of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side<T> {
    Group(T),
    Single(usize),
}

fn purity(pattern: usize, counts: BTreeMap<&str, usize>) -> PatternPurity {
    let size: usize = counts.values().sum();
    let mut classes: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(class, count)| (class.to_owned(), count))
        .collect();
    classes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    // Members without a class are each their own class for purity.
    let largest = classes
        .iter()
        .find(|(class, _)| !class.is_empty())
        .map_or(usize::from(size > 0), |(_, count)| *count);
    let share = |count: usize| count as f64 / size.max(1) as f64;
    let mixed = classes
        .iter()
        .filter(|(class, _)| !class.is_empty())
        .take(2)
        .filter(|(_, count)| share(*count) > MIXED_SHARE)
        .count()
        == 2;
    PatternPurity {
        pattern,
        size,
        purity: share(largest),
        classes,
        mixed,
    }
}

/// (NMI, AMI) of two labelings over their common length.
fn mutual_information_scores<A: Ord, B: Ord>(a: &[A], b: &[B]) -> (f64, f64) {
    let n = a.len().min(b.len());
    if n == 0 {
        return (1.0, 1.0);
    }
    let mut joint: BTreeMap<(&A, &B), usize> = BTreeMap::new();
    let mut left: BTreeMap<&A, usize> = BTreeMap::new();
    let mut right: BTreeMap<&B, usize> = BTreeMap::new();
    for (x, y) in a.iter().zip(b) {
        *joint.entry((x, y)).or_default() += 1;
        *left.entry(x).or_default() += 1;
        *right.entry(y).or_default() += 1;
    }
    let total = n as f64;
    let entropy = |counts: &mut dyn Iterator<Item = usize>| -> f64 {
        counts
            .map(|c| {
                let p = c as f64 / total;
                -p * p.ln()
            })
            .sum()
    };
    let (h_a, h_b) = (
        entropy(&mut left.values().copied()),
        entropy(&mut right.values().copied()),
    );
    let mutual: f64 = joint
        .iter()
        .map(|((x, y), &c)| {
            let c = c as f64;
            (c / total) * ((c * total) / (left[x] as f64 * right[y] as f64)).ln()
        })
        .sum();
    let mean = (h_a + h_b) / 2.0;
    if mean <= 0.0 {
        return (1.0, 1.0);
    }
    let nmi = (mutual / mean).clamp(0.0, 1.0);
    let expected = expected_mutual_information(&left, &right, n);
    let denominator = mean - expected;
    let ami = if denominator.abs() < 1e-12 {
        1.0
    } else {
        (mutual - expected) / denominator
    };
    (nmi, ami.min(1.0))
}

/// The expected mutual information of two random labelings with these cluster sizes
/// (hypergeometric model, as in Vinh et al. 2010). Clusters of equal size contribute equally,
/// so the sum runs over distinct sizes: a million singletons cost one term.
fn expected_mutual_information<A, B>(
    left: &BTreeMap<A, usize>,
    right: &BTreeMap<B, usize>,
    n: usize,
) -> f64 {
    let multiplicities = |sizes: &mut dyn Iterator<Item = usize>| {
        let mut by_size: BTreeMap<usize, usize> = BTreeMap::new();
        for size in sizes {
            *by_size.entry(size).or_default() += 1;
        }
        by_size
    };
    let left = multiplicities(&mut left.values().copied());
    let right = multiplicities(&mut right.values().copied());
    // ln k! for k = 0..=n.
    let mut ln_factorial = vec![0.0_f64; n + 1];
    for k in 1..=n {
        ln_factorial[k] = ln_factorial[k - 1] + (k as f64).ln();
    }
    let total = n as f64;
    let mut expected = 0.0;
    for (&a, &count_a) in &left {
        for (&b, &count_b) in &right {
            let low = (a + b).saturating_sub(n).max(1);
            let high = a.min(b);
            let mut term = 0.0;
            for shared in low..=high {
                let s = shared as f64;
                let ln_probability =
                    ln_factorial[a] + ln_factorial[b] + ln_factorial[n - a] + ln_factorial[n - b]
                        - ln_factorial[n]
                        - ln_factorial[shared]
                        - ln_factorial[a - shared]
                        - ln_factorial[b - shared]
                        - ln_factorial[n + shared - a - b];
                term +=
                    (s / total) * ((total * s) / (a as f64 * b as f64)).ln() * ln_probability.exp();
            }
            expected += term * count_a as f64 * count_b as f64;
        }
    }
    expected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_partitions_score_one_and_independent_ones_zero() {
        let nmi = normalized_mutual_information(&[0, 0, 1, 1], &["a", "a", "b", "b"]);
        assert!((nmi - 1.0).abs() < 1e-12);
        assert!(normalized_mutual_information(&[0, 1, 0, 1], &["a", "a", "b", "b"]).abs() < 1e-12);
        let ami = adjusted_mutual_information(&[0, 0, 1, 1], &["x", "x", "y", "y"]);
        assert!((ami - 1.0).abs() < 1e-9, "{ami}");
    }

    #[test]
    fn ami_matches_the_hypergeometric_formula() {
        // Computed independently with binomial coefficients (Vinh et al. 2010, arithmetic
        // mean): NMI 0.558873, AMI 0.319673.
        let a = [0, 0, 0, 1, 1, 1, 2, 2];
        let b = [0, 0, 1, 1, 1, 2, 2, 2];
        let (nmi, ami) = mutual_information_scores(&a, &b);
        assert!((nmi - 0.558_873).abs() < 1e-6, "nmi {nmi}");
        assert!((ami - 0.319_673).abs() < 1e-6, "ami {ami}");
    }

    #[test]
    fn one_offs_count_as_singletons() {
        // Perfect on the classed incidents, but the last two (class "b") are one-offs.
        let assignment = [Some(0), Some(0), Some(1), None, None];
        let classes = [Some("a"), Some("a"), Some("b"), Some("b"), Some("b")];
        let evaluation = evaluate(&assignment, &classes);
        assert!(evaluation.nmi < 0.9, "{}", evaluation.nmi);
        assert!((evaluation.one_off_share - 0.4).abs() < 1e-12);
        let b = &evaluation.classes[1];
        assert_eq!((b.class.as_str(), b.size), ("b", 3));
        assert!((b.one_off_share - 2.0 / 3.0).abs() < 1e-12);
        assert!(b.has_own_pattern);
    }

    #[test]
    fn a_pattern_with_two_large_classes_is_mixed() {
        let assignment = [Some(0); 10];
        let classes: Vec<Option<&str>> = (0..10)
            .map(|i| Some(if i < 6 { "rate" } else { "fiber" }))
            .collect();
        let evaluation = evaluate(&assignment, &classes);
        let pattern = &evaluation.patterns[0];
        assert!(pattern.mixed);
        assert!((pattern.purity - 0.6).abs() < 1e-12);
        assert_eq!(pattern.classes[0], ("rate".to_owned(), 6));
        assert!(
            !evaluation.classes[0].has_own_pattern,
            "fiber is not its largest class"
        );
    }

    #[test]
    fn recurrence_precision_and_recall() {
        let known = [("B", "A"), ("D", "C"), ("F", "E")];
        let found = [("B", "A"), ("D", "X"), ("G", "E")];
        let score = score_recurrences(&found, &known);
        assert_eq!((score.found, score.known, score.correct), (3, 3, 1));
        assert!((score.precision - 1.0 / 3.0).abs() < 1e-12);
        let none: [(&str, &str); 0] = [];
        assert_eq!(score_recurrences(&none, &none).precision, 1.0);
    }

    #[test]
    fn empty_input_is_perfect_agreement() {
        let none: [Option<&str>; 0] = [];
        let evaluation = evaluate(&[], &none);
        assert_eq!((evaluation.nmi, evaluation.n_incidents), (1.0, 0));
    }
}
