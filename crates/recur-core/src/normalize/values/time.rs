//! Timestamps, and the per-column decision between day-first and month-first dates.
//!
//! A numeric date such as `03/04/2025` is the 3rd of April or the 4th of March depending on the
//! source. The order is decided once per column from the evidence of the whole column
//! ([`date_order_evidence`], [`DateOrderEvidence::decide`]) and then applied to every row
//! ([`parse_timestamp`]); it is never guessed row by row, which would silently read the same
//! column two ways.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ValueError;

/// The order of day and month in numeric dates such as `03/04/2025`. Serialized as `day_first` /
/// `month_first` (`day-first` / `month-first` are read too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Day, then month: `31/12/2025` (most of the world).
    #[serde(alias = "day-first")]
    DayFirst,
    /// Month, then day: `12/31/2025` (the United States). The default for columns whose values
    /// give no evidence either way.
    #[default]
    #[serde(alias = "month-first")]
    MonthFirst,
}

/// What a column's numeric dates say about their order: how many values can only be read
/// day-first, how many only month-first, and how many read as two different dates.
///
/// Only numeric day/month/year values count (`/`, `.` or `-` separators, 2- or 4-digit year,
/// optional time). ISO dates (`2025-04-03`), dates with month names, epochs and values that read
/// the same both ways (`05/05/2025`) count for nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateOrderEvidence {
    /// Values that are valid dates only when read day-first (`31/12/2025`).
    pub day_first_only: usize,
    /// Values that are valid dates only when read month-first (`12/31/2025`).
    pub month_first_only: usize,
    /// Values that are valid, different dates in both orders (`03/04/2025`).
    pub ambiguous: usize,
}

/// What a column's evidence decides about its date order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnDateOrder {
    /// The values show the order (evidence one way only), or the column has no numeric dates
    /// whose reading depends on the order (the order is then the default, and irrelevant).
    Decided(DateOrder),
    /// The column has values that read two ways and nothing that settles it: the default is
    /// assumed, and the caller should warn.
    Assumed(DateOrder),
    /// Some values can only be day-first and others only month-first: the column mixes orders.
    /// Values with a [`DateOrderClue`] can still be read in their one possible order; ambiguous
    /// values cannot.
    Conflicting {
        /// Values valid only day-first.
        day_first_only: usize,
        /// Values valid only month-first.
        month_first_only: usize,
    },
}

impl ColumnDateOrder {
    /// The order to read the column with, `None` when it is conflicting.
    pub fn order(self) -> Option<DateOrder> {
        match self {
            Self::Decided(order) | Self::Assumed(order) => Some(order),
            Self::Conflicting { .. } => None,
        }
    }
}

/// How one numeric date constrains the date order (see [`date_order_clue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrderClue {
    /// Valid only day-first.
    DayFirstOnly,
    /// Valid only month-first.
    MonthFirstOnly,
    /// Valid, and a different date, in both orders.
    Ambiguous,
}

impl DateOrderEvidence {
    /// Counts one value (see [`date_order_evidence`]).
    pub fn add(&mut self, value: &str) {
        match date_order_clue(value) {
            Some(DateOrderClue::DayFirstOnly) => self.day_first_only += 1,
            Some(DateOrderClue::MonthFirstOnly) => self.month_first_only += 1,
            Some(DateOrderClue::Ambiguous) => self.ambiguous += 1,
            None => {}
        }
    }

    /// The evidence of two parts of a column together.
    pub fn merge(self, other: Self) -> Self {
        Self {
            day_first_only: self.day_first_only + other.day_first_only,
            month_first_only: self.month_first_only + other.month_first_only,
            ambiguous: self.ambiguous + other.ambiguous,
        }
    }

    /// Decides the column's order: evidence one way only decides it; values that read two ways
    /// and no evidence assume `default`; no order-dependent values at all decide `default`;
    /// evidence both ways is a conflict.
    pub fn decide(&self, default: DateOrder) -> ColumnDateOrder {
        match (self.day_first_only, self.month_first_only) {
            (0, 0) if self.ambiguous > 0 => ColumnDateOrder::Assumed(default),
            (0, 0) => ColumnDateOrder::Decided(default),
            (_, 0) => ColumnDateOrder::Decided(DateOrder::DayFirst),
            (0, _) => ColumnDateOrder::Decided(DateOrder::MonthFirst),
            (day_first_only, month_first_only) => ColumnDateOrder::Conflicting {
                day_first_only,
                month_first_only,
            },
        }
    }
}

/// Counts the evidence for the date order of a column's values.
pub fn date_order_evidence<'a>(values: impl IntoIterator<Item = &'a str>) -> DateOrderEvidence {
    let mut evidence = DateOrderEvidence::default();
    for value in values {
        evidence.add(value);
    }
    evidence
}

/// How a single value constrains the date order, `None` when it is not a numeric day/month/year
/// timestamp or reads the same in both orders.
pub fn date_order_clue(value: &str) -> Option<DateOrderClue> {
    let text = value.trim();
    let (first, second, year, rest) = numeric_date_prefix(text)?;
    let Middle::Number(second) = second else {
        return None;
    };
    // Count only values that are timestamps as a whole, not anything that starts like a date.
    read_rest(Parts::default(), rest).ok()?;
    let day_first = NaiveDate::from_ymd_opt(year, second, first);
    let month_first = NaiveDate::from_ymd_opt(year, first, second);
    match (day_first, month_first) {
        (Some(_), None) => Some(DateOrderClue::DayFirstOnly),
        (None, Some(_)) => Some(DateOrderClue::MonthFirstOnly),
        (Some(day_first), Some(month_first)) if day_first != month_first => {
            Some(DateOrderClue::Ambiguous)
        }
        _ => None,
    }
}

