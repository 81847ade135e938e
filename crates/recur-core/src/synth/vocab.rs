//! The vocabulary the generator draws from: teams and people, services, the planted root-cause
//! families with their paraphrase templates, the contributing factors, and one-off noise.
//!
//! Templates hold slots in braces, filled by [`fill`]: `{service}` (the primary service),
//! `{other}` (another service), `{thing}` (a family-specific object: a certificate, a database,
//! a flag, a vendor), `{n}` (a family-specific number), `{pct}`, `{duration}` (how long the
//! impact lasted, in words) and `{catchup}` (a short recovery time, in words).

/// Teams and their people: 30 people in 8 teams.
pub(super) const TEAMS: [(&str, &[&str]); 8] = [
    (
        "platform",
        &[
            "Priya Raman",
            "Tomás Herrera",
            "Jonas Lindqvist",
            "Aisha Bello",
        ],
    ),
    ("identity", &["Mei Tanaka", "David Okafor", "Sofia Rossi"]),
    (
        "payments",
        &["Lukas Becker", "Fatima Zahra", "Ethan Brooks", "Hannah Kim"],
    ),
    (
        "checkout",
        &[
            "Carlos Mendes",
            "Olivia Martin",
            "Ravi Shankar",
            "Emma Dubois",
        ],
    ),
    (
        "search",
        &["Noah Fischer", "Yuki Sato", "Grace Liu", "Kenji Watanabe"],
    ),
    ("messaging", &["Ahmed Hassan", "Laura Nowak", "Ben Carter"]),
    (
        "data",
        &["Isabel Costa", "Oscar Nilsson", "Chloe Evans", "Zoe Adams"],
    ),
    (
        "sre",
        &[
            "Marta Kowalska",
            "Daniel Cohen",
            "Sam Taylor",
            "Inès Moreau",
        ],
    ),
];

/// The team whose incidents are exported in the other tool's shape (`platform.jsonl`).
pub(super) const JSONL_TEAMS: [&str; 2] = ["platform", "sre"];

/// Services and the index of the owning team in [`TEAMS`].
pub(super) const SERVICES: [(&str, usize); 22] = [
    ("ingress", 0),
    ("api-gateway", 0),
    ("cdn-edge", 0),
    ("auth-service", 1),
    ("user-profile", 1),
    ("payments-api", 2),
    ("billing-worker", 2),
    ("ledger-service", 2),
    ("checkout-web", 3),
    ("orders-service", 3),
    ("inventory-service", 3),
    ("search-api", 4),
    ("search-indexer", 4),
    ("recommendations", 4),
    ("notifications", 5),
    ("email-worker", 5),
    ("kafka-brokers", 5),
    ("reporting-etl", 6),
    ("warehouse-loader", 6),
    ("session-cache", 7),
    ("internal-dns", 7),
    ("admin-portal", 1),
];

/// The index of a team in [`TEAMS`] that owns `service`, if it is one of [`SERVICES`].
pub(super) fn team_of(service: &str) -> Option<usize> {
    SERVICES
        .iter()
        .find(|(name, _)| *name == service)
        .map(|(_, team)| *team)
}

/// Contributing factors: a key and the paraphrases reports use for it.
pub(super) const FACTORS: [(&str, &[&str]); 15] = [
    (
        "flaky-tests",
        &[
            "flaky tests",
            "tests were flaky",
            "test flakiness",
            "flaky test suite ignored",
            "CI failures were ignored as flaky",
        ],
    ),
    (
        "no-expiry-monitoring",
        &[
            "no alert on certificate expiry",
            "expiry monitoring was missing",
            "cert expiry was not monitored",
        ],
    ),
    (
        "manual-process",
        &[
            "manual renewal process",
            "renewal depended on one person",
            "renewal steps only in someone's head",
        ],
    ),
    (
        "pool-sizing",
        &[
            "connection pool sized for old traffic",
            "pool limits were never revisited",
            "max connections set too low",
        ],
    ),
    (
        "no-canary",
        &[
            "no canary stage",
            "rollout skipped the canary",
            "change went to 100% at once",
        ],
    ),
    (
        "log-retention",
        &[
            "debug logging left on",
            "log rotation misconfigured",
            "no log retention policy",
        ],
    ),
    (
        "single-resolver",
        &[
            "single DNS resolver",
            "no resolver failover",
            "no DNS caching on nodes",
        ],
    ),
    (
        "no-soak-test",
        &[
            "no soak test before release",
            "memory limits not tuned",
            "heap growth not monitored",
        ],
    ),
    (
        "no-validation",
        &[
            "config change not validated",
            "no schema validation for config",
            "config change reviewed by one person",
        ],
    ),
    (
        "autoscaling-off",
        &[
            "consumer autoscaling disabled",
            "lag alert threshold too high",
            "no backpressure on producers",
        ],
    ),
    (
        "retry-storm",
        &[
            "retries without backoff",
            "retry storm amplified load",
            "clients retried aggressively",
        ],
    ),
    (
        "vendor-quota",
        &[
            "vendor quota not tracked",
            "quota sized for last year's volume",
            "no alert on third-party API usage",
        ],
    ),
    (
        "alert-fatigue",
        &[
            "alert fatigue",
            "the page was missed",
            "noisy alerts were ignored",
        ],
    ),
    (
        "no-load-test",
        &[
            "no load test",
            "capacity was not load tested",
            "load testing skipped",
        ],
    ),
    (
        "runbook-outdated",
        &[
            "runbook was out of date",
            "outdated runbook",
            "no runbook for this failure",
        ],
    ),
];

/// Index of the flaky-tests factor in [`FACTORS`].
pub(super) const FLAKY: usize = 0;
/// Factors any incident may get, whatever its cause.
pub(super) const GENERIC_FACTORS: [usize; 3] = [12, 13, 14];

