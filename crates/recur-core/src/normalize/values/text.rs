//! Free text: HTML and Markdown reduced to plain paragraphs, and mojibake repair.

use std::borrow::Cow;

use pulldown_cmark::{Event, Options, Parser, TagEnd};

/// Cleans a free-text value into plain text, or `None` when nothing is left.
///
/// - HTML tags are removed; block tags (`<p>`, `<div>`, `<li>`, headings, table rows, …) end a
///   paragraph, `<br>` ends a line (two in a row end a paragraph), table cells become spaces,
///   `<script>` and `<style>` lose their content, comments are dropped. Only known HTML tag
///   names count as tags, so a placeholder such as `<service>` or `a < b` stays as written.
/// - HTML entities are decoded (`&amp;` → `&`, `&nbsp;` → a space).
/// - Markdown markup is reduced to its text: emphasis, headings, list markers, quotes, code
///   fences and tables lose their markup; code keeps its text; a link keeps its text and its
///   target as `text (url)` (only the URL when the text is the URL); images keep their text.
/// - Whitespace is folded: runs of spaces and tabs become one space, lines are trimmed, a single
///   line break inside a paragraph becomes a space, and paragraphs are separated by exactly one
///   blank line (`\n\n`). Control characters and zero-width spaces are dropped.
///
/// A one-line value without `<`, `&` or Markdown syntax takes a fast path that only folds
/// whitespace, and one that is already clean (single-spaced printable ASCII) is copied as it is.
pub fn clean_text(raw: &str) -> Option<String> {
    let plain = !needs_markup_pass(raw);
    if plain && is_single_spaced_ascii(raw) {
        return Some(raw.to_owned());
    }
    if plain {
        return non_empty(fold_paragraphs(raw));
    }
    if !raw.contains('<') && !has_markdown_syntax(raw) {
        // Entities only: no need for the Markdown parser.
        return non_empty(fold_paragraphs(&html_escape::decode_html_entities(raw)));
    }
    let text = normalize_line_ends(raw);
    let text = match strip_html(&text) {
        // Indentation means nothing in HTML but would make an indented code block in Markdown.
        Some(stripped) => Cow::Owned(
            stripped
                .lines()
                .map(str::trim_start)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        None => text,
    };
    non_empty(fold_paragraphs(&markdown_to_text(&text)))
}

/// Repairs UTF-8 text that was decoded as Windows-1252 or Latin-1 (`Ã©` for `é`, `â€™` for `’`,
/// `Â ` for a no-break space), or returns `None` when there is nothing to repair.
///
/// Text is only touched when it shows a sign of mojibake (a character that starts a UTF-8
/// sequence followed by one that continues it, as Windows-1252 shows them), and is repaired only
/// when the whole value, encoded back to Windows-1252, is valid UTF-8: text that mixes correct
/// accents with broken ones, or legitimate Latin-1 text such as `«ÉTÉ»`, is left alone. Text
/// broken twice (`Ã¢â‚¬â„¢`) is repaired twice.
pub fn repair_mojibake(raw: &str) -> Option<String> {
    if raw.is_ascii() {
        // Mojibake is made of characters from U+00C2 up.
        return None;
    }
    let mut repaired: Option<String> = None;
    for _ in 0..3 {
        let current = repaired.as_deref().unwrap_or(raw);
        if !has_mojibake_sign(current) {
            break;
        }
        match reencode(current) {
            Some(next) if next != current && plausible(&next) => repaired = Some(next),
            _ => break,
        }
    }
    repaired
}

/// `raw` with each run of whitespace made one space and no whitespace at either end.
pub fn fold_spaces(raw: &str) -> String {
    if is_single_spaced_ascii(raw) {
        return raw.to_owned();
    }
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `raw` is non-empty printable ASCII whose only whitespace is single spaces between
/// words: text that folding whitespace leaves as it is. Most cells of a large export are.
fn is_single_spaced_ascii(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    first.is_ascii_graphic()
        && last.is_ascii_graphic()
        && bytes
            .windows(2)
            .all(|pair| pair[1].is_ascii_graphic() || (pair[1] == b' ' && pair[0] != b' '))
}

/// Whether `raw` needs more than whitespace folding.
fn needs_markup_pass(raw: &str) -> bool {
    raw.bytes().any(|byte| matches!(byte, b'<' | b'&')) || has_markdown_syntax(raw)
}

/// Whether `raw` has Markdown syntax beyond entities: the characters that make markup, a line
/// break, or a line that starts like a list item or a rule.
fn has_markdown_syntax(raw: &str) -> bool {
    raw.bytes().any(|byte| {
        matches!(
            byte,
            b'*' | b'_' | b'`' | b'#' | b'>' | b'[' | b']' | b'\\' | b'~' | b'\n' | b'\r'
        )
    }) || starts_like_block_markup(raw)
}

/// A first line that Markdown would read as a list item, a rule or a setext underline.
fn starts_like_block_markup(raw: &str) -> bool {
    let line = raw.trim_start();
    if line.starts_with(['-', '+', '=']) {
        return true;
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    (1..=9).contains(&digits) && line[digits..].starts_with(['.', ')'])
}

fn normalize_line_ends(raw: &str) -> Cow<'_, str> {
    if raw.contains('\r') {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    }
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// Folds whitespace: each line's runs of whitespace become one space and the line is trimmed;
/// consecutive non-empty lines join with a space into a paragraph; paragraphs (separated by
/// blank lines) join with `\n\n`. Control characters and zero-width spaces are dropped.
fn fold_paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_line_pending = false;
    for line in text.split('\n') {
        let mut in_space = false;
        let mut line_started = false;
        for c in line.chars() {
            if c.is_whitespace() {
                in_space = true;
            } else if c.is_control() || matches!(c, '\u{200B}' | '\u{FEFF}') {
                // Dropped: they are invisible and would split words.
            } else {
                if !line_started {
                    if !out.is_empty() {
                        out.push_str(if blank_line_pending { "\n\n" } else { " " });
                    }
                    blank_line_pending = false;
                    line_started = true;
                } else if in_space {
                    out.push(' ');
                }
                in_space = false;
                out.push(c);
            }
        }
        if !line_started && !out.is_empty() {
            blank_line_pending = true;
        }
    }
    out
}

/// What an HTML tag becomes in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagBreak {
    /// An inline tag (`<b>`, `<span>`): nothing.
    Inline,
    /// `<br>`: a line break.
    Line,
    /// A block tag: a paragraph break.
    Paragraph,
    /// A table cell: a space, so that cells do not run together.
    Space,
    /// `<script>`, `<style>`: nothing, and their content is dropped.
    DropContent,
}

impl TagBreak {
    fn text(self) -> &'static str {
        match self {
            Self::Inline | Self::DropContent => "",
            Self::Line => "\n",
            Self::Paragraph => "\n\n",
            Self::Space => " ",
        }
    }
}