/// A parsed timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ParsedTime {
    /// The instant, in UTC.
    pub at: DateTime<Utc>,
    /// Whether the value had no offset and was read in the caller's time zone (false for values
    /// with an offset or `Z`, and for epoch numbers).
    pub zone_assumed: bool,
    /// Whether the date is well formed but outside the usual 1970-01-01 to 2100-01-01 (a real
    /// incident of 1628, or a resolution typed as 2099): accepted, worth a warning.
    pub unusual: bool,
}

/// Parses a timestamp.
///
/// Accepted (after trimming):
/// - RFC 3339 / ISO 8601 with `T` or a space, `Z` or an offset (`+02:00`, `+0200`, `+02`,
///   `UTC`, `GMT`, `UTC+2`), fractional seconds with `.` or `,`: `2025-07-01T10:52:37.5Z`;
/// - `YYYY-MM-DD HH:MM[:SS[.f]]`, `YYYY-MM-DD`, `YYYY/MM/DD [time]`, `YYYY.MM.DD [time]`;
/// - epoch seconds (9 or 10 digits) and milliseconds (12 or 13 digits), optionally with a
///   fraction;
/// - numeric dates with `/`, `.` or `-` in the given `order`, 2- or 4-digit years (`yy` < 70 is
///   20yy, otherwise 19yy), an optional `HH:MM[:SS]` and an optional `AM`/`PM`;
/// - month names, in any order with the day and year and with an optional weekday:
///   `Jan 5, 2025 10:00`, `5 January 2025 14:03`, `January 5th, 2025 at 2:03 pm`,
///   `2025-Jan-05`, `05-Jan-2025`, RFC 2822 `Tue, 1 Jul 2025 10:52:37 +0200`,
///   `Tue Jul 1 10:52:37 UTC 2025`.
///
/// Named zone abbreviations other than `UTC`/`GMT`/`UT`/`Z` (`EST`, `CST`, …) are not accepted:
/// several are ambiguous. A parenthesized comment (`+0000 (UTC)`) is ignored.
///
/// A value without an offset is local time in `zone` (`zone_assumed` is true); a date without a
/// time is midnight in `zone`. A local time that occurs twice (the hour repeated when clocks go
/// back) is the earlier instant; one that does not exist (skipped when clocks go forward) is
/// read with the offset in force after the change, which is the earlier of the two candidate
/// instants (as `disambiguation: "earlier"` in JavaScript's Temporal).
///
/// A calendar date from the year 1000 to 2999 outside the usual 1970-01-01T00:00Z to
/// 2100-01-01T00:00Z is accepted with `unusual` set: real records hold such dates.
///
/// Errors: [`ValueError::TimestampOutOfRange`] for calendar dates before the year 1000 or from
/// 3000 on (placeholders such as `0001-01-01`, `9999-12-31`) and for epoch numbers outside
/// 1970-01-01T00:00Z to 2100-01-01T00:00Z; [`ValueError::InvalidDate`] for dates that do not exist (`31/02/2025`,
/// or a month above 12 in the given order); [`ValueError::InvalidTime`] for times that do not
/// exist (`25:00`, `13:00 PM`); [`ValueError::UnrecognizedTimestamp`] otherwise.
pub fn parse_timestamp(value: &str, order: DateOrder, zone: Tz) -> Result<ParsedTime, ValueError> {
    let text = value.trim();
    let (parsed, accepted) = match parse_epoch(text) {
        Some(epoch) => (
            epoch.map(|at| ParsedTime {
                at,
                zone_assumed: false,
                unusual: false,
            }),
            MIN_SECONDS..MAX_SECONDS,
        ),
        None => (
            parse_calendar(text, order, zone),
            MIN_CALENDAR_SECONDS..MAX_CALENDAR_SECONDS,
        ),
    };
    let mut parsed = parsed.map_err(|failure| failure.into_error(text))?;
    let seconds = parsed.at.timestamp();
    if !accepted.contains(&seconds) {
        return Err(ValueError::TimestampOutOfRange(text.to_owned()));
    }
    parsed.unusual = !(MIN_SECONDS..MAX_SECONDS).contains(&seconds);
    Ok(parsed)
}

/// 1970-01-01T00:00:00Z.
const MIN_SECONDS: i64 = 0;
/// 2100-01-01T00:00:00Z, excluded.
const MAX_SECONDS: i64 = 4_102_444_800;
/// 1000-01-01T00:00:00Z: earlier calendar dates are placeholders (`0001-01-01`).
const MIN_CALENDAR_SECONDS: i64 = -30_610_224_000;
/// 3000-01-01T00:00:00Z, excluded: later calendar dates are placeholders (`9999-12-31`).
const MAX_CALENDAR_SECONDS: i64 = 32_503_680_000;

/// Why a value did not parse, before it is turned into a [`ValueError`] naming the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Unrecognized,
    InvalidDate,
    InvalidTime,
    OutOfRange,
}

impl Failure {
    fn into_error(self, text: &str) -> ValueError {
        let text = text.to_owned();
        match self {
            Self::Unrecognized => ValueError::UnrecognizedTimestamp(text),
            Self::InvalidDate => ValueError::InvalidDate(text),
            Self::InvalidTime => ValueError::InvalidTime(text),
            Self::OutOfRange => ValueError::TimestampOutOfRange(text),
        }
    }
}