/// One planted root-cause family.
pub(super) struct Family {
    /// The pattern key reported in the truth.
    pub key: &'static str,
    /// Relative frequency.
    pub weight: f64,
    /// Likely services, weighted.
    pub services: &'static [(&'static str, u32)],
    /// Weights of SEV1..SEV4.
    pub severity: [u32; 4],
    /// Probability that the flaky-tests factor is planted.
    pub flaky_rate: f64,
    /// The family's own factors (indices into [`FACTORS`]).
    pub factors: &'static [usize],
    /// Values of `{thing}`.
    pub things: &'static [&'static str],
    /// Values of `{n}`.
    pub numbers: &'static [&'static str],
    /// Paraphrases of the title.
    pub titles: &'static [&'static str],
    /// Paraphrases of the summary.
    pub summaries: &'static [&'static str],
    /// Paraphrases of the trigger.
    pub triggers: &'static [&'static str],
    /// Paraphrases of the root cause.
    pub root_causes: &'static [&'static str],
    /// Ways it was remediated.
    pub remediations: &'static [&'static str],
    /// Ways it recovered.
    pub recoveries: &'static [&'static str],
    /// Ways to prevent it.
    pub preventions: &'static [&'static str],
    /// Alerts that fire for it.
    pub alerts: &'static [&'static str],
    /// Tags.
    pub tags: &'static [&'static str],
    /// Follow-up titles.
    pub follow_ups: &'static [&'static str],
}

/// Index of the family that grows over time.
pub(super) const RISING: usize = 7;
/// Index of the family that appears only in the last two months.
pub(super) const NEW: usize = 8;

