//! The planted vocabulary: root causes, each written several genuinely different ways, the
//! services, teams and vendors they touch, noise sentences and the material of one-offs.
//!
//! Placeholders in the phrasings: `{svc}` a service of the incident, `{vendor}` a vendor name,
//! `{n}` a small number, `{region}` a region name. They put names into the text on purpose:
//! the mining must group by cause, not by the names around it.

/// One planted root cause and the ways people write about it.
pub(crate) struct Cause {
    /// The key in the truth file.
    pub key: &'static str,
    /// Incident headlines.
    pub headlines: &'static [&'static str],
    /// The "Cause" field, in different words each.
    pub causes: &'static [&'static str],
    /// The "What happened" field.
    pub happenings: &'static [&'static str],
    /// Follow-up tasks.
    pub tasks: &'static [&'static str],
    /// Indexes into [`SERVICES`] this cause tends to hit.
    pub services: &'static [usize],
    /// Relative frequency.
    pub weight: u32,
}

pub(crate) const CAUSES: &[Cause] = &[
    Cause {
        key: "expired-certificate",
        headlines: &[
            "TLS handshakes failing for {svc}",
            "Browsers warn that {svc} is not secure",
            "Clients reject the {svc} endpoint: certificate problem",
            "mTLS between {svc} and its callers broke overnight",
        ],
        causes: &[
            "The X.509 certificate on the {svc} load balancer expired; nobody renewed it because the renewal reminder went to a former employee.",
            "Cert expiry: the {vendor} issued certificate lapsed at midnight and auto-renewal had been disabled during a migration.",
            "An expired intermediate CA bundle was still deployed, so the chain could not be validated after the leaf was rotated.",
            "Our certificate for the public hostname ran past its notAfter date; the ACME renewal job had been failing silently for weeks.",
            "The signing cert used for service-to-service mutual TLS reached its validity end and no rotation was scheduled.",
        ],
        happenings: &[
            "Requests to {svc} failed with handshake errors from the moment the certificate lapsed.",
            "Mobile apps pinned to the old certificate could not connect until a new one was issued.",
            "Synthetic checks went red with SSL errors while dashboards for the backend stayed green.",
            "Partners calling {svc} saw certificate verify failed in their logs.",
        ],
        tasks: &[
            "Alert 30 days before any certificate expires",
            "Move certificate renewal to the managed issuer",
            "Inventory every certificate and its owner",
        ],
        services: &[0, 1, 2, 14, 20],
        weight: 9,
    },
    Cause {
        key: "db-pool-exhausted",
        headlines: &[
            "{svc} timing out waiting for database connections",
            "Connection pool saturation on {svc}",
            "{svc} requests hang: no free DB connections",
            "Checkout errors: database handles used up",
        ],
        causes: &[
            "All connections in the {svc} pool were held by long transactions, so new requests queued until they timed out.",
            "The Postgres connection limit was reached after a deploy doubled the number of workers, each opening its own pool.",
            "A leaked connection in an error path was never returned; after a few hours the pool of {n} connections was empty.",
            "HikariCP max pool size was too small for the traffic peak and acquisition timeouts cascaded into 5xx responses.",
            "Slow queries held database sessions open and exhausted the available connections for the service.",
        ],
        happenings: &[
            "Latency on {svc} climbed to the client timeout and error rates followed.",
            "Threads piled up waiting to acquire a connection while the database itself was mostly idle.",
            "Health checks kept passing, so the load balancer kept sending traffic into the stuck instances.",
            "Restarting the pods freed the connections for about twenty minutes before it happened again.",
        ],
        tasks: &[
            "Cap the pool per instance and size it from the database limit",
            "Add a metric for pool wait time",
            "Fix the connection leak in the error handler",
        ],
        services: &[3, 4, 5, 15, 21],
        weight: 10,
    },
    Cause {
        key: "config-push",
        headlines: &[
            "Bad configuration rolled out to every {svc} node",
            "{svc} down after a config change",
            "Global configuration update broke routing",
            "Typo in a config file took down {svc}",
        ],
        causes: &[
            "A configuration change was pushed to all regions at once without a canary stage, and it contained an invalid upstream address.",
            "Someone edited the YAML for {svc} by hand; the malformed value passed review and the config service distributed it everywhere.",
            "The config deploy skipped validation because the schema check was marked optional, so a wrong timeout value went live globally.",
            "A settings update meant for staging was applied to production through the shared config repository.",
            "An unreviewed change to the routing table configuration was propagated fleet-wide within a minute.",
        ],
        happenings: &[
            "Every {svc} instance reloaded the new settings and began rejecting traffic.",
            "The outage started within seconds of the change and spanned all regions simultaneously.",
            "Reverting the commit in the config repository restored service after propagation.",
            "On-call could not tell which change caused it because several configuration edits landed together.",
        ],
        tasks: &[
            "Stage configuration pushes through a canary region",
            "Make config schema validation mandatory",
            "Record every configuration change with its author in the change log",
        ],
        services: &[1, 6, 7, 16, 22],
        weight: 9,
    },
    Cause {
        key: "flag-rollout",
        headlines: &[
            "Feature flag enabled for all users broke {svc}",
            "New toggle exposed unfinished code path",
            "{svc} errors after flipping an experiment to 100%",
            "Dark launch turned on too early",
        ],
        causes: &[
            "A feature flag was switched from 5% to 100% of users in one step, exposing a code path that had never handled real load.",
            "The experiment toggle for the new pricing page was flipped on while its backend dependency was still disabled.",
            "A dark-launched feature was enabled by mistake in the flag dashboard, activating an unfinished integration.",
            "Flipping the toggle turned on a query pattern the team had only tested behind the flag with synthetic users.",
            "The percentage rollout for {svc} jumped straight to everyone because the gradual ramp schedule was misconfigured in {vendor}.",
        ],
        happenings: &[
            "Errors rose only for users in the flagged cohort, which made the first reports look random.",
            "Turning the flag off in the dashboard stopped the errors immediately.",
            "Support saw a wave of tickets about a page that should not yet have been visible.",
            "The new path called {svc} ten times per request and overwhelmed it.",
        ],
        tasks: &[
            "Require a ramp schedule for every flag rollout",
            "Add a kill switch runbook for experiments",
            "Alert on error rate per flag cohort",
        ],
        services: &[6, 8, 9, 17, 23],
        weight: 8,
    },
    Cause {
        key: "memory-leak",
        headlines: &[
            "{svc} pods OOMKilled repeatedly",
            "Steady memory growth in {svc}",
            "{svc} restarts every few hours",
            "Heap exhaustion on the {svc} workers",
        ],
        causes: &[
            "A memory leak in the request cache kept references to every response, and the process grew until the kernel killed it.",
            "Unbounded growth of an in-process map of session objects exhausted the heap after about six hours of uptime.",
            "The new version never released buffers from the image resizing library, so resident memory climbed without limit.",
            "Listeners were registered on each request and never removed; the garbage collector could not reclaim them.",
            "Objects retained by a static registry leaked, and the container hit its memory limit and was OOM killed.",
        ],
        happenings: &[
            "Instances of {svc} restarted in a rolling wave as each one reached its limit.",
            "Garbage collection pauses grew longer and latency rose before each crash.",
            "A heap dump showed millions of retained objects from the same class.",
            "Scaling out only delayed the crashes because every replica leaked at the same rate.",
        ],
        tasks: &[
            "Add a memory growth alert per deployment",
            "Run a soak test before releases",
            "Bound the cache and add eviction",
        ],
        services: &[2, 9, 10, 18, 24],
        weight: 10,
    },
    Cause {
        key: "disk-full",
        headlines: &[
            "No space left on device on {svc} hosts",
            "{svc} volume filled up",
            "Writes failing: storage at 100%",
            "Log partition full on the {svc} cluster",
        ],
        causes: &[
            "Log rotation was not configured for the new debug output and the root volume ran out of space.",
            "The data volume filled to capacity because old snapshots were never pruned.",
            "Temporary files from a failed batch job accumulated in /tmp until the filesystem was full.",
            "Disk usage crossed 100% after verbose audit logging was enabled; there was no alert on free space.",
            "Inode exhaustion: millions of tiny spool files used every inode although bytes were still free.",
        ],
        happenings: &[
            "The database refused writes and {svc} returned errors for every save.",
            "Processes crashed when they could not write their pid files.",
            "Deleting old archives freed enough room for the service to recover.",
            "Ingestion stopped silently because the agent could not buffer to local storage.",
        ],
        tasks: &[
            "Alert when free disk drops below 15%",
            "Set retention for snapshots and archives",
            "Rotate and compress debug logs",
        ],
        services: &[4, 10, 11, 19, 25],
        weight: 8,
    },
    Cause {
        key: "dns-failure",
        headlines: &[
            "Name resolution failures inside the {region} cluster",
            "{svc} cannot resolve its dependencies",
            "Intermittent NXDOMAIN for internal hosts",
            "Resolver outage affecting {svc}",
        ],
        causes: &[
            "The internal DNS resolvers were overloaded and dropped queries, so lookups timed out across the cluster.",
            "A zone record was deleted during a cleanup script run, making the hostname for {svc} return NXDOMAIN.",
            "Our provider {vendor} had a nameserver outage and cached records expired during it.",
            "CoreDNS pods were evicted under pressure and service discovery lookups failed.",
            "A TTL of several days on a stale record kept clients pointing at a decommissioned address.",
        ],
        happenings: &[
            "Calls between services failed with could not resolve host errors.",
            "Only services without a local cache were affected, which confused the diagnosis.",
            "Pinning the address in a hosts file was the emergency workaround.",
            "Lookups succeeded on retry, so the errors looked intermittent at first.",
        ],
        tasks: &[
            "Run node-local resolver caches",
            "Protect DNS records from cleanup scripts",
            "Monitor resolution latency and failure rate",
        ],
        services: &[0, 7, 12, 20, 26],
        weight: 7,
    },
    Cause {
        key: "queue-backlog",
        headlines: &[
            "Message backlog growing on {svc}",
            "Consumer lag on the events topic",
            "Orders stuck waiting in the queue",
            "{svc} jobs delayed by hours",
        ],
        causes: &[
            "Consumers fell behind producers after a partition rebalance, and the Kafka lag grew to millions of messages.",
            "A poison message made the worker crash and retry forever, so nothing behind it in the queue was processed.",
            "The consumer group was scaled down by the autoscaler while the backlog was still high.",
            "Batch jobs and real-time events shared one queue; the nightly batch starved the real-time consumers.",
            "Processing slowed after a downstream call was added to each message, and the backlog never drained.",
        ],
        happenings: &[
            "Customers received their confirmation emails hours late.",
            "The lag dashboard showed a steady climb from mid-morning.",
            "Adding consumers drained the backlog over the next several hours.",
            "Downstream reports were stale because events arrived long after they happened.",
        ],
        tasks: &[
            "Alert on consumer lag age, not only size",
            "Move poison messages to a dead letter queue",
            "Separate batch and real-time queues",
        ],
        services: &[5, 11, 13, 21, 27],
        weight: 8,
    },
    Cause {
        key: "vendor-throttling",
        headlines: &[
            "{vendor} API returning 429 to {svc}",
            "Third-party requests rejected: too many requests",
            "{svc} throttled by an external provider",
            "Quota exceeded on the {vendor} integration",
        ],
        causes: &[
            "We exceeded the rate limit of the {vendor} API because a retry loop multiplied our request volume.",
            "The external provider throttled our account after we passed the per-minute quota during a marketing campaign.",
            "Our calls to {vendor} got HTTP 429 responses since the contracted request allowance had been lowered without notice.",
            "A backfill job shared the partner API key with production traffic and consumed the whole quota.",
            "Upstream rate limiting by the third party kicked in when polling frequency was increased tenfold.",
        ],
        happenings: &[
            "Features depending on {vendor} degraded while everything else worked.",
            "Retries made it worse until the client backed off.",
            "The provider's status page showed no incident because the limit was specific to our account.",
            "Requests queued behind the throttled calls and timed out.",
        ],
        tasks: &[
            "Add client-side rate limiting and backoff for partner APIs",
            "Use a separate API key for batch jobs",
            "Track quota usage against the contract",
        ],
        services: &[3, 8, 13, 22, 28],
        weight: 7,
    },
    Cause {
        key: "clock-skew",
        headlines: &[
            "Tokens rejected as not yet valid on {svc}",
            "Time drift on a subset of hosts",
            "Signatures fail because server clocks disagree",
            "{svc} sees events from the future",
        ],
        causes: &[
            "NTP synchronization stopped on a group of hosts and their clocks drifted several minutes from real time.",
            "Clock skew between nodes made JWTs appear issued in the future, so validation rejected them.",
            "The chrony daemon was disabled by a base image change, and system time wandered.",
            "A virtual machine resumed from a pause with its wall clock behind, breaking time-based ordering.",
            "Hosts lost their time source when the firewall blocked UDP 123, and time diverged between replicas.",
        ],
        happenings: &[
            "Logins failed for a fraction of users depending on which host served them.",
            "Distributed locks expired early and two workers processed the same job.",
            "Comparing date output across hosts showed differences of minutes.",
            "Restarting the time daemon resolved the errors within a few minutes.",
        ],
        tasks: &[
            "Alert on clock offset per host",
            "Add the time daemon to the base image checks",
            "Allow a small leeway in token validation",
        ],
        services: &[1, 12, 14, 23, 29],
        weight: 5,
    },
    Cause {
        key: "schema-migration-lock",
        headlines: &[
            "Migration locked the {svc} tables",
            "Database writes blocked during deploy",
            "ALTER TABLE froze the orders database",
            "{svc} stalled while a schema change ran",
        ],
        causes: &[
            "A schema migration added a column with a default, which rewrote the table under an exclusive lock for forty minutes.",
            "The deploy ran an index build without the concurrent option and blocked all writes to the table.",
            "An ALTER on a large table took a metadata lock that queued every query behind it.",
            "Migrations ran during peak hours because the deploy pipeline does not distinguish them from code changes.",
            "A data backfill inside the migration transaction held row locks on millions of rows.",
        ],
        happenings: &[
            "Writes to {svc} hung until the migration finished or was cancelled.",
            "Read replicas fell behind while the primary was blocked.",
            "Cancelling the migration released the lock and traffic recovered.",
            "The lock wait graph showed hundreds of sessions behind one DDL statement.",
        ],
        tasks: &[
            "Review migrations for locking behaviour before deploy",
            "Run large schema changes with an online migration tool",
            "Schedule migrations outside peak hours",
        ],
        services: &[4, 15, 16, 24, 30],
        weight: 6,
    },
    Cause {
        key: "retry-storm",
        headlines: &[
            "Cascading failure from client retries",
            "{svc} overwhelmed by its own callers retrying",
            "Thundering herd after a short blip",
            "Retry amplification took down {svc}",
        ],
        causes: &[
            "Clients retried immediately without backoff or jitter, multiplying load on {svc} after a brief slowdown.",
            "Every layer of the call chain retried three times, so one failed request became dozens.",
            "When the cache flushed, all instances hit the backend at once and kept retrying the same expensive request.",
            "A thundering herd of reconnects after a failover exceeded what the service could accept.",
            "Aggressive timeouts combined with automatic retries doubled traffic whenever latency rose.",
        ],
        happenings: &[
            "Traffic to {svc} was several times normal although user activity was flat.",
            "The service recovered only after callers were rate limited at the edge.",
            "Each recovery attempt was followed by another spike of retried requests.",
            "Circuit breakers were configured but never opened because thresholds were too high.",
        ],
        tasks: &[
            "Add exponential backoff with jitter to the shared client",
            "Set a retry budget per call chain",
            "Tune circuit breaker thresholds",
        ],
        services: &[2, 9, 17, 25, 31],
        weight: 6,
    },
    Cause {
        key: "network-partition",
        headlines: &[
            "Packet loss between {region} and the core network",
            "{svc} unreachable from one availability zone",
            "Fiber cut isolated a data center",
            "Network partition split the {svc} cluster",
        ],
        causes: &[
            "A fiber cut at a carrier severed the link between two data centers, and traffic failed over to a congested backup path.",
            "A switch firmware bug dropped packets on one rack, isolating several {svc} nodes.",
            "BGP routes were withdrawn by our transit provider {vendor}, making a region unreachable.",
            "A misapplied firewall ACL blocked traffic between availability zones.",
            "The cross-zone link saturated during a backup window and heartbeats timed out, splitting the cluster.",
        ],
        happenings: &[
            "Nodes on each side of the split elected their own leader.",
            "Users in {region} could not reach the site while others were unaffected.",
            "Traceroutes showed the path dying at the same hop.",
            "Traffic returned once the carrier restored the link.",
        ],
        tasks: &[
            "Add a second diverse carrier path",
            "Alert on packet loss between zones",
            "Test partition handling in the cluster quarterly",
        ],
        services: &[0, 7, 18, 26, 32],
        weight: 5,
    },
];