/// Epoch seconds (9 or 10 digits) or milliseconds (12 or 13), optionally with a fraction;
/// `None` when `text` is not such a number.
fn parse_epoch(text: &str) -> Option<Result<DateTime<Utc>, Failure>> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) if is_digits(fraction) => (whole, fraction),
        Some(_) => return None,
        None => (text, ""),
    };
    if !is_digits(whole) {
        return None;
    }
    let number: i64 = whole.parse().ok()?;
    let (seconds, nanos) = match whole.len() {
        9 | 10 => (number, fraction_nanos(fraction)),
        12 | 13 => {
            let sub_milli = fraction_nanos(fraction) / 1_000_000;
            (
                number.div_euclid(1000),
                u32::try_from(number.rem_euclid(1000)).ok()? * 1_000_000 + sub_milli,
            )
        }
        _ => return None,
    };
    Some(DateTime::from_timestamp(seconds, nanos).ok_or(Failure::OutOfRange))
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// Nanoseconds of a decimal fraction's digits (`5` → 500 000 000); digits past the ninth are
/// dropped.
fn fraction_nanos(digits: &str) -> u32 {
    let mut nanos = 0;
    for index in 0..9 {
        let digit = digits
            .as_bytes()
            .get(index)
            .map_or(0, |byte| u32::from(byte - b'0'));
        nanos = nanos * 10 + digit;
    }
    nanos
}

/// The fields a calendar timestamp gave, before they are checked.
#[derive(Debug, Clone, Copy, Default)]
struct Parts {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    clock: Option<Clock>,
    meridiem: Option<Meridiem>,
    /// Offset east of UTC, in seconds.
    offset: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Clock {
    hour: u32,
    minute: u32,
    second: u32,
    nano: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

fn parse_calendar(text: &str, order: DateOrder, zone: Tz) -> Result<ParsedTime, Failure> {
    let parts = read_parts(text, order)?;
    let (Some(year), Some(month), Some(day)) = (parts.year, parts.month, parts.day) else {
        return Err(Failure::Unrecognized);
    };
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(Failure::InvalidDate)?;
    let time = time_of_day(parts.clock, parts.meridiem)?;
    let naive = date.and_time(time);
    match parts.offset {
        Some(offset) => {
            let offset = FixedOffset::east_opt(offset).ok_or(Failure::Unrecognized)?;
            let at = naive
                .checked_sub_offset(offset)
                .ok_or(Failure::OutOfRange)?
                .and_utc();
            Ok(ParsedTime {
                at,
                zone_assumed: false,
                unusual: false,
            })
        }
        None => {
            let at = local_to_utc(zone, naive).ok_or(Failure::OutOfRange)?;
            Ok(ParsedTime {
                at,
                zone_assumed: true,
                unusual: false,
            })
        }
    }
}

/// The instant of a local time in `zone`: the earlier one when the time occurs twice, and the
/// earlier candidate (the offset after the change) when it falls in a gap.
fn local_to_utc(zone: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, second) => Some(first.min(second).with_timezone(&Utc)),
        LocalResult::None => {
            // The offsets a day before and a day after bracket the transition that made the gap.
            let offset_at = |shifted: NaiveDateTime| {
                zone.offset_from_utc_datetime(&shifted)
                    .fix()
                    .local_minus_utc()
            };
            let before = offset_at(naive.checked_sub_signed(TimeDelta::days(1))?);
            let after = offset_at(naive.checked_add_signed(TimeDelta::days(1))?);
            let offset = FixedOffset::east_opt(before.max(after))?;
            Some(naive.checked_sub_offset(offset)?.and_utc())
        }
    }
}

fn time_of_day(clock: Option<Clock>, meridiem: Option<Meridiem>) -> Result<NaiveTime, Failure> {
    let Some(clock) = clock else {
        return if meridiem.is_some() {
            Err(Failure::Unrecognized)
        } else {
            Ok(NaiveTime::MIN)
        };
    };
    let hour = match (meridiem, clock.hour) {
        (None, hour) => hour,
        (Some(Meridiem::Am), 12) => 0,
        (Some(Meridiem::Am), hour @ 0..=11) => hour,
        (Some(Meridiem::Pm), 12) => 12,
        (Some(Meridiem::Pm), hour @ 1..=11) => hour + 12,
        (Some(_), _) => return Err(Failure::InvalidTime),
    };
    NaiveTime::from_hms_nano_opt(hour, clock.minute, clock.second, clock.nano)
        .ok_or(Failure::InvalidTime)
}

/// Reads the date, time and offset fields of a calendar timestamp.
fn read_parts(text: &str, order: DateOrder) -> Result<Parts, Failure> {
    if let Some((year, month, day, rest)) = iso_date_prefix(text) {
        let parts = Parts {
            year: Some(year),
            month: Some(month),
            day: Some(day),
            ..Parts::default()
        };
        return read_rest(parts, rest);
    }
    if let Some((first, middle, year, rest)) = numeric_date_prefix(text) {
        let (month, day) = match (middle, order) {
            (Middle::Month(month), _) => (month, first),
            (Middle::Number(second), DateOrder::DayFirst) => (second, first),
            (Middle::Number(second), DateOrder::MonthFirst) => (first, second),
        };
        let parts = read_rest(
            Parts {
                year: Some(year),
                month: Some(month),
                day: Some(day),
                ..Parts::default()
            },
            rest,
        )?;
        // Month 13 is a date that does not exist in this column's order, not an unknown format.
        return if (1..=12).contains(&month) {
            Ok(parts)
        } else {
            Err(Failure::InvalidDate)
        };
    }
    read_words(Parts::default(), text)
}