/// The planted families.
pub(super) const FAMILIES: [Family; 10] = [
    Family {
        key: "cert-expiry",
        weight: 0.8,
        services: &[
            ("ingress", 3),
            ("api-gateway", 3),
            ("auth-service", 2),
            ("payments-api", 2),
            ("cdn-edge", 2),
            ("admin-portal", 1),
            ("email-worker", 1),
        ],
        severity: [18, 42, 30, 10],
        flaky_rate: 0.02,
        factors: &[1, 2],
        things: &[
            "api.example.com",
            "checkout.example.com",
            "*.internal.example.net",
            "the mTLS client certificate",
            "login.example.com",
        ],
        numbers: &["30", "14", "7"],
        titles: &[
            "TLS cert expired on {service}",
            "Expired certificate on {thing} broke HTTPS for {service}",
            "{service}: handshake failures after certificate lapsed",
            "Clients rejected {service} certificate (expired x509)",
            "Outage of {service} due to expired TLS certificate",
        ],
        summaries: &[
            "Requests to {service} failed with TLS handshake errors for {duration} because the certificate for {thing} had expired. Browsers and API clients refused the connection.",
            "The certificate on the {service} ingress lapsed because renewal failed, so most clients saw `x509: certificate has expired` errors until a new certificate was issued.",
            "An expired x509 certificate for {thing} caused {service} to reject connections; mobile clients and partner integrations got handshake failures and error rates spiked.",
            "Customers could not reach {service}: the served certificate was past its notAfter date. Traffic recovered once the certificate was rotated & the pods reloaded.",
        ],
        triggers: &[
            "The certificate for {thing} reached its expiry date at midnight UTC.",
            "Certificate expiry; no deploy or change preceded the incident.",
            "Scheduled expiry of the {thing} certificate, which nobody had renewed.",
            "Clients began validating the certificate chain strictly after it lapsed.",
        ],
        root_causes: &[
            "The TLS certificate for {thing} expired because the automated renewal job had been failing silently for weeks.",
            "Certificate renewal failed: the ACME challenge could not reach {service} after a firewall change, and the old certificate lapsed.",
            "The cert was renewed by hand last year and the renewal was never automated, so it expired.",
            "cert-manager could not renew the certificate because its DNS credentials had been rotated; the x509 certificate expired.",
            "An expired intermediate certificate in the chain served by {service}; the renewal pipeline only tracked leaf certificates.",
        ],
        remediations: &[
            "Issued a new certificate for {thing} by hand and reloaded the {service} pods.",
            "Rotated the expired certificate and restarted the ingress controllers.",
            "Renewed the certificate via cert-manager after restoring its credentials, then rolled {service}.",
        ],
        recoveries: &[
            "Error rates returned to baseline within {catchup} of the new certificate being served.",
            "Handshake failures stopped once all replicas picked up the new certificate; clients reconnected on their own.",
        ],
        preventions: &[
            "Alert {n} days before any certificate expires and automate every renewal.",
            "Move all certificates to cert-manager with expiry monitoring and a weekly renewal check.",
            "Add a synthetic TLS check against {thing} that pages when the certificate is within {n} days of expiry.",
        ],
        alerts: &[
            "TLSHandshakeErrors",
            "CertificateExpiringSoon",
            "HighErrorRate",
            "SyntheticCheckFailed",
        ],
        tags: &["tls", "certificates", "security", "ingress"],
        follow_ups: &[
            "Automate certificate renewal for {service}",
            "Add certificate expiry alerting for {thing}",
            "Move {service} certificates to cert-manager",
            "Inventory all TLS certificates and their owners",
            "Fix silent failures in the renewal job",
        ],
    },
    Family {
        key: "conn-pool",
        weight: 1.3,
        services: &[
            ("orders-service", 3),
            ("payments-api", 2),
            ("user-profile", 2),
            ("ledger-service", 2),
            ("inventory-service", 2),
            ("billing-worker", 1),
            ("reporting-etl", 1),
        ],
        severity: [6, 30, 44, 20],
        flaky_rate: 0.18,
        factors: &[3, 10],
        things: &[
            "{service}-db",
            "the {service} database",
            "the Postgres primary",
            "the read replica",
        ],
        numbers: &["20", "50", "64", "100"],
        titles: &[
            "Connection pool exhausted on {service}",
            "{service} timeouts: database connection pool saturated",
            "DB connection pool exhaustion caused 5xx errors in {service}",
            "{service} could not get connections to {thing}",
            "Elevated latency and timeouts on {service} (pool exhaustion)",
        ],
        summaries: &[
            "{service} ran out of database connections to {thing}; requests queued waiting for a connection and then timed out, returning 5xx errors for {duration}.",
            "All {n} connections in the {service} pool were held by slow queries, so new requests to {thing} timed out and the error rate climbed.",
            "Latency on {service} rose sharply and then requests started failing with `timeout acquiring connection` errors: the connection pool was exhausted.",
            "A burst of traffic saturated the connection pool between {service} and {thing}; callers retried, which kept the pool full until we restarted the pods.",
        ],
        triggers: &[
            "A marketing campaign doubled traffic to {service}.",
            "A deploy of {service} added a query that held connections longer.",
            "A slow migration on {thing} locked a hot table.",
            "A nightly batch job opened connections to {thing} at the same time as peak traffic.",
        ],
        root_causes: &[
            "The database connection pool of {service} was capped at {n} connections, too few for current traffic, and connections leaked on an error path.",
            "Connections were not returned to the pool when a request timed out, so the pool drained until {service} could not reach {thing}.",
            "Pool exhaustion: long-running queries held every connection to {thing}, and there was no statement timeout.",
            "{service} opened a new connection per retry without releasing the old one, exhausting the pool to {thing}.",
            "`max_connections` on {thing} was lower than the sum of all service pools, so the pool in {service} could never grow and requests starved.",
        ],
        remediations: &[
            "Restarted {service} pods to release the stuck connections and raised the pool size to {n}.",
            "Killed the long-running queries on {thing} and rolled back the deploy.",
            "Paused the batch job and raised the pool limit temporarily.",
            "1. Restarted the {service} pods.\n2. Killed idle-in-transaction sessions on {thing}.\n3. Raised the pool size to {n}.",
        ],
        recoveries: &[
            "Latency returned to normal after the connection count on {thing} dropped.",
            "Queued requests drained within {catchup}; no data was lost.",
        ],
        preventions: &[
            "Add a statement timeout and pool saturation alerts for {service}.",
            "Load test {service} against production-like traffic before raising limits again.",
            "Fix the connection leak on the timeout path and add a regression test.",
        ],
        alerts: &[
            "DBPoolSaturation",
            "HighLatencyP99",
            "HighErrorRate",
            "DBConnectionsNearMax",
        ],
        tags: &["database", "postgres", "latency", "capacity"],
        follow_ups: &[
            "Fix connection leak on timeout path in {service}",
            "Add pool saturation alert for {service}",
            "Set statement timeout on {thing}",
            "Right-size connection pools across services",
            "Move batch job off peak hours",
        ],
    },
    Family {
        key: "feature-flag",
        weight: 1.0,
        services: &[
            ("checkout-web", 3),
            ("recommendations", 2),
            ("search-api", 2),
            ("user-profile", 2),
            ("notifications", 1),
            ("orders-service", 1),
            ("admin-portal", 1),
        ],
        severity: [6, 28, 46, 20],
        flaky_rate: 0.34,
        factors: &[4, 13],
        things: &[
            "new-checkout-flow",
            "ranking-v2",
            "one-click-pay",
            "dark-mode-beta",
            "{service}-v2-api",
        ],
        numbers: &["5", "10", "25"],
        titles: &[
            "Bad feature flag rollout broke {service}",
            "Flag `{thing}` enabled for all users caused errors in {service}",
            "{service} errors after enabling {thing}",
            "Feature flag change took down {service}",
            "Rollout of {thing} flag caused elevated 5xx on {service}",
        ],
        summaries: &[
            "Turning on the `{thing}` flag for 100% of users exposed an untested code path in {service}; {pct}% of requests failed until the flag was switched off.",
            "A feature-flag rollout of {thing} went straight to everyone instead of the planned {n}%, and {service} started throwing null pointer errors.",
            "After the {thing} flag was flipped, {service} sent malformed requests to {other} and checkout conversion dropped.",
            "Users saw blank pages on {service} for {duration} because the new code behind the {thing} flag crashed on older clients.",
        ],
        triggers: &[
            "The {thing} flag was enabled for all users in production.",
            "A flag targeting rule for {thing} was edited and matched every user.",
            "Percentage rollout of {thing} jumped from {n}% to 100% by mistake.",
            "The flag service pushed a stale default for {thing}.",
        ],
        root_causes: &[
            "The code path behind the {thing} flag had never run with production data and crashed on legacy accounts.",
            "A bad feature flag rollout: {thing} was turned on for everyone at once, and the new path in {service} could not handle the load.",
            "The flag default was `true` in production by mistake, enabling an unfinished feature in {service}.",
            "Enabling {thing} switched {service} to a new API client that did not handle pagination, causing errors.",
            "The feature flag rollout skipped the staged percentages, and a bug in the flagged code took {service} down.",
        ],
        remediations: &[
            "Disabled the {thing} flag; errors stopped within a minute.",
            "Rolled the flag back to 0% and restarted the affected pods.",
            "Reverted the targeting rule change in the flag service.",
        ],
        recoveries: &[
            "Conversion returned to normal shortly after the flag was turned off.",
            "Error rate dropped to baseline once the flag change reached all instances, about {catchup} later.",
        ],
        preventions: &[
            "Require staged rollouts (1%, 10%, 50%) with automatic rollback on error rate.",
            "Test flagged code paths with production-like data before enabling.",
            "Add an approval step for flag changes that target 100% of users.",
        ],
        alerts: &["HighErrorRate", "ConversionDrop", "FrontendExceptions"],
        tags: &["feature-flags", "rollout", "release"],
        follow_ups: &[
            "Enforce staged rollout for {thing}",
            "Add automatic rollback on error rate to flag service",
            "Write integration tests for the {thing} code path",
            "Alert on flag changes that target 100% of users",
        ],
    },
    Family {
        key: "disk-full",
        weight: 0.9,
        services: &[
            ("reporting-etl", 2),
            ("search-indexer", 2),
            ("kafka-brokers", 2),
            ("warehouse-loader", 2),
            ("ledger-service", 1),
            ("session-cache", 1),
            ("internal-dns", 1),
        ],
        severity: [2, 14, 46, 38],
        flaky_rate: 0.05,
        factors: &[5, 12],
        things: &[
            "/var/log",
            "the data volume",
            "the root filesystem",
            "the node's ephemeral storage",
        ],
        numbers: &["80", "85", "90"],
        titles: &[
            "Disk full on {service} hosts",
            "{service} stopped writing: {thing} at 100%",
            "Log volume filled the disk on {service}",
            "No space left on device on {service} nodes",
            "{service} outage after disk filled up with logs",
        ],
        summaries: &[
            "{thing} on the {service} nodes filled up with application logs, writes failed with `No space left on device`, and the service stopped processing for {duration}.",
            "Debug logging left enabled on {service} produced several GB per hour until the disk was full; the process crashed and could not restart.",
            "The disk on {service} hosts reached 100% because rotated logs were never deleted, which stalled jobs and delayed downstream reports.",
            "{service} pods were evicted for disk pressure after logs filled the node's ephemeral storage.",
        ],
        triggers: &[
            "A deploy turned on verbose logging in {service}.",
            "A spike of errors produced a burst of stack traces in the logs.",
            "Log rotation stopped after a base image update.",
            "A weekend backfill job wrote more logs than usual.",
        ],
        root_causes: &[
            "Logs filled {thing} because log rotation was misconfigured and old files were never removed.",
            "Disk full from logs: debug logging was left on in production and nothing capped the log volume.",
            "The log shipper fell behind and buffered to local disk until {thing} ran out of space.",
            "No retention policy on {thing}; application logs grew until the disk was full.",
            "Verbose request logging on {service} filled the disk within hours.",
        ],
        remediations: &[
            "Deleted old log files, freed space on {thing}, and restarted {service}.",
            "Turned debug logging off and rotated the logs by hand.",
            "Expanded the volume and restarted the log shipper.",
        ],
        recoveries: &[
            "Jobs caught up over the next {catchup}.",
            "The backlog of writes replayed once space was available; one report was re-run.",
        ],
        preventions: &[
            "Fix the logrotate config and alert at {n}% disk usage.",
            "Cap log volume per pod and ship logs off-host.",
            "Make debug logging expire automatically.",
        ],
        alerts: &["DiskUsageHigh", "NodeDiskPressure", "JobFailed"],
        tags: &["disk", "logging", "capacity"],
        follow_ups: &[
            "Fix log rotation on {service} hosts",
            "Alert at {n}% disk usage for {service}",
            "Set retention policy for {thing}",
            "Auto-expire debug logging",
        ],
    },
    Family {
        key: "dns",
        weight: 0.7,
        services: &[
            ("internal-dns", 3),
            ("api-gateway", 2),
            ("email-worker", 2),
            ("payments-api", 2),
            ("ingress", 1),
            ("notifications", 1),
            ("auth-service", 1),
        ],
        severity: [8, 32, 42, 18],
        flaky_rate: 0.05,
        factors: &[6, 10],
        things: &[
            "CoreDNS",
            "the internal resolver",
            "the VPC resolver",
            "the upstream DNS provider",
        ],
        numbers: &["5", "2"],
        titles: &[
            "DNS resolution failures in {service}",
            "{service} could not resolve internal hostnames",
            "Intermittent SERVFAIL from {thing}",
            "DNS lookup timeouts caused errors across {service}",
            "{thing} overload broke name resolution",
        ],
        summaries: &[
            "{service} failed to resolve hostnames of its dependencies for {duration}; lookups to {thing} timed out and requests returned 502s.",
            "{thing} returned SERVFAIL for a subset of internal names, so {service} could not reach {other} and connection errors piled up.",
            "Name resolution was intermittently failing in the cluster: DNS lookups from {service} timed out, causing timeouts and retries across callers.",
            "A DNS outage at {thing} meant {service} could not look up external endpoints; outbound calls failed.",
        ],
        triggers: &[
            "{thing} pods were rescheduled during a node upgrade.",
            "A traffic spike multiplied DNS queries from {service}.",
            "A change to the DNS zone for the internal domain.",
            "The upstream DNS provider had a partial outage.",
        ],
        root_causes: &[
            "DNS resolution failures: {thing} ran out of capacity because every pod queried it without caching.",
            "{service} resolved hostnames on every request and {thing} throttled the query rate, so lookups failed.",
            "A misconfigured search domain made each lookup from {service} fan out into {n} queries, overloading {thing}.",
            "The only DNS resolver for the cluster went down during an upgrade; there was no failover.",
            "A bad record pushed to the internal zone made {other} resolve to a decommissioned address.",
        ],
        remediations: &[
            "Scaled {thing} up and restarted the affected pods.",
            "Enabled node-local DNS caching and rolled {service}.",
            "Reverted the zone change and flushed resolver caches.",
        ],
        recoveries: &[
            "Lookups succeeded again once the resolvers caught up; errors cleared within {catchup}.",
            "Connections recovered as clients retried.",
        ],
        preventions: &[
            "Run node-local DNS caches and alert on resolver latency.",
            "Add a second resolver and test failover.",
            "Check zone changes with an automated diff before they are applied.",
        ],
        alerts: &[
            "DNSLookupErrors",
            "CoreDNSLatencyHigh",
            "UpstreamConnectErrors",
        ],
        tags: &["dns", "network"],
        follow_ups: &[
            "Deploy node-local DNS cache",
            "Add resolver latency alerting",
            "Add failover resolver for {thing}",
            "Fix ndots and search domain config for {service}",
        ],
    },
    Family {
        key: "memory-leak",
        weight: 1.0,
        services: &[
            ("search-api", 2),
            ("recommendations", 2),
            ("notifications", 2),
            ("orders-service", 2),
            ("admin-portal", 1),
            ("api-gateway", 1),
            ("billing-worker", 1),
        ],
        severity: [4, 24, 48, 24],
        flaky_rate: 0.3,
        factors: &[7, 13],
        things: &[
            "the response cache",
            "a listener registry",
            "the protobuf decoder",
            "an unbounded in-process map",
            "the HTTP client pool",
        ],
        numbers: &["2", "4", "6"],
        titles: &[
            "Memory leak in {service} led to OOM kills",
            "{service} pods OOMKilled repeatedly",
            "{service} crash loop: out of memory",
            "Gradual memory growth in {service} caused restarts and errors",
            "OOM in {service} after release",
        ],
        summaries: &[
            "Memory usage of {service} grew steadily after the last release until pods hit their limit and were OOM-killed, causing bursts of 5xx errors every {n} hours.",
            "{service} leaked memory through {thing}; the JVM spent most of its time in GC, latency rose and then the pods were killed for exceeding memory limits.",
            "Pods of {service} restarted in a loop with exit code 137; requests failed while replicas were restarting.",
            "A memory leak in {service} caused OOM kills during peak traffic, and the remaining pods were overloaded for {duration}.",
        ],
        triggers: &[
            "Release of {service} that introduced caching in {thing}.",
            "The Monday morning traffic peak pushed memory over the limit.",
            "Upgrade of a client library in {service}.",
        ],
        root_causes: &[
            "Objects were added to {thing} and never evicted, so {service} leaked memory until it was OOM-killed.",
            "Memory leak: {thing} kept references to finished requests, and heap usage grew without bound.",
            "The new version of {service} held every response in {thing}; memory climbed until the OOM killer stopped the process.",
            "A library upgrade changed {thing} to retain buffers, leaking memory under load.",
            "Unbounded growth of {thing} in {service} exhausted the heap (out of memory).",
        ],
        remediations: &[
            "Rolled back {service} to the previous release.",
            "Raised the memory limit and scheduled rolling restarts every {n} hours until a fix shipped.",
            "Disabled the new cache and restarted the pods.",
        ],
        recoveries: &[
            "Memory stayed flat after the rollback; error rates returned to baseline.",
            "Restarts stopped and latency recovered within {catchup}.",
        ],
        preventions: &[
            "Add a soak test that watches heap growth before each release.",
            "Alert on memory growth rate, not only on the limit.",
            "Bound {thing} with a size limit and eviction.",
        ],
        alerts: &[
            "PodOOMKilled",
            "HighMemoryUsage",
            "HighErrorRate",
            "CrashLoopBackOff",
        ],
        tags: &["memory", "oom", "kubernetes", "release"],
        follow_ups: &[
            "Bound the size of {thing} in {service}",
            "Add soak test for {service}",
            "Alert on heap growth rate for {service}",
            "Capture heap dumps on OOM",
        ],
    },
    Family {
        key: "config-push",
        weight: 1.2,
        services: &[
            ("api-gateway", 3),
            ("cdn-edge", 2),
            ("auth-service", 2),
            ("checkout-web", 2),
            ("search-api", 1),
            ("ingress", 1),
            ("session-cache", 1),
        ],
        severity: [10, 34, 40, 16],
        flaky_rate: 0.26,
        factors: &[8, 4],
        things: &[
            "the routing table",
            "the rate limits config",
            "the auth policy file",
            "the CDN cache rules",
            "the upstream timeouts",
        ],
        numbers: &["3", "12"],
        titles: &[
            "Invalid config push broke {service}",
            "Bad configuration deployed to {service}",
            "{service} rejected traffic after config change to {thing}",
            "Config push with a typo took down {service}",
            "Malformed {thing} pushed to production",
        ],
        summaries: &[
            "A configuration change to {thing} was pushed to every {service} instance at once; the new file had an invalid value and {service} started rejecting requests.",
            "An invalid config push set {thing} to an empty list, so {service} routed no traffic for {duration}.",
            "After a config deploy, {service} failed to reload and kept restarting with `invalid configuration` errors.",
            "A typo in {thing} went out with the config push & broke requests to {other} through {service}.",
        ],
        triggers: &[
            "Config push of {thing} to production.",
            "An automated job regenerated {thing} from a bad source.",
            "A manual edit of {thing} during a migration.",
            "A config deploy was run against all {n} regions at once.",
        ],
        root_causes: &[
            "An invalid config push: {thing} contained a syntax error that was not caught before it reached production.",
            "The config change to {thing} was never validated against the schema, and the bad value crashed {service} on reload.",
            "A bad configuration was deployed to all instances at the same time without a canary, so {service} failed everywhere.",
            "{thing} referenced a backend that no longer existed, and {service} rejected the whole config.",
            "A generated config file was empty because the generator failed silently, and the push replaced a valid {thing}.",
        ],
        remediations: &[
            "Reverted {thing} to the last known good version and re-pushed.",
            "Rolled back the config deploy and restarted {service}.",
            "Pinned {service} to the previous config bundle.",
        ],
        recoveries: &[
            "Traffic recovered as soon as the old config was reloaded.",
            "All instances were healthy within {catchup} of the rollback.",
        ],
        preventions: &[
            "Validate config against a schema in CI and canary config pushes.",
            "Push config region by region with health checks between stages.",
            "Make {service} keep the old config when the new one fails to load.",
        ],
        alerts: &["HighErrorRate", "ConfigReloadFailed", "5xxRateHigh"],
        tags: &["config", "deploy", "change-management"],
        follow_ups: &[
            "Add schema validation for {thing}",
            "Stage config pushes by region",
            "Keep last good config on reload failure in {service}",
            "Require review for changes to {thing}",
        ],
    },
    Family {
        key: "queue-lag",
        weight: 1.0,
        services: &[
            ("notifications", 2),
            ("email-worker", 2),
            ("billing-worker", 2),
            ("search-indexer", 2),
            ("warehouse-loader", 1),
            ("orders-service", 1),
            ("kafka-brokers", 1),
        ],
        severity: [3, 18, 49, 30],
        flaky_rate: 0.1,
        factors: &[9, 12],
        things: &[
            "the {service} queue",
            "the {service}-events topic",
            "the orders topic",
            "the webhooks topic",
        ],
        numbers: &["5", "10"],
        titles: &[
            "Consumer lag on {thing}",
            "{service} fell hours behind on {thing}",
            "Message queue backlog delayed {service}",
            "Kafka consumer lag caused delayed notifications",
            "{service} consumers stalled, backlog grew on {thing}",
        ],
        summaries: &[
            "Consumers of {thing} in {service} fell behind by several hours; notifications and downstream updates were delayed for customers.",
            "Message queue consumer lag on {thing} grew to millions of messages because {service} consumers were stuck rebalancing.",
            "{service} processed {thing} too slowly after a deploy, the backlog grew and messages expired before they were handled.",
            "A poison message on {thing} made every {service} consumer crash and retry, so lag built up for {duration}.",
        ],
        triggers: &[
            "The month-end traffic peak increased messages on {thing} {n}-fold.",
            "Deploy of {service} that made each message handler slower.",
            "A poison message was published to {thing}.",
            "Broker maintenance triggered a consumer group rebalance.",
        ],
        root_causes: &[
            "Consumers of {thing} could not keep up: {service} processed messages one at a time and autoscaling was disabled.",
            "Message queue consumer lag: a poison message was retried forever and blocked the partition in {service}.",
            "Constant consumer group rebalances in {service} because message handlers exceeded the poll interval.",
            "The consumer for {thing} called a slow downstream API synchronously, so lag grew under load.",
            "{service} consumers were capped at a fixed replica count, too few for current volume on {thing}.",
        ],
        remediations: &[
            "Scaled {service} consumers out and skipped the poison message.",
            "Increased the poll interval and restarted the consumer group.",
            "Moved the poison message to a dead-letter queue.",
        ],
        recoveries: &[
            "The backlog drained over the next {catchup}; late messages were delivered.",
            "Lag returned to zero after the extra consumers caught up.",
        ],
        preventions: &[
            "Enable consumer autoscaling on lag and add a dead-letter queue.",
            "Alert on consumer lag age instead of message count.",
            "Batch message handling in {service}.",
        ],
        alerts: &["ConsumerLagHigh", "QueueDepthHigh", "DeliveryDelayed"],
        tags: &["kafka", "queue", "async"],
        follow_ups: &[
            "Enable lag-based autoscaling for {service}",
            "Add dead-letter queue for {thing}",
            "Alert on consumer lag age for {thing}",
            "Batch message handling in {service}",
        ],
    },
    Family {
        key: "rate-limit",
        weight: 4.0,
        services: &[
            ("payments-api", 3),
            ("email-worker", 2),
            ("auth-service", 2),
            ("checkout-web", 2),
            ("notifications", 1),
        ],
        severity: [5, 35, 42, 18],
        flaky_rate: 0.08,
        factors: &[10, 11],
        things: &[
            "the payment provider",
            "the SMS gateway",
            "the email delivery API",
            "the shipping rates API",
            "the address validation API",
        ],
        numbers: &["80", "90"],
        titles: &[
            "Rate limited by {thing}",
            "{service} calls to {thing} throttled (HTTP 429)",
            "Third-party API rate limiting broke {service}",
            "429 Too Many Requests from {thing}",
            "Quota exceeded at {thing}, {service} degraded",
        ],
        summaries: &[
            "{thing} started returning HTTP 429 to {service}; operations that depended on it failed for {duration}.",
            "We hit the rate limit of {thing}: {service} sent far more requests than our contract allows and the vendor throttled us.",
            "{service} exceeded its quota at {thing}, and retries without backoff made the throttling worse.",
            "Calls from {service} to {thing} were rejected as Too Many Requests after a traffic peak.",
        ],
        triggers: &[
            "A new integration started calling {thing} on every page view.",
            "The traffic peak of a sale.",
            "{thing} lowered our rate limit without notice.",
            "A backfill job called {thing} for every customer.",
        ],
        root_causes: &[
            "Rate limiting by a third-party API: {service} had no client-side rate limiter and exceeded the quota of {thing}.",
            "{thing} throttled us because retries without backoff multiplied the request rate from {service}.",
            "The quota at {thing} was sized for last year's volume; the new integration pushed {service} over the limit.",
            "{service} did not cache responses from {thing} and called it on every request until it returned 429s.",
        ],
        remediations: &[
            "Throttled the backfill job and enabled caching of {thing} responses.",
            "Asked {thing} for a temporary quota increase.",
            "Added exponential backoff to the {service} client and redeployed.",
        ],
        recoveries: &[
            "Requests succeeded again once the rate dropped under the limit.",
            "Failed operations were retried from the queue over {catchup}.",
        ],
        preventions: &[
            "Client-side rate limiting and backoff for every third-party API.",
            "Track usage against vendor quotas and alert at {n}%.",
            "Cache {thing} responses.",
        ],
        alerts: &["ThirdPartyErrors", "HTTP429Rate", "HighErrorRate"],
        tags: &["third-party", "vendor", "rate-limit"],
        follow_ups: &[
            "Add client-side rate limiter for {thing}",
            "Alert on quota usage at {thing}",
            "Negotiate a higher quota with {thing}",
            "Cache {thing} responses in {service}",
        ],
    },
    Family {
        key: "cache-stampede",
        weight: 0.9,
        services: &[
            ("inventory-service", 2),
            ("search-api", 2),
            ("checkout-web", 2),
            ("session-cache", 2),
            ("user-profile", 1),
            ("recommendations", 1),
            ("cdn-edge", 1),
        ],
        severity: [6, 30, 44, 20],
        flaky_rate: 0.12,
        factors: &[10, 13],
        things: &[
            "the product catalog cache",
            "the session cache",
            "the price cache",
            "the search results cache",
            "Redis",
        ],
        numbers: &["300", "3600"],
        titles: &[
            "Cache stampede overloaded {service}",
            "Expiry in {thing} caused a thundering herd on {service}",
            "Mass cache miss took down {service}",
            "{service} database overloaded after cache flush",
            "Thundering herd after {thing} restart",
        ],
        summaries: &[
            "Many keys in {thing} expired at the same moment, every request missed the cache, and {service} sent a thundering herd of queries to its database; latency and timeouts spiked for {duration}.",
            "After {thing} was flushed, {service} tried to rebuild every entry at once; the backing database saturated and requests timed out.",
            "A cache stampede: the hot key in {thing} expired during peak traffic and thousands of concurrent requests recomputed it.",
            "{thing} restarted empty, the cold cache sent all traffic to the database behind {service}, and error rates climbed.",
        ],
        triggers: &[
            "A deploy flushed {thing}.",
            "Bulk TTLs of {n} seconds set at the same time expired together at peak.",
            "A node failover in {thing} left a cold cache.",
            "A price update invalidated every entry in {thing}.",
        ],
        root_causes: &[
            "Cache stampede: all entries of {thing} shared one TTL and expired together, so the database behind {service} was overwhelmed.",
            "{service} had no request coalescing; every cache miss on {thing} went to the database at once.",
            "A flush of {thing} removed every key, and the thundering herd of recomputations exhausted the database connections.",
            "The hot key in {thing} expired under peak load and nothing prevented concurrent rebuilds.",
        ],
        remediations: &[
            "Rate limited traffic to {service} while {thing} warmed up.",
            "Pre-warmed {thing} from a snapshot and restarted {service}.",
            "Served stale entries and added jitter to TTLs.",
        ],
        recoveries: &[
            "Hit rate recovered over {catchup} and the database load dropped.",
            "Latency returned to normal once the cache was warm.",
        ],
        preventions: &[
            "Add TTL jitter and request coalescing to {service}.",
            "Serve stale on miss while refreshing in the background.",
            "Warm {thing} before putting nodes in rotation.",
        ],
        alerts: &[
            "CacheHitRateLow",
            "DBCPUHigh",
            "HighLatencyP99",
            "HighErrorRate",
        ],
        tags: &["cache", "redis", "latency"],
        follow_ups: &[
            "Add TTL jitter to {thing}",
            "Request coalescing for {service}",
            "Warm cache before rotation",
            "Serve stale on miss in {service}",
        ],
    },
];