/// Services: kebab-case names as a service catalogue has them.
pub(crate) const SERVICES: &[&str] = &[
    "edge-gateway",
    "identity",
    "media-resizer",
    "checkout",
    "ledger",
    "order-intake",
    "routing-mesh",
    "service-registry",
    "pricing",
    "search-frontend",
    "render-farm",
    "event-bus",
    "token-issuer",
    "notification-hub",
    "partner-portal",
    "inventory",
    "catalog-writer",
    "recommendations",
    "stream-relay",
    "metrics-store",
    "public-api",
    "payments-core",
    "geo-lookup",
    "session-store",
    "image-cdn",
    "analytics-ingest",
    "mail-relay",
    "fulfilment",
    "shipping-quotes",
    "scheduler",
    "warehouse-sync",
    "mobile-bff",
    "vpn-concentrator",
];

/// The team that owns each service, by index into [`SERVICES`] modulo the list.
pub(crate) const TEAMS: &[&str] = &[
    "Team Falcon",
    "Storefront",
    "Core Platform",
    "Payments Guild",
    "Data Foundations",
    "Edge & Network",
    "Growth Squad",
    "Fulfilment Ops",
];

/// Vendors, with capitals as in prose.
pub(crate) const VENDORS: &[&str] = &[
    "Cloudvane",
    "Paystream",
    "Mailbird",
    "Geoloom",
    "Nimbus Telecom",
    "Quartzline",
];

