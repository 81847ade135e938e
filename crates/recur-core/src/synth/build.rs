//! Building incidents: one fixed-size chunk at a time, each chunk with its own random generator
//! derived from (seed, chunk index), so the output does not depend on the number of threads.

use chrono::{DateTime, Duration, Months, NaiveDate, TimeDelta, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::Truth;
use super::vocab::{
    CUSTOMER_IMPACT_TAG, DETECTION, FACTORS, FAMILIES, FLAKY, FLAKY_FOLLOW_UPS, Family,
    GENERIC_FACTORS, GENERIC_FOLLOW_UPS, NEW, NOISE, NOISE_FLAKY_RATE, NOISE_PREFIX, NOISE_RATE,
    RISING, SERVICES, Slots, TEAMS, fill, team_of,
};
use crate::model::{FollowUp, FollowUpStatus, Incident, IncidentStatus};

/// Incidents per chunk. Part of the output's definition: changing it changes every seed's data.
pub(super) const CHUNK: usize = 4096;
/// First incident number (`INC-1000`).
const FIRST_INCIDENT_NUMBER: usize = 1000;
/// First follow-up number (`OPS-1001` is the smallest possible).
const FIRST_FOLLOW_UP_NUMBER: u64 = 1000;
/// The most follow-ups one incident gets.
const MAX_FOLLOW_UPS: u64 = 4;
/// The largest gap between consecutive follow-up numbers (other tickets in the tracker).
const MAX_FOLLOW_UP_GAP: u64 = 3;
/// Probability that a patterned incident is planted as a repeat of a recent one in its chunk.
const REPEAT_RATE: f64 = 0.04;
/// How many earlier incidents of the chunk a repeat may look back at.
const REPEAT_LOOKBACK: usize = 48;
/// Probability that a family incident's primary service is one of the family's own.
const FAMILY_SERVICE_RATE: f64 = 0.65;
/// Share of follow-ups closed as won't do within weeks.
const WONT_DO_RATE: f64 = 0.1;
/// Per team (as in `TEAMS`), the share of follow-ups left to linger for many months; the
/// others are done, mostly within weeks. Some teams follow through, some do not.
const LINGER_RATE: [f64; 8] = [0.12, 0.05, 0.06, 0.15, 0.35, 0.4, 0.45, 0.1];
/// The base URL of follow-up tickets: the URL of `OPS-1234` is this and the id.
pub(super) const TRACKER_URL: &str = "https://tracker.example.com/browse/";

/// The generated period.
#[derive(Debug, Clone, Copy)]
pub(super) struct Period {
    /// First instant.
    pub start: DateTime<Utc>,
    /// End (exclusive): also the "as of" instant of the exports.
    pub end: DateTime<Utc>,
    /// Where the new family starts: two months before the end.
    pub new_from: DateTime<Utc>,
}

impl Period {
    /// The period of `months` months from midnight UTC of `start`; at least one day long.
    pub(super) fn new(start: NaiveDate, months: u32) -> Self {
        let start = start.and_time(chrono::NaiveTime::MIN).and_utc();
        let end = start
            .checked_add_months(Months::new(months))
            .filter(|end| *end - start >= Duration::days(1))
            .unwrap_or(start + Duration::days(1));
        let new_from = end
            .checked_sub_months(Months::new(2))
            .filter(|from| *from > start)
            .unwrap_or(start);
        Self {
            start,
            end,
            new_from,
        }
    }

    fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// Fill one chunk: `incidents` and `truth` are the chunk's slots, `chunk_index` its position.
/// `truth.recurs` is left empty: it is computed over the whole output afterwards.
pub(super) fn fill_chunk(
    period: &Period,
    n_total: usize,
    seed: u64,
    chunk_index: usize,
    incidents: &mut [Incident],
    truth: &mut [Truth],
) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(mix(seed, chunk_index as u64));
    let chunk_budget = CHUNK as u64 * MAX_FOLLOW_UPS * MAX_FOLLOW_UP_GAP;
    let mut follow_up_number = FIRST_FOLLOW_UP_NUMBER + chunk_index as u64 * chunk_budget;
    let mut families: Vec<Option<usize>> = Vec::with_capacity(incidents.len());
    for local in 0..incidents.len() {
        let index = chunk_index * CHUNK + local;
        let started = start_time(&mut rng, period, index, n_total);
        let repeat = if rng.gen_bool(REPEAT_RATE) {
            pick_repeat(&mut rng, &incidents[..local], &families, started)
        } else {
            None
        };
        let kind = match repeat {
            Some((family, _)) => Kind::Family(family),
            None => pick_kind(&mut rng, period, started),
        };
        let mut builder = Builder {
            rng: &mut rng,
            period,
            follow_up_number: &mut follow_up_number,
        };
        let id = exact(format!("INC-{}", FIRST_INCIDENT_NUMBER + index));
        let (incident, flaky) =
            builder.incident(id, started, kind, repeat.map(|(_, service)| service));
        truth[local] = Truth {
            incident_id: incident.id.clone(),
            pattern: Some(match kind {
                Kind::Family(family) => FAMILIES[family].key.to_owned(),
                Kind::Noise(noise) => noise_key(noise),
            }),
            recurs: None,
            flaky_tests: flaky,
            narrative_factors: Vec::new(),
        };
        families.push(match kind {
            Kind::Family(family) => Some(family),
            Kind::Noise(_) => None,
        });
        incidents[local] = incident;
    }
}

/// The truth's class of a noise report: `noise-` and its title as a slug
/// (`noise-wrong-tax-rate-applied-to-invoices`). The noise reports are a fixed few, each written
/// the same way every time it is drawn: copies of one recur like any cause, so each is a class of
/// its own, and the recurrence definition applies to it as to a planted family.
pub(super) fn noise_key(noise: usize) -> String {
    let title = NOISE[noise][1];
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("{NOISE_PREFIX}{}", words.join("-"))
}

/// Mix the seed and the chunk index into one chunk seed (SplitMix64 finalizer).
fn mix(seed: u64, chunk: u64) -> u64 {
    let mut z = seed ^ chunk.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Incident `index` of `n_total` starts in its own slot of the period, so ids follow time.
fn start_time(
    rng: &mut Xoshiro256PlusPlus,
    period: &Period,
    index: usize,
    n_total: usize,
) -> DateTime<Utc> {
    let position = (index as f64 + rng.gen_range(0.0..1.0)) / n_total.max(1) as f64;
    let minute = (position * period.minutes() as f64).floor() as i64;
    period.start + Duration::minutes(minute.clamp(0, period.minutes() - 1))
}

/// What an incident is: a planted family or one-off noise.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Family(usize),
    Noise(usize),
}

fn pick_kind(rng: &mut Xoshiro256PlusPlus, period: &Period, started: DateTime<Utc>) -> Kind {
    if rng.gen_bool(NOISE_RATE) {
        return Kind::Noise(rng.gen_range(0..NOISE.len()));
    }
    let elapsed = (started - period.start).num_minutes() as f64 / period.minutes().max(1) as f64;
    let weight = |family: usize| {
        let base = FAMILIES[family].weight;
        match family {
            RISING => base * (0.1 + 2.9 * elapsed * elapsed),
            NEW if started < period.new_from => 0.0,
            _ => base,
        }
    };
    let total: f64 = (0..FAMILIES.len()).map(weight).sum();
    let mut target = rng.gen_range(0.0..total);
    for family in 0..FAMILIES.len() {
        target -= weight(family);
        if target < 0.0 {
            return Kind::Family(family);
        }
    }
    Kind::Family(0)
}

/// A recent incident of the chunk with a follow-up still open at `started`: the new incident
/// repeats its family on its primary service.
fn pick_repeat(
    rng: &mut Xoshiro256PlusPlus,
    earlier: &[Incident],
    families: &[Option<usize>],
    started: DateTime<Utc>,
) -> Option<(usize, &'static str)> {
    let from = earlier.len().saturating_sub(REPEAT_LOOKBACK);
    let candidates: Vec<(usize, &'static str)> = (from..earlier.len())
        .filter_map(|local| {
            let family = families[local]?;
            let incident = &earlier[local];
            let open = incident
                .follow_ups
                .iter()
                .any(|follow_up| follow_up.open_at(started));
            let before = incident.started_at.is_some_and(|at| at < started);
            let service = incident.services.first()?;
            let service = SERVICES.iter().find(|(name, _)| name == service)?.0;
            (open && before).then_some((family, service))
        })
        .collect();
    candidates.choose(rng).copied()
}

struct Builder<'a> {
    rng: &'a mut Xoshiro256PlusPlus,
    period: &'a Period,
    follow_up_number: &'a mut u64,
}

impl Builder<'_> {
    /// Build one incident; returns it and whether the flaky-tests factor was planted.
    fn incident(
        &mut self,
        id: String,
        started: DateTime<Utc>,
        kind: Kind,
        repeat_service: Option<&'static str>,
    ) -> (Incident, bool) {
        let family = match kind {
            Kind::Family(family) => Some(&FAMILIES[family]),
            Kind::Noise(_) => None,
        };
        let noise_service = match kind {
            Kind::Noise(noise) => Some(NOISE[noise][0]).filter(|service| !service.is_empty()),
            Kind::Family(_) => None,
        };
        let services = self.services(family, noise_service, repeat_service);
        let teams = self.teams(&services);
        let owner = self.owner(&teams);
        let severity = self.severity(family);
        let (detection, detection_median) = self.detection();
        let times = self.timeline(started, severity, detection_median);
        let status = self.status(&times);
        let other = self.other_service(services[0]);
        let duration = duration_words(times.impact_minutes());
        let thing_template = family.map_or("", |family| self.pick(family.things));
        let thing = fill(
            thing_template,
            &Slots {
                service: services[0],
                ..Slots::default()
            },
        );
        let slots = Slots {
            service: services[0],
            other,
            thing: &thing,
            n: family.map_or("", |family| self.pick(family.numbers)),
            pct: self.pick(&["8", "15", "30", "60"]),
            duration: &duration,
            catchup: self.pick(&[
                "a few minutes",
                "ten minutes",
                "twenty minutes",
                "half an hour",
                "an hour",
            ]),
        };
        let flaky = self
            .rng
            .gen_bool(family.map_or(NOISE_FLAKY_RATE, |family| family.flaky_rate));
        let mut incident = match (kind, family) {
            (Kind::Family(_), Some(family)) => self.family_text(family, &slots),
            (Kind::Noise(noise), _) => self.noise_text(noise, &slots),
            (Kind::Family(_), None) => Incident::default(),
        };
        incident.id = id;
        incident.severity = Some(severity);
        incident.status = Some(status.0);
        incident.started_at = Some(started);
        incident.detected_at = times.detected;
        incident.acknowledged_at = times.acknowledged;
        incident.mitigated_at = status.1;
        incident.resolved_at = status.2;
        incident.owner = Some(owner.to_owned());
        incident.detection_method = Some(detection.to_owned());
        incident.alerts = self.alerts(family, detection);
        incident.contributing_factors = self.factors(family, flaky);
        incident.tags = self.tags(family, severity);
        incident.teams = teams.iter().map(|team| TEAMS[*team].0.to_owned()).collect();
        incident.follow_ups = self.follow_ups(
            &incident.id,
            family,
            flaky,
            severity,
            started,
            &teams,
            &slots,
        );
        incident.services = services
            .iter()
            .map(|service| (*service).to_owned())
            .collect();
        (incident, flaky)
    }

    fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
        items.choose(self.rng).copied().unwrap_or("")
    }

    fn services(
        &mut self,
        family: Option<&Family>,
        noise_service: Option<&'static str>,
        repeat_service: Option<&'static str>,
    ) -> Vec<&'static str> {
        let primary = match (repeat_service.or(noise_service), family) {
            (Some(service), _) => service,
            // A cause mostly hits its own likely services, sometimes any service.
            (None, Some(family)) if self.rng.gen_bool(FAMILY_SERVICE_RATE) => {
                weighted(self.rng, family.services)
            }
            (None, _) => SERVICES[self.rng.gen_range(0..SERVICES.len())].0,
        };
        let mut services = vec![primary];
        let second_rate = if family.is_some() { 0.15 } else { 0.1 };
        if self.rng.gen_bool(second_rate) {
            let second = match family {
                Some(family) => weighted(self.rng, family.services),
                None => SERVICES[self.rng.gen_range(0..SERVICES.len())].0,
            };
            if second != primary {
                services.push(second);
            }
        }
        services
    }

    fn teams(&mut self, services: &[&str]) -> Vec<usize> {
        let mut teams: Vec<usize> = Vec::with_capacity(3);
        for service in services {
            if let Some(team) = team_of(service)
                && !teams.contains(&team)
            {
                teams.push(team);
            }
        }
        let sre = TEAMS.len() - 1;
        if !teams.contains(&sre) && self.rng.gen_bool(0.08) {
            teams.push(sre);
        }
        teams
    }

    fn owner(&mut self, teams: &[usize]) -> &'static str {
        let sre = TEAMS.len() - 1;
        let team = if teams.contains(&sre) && self.rng.gen_bool(0.5) {
            sre
        } else {
            teams.first().copied().unwrap_or(sre)
        };
        self.pick(TEAMS[team].1)
    }

    fn severity(&mut self, family: Option<&Family>) -> u8 {
        let weights = family.map_or([3, 15, 42, 40], |family| family.severity);
        let levels = [
            (1u8, weights[0]),
            (2, weights[1]),
            (3, weights[2]),
            (4, weights[3]),
        ];
        weighted(self.rng, &levels)
    }

    fn detection(&mut self) -> (&'static str, f64) {
        const WEIGHTS: [(usize, u32); DETECTION.len()] = {
            let mut weights = [(0, 0); DETECTION.len()];
            let mut index = 0;
            while index < DETECTION.len() {
                weights[index] = (index, DETECTION[index].1);
                index += 1;
            }
            weights
        };
        let index = weighted(self.rng, &WEIGHTS);
        (DETECTION[index].0, DETECTION[index].2)
    }

    fn timeline(
        &mut self,
        started: DateTime<Utc>,
        severity: u8,
        detection_median: f64,
    ) -> Timeline {
        let detect = lognormal(self.rng, detection_median, 0.8).max(1.0);
        let acknowledge = lognormal(self.rng, 4.0, 0.9);
        let scale = [0.8, 0.9, 1.0, 1.3][usize::from(severity.clamp(1, 4)) - 1];
        let to_resolve = lognormal(self.rng, 120.0 * scale, 1.25);
        let detected = started + minutes(detect);
        let acknowledged = detected + minutes(acknowledge);
        let resolved = (started + minutes(to_resolve)).max(acknowledged + Duration::minutes(5));
        let fraction = self.rng.gen_range(0.2..0.85);
        let mitigated =
            acknowledged + minutes((resolved - acknowledged).num_minutes() as f64 * fraction);
        Timeline {
            started,
            detected: (!self.rng.gen_bool(0.02)).then_some(detected),
            acknowledged: (!self.rng.gen_bool(0.07)).then_some(acknowledged),
            mitigated: (!self.rng.gen_bool(0.15)).then_some(mitigated),
            resolved,
        }
        .cut_at(self.period.end)
    }

    /// The status, and the mitigated and resolved timestamps that go with it.
    fn status(
        &mut self,
        times: &Timeline,
    ) -> (IncidentStatus, Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        if times.resolved >= self.period.end {
            return match times.mitigated {
                Some(mitigated) => (IncidentStatus::Mitigated, Some(mitigated), None),
                None => (IncidentStatus::Open, None, None),
            };
        }
        match self.rng.gen_range(0..1000) {
            0..10 => (IncidentStatus::Open, None, None),
            10..25 => (
                IncidentStatus::Mitigated,
                times.mitigated.or(times.acknowledged),
                None,
            ),
            25..545 => (
                IncidentStatus::Closed,
                times.mitigated,
                Some(times.resolved),
            ),
            _ => (
                IncidentStatus::Resolved,
                times.mitigated,
                Some(times.resolved),
            ),
        }
    }

    fn other_service(&mut self, primary: &str) -> &'static str {
        loop {
            let candidate = SERVICES[self.rng.gen_range(0..SERVICES.len())].0;
            if candidate != primary {
                return candidate;
            }
        }
    }

    fn family_text(&mut self, family: &Family, slots: &Slots<'_>) -> Incident {
        let text = |builder: &mut Self, templates: &[&str]| fill(builder.pick(templates), slots);
        let title = text(self, family.titles);
        let summary = text(self, family.summaries);
        let trigger = text(self, family.triggers);
        let root_cause = text(self, family.root_causes);
        let remediation = text(self, family.remediations);
        let recovery = text(self, family.recoveries);
        let prevention = text(self, family.preventions);
        Incident {
            title: Some(title),
            summary: Some(summary),
            trigger: (!self.rng.gen_bool(0.04)).then_some(trigger),
            root_cause: (!self.rng.gen_bool(0.03)).then_some(root_cause),
            remediation: (!self.rng.gen_bool(0.05)).then_some(remediation),
            recovery: (!self.rng.gen_bool(0.3)).then_some(recovery),
            prevention: (!self.rng.gen_bool(0.1)).then_some(prevention),
            ..Incident::default()
        }
    }

    fn noise_text(&mut self, noise: usize, slots: &Slots<'_>) -> Incident {
        let [_, title, summary, trigger, root_cause, remediation] = NOISE[noise];
        Incident {
            title: Some(fill(title, slots)),
            summary: Some(fill(summary, slots)),
            trigger: (!self.rng.gen_bool(0.04)).then(|| fill(trigger, slots)),
            root_cause: (!self.rng.gen_bool(0.03)).then(|| fill(root_cause, slots)),
            remediation: (!self.rng.gen_bool(0.05)).then(|| fill(remediation, slots)),
            recovery: None,
            prevention: None,
            ..Incident::default()
        }
    }

    fn alerts(&mut self, family: Option<&Family>, detection: &str) -> Vec<String> {
        if detection != "alert" && detection != "synthetic monitoring" {
            return Vec::new();
        }
        let names: &[&str] =
            family.map_or(&["HighErrorRate", "HighLatencyP99"], |family| family.alerts);
        let count = if self.rng.gen_bool(0.2) { 2 } else { 1 };
        names
            .choose_multiple(self.rng, count)
            .map(|name| (*name).to_owned())
            .collect()
    }

    fn factors(&mut self, family: Option<&Family>, flaky: bool) -> Vec<String> {
        let mut chosen: Vec<usize> = Vec::with_capacity(3);
        if let Some(family) = family {
            if self.rng.gen_bool(0.8) {
                chosen.extend(family.factors.choose(self.rng));
            }
            if self.rng.gen_bool(0.25) {
                chosen.extend(family.factors.choose(self.rng));
            }
        }
        if self.rng.gen_bool(if family.is_some() { 0.25 } else { 0.7 }) {
            chosen.extend(GENERIC_FACTORS.choose(self.rng));
        }
        chosen.dedup();
        chosen.sort_unstable();
        chosen.dedup();
        if chosen.is_empty() && !flaky {
            let fallback = family
                .and_then(|family| family.factors.first())
                .copied()
                .unwrap_or(GENERIC_FACTORS[0]);
            chosen.push(fallback);
        }
        chosen.shuffle(self.rng);
        chosen.truncate(if flaky { 2 } else { 3 });
        if flaky {
            let at = self.rng.gen_range(0..=chosen.len());
            chosen.insert(at, FLAKY);
        }
        chosen
            .into_iter()
            .map(|factor| self.pick(FACTORS[factor].1).to_owned())
            .collect()
    }

    fn tags(&mut self, family: Option<&Family>, severity: u8) -> Vec<String> {
        let mut tags: Vec<String> = Vec::with_capacity(3);
        if let Some(family) = family {
            let count = if self.rng.gen_bool(0.3) { 2 } else { 1 };
            tags.extend(
                family
                    .tags
                    .choose_multiple(self.rng, count)
                    .map(|tag| (*tag).to_owned()),
            );
        }
        if severity <= 2 && self.rng.gen_bool(0.4) {
            tags.push(CUSTOMER_IMPACT_TAG.to_owned());
        }
        tags.shrink_to_fit();
        tags
    }

    #[allow(clippy::too_many_arguments)]
    fn follow_ups(
        &mut self,
        incident_id: &str,
        family: Option<&Family>,
        flaky: bool,
        severity: u8,
        started: DateTime<Utc>,
        teams: &[usize],
        slots: &Slots<'_>,
    ) -> Vec<FollowUp> {
        let count = self.follow_up_count(severity);
        let mut titles: Vec<&'static str> = Vec::with_capacity(count);
        if count > 0 && flaky && self.rng.gen_bool(0.6) {
            titles.extend(FLAKY_FOLLOW_UPS.choose(self.rng));
        }
        // Shuffled on the stack: this runs a million times.
        let mut own = [""; 8];
        let own_titles = family.map_or(&[][..], |family| family.follow_ups);
        let mut own_len = own_titles.len().min(own.len());
        own[..own_len].copy_from_slice(&own_titles[..own_len]);
        own[..own_len].shuffle(self.rng);
        let mut generic = GENERIC_FOLLOW_UPS;
        generic.shuffle(self.rng);
        let mut generic_len = generic.len();
        // Mostly the family's own actions, then generic ones.
        let own_share = if family.is_some() { 0.8 } else { 0.0 };
        while titles.len() < count && own_len + generic_len > 0 {
            if own_len > 0 && (generic_len == 0 || self.rng.gen_bool(own_share)) {
                own_len -= 1;
                titles.push(own[own_len]);
            } else {
                generic_len -= 1;
                titles.push(generic[generic_len]);
            }
        }
        let created_date = started.date_naive() + Duration::days(self.rng.gen_range(2..=8));
        let owning_team = teams.first().copied().unwrap_or(TEAMS.len() - 1);
        let mut follow_ups: Vec<FollowUp> = titles
            .into_iter()
            .filter_map(|title| {
                let created = midnight(created_date + Duration::days(self.rng.gen_range(0..=2)));
                (created < self.period.end)
                    .then(|| self.follow_up(incident_id, fill(title, slots), created, owning_team))
            })
            .collect();
        // A million incidents must fit in memory: no spare capacity.
        follow_ups.shrink_to_fit();
        follow_ups
    }

    fn follow_up_count(&mut self, severity: u8) -> usize {
        let roll = self.rng.gen_range(0..100);
        match severity {
            1 => self.rng.gen_range(2..=4),
            2 if roll < 95 => self.rng.gen_range(1..=3),
            3 if roll >= 45 => weighted(self.rng, &[(1, 60), (2, 30), (3, 10)]),
            4 if roll >= 70 => weighted(self.rng, &[(1, 75), (2, 25)]),
            _ => 0,
        }
    }

    fn follow_up(
        &mut self,
        incident_id: &str,
        title: String,
        created: DateTime<Utc>,
        owning_team: usize,
    ) -> FollowUp {
        *self.follow_up_number += self.rng.gen_range(1..=MAX_FOLLOW_UP_GAP);
        let id = exact(format!("OPS-{}", self.follow_up_number));
        let due = created + Duration::days(self.rng.gen_range(14..=56));
        let team = if self.rng.gen_bool(0.72) {
            owning_team
        } else if self.rng.gen_bool(0.5) {
            // Platform and SRE pick up many cross-team actions.
            if self.rng.gen_bool(0.5) {
                0
            } else {
                TEAMS.len() - 1
            }
        } else {
            self.rng.gen_range(0..TEAMS.len())
        };
        let roll = self.rng.gen_range(0.0..1.0);
        let linger = LINGER_RATE[team];
        let (mut status, mut closed) = if roll < linger {
            // Left in the backlog until a grooming pass closes it many months later, if the
            // period lasts that long: these make most of the overdue backlog at the end.
            (
                FollowUpStatus::WontDo,
                Some(created + Duration::days(self.rng.gen_range(240..=600))),
            )
        } else if roll < linger + WONT_DO_RATE {
            (
                FollowUpStatus::WontDo,
                Some(created + Duration::days(self.rng.gen_range(5..=45))),
            )
        } else {
            let days = lognormal(self.rng, 12.0, 0.8).round().max(1.0) as i64;
            (FollowUpStatus::Done, Some(created + Duration::days(days)))
        };
        if closed.is_some_and(|closed| closed >= self.period.end) {
            status = FollowUpStatus::Open;
            closed = None;
        }
        let owner = self.pick(TEAMS[team].1).to_owned();
        FollowUp {
            // The ticket URL is the tracker's base URL and the id: the exports write it, the
            // canonical record leaves it out (a million incidents must fit in memory).
            tracker: None,
            id: Some(id),
            incident_id: incident_id.to_owned(),
            title: Some(title),
            owner: Some(owner),
            team: Some(TEAMS[team].0.to_owned()),
            status,
            status_raw: None,
            created_at: Some(created),
            due_at: Some(due),
            closed_at: closed,
            source: Default::default(),
            extra: Default::default(),
        }
    }
}