fn known_tag(name: &str) -> Option<TagBreak> {
    let kind = match name {
        "br" => TagBreak::Line,
        "p" | "div" | "li" | "ul" | "ol" | "dl" | "dt" | "dd" | "h1" | "h2" | "h3" | "h4"
        | "h5" | "h6" | "tr" | "table" | "thead" | "tbody" | "tfoot" | "caption" | "blockquote"
        | "pre" | "hr" | "section" | "article" | "header" | "footer" | "nav" | "main" | "aside"
        | "figure" | "figcaption" | "details" | "summary" | "html" | "body" | "head" | "title"
        | "form" | "fieldset" | "address" | "center" => TagBreak::Paragraph,
        "td" | "th" => TagBreak::Space,
        "script" | "style" => TagBreak::DropContent,
        "a" | "abbr" | "b" | "big" | "cite" | "code" | "del" | "dfn" | "em" | "font" | "i"
        | "img" | "ins" | "kbd" | "label" | "mark" | "meta" | "link" | "q" | "s" | "samp"
        | "small" | "span" | "strike" | "strong" | "sub" | "sup" | "time" | "tt" | "u" | "var"
        | "wbr" | "input" | "button" | "col" | "colgroup" | "iframe" | "o:p" => TagBreak::Inline,
        _ => return None,
    };
    Some(kind)
}

/// Removes HTML tags and comments, or returns `None` when there is none.
fn strip_html(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut found = false;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let from_tag = &rest[start..];
        match read_tag(from_tag) {
            Some(Tag {
                kind,
                name,
                len,
                closing,
            }) => {
                found = true;
                out.push_str(kind.text());
                rest = &from_tag[len..];
                if kind == TagBreak::DropContent && !closing {
                    rest = skip_past_closing_tag(rest, &name);
                }
            }
            None => {
                out.push('<');
                rest = &from_tag[1..];
            }
        }
    }
    out.push_str(rest);
    found.then_some(out)
}

/// A tag or comment found in HTML.
struct Tag {
    /// What it becomes in text.
    kind: TagBreak,
    /// Its lower-case name (empty for comments and doctypes).
    name: String,
    /// Its length in bytes, `<` and `>` included.
    len: usize,
    /// Whether it is a closing tag (`</p>`).
    closing: bool,
}