/// Regions, as written in prose.
pub(crate) const REGIONS: &[&str] = &["Frankfurt", "Oregon", "Singapore", "Sao Paulo"];

/// Sentences that say nothing about the cause, mixed into "What happened".
pub(crate) const NOISE: &[&str] = &[
    "The on-call engineer was paged shortly after midnight.",
    "A status page update went out within fifteen minutes.",
    "Customer support opened a shared channel for questions.",
    "Several people joined the bridge call and divided the investigation.",
    "The incident commander handed over to the next shift halfway through.",
    "Leadership asked for hourly updates.",
    "A similar alert had fired earlier in the week and auto-resolved.",
    "The team lead from {team} coordinated the response.",
    "We first suspected the latest deploy and rolled it back without effect.",
    "Dashboards were slow to load during the event.",
    "Some alerts were routed to an outdated rotation.",
    "A customer with a large contract escalated through their account manager.",
];

/// One-off material: combined at random so that each one-off is its own story.
/// The sounds one-offs' made-up words are made of.
pub(crate) const COINAGE: Coinage = Coinage {
    onsets: &[
        "b", "br", "d", "dr", "f", "g", "gr", "k", "kl", "l", "m", "n", "p", "pl", "r", "s", "st",
        "t", "tr", "v", "z",
    ],
    nuclei: &["a", "e", "i", "o", "u", "ai", "ou"],
    codas: &["", "n", "r", "l", "s", "k", "m", "th"],
};

