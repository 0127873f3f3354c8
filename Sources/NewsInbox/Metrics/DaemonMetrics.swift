import CoreMetrics
import FoundationEssentials
import Prometheus

/// The daemon's Prometheus metrics, served as text by `GET /metrics` (MetricsServer) and by
/// `newsinboxctl stats --prometheus`. Names follow Prometheus conventions: `_total` counters,
/// `_seconds` histograms, base units.
///
/// Counters and histograms are fed where `Stats` records the same event (Stats.swift), so the
/// control socket's `stats` and the metrics never disagree. Gauges are set just before each scrape
/// from a snapshot taken on the intake queue (`Pipeline.refreshGauges()`).
///
/// To add a metric: one `static let` here, made on `registry` with a help text, then bump it where the
/// event happens, and list it in the README ("Metrics"). Subsystems with a state of their own (the
/// article index, the stream) report it with `componentUp(_:)`; a counter for their events is one line:
///
///     static let quarantined = registry.makeCounter(name: "newsinbox_articles_quarantined_total", help: "...")
enum DaemonMetrics {
    static let registry = PrometheusCollectorRegistry()

    /// Code instrumented with the swift-metrics API (`Counter(label:)`, `Timer(label:)`, libraries) is
    /// exported from the same registry. Once per process, before the first article.
    static let bootstrapSwiftMetrics: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }()

    // MARK: - Counters

    static let filesSeen = registry.makeCounter(
        name: "newsinbox_files_seen_total", help: "Files taken up from the inbox (by inotify or a scan).")
    static let articlesProcessed = registry.makeCounter(
        name: "newsinbox_articles_processed_total", help: "Articles whose output was made durable (tombstones and duplicates are counted apart).")
    static let articlesDuplicate = registry.makeCounter(
        name: "newsinbox_articles_duplicate_total", help: "Files whose content was already processed (DUPLICATE_OF).")
    static let articlesTombstone = registry.makeCounter(
        name: "newsinbox_articles_tombstone_total", help: "Withdrawn stories (tombstones) processed.")
    static let articlesQuarantined = registry.makeCounter(
        name: "newsinbox_articles_quarantined_total", help: "Files set aside as poison (they crashed or hung a worker).")
    static let inotifyOverflows = registry.makeCounter(
        name: "newsinbox_inotify_overflows_total", help: "IN_Q_OVERFLOW events (each followed by a full rescan).")
    static let rescans = registry.makeCounter(
        name: "newsinbox_rescans_total", help: "Full scans of the inbox (start-up, overflow, periodic, requested).")
    static let foundByRescan = registry.makeCounter(
        name: "newsinbox_files_found_by_rescan_total", help: "Files only a periodic rescan found (inotify missed them).")

    /// `newsinbox_articles_failed_total{reason}`: the reason is the failure category `newsinboxctl stats`
    /// shows (`too large`, `timeout`, `not a regular file`, or the stage and the reason's first words,
    /// `read: unknown XML document type`), so its values are few.
    static func articlesFailed(reason: String) -> Prometheus.Counter {
        registry.makeCounter(name: "newsinbox_articles_failed_total", labels: [("reason", reason)],
                             help: "Files moved to failed/, by failure category.")
    }

    /// `newsinbox_index_cpu_seconds_total{part}`: the index's own CPU (row, story, reencode, commit;
    /// `IndexCPU`), to set against `process_cpu_seconds`-style totals: its share of the daemon's work.
    static func indexCPU(_ part: IndexCPU.Part) -> Prometheus.Counter {
        registry.makeCounter(name: "newsinbox_index_cpu_seconds_total", labels: [("part", part.rawValue)],
                             help: "Thread CPU seconds spent on the article index, by part of its work.")
    }

    // MARK: - Histograms

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60),
    ]

    static let arrivalToDurable = registry.makeDurationHistogram(
        name: "newsinbox_arrival_to_durable_seconds", buckets: latencyBuckets,
        help: "From the daemon seeing a file to its finish being durable (output, duplicate or failure sidecar).")

    /// `newsinbox_stage_duration_seconds{stage}`: read, extract, encode, write.
    static func stageDuration(_ stage: String) -> DurationHistogram {
        registry.makeDurationHistogram(name: "newsinbox_stage_duration_seconds", labels: [("stage", stage)],
                                       buckets: latencyBuckets, help: "Time an article spent in each pipeline stage.")
    }

    static let writeBatchSize = registry.makeValueHistogram(
        name: "newsinbox_write_batch_size", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
        help: "Articles made durable together by one group commit.")

    // MARK: - Gauges (set before each scrape)

    static let queueWaiting = registry.makeGauge(
        name: "newsinbox_queue_waiting", help: "Files known to wait in the inbox (a lower bound when the inbox holds more than max_in_flight).")
    static let queueInFlight = registry.makeGauge(
        name: "newsinbox_queue_in_flight", help: "Files claimed and not yet finished.")
    static let paused = registry.makeGauge(
        name: "newsinbox_paused", help: "1 while claiming is paused (newsinboxctl pause) or the daemon drains.")
    static let outputStuck = registry.makeGauge(
        name: "newsinbox_output_stuck", help: "1 while outputs cannot be written (disk full, read-only); they are retried.")
    static let startTime = registry.makeGauge(
        name: "newsinbox_start_time_seconds", help: "When the daemon started, in seconds since the epoch.")

    /// `newsinbox_component_up{component}`: 1 when a subsystem with a state of its own (the article
    /// index, the stream connection) works, 0 when it does not.
    static func componentUp(_ component: String) -> Prometheus.Gauge {
        registry.makeGauge(name: "newsinbox_component_up", labels: [("component", component)],
                           help: "1 when the named subsystem (index, stream) is working, else 0.")
    }

    /// The gauges, from a snapshot of the pipeline (taken on intake).
    static func refreshGauges(from s: Pipeline.Snapshot) {
        queueWaiting.set(Double(s.waitingCount))
        queueInFlight.set(Double(s.inFlightCount))
        paused.set(s.mode == .running ? 0.0 : 1.0)
        outputStuck.set(s.outputProblem == nil ? 0.0 : 1.0)
        startTime.set(s.stats.startedAt.timeIntervalSince1970)
    }

    /// Each metric is made on first use; make the unlabelled ones at once so a scrape before the first
    /// article already shows them at 0 (a counter that appears later breaks `rate()` at its start).
    private static let madeUpFront: Void = {
        _ = (filesSeen, articlesProcessed, articlesDuplicate, articlesTombstone, articlesQuarantined,
             inotifyOverflows, rescans, foundByRescan, arrivalToDurable, writeBatchSize)
        _ = (queueWaiting, queueInFlight, paused, outputStuck, startTime)
    }()

    /// The text exposition format (version 0.0.4).
    static func exposition() -> [UInt8] {
        _ = madeUpFront
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    static func observe(microseconds: UInt64, into histogram: DurationHistogram) {
        histogram.record(.microseconds(Int64(clamping: microseconds)))
    }
}