/// The start of every noise report's truth class (see `build::noise_key`).
pub const NOISE_PREFIX: &str = "noise-";

/// Probability that an incident is one-off noise.
pub(super) const NOISE_RATE: f64 = 0.1;
/// Probability that noise carries the flaky-tests factor.
pub(super) const NOISE_FLAKY_RATE: f64 = 0.06;

/// A one-off incident with an unrelated cause: its service (empty: any), title, summary,
/// trigger, root cause, remediation.
pub(super) const NOISE: [[&str; 6]; 18] = [
    [
        "admin-portal",
        "Office VPN concentrator failed over slowly",
        "Remote employees lost VPN access for {duration} when the primary concentrator rebooted and the standby did not take over.",
        "Firmware update on the VPN concentrator.",
        "The standby VPN appliance had a lapsed HA license, so failover never happened.",
        "Rebooted the standby appliance and restored the license.",
    ],
    [
        "billing-worker",
        "Wrong tax rate applied to invoices",
        "Invoices generated by {service} for two days used last year's tax rate for one region.",
        "The annual tax table update was loaded in the wrong order.",
        "The tax table import sorted by name instead of effective date, so the older rate won.",
        "Corrected the table and re-issued the affected invoices.",
    ],
    [
        "",
        "Cloud provider zone network partition",
        "A network partition in one availability zone isolated a third of the {service} nodes for {duration}.",
        "Provider-side network event.",
        "A provider networking incident in one zone; our services failed over slowly because health checks were too lenient.",
        "Drained the affected zone.",
    ],
    [
        "reporting-etl",
        "Accidental deletion of reporting tables",
        "An engineer ran a cleanup script against production instead of staging and dropped tables used by {service}.",
        "Manual cleanup script.",
        "The script defaulted to the production connection string.",
        "Restored the tables from the nightly backup.",
    ],
    [
        "auth-service",
        "Clock skew on a batch host",
        "A batch host's clock drifted by several minutes, so {service} signed tokens that other services rejected as not yet valid.",
        "The NTP daemon stopped after a package upgrade.",
        "NTP was disabled by a package upgrade and the clock drift went unnoticed.",
        "Re-enabled NTP and resynced the clock.",
    ],
    [
        "warehouse-loader",
        "Timezone bug in daily revenue report",
        "{service} produced the daily revenue report with a one-day offset after the daylight saving change.",
        "Daylight saving time change.",
        "Dates were computed in local time instead of UTC.",
        "Re-ran the report with the fix.",
    ],
    [
        "kafka-brokers",
        "Kernel upgrade broke network driver on storage nodes",
        "After a kernel upgrade, a driver bug dropped packets on the storage nodes behind {service}.",
        "Rolling kernel upgrade.",
        "A regression in the NIC driver shipped with the new kernel.",
        "Pinned the previous kernel and rebooted the nodes.",
    ],
    [
        "",
        "Cooling failure in colocation room",
        "A cooling failure in a colocation room throttled CPUs on the hosts running {service}.",
        "Chiller failure at the colocation provider.",
        "A single cooling unit served the room; provider maintenance had disabled the backup.",
        "Moved workloads to another room.",
    ],
    [
        "",
        "Build farm outage blocked deploys",
        "The CI build farm was down for half a day, so no fixes could ship to {service}.",
        "The artifact store hit its storage quota.",
        "Old build artifacts were never pruned and the artifact store reached its quota.",
        "Pruned old artifacts and raised the quota.",
    ],
    [
        "email-worker",
        "Duplicate order confirmation emails",
        "{service} sent the same order confirmation two or three times to about 4,000 customers.",
        "Replay of a job after a worker crash.",
        "The job was not idempotent and the replay resent the emails.",
        "Stopped the job and deduplicated the outbox.",
    ],
    [
        "auth-service",
        "SSO login broken for internal tools",
        "Employees could not log in to internal tools through SSO for {duration}.",
        "The identity provider changed its signing key.",
        "Internal tools pinned the old IdP signing key instead of reading the metadata.",
        "Updated the key and switched to metadata refresh.",
    ],
    [
        "search-indexer",
        "New products missing from search",
        "New products did not appear in search for a day because the indexing job in {service} skipped them.",
        "Schema change in the product catalog.",
        "The indexer filtered on a column that had been renamed.",
        "Fixed the filter and reindexed.",
    ],
    [
        "api-gateway",
        "Mobile app crashed on launch for older OS versions",
        "A mobile release crashed on launch for users on older OS versions; {service} saw a traffic drop.",
        "Mobile app release.",
        "A dependency used an API missing on older OS versions.",
        "Pulled the release and shipped a hotfix.",
    ],
    [
        "payments-api",
        "Annual plans charged twice",
        "Some customers on annual plans were charged twice by {service}.",
        "Retry of the renewal batch after a timeout.",
        "The renewal batch had no idempotency key.",
        "Refunded the duplicate charges.",
    ],
    [
        "admin-portal",
        "Vulnerability scan slowed the admin portal",
        "A newly scheduled vulnerability scan hammered the admin portal and made it slow for staff for {duration}.",
        "New scan schedule.",
        "The scanner had no request limit and targeted production.",
        "Paused the scan and moved it to staging.",
    ],
    [
        "billing-worker",
        "Leap day subscriptions not renewed",
        "Subscriptions due on 29 February were not renewed by {service}.",
        "Leap day.",
        "Date arithmetic added one year to 29 February, produced an invalid date, and the renewal was skipped.",
        "Renewed the skipped subscriptions by hand.",
    ],
    [
        "admin-portal",
        "Fiber cut between office and data center",
        "A fiber cut between the main office and the data center slowed internal tools for {duration}.",
        "Construction work cut a fiber.",
        "There was a single network path between the office and the data center.",
        "Routed traffic through the backup VPN.",
    ],
    [
        "checkout-web",
        "German storefront showed placeholder strings",
        "The German storefront showed placeholder strings after a release of {service}.",
        "Release with a new translation bundle.",
        "The translation export job failed and the build used an empty bundle.",
        "Rebuilt with the correct bundle.",
    ],
];