/// Contributing factors, unrelated to the cause.
pub(crate) const FACTORS: &[&str] = &[
    "alert went to the wrong rotation",
    "runbook was out of date",
    "change made during peak traffic",
    "no staging environment for this path",
    "single on-call for two services",
    "dashboards missing for the dependency",
];

/// A whole planted vocabulary, what [`crate::Vocabulary`] chooses: this module's ([`MAIN`])
/// or the held-out one (`vocab_holdout::HOLDOUT`).
pub(crate) struct Lexicon {
    /// The planted causes.
    pub causes: &'static [Cause],
    /// Service names; causes index into them.
    pub services: &'static [&'static str],
    /// The team that owns each service, by service index modulo the list.
    pub teams: &'static [&'static str],
    /// Vendor names for `{vendor}`.
    pub vendors: &'static [&'static str],
    /// Region names for `{region}`.
    pub regions: &'static [&'static str],
    /// Sentences that say nothing about the cause.
    pub noise: &'static [&'static str],
    /// Contributing factors, unrelated to the cause.
    pub factors: &'static [&'static str],
    /// The sounds of the made-up words a one-off is told in.
    pub coinage: Coinage,
    /// The follow-up task of a one-off.
    pub one_off_task: &'static str,
}

/// Syllables for made-up words: an onset, a nucleus and a coda each. Three syllables give
/// over a billion words, so a one-off's words are its own at any size.
pub(crate) struct Coinage {
    /// Consonants a syllable starts with.
    pub onsets: &'static [&'static str],
    /// Its vowels.
    pub nuclei: &'static [&'static str],
    /// What it ends with (may be nothing).
    pub codas: &'static [&'static str],
}

/// The main planted vocabulary.
pub(crate) const MAIN: Lexicon = Lexicon {
    causes: CAUSES,
    services: SERVICES,
    teams: TEAMS,
    vendors: VENDORS,
    regions: REGIONS,
    noise: NOISE,
    factors: FACTORS,
    coinage: COINAGE,
    one_off_task: "Write down what happened for the archive",
};