/// What follows a date prefix: nothing, or a separator (`T`, a space, a comma) and then the time
/// and offset.
fn read_rest(parts: Parts, rest: &str) -> Result<Parts, Failure> {
    if rest.is_empty() {
        return Ok(parts);
    }
    let after_t = rest
        .strip_prefix(['T', 't'])
        .filter(|time| time.starts_with(|c: char| c.is_ascii_digit()));
    match after_t {
        Some(time) => read_words(parts, time),
        None if rest.starts_with(|c: char| c.is_whitespace() || c == ',') => {
            read_words(parts, rest)
        }
        None => Err(Failure::Unrecognized),
    }
}

/// The middle field of a numeric date: a number, or a month name (`05-Jan-2025`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Middle {
    Number(u32),
    Month(u32),
}

/// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD` or `YYYY-Mon-DD` at the start of `text`: year,
/// month, day and the rest.
fn iso_date_prefix(text: &str) -> Option<(i32, u32, u32, &str)> {
    let mut scan = Scan::new(text);
    let year = scan.digits(4, 4)?;
    let separator = scan.separator()?;
    let month = match scan.digits(1, 2) {
        Some(month) => month,
        None => month_number(&scan.letters()?.to_ascii_lowercase())?,
    };
    scan.eat(separator).then_some(())?;
    let day = scan.digits(1, 2)?;
    Some((i32::try_from(year).ok()?, month, day, scan.rest()))
}

/// `D/M/Y` or `M/D/Y` (separators `/`, `.`, `-`, the same twice; 2- or 4-digit year) or
/// `DD-Mon-YY[YY]` at the start of `text`: first number, middle field, year and the rest.
fn numeric_date_prefix(text: &str) -> Option<(u32, Middle, i32, &str)> {
    let mut scan = Scan::new(text);
    let first = scan.digits(1, 2)?;
    let separator = scan.separator()?;
    let middle = match scan.digits(1, 2) {
        Some(number) => Middle::Number(number),
        None => Middle::Month(month_number(&scan.letters()?.to_ascii_lowercase())?),
    };
    scan.eat(separator).then_some(())?;
    let year = match scan.digit_run() {
        2 => expand_two_digit_year(scan.digits(2, 2)?),
        4 => i32::try_from(scan.digits(4, 4)?).ok()?,
        _ => return None,
    };
    Some((first, middle, year, scan.rest()))
}

/// `yy` below 70 is 20yy, otherwise 19yy (timestamps before 1970 are out of range anyway).
fn expand_two_digit_year(year: u32) -> i32 {
    let year = i32::try_from(year).unwrap_or(0);
    if year < 70 { 2000 + year } else { 1900 + year }
}

/// Reads whitespace-separated words: weekday, month name, day, year, time, AM/PM, offset, and the
/// fillers `at`, `of`, `-`, `@`; a parenthesized comment is skipped. Each field may appear once.
fn read_words(mut parts: Parts, text: &str) -> Result<Parts, Failure> {
    let mut in_comment = false;
    for word in text.split_whitespace() {
        if in_comment || word.starts_with('(') {
            in_comment = !word.ends_with(')');
            continue;
        }
        if word.contains(':') {
            read_word(&mut parts, word.trim_matches(','))?;
            continue;
        }
        for piece in word.split(',').filter(|piece| !piece.is_empty()) {
            read_word(&mut parts, piece)?;
        }
    }
    Ok(parts)
}

fn read_word(parts: &mut Parts, word: &str) -> Result<(), Failure> {
    let lower = word.to_ascii_lowercase();
    let name = lower.trim_end_matches('.');
    if matches!(name, "at" | "of" | "-" | "@") || is_weekday(name) {
        return Ok(());
    }
    if let Some(month) = month_number(name) {
        return set(&mut parts.month, month);
    }
    if let Some(meridiem) = meridiem(&lower) {
        return set(&mut parts.meridiem, meridiem);
    }
    let digits = lower.bytes().take_while(u8::is_ascii_digit).count();
    let (number, suffix) = lower.split_at(digits);
    if digits > 0 && lower.contains(':') {
        return read_clock(parts, &lower);
    }
    if digits > 0 && matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        let value: u32 = number.parse().map_err(|_| Failure::Unrecognized)?;
        return match (digits, suffix) {
            (4, "") => set(
                &mut parts.year,
                i32::try_from(value).map_err(|_| Failure::Unrecognized)?,
            ),
            (1 | 2, _) => set(&mut parts.day, value),
            _ => Err(Failure::Unrecognized),
        };
    }
    if (1..=2).contains(&digits)
        && let Some(meridiem) = meridiem(suffix)
    {
        // `10am`: an hour with its meridiem.
        let hour: u32 = number.parse().map_err(|_| Failure::Unrecognized)?;
        set(
            &mut parts.clock,
            Clock {
                hour,
                minute: 0,
                second: 0,
                nano: 0,
            },
        )?;
        return set(&mut parts.meridiem, meridiem);
    }
    match parse_offset(&lower) {
        Some(offset) => set(&mut parts.offset, offset),
        None => Err(Failure::Unrecognized),
    }
}

/// Sets a field that must appear only once.
fn set<T>(field: &mut Option<T>, value: T) -> Result<(), Failure> {
    if field.is_some() {
        return Err(Failure::Unrecognized);
    }
    *field = Some(value);
    Ok(())
}

