//! Posting follow-up reminders to a chat webhook (`recur followups --notify`): a timeout per
//! attempt, a few retries with a doubling pause, and an error naming the HTTP status when a
//! message still fails. The URL is never printed: it is the webhook's secret.

use std::time::Duration;

use recur_review::digest::ChatMessage;

/// Where and how reminders are posted.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The webhook URL (`http://` or `https://`).
    pub url: String,
    /// The longest one attempt may take, connecting and answering included.
    pub timeout: Duration,
    /// Attempts after the first one, for a server error (5xx), 429, a timeout or a failed
    /// connection. A 4xx other than 429 is not retried: it does not fix itself.
    pub retries: u32,
    /// The pause before the first retry; doubled before each next one.
    pub backoff: Duration,
}

/// Why one message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with this status.
    Status(u16),
    /// No answer: a timeout, a refused connection, a TLS or DNS failure.
    Transport(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Status(status) => write!(f, "HTTP status {status}"),
            Self::Transport(message) => write!(f, "no answer ({message})"),
        }
    }
}

impl Failure {
    fn worth_retrying(&self) -> bool {
        match self {
            Self::Status(status) => *status >= 500 || *status == 429,
            Self::Transport(_) => true,
        }
    }
}

/// Check that a URL is an HTTP(S) URL, without echoing it (it holds the webhook's secret).
pub fn check_url(url: &str, from: &str) -> anyhow::Result<()> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Ok(())
    } else {
        anyhow::bail!("{from} is not an http:// or https:// URL")
    }
}

/// Post every message; each one that still fails after the retries is listed in the error,
/// with its team, the attempts and the last failure. Progress goes to stderr.
pub fn post_all(webhook: &Webhook, messages: &[ChatMessage]) -> anyhow::Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(webhook.timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let mut failed = Vec::new();
    for message in messages {
        match post_with_retries(&agent, webhook, &message.body) {
            Ok(attempts) => eprintln!(
                "notified team {} ({} attempt{})",
                message.team,
                attempts,
                if attempts == 1 { "" } else { "s" }
            ),
            Err((attempts, failure)) => {
                eprintln!(
                    "could not notify team {} after {attempts} attempts: {failure}",
                    message.team
                );
                failed.push(format!(
                    "team {}: {failure} after {attempts} attempt{}",
                    message.team,
                    if attempts == 1 { "" } else { "s" }
                ));
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "the webhook did not take {} of {} reminders: {}",
            failed.len(),
            messages.len(),
            failed.join("; ")
        )
    }
}

/// Post one body, retrying as [`Webhook::retries`] says: the attempts it took, or the
/// attempts made and the last failure.
fn post_with_retries(
    agent: &ureq::Agent,
    webhook: &Webhook,
    body: &[u8],
) -> Result<u32, (u32, Failure)> {
    let mut pause = webhook.backoff;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let failure = match post(agent, &webhook.url, body) {
            Ok(()) => return Ok(attempts),
            Err(failure) => failure,
        };
        if attempts > webhook.retries || !failure.worth_retrying() {
            return Err((attempts, failure));
        }
        std::thread::sleep(pause);
        pause = pause.saturating_mul(2);
    }
}

fn post(agent: &ureq::Agent, url: &str, body: &[u8]) -> Result<(), Failure> {
    let response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
        .map_err(|error| Failure::Transport(describe(&error)))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(Failure::Status(status))
    }
}

/// An error in words, without the URL (ureq's messages for a bad URL may quote it).
fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::Io(io) => io.to_string(),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        _ => "the request failed".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    // Posting itself is tested against a local server in `tests/first_hour.rs` (200, 500 then
    // retried, 500 to the end, 404, a server too slow to answer).
    use super::*;

    #[test]
    fn server_errors_and_no_answer_are_retried_other_statuses_not() {
        for status in [500, 502, 503, 429] {
            assert!(Failure::Status(status).worth_retrying(), "{status}");
        }
        for status in [400, 401, 403, 404, 410] {
            assert!(!Failure::Status(status).worth_retrying(), "{status}");
        }
        assert!(Failure::Transport("timed out".to_owned()).worth_retrying());
        assert_eq!(Failure::Status(500).to_string(), "HTTP status 500");
        assert_eq!(
            Failure::Transport("timed out".to_owned()).to_string(),
            "no answer (timed out)"
        );
    }

    #[test]
    fn only_http_urls_are_accepted_and_not_echoed() {
        assert!(check_url("https://hooks.example/x", "--notify").is_ok());
        let error = check_url("ftp://secret", "$HOOK").expect_err("not http");
        assert_eq!(error.to_string(), "$HOOK is not an http:// or https:// URL");
    }
}