/// The timestamps of one incident before its status is decided.
#[derive(Debug, Clone, Copy)]
struct Timeline {
    started: DateTime<Utc>,
    detected: Option<DateTime<Utc>>,
    acknowledged: Option<DateTime<Utc>>,
    mitigated: Option<DateTime<Utc>>,
    resolved: DateTime<Utc>,
}

impl Timeline {
    /// Drop the timestamps that fall at or after the end of the period (not yet happened).
    fn cut_at(mut self, end: DateTime<Utc>) -> Self {
        let keep = |at: Option<DateTime<Utc>>| at.filter(|at| *at < end);
        self.detected = keep(self.detected);
        self.acknowledged = keep(self.acknowledged);
        self.mitigated = keep(self.mitigated);
        self
    }

    /// Minutes of impact: until mitigation, else resolution.
    fn impact_minutes(&self) -> i64 {
        (self.mitigated.unwrap_or(self.resolved) - self.started).num_minutes()
    }
}

/// A log-normal draw with the given median (Box-Muller on the generator's own stream).
fn lognormal(rng: &mut Xoshiro256PlusPlus, median: f64, sigma: f64) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen_range(0.0..1.0);
    let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    median * (sigma * normal).exp()
}

/// Whole minutes, at most about 60 days so that a freak draw stays a plausible duration.
fn minutes(value: f64) -> TimeDelta {
    Duration::minutes(value.clamp(0.0, 86_400.0) as i64)
}