/// `H:MM[:SS[.f]]`, optionally followed directly by AM/PM and/or an offset
/// (`10:00:00.5+02:00`, `10:00pm`, `10:00:00Z`).
fn read_clock(parts: &mut Parts, word: &str) -> Result<(), Failure> {
    let mut scan = Scan::new(word);
    let hour = scan.digits(1, 2).ok_or(Failure::Unrecognized)?;
    scan.eat(b':').then_some(()).ok_or(Failure::Unrecognized)?;
    let minute = scan.digits(2, 2).ok_or(Failure::Unrecognized)?;
    let mut second = 0;
    let mut nano = 0;
    if scan.eat(b':') {
        second = scan.digits(2, 2).ok_or(Failure::Unrecognized)?;
        if scan.peek().is_some_and(|byte| byte == b'.' || byte == b',')
            && scan
                .rest()
                .as_bytes()
                .get(1)
                .is_some_and(u8::is_ascii_digit)
        {
            scan.skip(1);
            let start = scan.rest();
            let count = scan.digit_run();
            nano = fraction_nanos(&start[..count]);
            scan.skip(count);
        }
    }
    set(
        &mut parts.clock,
        Clock {
            hour,
            minute,
            second,
            nano,
        },
    )?;
    let mut rest = scan.rest();
    if let Some((meridiem, after)) = leading_meridiem(rest) {
        set(&mut parts.meridiem, meridiem)?;
        rest = after;
    }
    if rest.is_empty() {
        return Ok(());
    }
    let offset = parse_offset(rest).ok_or(Failure::Unrecognized)?;
    set(&mut parts.offset, offset)
}

fn meridiem(word: &str) -> Option<Meridiem> {
    match word {
        "am" | "a.m." | "a.m" => Some(Meridiem::Am),
        "pm" | "p.m." | "p.m" => Some(Meridiem::Pm),
        _ => None,
    }
}

/// AM/PM at the start of `text` (lower case), and what follows it.
fn leading_meridiem(text: &str) -> Option<(Meridiem, &str)> {
    ["a.m.", "p.m.", "am", "pm"]
        .iter()
        .find_map(|spelling| text.strip_prefix(spelling).map(|rest| (spelling, rest)))
        .and_then(|(spelling, rest)| Some((meridiem(spelling)?, rest)))
}

/// An offset in seconds east of UTC (lower case): `z`, `utc`, `gmt`, `ut`, `+02:00`, `+0200`,
/// `+02`, `-5`, `utc+2`, `gmt-05:00`.
fn parse_offset(text: &str) -> Option<i32> {
    if text == "z" {
        return Some(0);
    }
    let signed = ["utc", "gmt", "ut"]
        .iter()
        .find_map(|name| text.strip_prefix(name))
        .unwrap_or(text);
    if signed.is_empty() {
        // A bare zone name; a bare empty text is no offset.
        return (signed.len() != text.len()).then_some(0);
    }
    let sign = match signed.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut scan = Scan::new(&signed[1..]);
    let (hours, minutes) = match scan.digit_run() {
        1 | 2 => {
            let hours = scan.digits(1, 2)?;
            let minutes = if scan.eat(b':') {
                scan.digits(2, 2)?
            } else {
                0
            };
            (hours, minutes)
        }
        4 => {
            let both = scan.digits(4, 4)?;
            (both / 100, both % 100)
        }
        _ => return None,
    };
    if !scan.rest().is_empty() || hours > 18 || minutes > 59 {
        return None;
    }
    Some(sign * i32::try_from(hours * 3600 + minutes * 60).ok()?)
}

fn is_weekday(word: &str) -> bool {
    matches!(
        word,
        "mon"
            | "monday"
            | "tue"
            | "tues"
            | "tuesday"
            | "wed"
            | "wednesday"
            | "thu"
            | "thur"
            | "thurs"
            | "thursday"
            | "fri"
            | "friday"
            | "sat"
            | "saturday"
            | "sun"
            | "sunday"
    )
}

/// The month of an English month name or abbreviation (lower case).
fn month_number(word: &str) -> Option<u32> {
    let month = match word {
        "jan" | "january" => 1,
        "feb" | "february" => 2,
        "mar" | "march" => 3,
        "apr" | "april" => 4,
        "may" => 5,
        "jun" | "june" => 6,
        "jul" | "july" => 7,
        "aug" | "august" => 8,
        "sep" | "sept" | "september" => 9,
        "oct" | "october" => 10,
        "nov" | "november" => 11,
        "dec" | "december" => 12,
        _ => return None,
    };
    Some(month)
}