/// Reads the tag or comment at the start of `text` (which starts with `<`), or `None` when it is
/// not a known tag.
fn read_tag(text: &str) -> Option<Tag> {
    let unnamed = |len| Tag {
        kind: TagBreak::Inline,
        name: String::new(),
        len,
        closing: false,
    };
    if let Some(comment) = text.strip_prefix("<!--") {
        return Some(unnamed(
            comment.find("-->").map_or(text.len(), |end| 4 + end + 3),
        ));
    }
    if text
        .get(1..9)
        .is_some_and(|word| word.eq_ignore_ascii_case("!doctype"))
    {
        return Some(unnamed(text.find('>')? + 1));
    }
    let after_lt = text.get(1..)?;
    let closing = after_lt.starts_with('/');
    let body = after_lt.strip_prefix('/').unwrap_or(after_lt);
    let name_len = body
        .bytes()
        .take_while(|byte| byte.is_ascii_alphanumeric() || *byte == b':')
        .count();
    let after_name = &body[name_len..];
    if name_len == 0
        || !(after_name.starts_with(['>', '/']) || after_name.starts_with(char::is_whitespace))
    {
        return None;
    }
    let name = body[..name_len].to_ascii_lowercase();
    let kind = known_tag(&name)?;
    let len = text.len() - after_name.len() + tag_end(after_name)?;
    Some(Tag {
        kind,
        name,
        len,
        closing,
    })
}

/// The length up to and including the `>` that closes a tag, skipping quoted attribute values.
fn tag_end(attributes: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (index, c) in attributes.char_indices() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(index + 1),
            (None, '<') => return None,
            (None, _) => {}
        }
    }
    None
}

/// The text after the closing tag `</name…>`, or nothing when it is never closed.
fn skip_past_closing_tag<'a>(text: &'a str, name: &str) -> &'a str {
    let closing = format!("</{name}");
    let lower = text.to_ascii_lowercase();
    lower
        .find(&closing)
        .and_then(|start| text[start..].find('>').map(|end| &text[start + end + 1..]))
        .unwrap_or("")
}

/// The text of a Markdown document: block ends become paragraph breaks, markup is dropped.
fn markdown_to_text(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut out = String::with_capacity(markdown.len());
    // Open links: where their text starts in `out`, and their target.
    let mut links: Vec<(usize, String)> = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) => {
                links.push((out.len(), dest_url.into_string()));
            }
            Event::End(TagEnd::Link) => {
                if let Some((start, url)) = links.pop() {
                    let text = out.get(start..).unwrap_or_default().trim();
                    let bare = url.strip_prefix("mailto:").unwrap_or(&url);
                    if !url.is_empty() && !url.starts_with('#') && text != url && text != bare {
                        if text.is_empty() {
                            out.push_str(&url);
                        } else {
                            out.push_str(" (");
                            out.push_str(&url);
                            out.push(')');
                        }
                    }
                }
            }
            // Raw HTML left after stripping the known tags is text such as `<service>`.
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                out.push_str(&text);
            }
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("\n\n"),
            Event::Start(tag) => out.push_str(block_break(&tag.to_end())),
            Event::End(tag) => out.push_str(block_break(&tag)),
            _ => {}
        }
    }
    out
}

fn block_break(tag: &TagEnd) -> &'static str {
    match tag {
        TagEnd::Paragraph
        | TagEnd::Heading(_)
        | TagEnd::BlockQuote(_)
        | TagEnd::CodeBlock
        | TagEnd::HtmlBlock
        | TagEnd::List(_)
        | TagEnd::Item
        | TagEnd::FootnoteDefinition
        | TagEnd::DefinitionList
        | TagEnd::DefinitionListTitle
        | TagEnd::DefinitionListDefinition
        | TagEnd::Table
        | TagEnd::TableHead
        | TagEnd::TableRow
        | TagEnd::MetadataBlock(_) => "\n\n",
        TagEnd::TableCell => " ",
        _ => "",
    }
}

/// Whether `text` has a character that starts a UTF-8 sequence (as Windows-1252 shows it)
/// followed by one that continues it, or `Â` before a space (a no-break space whose second byte
/// was turned into a space).
fn has_mojibake_sign(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if ('\u{C2}'..='\u{F4}').contains(&c)
            && let Some(&next) = chars.peek()
            && ((next == ' ' && c == 'Â')
                || cp1252_byte(next).is_some_and(|byte| (0x80..=0xBF).contains(&byte)))
        {
            return true;
        }
    }
    false
}