/// Follow-up titles any incident may get.
pub(super) const GENERIC_FOLLOW_UPS: [&str; 6] = [
    "Update the runbook for {service}",
    "Add a dashboard for {service} error budget",
    "Review on-call escalation for {service}",
    "Write a game day scenario for this failure",
    "Document the dependency between {service} and {other}",
    "Tune alert thresholds for {service}",
];

/// Follow-up titles for the flaky-tests factor.
pub(super) const FLAKY_FOLLOW_UPS: [&str; 3] = [
    "Quarantine flaky tests in the {service} CI pipeline",
    "Fix flaky integration tests for {service}",
    "Block merges on red CI for {service}",
];

/// How incidents were detected, weighted, with the median detection delay in minutes.
pub(super) const DETECTION: [(&str, u32, f64); 5] = [
    ("alert", 64, 4.0),
    ("synthetic monitoring", 10, 3.0),
    ("customer report", 13, 25.0),
    ("internal report", 8, 15.0),
    ("on-call engineer noticed", 5, 10.0),
];

/// Generic tags.
pub(super) const CUSTOMER_IMPACT_TAG: &str = "customer-impact";

/// The values a template slot takes for one incident.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Slots<'a> {
    pub service: &'a str,
    pub other: &'a str,
    pub thing: &'a str,
    pub n: &'a str,
    pub pct: &'a str,
    pub duration: &'a str,
    pub catchup: &'a str,
}

