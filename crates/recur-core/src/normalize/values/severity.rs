//! Severities and priorities onto one integer scale, 1 = most severe, 5 = least.
//!
//! Sources spell severity many ways: `SEV1`, `sev-1`, `Sev 1`, `S1`, `P1`, a bare `1`,
//! ServiceNow's `1 - Critical`, or a word (`Critical`, `High`, `Minor`, …). Numbers are taken as
//! ranks (1 = most severe) whatever word follows them, because ServiceNow pairs the same rank
//! with different words in different fields (`1 - Critical` for priority, `1 - High` for impact).
//! Level 0 (`SEV0`, `P0`, `0`), used by teams whose scale starts at zero, maps to 1: the
//! canonical scale has no level above "most severe".

use super::ValueError;

/// The least severe level on the canonical scale.
pub const LEAST_SEVERE: u8 = 5;

/// Parses a severity or priority onto 1 (most severe) to 5 (least severe).
///
/// Case, spaces, `-` and `_` are ignored. Accepted: `SEV1`, `sev-1`, `Sev 1`, `S1`, `P1`, `1`,
/// `Severity 2`, `Priority 3`, `1 - Critical`, `P2 (High)`, and the words `Critical`, `Highest`,
/// `Blocker`, `Urgent` (1), `High`, `Major` (2), `Medium`, `Moderate`, `Normal` (3), `Low`,
/// `Minor` (4), `Lowest`, `Trivial`, `Planning`, `Info`, `Informational` (5). Level 0 maps to 1.
/// A number above 5 or below 0 is [`ValueError::SeverityOutOfRange`]; anything else unknown is
/// [`ValueError::UnrecognizedSeverity`].
pub fn parse_severity(raw: &str) -> Result<u8, ValueError> {
    let text = raw.trim();
    // `-1` is a negative number, not `SEV-1` without its prefix: `-` is ignored only between
    // a prefix and the number.
    if text
        .strip_prefix(['-', '\u{2212}'])
        .is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_ascii_digit()))
    {
        return Err(ValueError::SeverityOutOfRange(text.to_owned()));
    }
    if let Some(level) = level_of(&compact(text), text)? {
        return Ok(level);
    }
    // `1 - Critical`, `SEV2 (High)`, `P3: Moderate`: the rank or word before the separator.
    if let Some(head) = leading_part(text)
        && let Some(level) = level_of(&compact(head), text)?
    {
        return Ok(level);
    }
    Err(ValueError::UnrecognizedSeverity(text.to_owned()))
}

/// Prefixes that may precede a numeric level, longest first so `sev` does not eat `severity`.
const NUMBER_PREFIXES: [&str; 7] = ["severity", "priority", "prio", "sev", "pri", "s", "p"];

/// The level named by `key` (compacted), `None` when it names none, an error for numbers above
/// the scale. `text` is the value as written, for the error.
fn level_of(key: &str, text: &str) -> Result<Option<u8>, ValueError> {
    let digits = NUMBER_PREFIXES
        .iter()
        .find_map(|prefix| key.strip_prefix(prefix).filter(|rest| is_number(rest)))
        .or_else(|| is_number(key).then_some(key));
    if let Some(digits) = digits {
        return match digits.trim_start_matches('0') {
            "" => Ok(Some(1)),
            rank if rank.len() == 1 && rank <= "5" => Ok(Some(rank.as_bytes()[0] - b'0')),
            _ => Err(ValueError::SeverityOutOfRange(text.to_owned())),
        };
    }
    Ok(word_level(key))
}

fn word_level(key: &str) -> Option<u8> {
    let level = match key {
        "critical" | "highest" | "blocker" | "urgent" => 1,
        "high" | "major" => 2,
        "medium" | "moderate" | "normal" => 3,
        "low" | "minor" => 4,
        "lowest" | "trivial" | "planning" | "info" | "informational" => LEAST_SEVERE,
        _ => return None,
    };
    Some(level)
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// Lower case without whitespace, `-` or `_`: `Sev-1` → `sev1`.
fn compact(text: &str) -> String {
    text.chars()
        .filter(|&c| !(c.is_whitespace() || c == '-' || c == '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The part before ` - `, `(`, `:`, `–` or `—`, when there is such a separator and a non-empty
/// part before it.
fn leading_part(text: &str) -> Option<&str> {
    let end = [" - ", "(", ":", "–", "—"]
        .iter()
        .filter_map(|separator| text.find(separator))
        .min()?;
    let head = text[..end].trim();
    (!head.is_empty()).then_some(head)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<u8, ValueError>) {
        assert_eq!(parse_severity(input), expected, "input {input:?}");
    }

    #[test]
    fn accepted_forms() {
        let cases: &[(&str, u8)] = &[
            ("SEV1", 1),
            ("sev-1", 1),
            ("Sev 1", 1),
            ("sev_2", 2),
            ("S1", 1),
            ("s3", 3),
            ("P1", 1),
            ("p1", 1),
            ("P 4", 4),
            ("1", 1),
            ("5", 5),
            (" 2 ", 2),
            ("Severity 2", 2),
            ("priority-3", 3),
            ("1 - Critical", 1),
            ("2 - High", 2),
            ("3 - Moderate", 3),
            ("4 - Low", 4),
            ("5 - Planning", 5),
            ("1 - High", 1),
            ("SEV2 (High)", 2),
            ("P3: Moderate", 3),
            ("Critical", 1),
            ("HIGHEST", 1),
            ("blocker", 1),
            ("Urgent", 1),
            ("High", 2),
            ("major", 2),
            ("Medium", 3),
            ("moderate", 3),
            ("Normal", 3),
            ("Low", 4),
            ("minor", 4),
            ("Lowest", 5),
            ("Trivial", 5),
            ("planning", 5),
            ("Info", 5),
            ("Informational", 5),
            ("SEV0", 1),
            ("P0", 1),
            ("0", 1),
            ("sev-01", 1),
            ("sev-1-", 1),
        ];
        for &(input, level) in cases {
            check(input, Ok(level));
        }
    }

    #[test]
    fn rejected_forms() {
        let out_of_range = [
            "6",
            "SEV6",
            "P9",
            "10",
            "99999999999999999999",
            "7 - Whatever",
            // A negative number is not SEV1 with its prefix lost.
            "-1",
            "-1-",
            "\u{2212}1",
        ];
        for input in out_of_range {
            check(input, Err(ValueError::SeverityOutOfRange(input.to_owned())));
        }
        let unknown = [
            "",
            "  ",
            "severe-ish",
            "sev",
            "P",
            "high priority",
            "S-one",
            "1.5",
            "(1)",
            "#1",
        ];
        for input in unknown {
            check(
                input,
                Err(ValueError::UnrecognizedSeverity(input.trim().to_owned())),
            );
        }
    }

    #[test]
    fn error_messages_name_the_value() {
        assert_eq!(
            parse_severity("Bad").unwrap_err().to_string(),
            "unrecognized severity `Bad`"
        );
        assert_eq!(
            parse_severity("SEV7").unwrap_err().to_string(),
            "severity `SEV7` is outside 1 to 5"
        );
    }
}