/// The string without spare capacity (a million incidents must fit in memory).
fn exact(mut text: String) -> String {
    text.shrink_to_fit();
    text
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Pick one item by integer weight.
fn weighted<T: Copy>(rng: &mut Xoshiro256PlusPlus, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, weight)| weight).sum();
    let mut target = rng.gen_range(0..total.max(1));
    for (item, weight) in items {
        if target < *weight {
            return *item;
        }
        target -= weight;
    }
    items[0].0
}

/// How long the impact lasted, as a person would write it.
fn duration_words(minutes: i64) -> String {
    match minutes {
        ..=1 => "a minute".to_owned(),
        2..60 => format!("{minutes} minutes"),
        60..90 => "about an hour".to_owned(),
        90..2880 => format!("about {} hours", (minutes + 30) / 60),
        _ => format!("{} days", (minutes + 720) / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_words_read_naturally() {
        assert_eq!(duration_words(0), "a minute");
        assert_eq!(duration_words(25), "25 minutes");
        assert_eq!(duration_words(75), "about an hour");
        assert_eq!(duration_words(150), "about 3 hours");
        assert_eq!(duration_words(4000), "3 days");
    }

    #[test]
    fn period_is_months_long_and_new_family_window_is_two_months() {
        let period = Period::new(NaiveDate::from_ymd_opt(2024, 11, 1).unwrap_or_default(), 24);
        assert_eq!(
            period.end.date_naive(),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default()
        );
        assert_eq!(
            period.new_from.date_naive(),
            NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default()
        );
        let empty = Period::new(NaiveDate::from_ymd_opt(2024, 11, 1).unwrap_or_default(), 0);
        assert_eq!(empty.end - empty.start, Duration::days(1));
    }

    #[test]
    fn chunk_seeds_differ() {
        assert_ne!(mix(7, 0), mix(7, 1));
        assert_ne!(mix(7, 0), mix(8, 0));
    }
}