/// Fill the slots of `template` (a `{thing}` may itself hold `{service}`: fill it first).
/// A sentence that opens with `{thing}` gets a capital letter. Braces that name no slot stay.
pub(super) fn fill(template: &str, slots: &Slots<'_>) -> String {
    // The pieces are gathered first, so the string is allocated once at its exact size: this
    // runs some fifteen million times for a million incidents.
    let mut pieces: [&str; 32] = [""; 32];
    let mut count = 0;
    let mut length = 0;
    let mut overflow = false;
    for_each_piece(template, slots, |piece| {
        length += piece.len();
        if count < pieces.len() {
            pieces[count] = piece;
            count += 1;
        } else {
            overflow = true;
        }
    });
    let mut out = String::with_capacity(length);
    if overflow {
        for_each_piece(template, slots, |piece| out.push_str(piece));
    } else {
        pieces[..count].iter().for_each(|piece| out.push_str(piece));
    }
    if template.starts_with("{thing}") {
        capitalize_first(&mut out);
    }
    out
}

/// Call `emit` with each piece of the filled template, in order.
fn for_each_piece<'a>(template: &'a str, slots: &Slots<'a>, mut emit: impl FnMut(&'a str)) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        emit(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            emit(&rest[open..]);
            return;
        };
        let value = match &after[..close] {
            "service" => slots.service,
            "other" => slots.other,
            "thing" => slots.thing,
            "n" => slots.n,
            "pct" => slots.pct,
            "duration" => slots.duration,
            "catchup" => slots.catchup,
            _ => &rest[open..open + close + 2],
        };
        emit(value);
        rest = &after[close + 1..];
    }
    emit(rest);
}