/// The Windows-1252 byte of `c`, with the bytes Windows-1252 leaves undefined read as Latin-1
/// (so that text decoded as Latin-1 round-trips too).
fn cp1252_byte(c: char) -> Option<u8> {
    if let Ok(byte) = u8::try_from(c)
        && !(0x80..=0x9F).contains(&byte)
    {
        return Some(byte);
    }
    let mut buffer = [0; 4];
    let (bytes, _, had_errors) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buffer));
    match (had_errors, bytes.as_ref()) {
        (false, &[byte]) => Some(byte),
        // A C1 control: what Latin-1 makes of the bytes 0x80 to 0x9F.
        _ => u8::try_from(c).ok(),
    }
}

/// Whether a repaired text is free of characters that real text hardly ever has but that
/// legitimate Latin-1 text would produce if wrongly "repaired" (`daß…` would become NKo,
/// `CAFÉ’s` an IPA letter): C1 controls, Latin Extended-B other than the Romanian letters, IPA,
/// Hebrew cantillation, Syriac, Thaana, NKo, private use and the replacement character.
fn plausible(text: &str) -> bool {
    !text.chars().any(|c| {
        matches!(
            u32::from(c),
            0x80..=0x9F | 0x180..=0x217 | 0x21C..=0x2AF | 0x591..=0x5CF | 0x700..=0x7FF | 0xE000..=0xF8FF | 0xFFFD
        )
    })
}

