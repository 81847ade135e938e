//! List-valued cells: services, teams, tags, contributing factors, alerts.

/// Splits a list-valued cell into its items, in order.
///
/// A JSON array (`["a","b"]`) is parsed as JSON: its strings, numbers and booleans become items.
/// A bracketed list that is not valid JSON (`['a', 'b']`, `[a, b]`) loses its brackets and each
/// item its matching quotes. Otherwise the text is split on the strongest separator present, in
/// the order newline > `;` > `|` > `,`, so that a phrase containing a comma survives when items
/// are `;`-separated. Each item is trimmed and loses a leading bullet (`- `, `* `, `+ `, `• `,
/// `1. `, `1) `) and Markdown check box (`[ ] `, `[x] `); empty items are dropped.
pub fn split_list(raw: &str) -> Vec<String> {
    let text = raw.trim();
    if let Some(inner) = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        if let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(text) {
            return values.iter().filter_map(json_item).collect();
        }
        return split_on_separator(inner)
            .into_iter()
            .map(|item| unquote(clean_item(item)))
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect();
    }
    split_on_separator(text)
        .into_iter()
        .map(clean_item)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The separators, strongest first.
const SEPARATORS: [char; 4] = ['\n', ';', '|', ','];

fn split_on_separator(text: &str) -> Vec<&str> {
    match SEPARATORS
        .into_iter()
        .find(|&separator| text.contains(separator))
    {
        Some(separator) => text.split(separator).collect(),
        None => vec![text],
    }
}

fn json_item(value: &serde_json::Value) -> Option<String> {
    let item = match value {
        serde_json::Value::String(text) => text.trim().to_owned(),
        serde_json::Value::Number(number) => number.to_string(),
        serde_json::Value::Bool(flag) => flag.to_string(),
        _ => return None,
    };
    (!item.is_empty()).then_some(item)
}

/// Trims an item and removes a leading bullet, number or check box.
fn clean_item(item: &str) -> &str {
    let item = item.trim();
    let item = strip_bullet(item).map_or(item, str::trim_start);
    let item = strip_check_box(item).unwrap_or(item);
    item.trim()
}

fn strip_bullet(item: &str) -> Option<&str> {
    if let Some(rest) = item.strip_prefix('•') {
        return Some(rest);
    }
    if let Some(rest) = item.strip_prefix(['-', '*', '+']) {
        return rest.starts_with(char::is_whitespace).then_some(rest);
    }
    let digits = item.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = item[digits..].strip_prefix(['.', ')'])?;
        return rest.starts_with(char::is_whitespace).then_some(rest);
    }
    None
}

fn strip_check_box(item: &str) -> Option<&str> {
    ["[ ]", "[x]", "[X]"]
        .iter()
        .find_map(|check_box| item.strip_prefix(check_box))
        .filter(|rest| rest.starts_with(char::is_whitespace))
}

/// Removes one pair of matching surrounding quotes.
fn unquote(item: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = item
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner.trim();
        }
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &[&str]) {
        assert_eq!(split_list(input), expected, "input {input:?}");
    }

    #[test]
    fn separators_by_precedence() {
        check("api, db, cache", &["api", "db", "cache"]);
        check("api;db ; cache", &["api", "db", "cache"]);
        check("api | db | cache", &["api", "db", "cache"]);
        check(
            "retry storm, no backoff; stale config",
            &["retry storm, no backoff", "stale config"],
        );
        check("a, b | c, d", &["a, b", "c, d"]);
        check("a; b | c", &["a", "b | c"]);
        check(
            "first, with comma\nsecond; with semicolon\r\nthird",
            &["first, with comma", "second; with semicolon", "third"],
        );
        check("single item", &["single item"]);
        check("  ", &[]);
        check("", &[]);
        check("a,,b, ,", &["a", "b"]);
    }

    #[test]
    fn bullets_and_check_boxes() {
        check(
            "- one\n- two\n\n* three\n+ four\n• five\n•six",
            &["one", "two", "three", "four", "five", "six"],
        );
        check(
            "1. restart\n2) drain\n10. verify",
            &["restart", "drain", "verify"],
        );
        check(
            "- [ ] add alert\n- [x] fix retry",
            &["add alert", "fix retry"],
        );
        check(
            "-1 offset\n2.5 seconds\n2025. year",
            &["-1 offset", "2.5 seconds", "2025. year"],
        );
        check("-\n*", &["-", "*"]);
    }

    #[test]
    fn json_and_bracketed_lists() {
        check(r#"["a","b"]"#, &["a", "b"]);
        check(
            r#"[" retry storm, no backoff ", "stale; config", ""]"#,
            &["retry storm, no backoff", "stale; config"],
        );
        check(r#"[1, true, null, {"x": 1}, "x"]"#, &["1", "true", "x"]);
        check("[]", &[]);
        check("['api', 'db']", &["api", "db"]);
        check("[api, db]", &["api", "db"]);
        check("[\"a\", 'b']", &["a", "b"]);
    }
}