fn capitalize_first(text: &mut String) {
    if let Some(first) = text.chars().next()
        && first.is_lowercase()
    {
        let upper: String = first.to_uppercase().collect();
        text.replace_range(..first.len_utf8(), &upper);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_slots_and_capitalizes_leading_thing() {
        let slots = Slots {
            service: "checkout-web",
            thing: "the price cache",
            ..Slots::default()
        };
        assert_eq!(
            fill("{thing} broke {service}.", &slots),
            "The price cache broke checkout-web."
        );
        assert_eq!(
            fill("{service} lost {thing}", &slots),
            "checkout-web lost the price cache"
        );
        assert_eq!(fill("keep {braces} and {", &slots), "keep {braces} and {");
    }

    #[test]
    fn every_family_service_has_an_owner_and_every_factor_exists() {
        for family in &FAMILIES {
            for (service, _) in family.services {
                assert!(
                    team_of(service).is_some(),
                    "{service} of {} has no team",
                    family.key
                );
            }
            for factor in family.factors {
                assert!(*factor < FACTORS.len());
            }
        }
        assert_eq!(FACTORS[FLAKY].0, "flaky-tests");
        assert_eq!(FAMILIES[RISING].key, "queue-lag");
        assert_eq!(FAMILIES[NEW].key, "rate-limit");
        let people: usize = TEAMS.iter().map(|(_, people)| people.len()).sum();
        assert_eq!(people, 30);
    }
}