/// A cursor over ASCII fields at the start of a text.
struct Scan<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, position: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.position..]
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    /// Advances past `count` bytes, which the caller has seen to be ASCII.
    fn skip(&mut self, count: usize) {
        self.position = (self.position + count).min(self.text.len());
    }

    fn eat(&mut self, byte: u8) -> bool {
        let matched = self.peek() == Some(byte);
        if matched {
            self.position += 1;
        }
        matched
    }

    /// A date separator: `-`, `/` or `.`.
    fn separator(&mut self) -> Option<u8> {
        let byte = self
            .peek()
            .filter(|byte| matches!(byte, b'-' | b'/' | b'.'))?;
        self.position += 1;
        Some(byte)
    }

    /// How many ASCII digits follow.
    fn digit_run(&self) -> usize {
        self.rest().bytes().take_while(u8::is_ascii_digit).count()
    }

    /// The number made by the whole run of digits that follows, when the run is `min` to `max`
    /// digits long (at most 9).
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let count = self.digit_run();
        if !(min..=max).contains(&count) {
            return None;
        }
        let value = self.rest()[..count].parse().ok()?;
        self.position += count;
        Some(value)
    }

    /// The run of ASCII letters that follows, when there is one.
    fn letters(&mut self) -> Option<&'a str> {
        let count = self
            .rest()
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        let letters = &self.rest()[..count];
        self.position += count;
        (count > 0).then_some(letters)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::Paris;
    use chrono_tz::UTC;

    /// `expected` is RFC 3339 in UTC (and whether the zone was assumed), or the error.
    fn check(input: &str, order: DateOrder, zone: Tz, expected: Result<(&str, bool), ValueError>) {
        let actual = parse_timestamp(input, order, zone).map(|parsed| {
            (
                parsed
                    .at
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                parsed.zone_assumed,
            )
        });
        let expected = expected.map(|(at, assumed)| (at.to_owned(), assumed));
        assert_eq!(actual, expected, "input {input:?} ({order:?}, {zone:?})");
    }

    fn ok_utc(input: &str, at: &str, zone_assumed: bool) {
        check(input, DateOrder::MonthFirst, UTC, Ok((at, zone_assumed)));
    }

    #[test]
    fn iso_and_rfc3339() {
        let cases: &[(&str, &str, bool)] = &[
            ("2025-07-01T10:52:37Z", "2025-07-01T10:52:37Z", false),
            ("2025-07-01t10:52:37z", "2025-07-01T10:52:37Z", false),
            ("2025-07-01 10:52:37Z", "2025-07-01T10:52:37Z", false),
            (
                "  2025-07-01T10:52:37+02:00 ",
                "2025-07-01T08:52:37Z",
                false,
            ),
            ("2025-07-01T10:52:37+0200", "2025-07-01T08:52:37Z", false),
            ("2025-07-01T10:52:37-05:00", "2025-07-01T15:52:37Z", false),
            ("2025-07-01T10:52:37+02", "2025-07-01T08:52:37Z", false),
            (
                "2025-07-01T10:52:37.123Z",
                "2025-07-01T10:52:37.123Z",
                false,
            ),
            (
                "2025-07-01T10:52:37.123456789+00:00",
                "2025-07-01T10:52:37.123456789Z",
                false,
            ),
            ("2025-07-01 10:52:37,5", "2025-07-01T10:52:37.500Z", true),
            ("2025-07-01 10:52:37 +02:00", "2025-07-01T08:52:37Z", false),
            ("2025-07-01 10:52 UTC", "2025-07-01T10:52:00Z", false),
            ("2025-07-01 10:52:37 GMT+1", "2025-07-01T09:52:37Z", false),
            (
                "2025-07-01 10:52:37 +0000 (UTC)",
                "2025-07-01T10:52:37Z",
                false,
            ),
            ("2025-07-01 10:52", "2025-07-01T10:52:00Z", true),
            ("2025-07-01T10:52", "2025-07-01T10:52:00Z", true),
            ("2025-07-01", "2025-07-01T00:00:00Z", true),
            ("2025-7-1", "2025-07-01T00:00:00Z", true),
            ("2025/07/01", "2025-07-01T00:00:00Z", true),
            ("2025/07/01 10:52:37", "2025-07-01T10:52:37Z", true),
            ("2025.07.01 10:52", "2025-07-01T10:52:00Z", true),
            ("2025-07-01 10:52 PM", "2025-07-01T22:52:00Z", true),
        ];
        for &(input, at, assumed) in cases {
            ok_utc(input, at, assumed);
        }
    }

    #[test]
    fn epochs() {
        let cases: &[(&str, &str)] = &[
            ("1751367157", "2025-07-01T10:52:37Z"),
            ("1751367157.25", "2025-07-01T10:52:37.250Z"),
            ("1751367157250", "2025-07-01T10:52:37.250Z"),
            ("1751367157250.5", "2025-07-01T10:52:37.250000500Z"),
            ("946684800", "2000-01-01T00:00:00Z"),
            ("100000000000", "1973-03-03T09:46:40Z"),
        ];
        for &(input, at) in cases {
            check(input, DateOrder::DayFirst, Paris, Ok((at, false)));
        }
    }

    #[test]
    fn numeric_dates_in_both_orders() {
        let cases: &[(&str, DateOrder, &str)] = &[
            ("03/04/2025", DateOrder::DayFirst, "2025-04-03T00:00:00Z"),
            ("03/04/2025", DateOrder::MonthFirst, "2025-03-04T00:00:00Z"),
            ("3/4/25", DateOrder::DayFirst, "2025-04-03T00:00:00Z"),
            ("3/4/25", DateOrder::MonthFirst, "2025-03-04T00:00:00Z"),
            (
                "31.12.2025 23:59",
                DateOrder::DayFirst,
                "2025-12-31T23:59:00Z",
            ),
            (
                "12-31-2025 11:59:30 PM",
                DateOrder::MonthFirst,
                "2025-12-31T23:59:30Z",
            ),
            (
                "1/2/2025 12:00 AM",
                DateOrder::MonthFirst,
                "2025-01-02T00:00:00Z",
            ),
            (
                "1/2/2025 12:30 pm",
                DateOrder::MonthFirst,
                "2025-01-02T12:30:00Z",
            ),
            (
                "1/2/2025 9:05a.m.",
                DateOrder::DayFirst,
                "2025-02-01T09:05:00Z",
            ),
            ("01/02/99", DateOrder::DayFirst, "1999-02-01T00:00:00Z"),
            ("01/02/69", DateOrder::DayFirst, "2069-02-01T00:00:00Z"),
            (
                "05/06/2025 10:00Z",
                DateOrder::DayFirst,
                "2025-06-05T10:00:00Z",
            ),
        ];
        for &(input, order, at) in cases {
            let zone_assumed = !input.ends_with('Z');
            check(input, order, UTC, Ok((at, zone_assumed)));
        }
    }

    #[test]
    fn month_names_and_rfc2822() {
        let cases: &[(&str, &str, bool)] = &[
            ("Jan 5, 2025 10:00", "2025-01-05T10:00:00Z", true),
            ("5 January 2025 14:03", "2025-01-05T14:03:00Z", true),
            ("January 5th, 2025 at 2:03 pm", "2025-01-05T14:03:00Z", true),
            ("2025-Jan-05", "2025-01-05T00:00:00Z", true),
            ("05-Jan-2025", "2025-01-05T00:00:00Z", true),
            ("05-JAN-25 10:00", "2025-01-05T10:00:00Z", true),
            ("Sept. 9, 2025", "2025-09-09T00:00:00Z", true),
            (
                "Tue, 1 Jul 2025 10:52:37 +0200",
                "2025-07-01T08:52:37Z",
                false,
            ),
            (
                "Tue, 01 Jul 2025 10:52:37 GMT",
                "2025-07-01T10:52:37Z",
                false,
            ),
            (
                "Tue Jul  1 10:52:37 UTC 2025",
                "2025-07-01T10:52:37Z",
                false,
            ),
            ("Tuesday, July 1, 2025 10am", "2025-07-01T10:00:00Z", true),
        ];
        for &(input, at, assumed) in cases {
            ok_utc(input, at, assumed);
        }
    }

    #[test]
    fn naive_times_are_in_the_zone() {
        let cases: &[(&str, Tz, &str)] = &[
            ("2025-07-01 10:00", Paris, "2025-07-01T08:00:00Z"),
            ("2025-01-15 10:00", Paris, "2025-01-15T09:00:00Z"),
            ("2025-07-01", New_York, "2025-07-01T04:00:00Z"),
            ("07/01/2025 10:00 AM", New_York, "2025-07-01T14:00:00Z"),
        ];
        for &(input, zone, at) in cases {
            check(input, DateOrder::MonthFirst, zone, Ok((at, true)));
        }
        check(
            "2025-07-01 10:00 +00:00",
            DateOrder::MonthFirst,
            Paris,
            Ok(("2025-07-01T10:00:00Z", false)),
        );
    }

    #[test]
    fn daylight_saving_gaps_and_folds() {
        let cases: &[(&str, Tz, &str)] = &[
            // Clocks go forward 02:00 → 03:00: 02:30 does not exist; read with EDT (-4).
            ("2025-03-09 02:30", New_York, "2025-03-09T06:30:00Z"),
            ("2025-03-30 02:30", Paris, "2025-03-30T00:30:00Z"),
            // Clocks go back 02:00 → 01:00: 01:30 occurs twice; the first (EDT) is taken.
            ("2025-11-02 01:30", New_York, "2025-11-02T05:30:00Z"),
            ("2025-10-26 02:30", Paris, "2025-10-26T00:30:00Z"),
            // Just outside the transitions.
            ("2025-03-09 03:00", New_York, "2025-03-09T07:00:00Z"),
            ("2025-11-02 02:00", New_York, "2025-11-02T07:00:00Z"),
        ];
        for &(input, zone, at) in cases {
            check(input, DateOrder::MonthFirst, zone, Ok((at, true)));
        }
        // A midnight that does not exist (Havana skipped 00:00-01:00 on 2025-03-09).
        let havana: Tz = chrono_tz::America::Havana;
        check(
            "2025-03-09",
            DateOrder::MonthFirst,
            havana,
            Ok(("2025-03-09T04:00:00Z", true)),
        );
    }

    #[test]
    fn errors() {
        use ValueError::*;
        let cases: Vec<(&str, DateOrder, ValueError)> = vec![
            (
                "",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp(String::new()),
            ),
            (
                "yesterday",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("yesterday".into()),
            ),
            (
                "2025",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("2025".into()),
            ),
            (
                "12345678",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("12345678".into()),
            ),
            (
                "10:00",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("10:00".into()),
            ),
            (
                "2025-07-01T10:00:00 EST",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("2025-07-01T10:00:00 EST".into()),
            ),
            (
                "2025-07-0110:00",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("2025-07-0110:00".into()),
            ),
            (
                "2025-07-01 10:00 10:00",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("2025-07-01 10:00 10:00".into()),
            ),
            (
                "1/2/2025 PM",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("1/2/2025 PM".into()),
            ),
            (
                "1/2/205",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("1/2/205".into()),
            ),
            (
                "1/2-2025",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("1/2-2025".into()),
            ),
            (
                "Jan 2025",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("Jan 2025".into()),
            ),
            (
                "2025-07-01 +25:00",
                DateOrder::MonthFirst,
                UnrecognizedTimestamp("2025-07-01 +25:00".into()),
            ),
            (
                "31/02/2025",
                DateOrder::DayFirst,
                InvalidDate("31/02/2025".into()),
            ),
            (
                "02/31/2025",
                DateOrder::MonthFirst,
                InvalidDate("02/31/2025".into()),
            ),
            (
                "13/05/2025",
                DateOrder::MonthFirst,
                InvalidDate("13/05/2025".into()),
            ),
            (
                "2025-02-29",
                DateOrder::MonthFirst,
                InvalidDate("2025-02-29".into()),
            ),
            (
                "2025-13-01",
                DateOrder::MonthFirst,
                InvalidDate("2025-13-01".into()),
            ),
            (
                "2025-07-01 25:00",
                DateOrder::MonthFirst,
                InvalidTime("2025-07-01 25:00".into()),
            ),
            (
                "2025-07-01 10:61",
                DateOrder::MonthFirst,
                InvalidTime("2025-07-01 10:61".into()),
            ),
            (
                "1/2/2025 13:00 PM",
                DateOrder::MonthFirst,
                InvalidTime("1/2/2025 13:00 PM".into()),
            ),
            (
                "0001-01-01",
                DateOrder::MonthFirst,
                TimestampOutOfRange("0001-01-01".into()),
            ),
            (
                "9999-12-31",
                DateOrder::MonthFirst,
                TimestampOutOfRange("9999-12-31".into()),
            ),
            (
                "0999-12-31T23:59:59Z",
                DateOrder::MonthFirst,
                TimestampOutOfRange("0999-12-31T23:59:59Z".into()),
            ),
            (
                "9999999999999",
                DateOrder::MonthFirst,
                TimestampOutOfRange("9999999999999".into()),
            ),
        ];
        for (input, order, error) in cases {
            assert_eq!(
                parse_timestamp(input, order, UTC),
                Err(error),
                "input {input:?}"
            );
        }
        ok_utc("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", false);
        ok_utc("2099-12-31T23:59:59Z", "2099-12-31T23:59:59Z", false);
        let unusual = |input: &str, order: DateOrder, zone: chrono_tz::Tz| {
            parse_timestamp(input, order, zone).map(|parsed| parsed.unusual)
        };
        assert_eq!(
            unusual("2099-12-31T23:59:59Z", DateOrder::MonthFirst, UTC),
            Ok(false)
        );
        // Real dates outside the usual range are dates: accepted, marked unusual.
        for input in [
            "1969-12-31 23:59:59Z",
            "2100-01-01T00:00:00Z",
            "1628-08-10",
            "1000-01-01",
        ] {
            assert_eq!(
                unusual(input, DateOrder::MonthFirst, UTC),
                Ok(true),
                "{input}"
            );
        }
        assert_eq!(unusual("01/01/1969", DateOrder::DayFirst, UTC), Ok(true));
        // In Paris, local midnight of 1970-01-01 is still 1969 in UTC.
        assert_eq!(
            unusual("1970-01-01", DateOrder::MonthFirst, Paris),
            Ok(true)
        );
        assert_eq!(
            parse_timestamp("31/02/2025", DateOrder::DayFirst, UTC)
                .unwrap_err()
                .to_string(),
            "invalid date `31/02/2025`"
        );
    }

    fn check_evidence(values: &[&str], expected: (usize, usize, usize)) {
        let evidence = date_order_evidence(values.iter().copied());
        let (day_first_only, month_first_only, ambiguous) = expected;
        assert_eq!(
            evidence,
            DateOrderEvidence {
                day_first_only,
                month_first_only,
                ambiguous
            },
            "values {values:?}"
        );
    }

    #[test]
    fn evidence_counting() {
        check_evidence(&["31/12/2025", "13.01.2025 10:00", "25-12-25"], (3, 0, 0));
        check_evidence(&["12/31/2025", "1/13/2025 10:00 PM"], (0, 2, 0));
        check_evidence(&["03/04/2025", "3/4/25 10:00", "01.02.2025"], (0, 0, 3));
        // Same date either way, impossible either way, unambiguous forms, and non-timestamps.
        check_evidence(&["05/05/2025", "31/31/2025", "30/02/2025"], (0, 0, 0));
        check_evidence(
            &[
                "2025-04-03",
                "05-Jan-2025",
                "Jan 5, 2025",
                "1751367157",
                "",
                "n/a",
            ],
            (0, 0, 0),
        );
        check_evidence(&["1/2/3", "10.15.22.1", "13/01/2025 banana"], (0, 0, 0));
        check_evidence(&["31/12/2025", "12/31/2025", "03/04/2025"], (1, 1, 1));
    }

    #[test]
    fn deciding_the_order() {
        let decide = |day_first_only, month_first_only, ambiguous, default| {
            DateOrderEvidence {
                day_first_only,
                month_first_only,
                ambiguous,
            }
            .decide(default)
        };
        use ColumnDateOrder::*;
        use DateOrder::*;
        assert_eq!(decide(3, 0, 10, MonthFirst), Decided(DayFirst));
        assert_eq!(decide(0, 1, 10, DayFirst), Decided(MonthFirst));
        assert_eq!(decide(0, 0, 4, DayFirst), Assumed(DayFirst));
        assert_eq!(decide(0, 0, 4, MonthFirst), Assumed(MonthFirst));
        assert_eq!(decide(0, 0, 0, DayFirst), Decided(DayFirst));
        assert_eq!(
            decide(2, 5, 1, MonthFirst),
            Conflicting {
                day_first_only: 2,
                month_first_only: 5
            }
        );
        assert_eq!(
            Conflicting {
                day_first_only: 2,
                month_first_only: 5
            }
            .order(),
            None
        );
        assert_eq!(Assumed(DayFirst).order(), Some(DayFirst));
        assert_eq!(DateOrder::default(), MonthFirst);
    }

    #[test]
    fn clues_for_conflicting_columns() {
        assert_eq!(
            date_order_clue("31/12/2025"),
            Some(DateOrderClue::DayFirstOnly)
        );
        assert_eq!(
            date_order_clue("12/31/2025 10:00"),
            Some(DateOrderClue::MonthFirstOnly)
        );
        assert_eq!(
            date_order_clue(" 03/04/2025 "),
            Some(DateOrderClue::Ambiguous)
        );
        assert_eq!(date_order_clue("2025-12-31"), None);
    }

    #[test]
    fn date_order_serializes_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&DateOrder::DayFirst).unwrap(),
            "\"day_first\""
        );
        assert_eq!(
            serde_json::from_str::<DateOrder>("\"month_first\"").unwrap(),
            DateOrder::MonthFirst
        );
        assert_eq!(
            serde_json::from_str::<DateOrder>("\"day-first\"").unwrap(),
            DateOrder::DayFirst
        );
    }
}