/// `text` encoded back to Windows-1252 and decoded as UTF-8, when every character encodes and
/// the bytes are valid UTF-8.
fn reencode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        bytes.push(cp1252_byte(c)?);
        if c == 'Â' && chars.peek() == Some(&' ') {
            // `Â ` is a no-break space (C2 A0) whose second byte became a plain space.
            chars.next();
            bytes.push(0xA0);
        }
    }
    encoding_rs::UTF_8
        .decode_without_bom_handling_and_without_replacement(&bytes)
        .map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        assert_eq!(clean_text(input).as_deref(), expected, "input {input:?}");
    }

    #[test]
    fn plain_text_and_whitespace() {
        check(
            "  Database   failover\tfailed ",
            Some("Database failover failed"),
        );
        check("", None);
        check(" \t \n\n ", None);
        check("line one\nline two", Some("line one line two"));
        check(
            "para one\n\n\n\npara two\r\n\r\npara three",
            Some("para one\n\npara two\n\npara three"),
        );
        check("  indented\n   lines  \n", Some("indented lines"));
        check(
            "zero\u{200B}width\u{FEFF} and\u{0007}bell",
            Some("zerowidth andbell"),
        );
        check("no-break\u{A0}space", Some("no-break space"));
        check("5 < 6 and 7 > 3", Some("5 < 6 and 7 > 3"));
        check(
            "error 500 at 10:00, retried",
            Some("error 500 at 10:00, retried"),
        );
    }

    #[test]
    fn html() {
        check(
            "<p>First paragraph.</p><p>Second <b>bold</b> one.</p>",
            Some("First paragraph.\n\nSecond bold one."),
        );
        check("line<br>continues<br/>here", Some("line continues here"));
        check("para<br><br>next<BR />", Some("para\n\nnext"));
        check("<div>a</div><div>b</div>", Some("a\n\nb"));
        check("<ul><li>one</li><li>two</li></ul>", Some("one\n\ntwo"));
        check(
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
            Some("a b\n\nc"),
        );
        check(
            r#"<a href="https://x.example/?a=1&b=>">the runbook</a> link"#,
            Some("the runbook link"),
        );
        check(
            "<!-- hidden -->shown<script>alert(1)</script><style>p{}</style> text",
            Some("shown text"),
        );
        check(
            "restart <service> then <check-it>",
            Some("restart <service> then <check-it>"),
        );
        check("x<y and z>w", Some("x<y and z>w"));
        check("a<b and c>d", Some("ad"));
        check("stray </script> close", Some("stray close"));
        check("<é and <", Some("<é and <"));
        check(
            "<p>\n    Pretty\n    printed\n</p>\n<p>    html</p>",
            Some("Pretty printed\n\nhtml"),
        );
        check("<p>unclosed <span", Some("unclosed <span"));
        check("<p></p>", None);
        check("<o:p>Word</o:p> paste", Some("Word paste"));
    }

    #[test]
    fn entities() {
        check(
            "R&amp;D &lt;team&gt; &quot;ops&quot; &#39;x&#39; &#x2014; &eacute;",
            Some("R&D <team> \"ops\" 'x' — é"),
        );
        check("tom &amp; jerry", Some("tom & jerry"));
        check("AT&T outage", Some("AT&T outage"));
        check("a&nbsp;&nbsp;b", Some("a b"));
        check("<p>&lt;p&gt; is literal</p>", Some("<p> is literal"));
        check(
            "double &amp;lt; stays once-decoded",
            Some("double &lt; stays once-decoded"),
        );
    }

    #[test]
    fn markdown() {
        check(
            "# Summary\nThe **primary** _database_ failed.",
            Some("Summary\n\nThe primary database failed."),
        );
        check(
            "See [the runbook](https://example.com/rb) and ![graph](g.png).",
            Some("See the runbook (https://example.com/rb) and graph."),
        );
        check(
            "Fixed in [PR 123](https://git.example/pr/123), see <https://status.example> and [https://a.example](https://a.example).",
            Some(
                "Fixed in PR 123 (https://git.example/pr/123), see https://status.example and https://a.example.",
            ),
        );
        check(
            "[](https://empty.example) [top](#summary)",
            Some("https://empty.example top"),
        );
        check(
            "Run `kubectl rollout undo` now",
            Some("Run kubectl rollout undo now"),
        );
        check("```\nlet x = 1;\n```\nafter", Some("let x = 1;\n\nafter"));
        check(
            "- one\n- two\n  continued\n\n1. first\n2. second",
            Some("one\n\ntwo continued\n\nfirst\n\nsecond"),
        );
        check("> quoted\n> text", Some("quoted text"));
        check("~~old~~ new", Some("old new"));
        check("- [x] done item", Some("done item"));
        check("| a | b |\n|---|---|\n| 1 | 2 |", Some("a b\n\n1 2"));
        check("---", None);
        check(
            "trailing two spaces  \nhard break",
            Some("trailing two spaces hard break"),
        );
        check("snake_case_name stays", Some("snake_case_name stays"));
        check(r"escaped \*stars\*", Some("escaped *stars*"));
        check(
            "<https://status.example.com>",
            Some("https://status.example.com"),
        );
        check("2024 was bad", Some("2024 was bad"));
        check("3. third", Some("third"));
    }

    fn check_repair(input: &str, expected: Option<&str>) {
        assert_eq!(
            repair_mojibake(input).as_deref(),
            expected,
            "input {input:?}"
        );
    }

    #[test]
    fn mojibake_repaired() {
        check_repair("cafÃ©", Some("café"));
        check_repair("donâ€™t", Some("don’t"));
        check_repair("â€œquotedâ€\u{9D}", Some("“quoted”"));
        check_repair("DÃ¼sseldorf, ZÃ¼rich", Some("Düsseldorf, Zürich"));
        check_repair("100Â\u{A0}ms", Some("100\u{A0}ms"));
        check_repair("100Â ms", Some("100\u{A0}ms"));
        check_repair("Ã¢â‚¬â„¢", Some("’"));
        check_repair("æ\u{9D}±äº¬", Some("東京"));
        check_repair("emoji ðŸ”¥", Some("emoji 🔥"));
        check_repair("Latin-1 decoded: cafÃ\u{A9}", Some("Latin-1 decoded: café"));
    }

    #[test]
    fn single_spaced_text_is_kept_and_the_rest_folded() {
        for (input, cleaned, folded) in [
            (
                "db pool exhausted",
                Some("db pool exhausted"),
                "db pool exhausted",
            ),
            ("a", Some("a"), "a"),
            ("db  pool", Some("db pool"), "db pool"),
            (" db pool", Some("db pool"), "db pool"),
            ("db pool ", Some("db pool"), "db pool"),
            ("db\tpool", Some("db pool"), "db pool"),
            ("db\u{7f}pool", Some("dbpool"), "db\u{7f}pool"),
            ("a - b", Some("a - b"), "a - b"),
            ("- item", Some("item"), "- item"),
            ("a_b", Some("a_b"), "a_b"),
            ("*a*", Some("a"), "*a*"),
            ("   ", None, ""),
            ("", None, ""),
        ] {
            assert_eq!(clean_text(input).as_deref(), cleaned, "{input:?}");
            assert_eq!(fold_spaces(input), folded, "{input:?}");
        }
    }

    #[test]
    fn clean_text_untouched() {
        for clean in [
            "plain ascii",
            "",
            "café",
            "naïve façade",
            "«ÉTÉ»",
            "don’t",
            "東京 outage",
            "Ça marche",
            "daß…",
            "mixed café and cafÃ©",
            "CHÂTEAU",
            "CAFÉ’s menu",
            "ÉTÉ» fin",
        ] {
            check_repair(clean, None);
        }
    }
}
