import ArticleReaders
import Control
import ControlServer
import Dispatch
import Extraction
import FoundationEssentials
import Glibc
public import Logging
import POSIXSupport

/// newsinboxd's life cycle: start-up, signals, systemd notifications, reload and shutdown.
public final class Daemon: @unchecked Sendable {
    let configPath: String?
    private let overrides: (inout DaemonConfig) -> Void
    private let logger: Logger
    private(set) var pipeline: Pipeline!
    /// The control socket; `stats` reads its counters.
    private(set) var control: ControlServer!
    /// Pulls from the shared input stream into the inbox (nats_input_stream set).
    private var puller: InboxPuller?
    private var commands: ControlCommands!
    private var signalSources: [any DispatchSourceSignal] = []
    private var statusTimer: (any DispatchSourceTimer)?
    private var extendTimer: (any DispatchSourceTimer)?
    private var metrics: MetricsServer?
    private var lastStatus = ""
    private var shuttingDown = false

    public init(configPath: String?, overrides: @escaping (inout DaemonConfig) -> Void, logger: Logger) {
        self.configPath = configPath
        self.overrides = overrides
        self.logger = logger
    }

    /// The effective config: built-in defaults, the systemd-provided directories, the config file and its
    /// drop-ins (if a file is given), then the command-line overrides.
    public static func loadConfig(path: String?, overrides: (inout DaemonConfig) -> Void) throws -> DaemonConfig {
        var config = try path.map { try DaemonConfig.load(path: $0) } ?? DaemonConfig.builtIn()
        overrides(&config)
        try config.validate()
        return config.resolvingPaths()
    }

    /// Starts everything; returns once the daemon is ready. Throws for start-up errors (logged by the caller).
    public func start() throws {
        let config = try Self.loadConfig(path: configPath, overrides: overrides)
        sharedLogLevel.withLock { $0 = Logger.Level(rawValue: config.logLevel) ?? .info }
        ArticleReading.prepare()  // libxml2's global set-up, before any worker thread exists
        let models = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: config.modelDir))
        let spool = try Spool(inboxPath: config.inbox, statePath: config.state)
        try spool.lockExclusively()
        let outputs = try OutputStore(outputPath: config.output)
        let versions = StoryVersions(directory: try Directory.open(config.state, create: true).subdirectory("versions", create: true))
        let journalEnabled: Bool
        switch config.journal {
        case .on: journalEnabled = true
        case .off: journalEnabled = false
        case .auto:
            journalEnabled = Journal.isAvailable()
            if !journalEnabled { logger.notice("no journald socket: per-article journal entries are off") }
        }
        let processor = ArticleProcessor(extractor: Extractor(models: models))
        var index: IndexSink?
        if config.index == .on {
            do {
                index = try IndexSink(statePath: config.state, outputPath: config.output, logger: logger)
            } catch {
                throw ConfigError("cannot open the index in \(config.state): \(error)")
            }
        } else {
            // An index left from earlier is neither read nor written; `index = on` brings it in line with out/.
            logger.notice("index = off: no article index, every article starts its own story; search, story, trending, quotes and follow are refused")
        }
        let followers = FollowHub()
        // Each batch reaches these, in order, before any of its sources moves (docs/scaling.md for the stream).
        let sinks: [any BatchSink] = (index.map { [$0] } ?? []) + (config.natsEnabled ? [ResultsStream(config: config)] : [])
        pipeline = Pipeline(config: config, spool: spool, outputs: outputs, versions: versions,
                            journal: JournalSink(enabled: journalEnabled, logger: logger), processor: processor,
                            index: index?.index, sinks: sinks, followers: followers, logger: logger)
        index?.followers = followers
        commands = ControlCommands(daemon: self, indexPath: index?.path, logger: logger)
        control = ControlServer(path: config.controlSocket, logger: logger, handler: commands)
        // Socket activation passes the control socket and, with newsinboxd-metrics.socket, the metrics one.
        let passed = ServiceManager.listenFileDescriptors()
        try control.bindAndListen(activatedFD: passed.first { $0.name != "metrics" }?.fd)
        try startMetrics(activatedFD: passed.first { $0.name == "metrics" }?.fd, listen: config.metricsListen)
        try pipeline.start()
        if !config.natsInputStream.isEmpty {
            let pipeline = pipeline!
            puller = InboxPuller(config: config, logger: logger) { pipeline.intake.sync { pipeline.inputRoom() } }
            puller?.start()
        }
        // After the pipeline's start-up work is queued on intake, so requests (handled on intake) see it done.
        control.acceptConnections()
        installSignalHandlers()
        pipeline.intake.async { [self] in
            pipeline.schedulePeriodicRescan()
            startTimers()
            lastStatus = pipeline.statusLine()
            ServiceManager.ready(status: lastStatus)
            logger.notice("newsinboxd \(NewsInboxVersion.string) ready: inbox \(config.inbox), output \(config.output), state \(config.state), control \(config.controlSocket), \(config.effectiveWorkers) workers")
        }
    }

    /// GET /metrics on the socket systemd passed, else on `metrics_listen` if set, else not at all.
    private func startMetrics(activatedFD: Int32?, listen: String?) throws {
        _ = DaemonMetrics.bootstrapSwiftMetrics
        let fd: Int32
        if let activatedFD {
            fd = activatedFD
            logger.info("metrics socket from systemd (socket activation)")
        } else if let listen {
            fd = try MetricsServer.bind(listen)
            logger.info("metrics on http://\(listen)/metrics")
        } else {
            return
        }
        let pipeline = pipeline!
        metrics = MetricsServer(listenFD: fd, logger: logger) { done in
            pipeline.snapshot { s in DaemonMetrics.refreshGauges(from: s); done() }
        }
        metrics?.start()
    }

    private func installSignalHandlers() {
        for sig in [SIGTERM, SIGINT, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: pipeline.intake)
            source.setEventHandler { [self] in
                if sig == SIGHUP {
                    _ = reload(checkOnly: false)
                } else {
                    shutdown(reason: sig == SIGTERM ? "SIGTERM" : "SIGINT")
                }
            }
            source.resume()
            signalSources.append(source)
        }
        signal(SIGPIPE, SIG_IGN)
    }

    /// STATUS= kept current, and the watchdog pinged from the intake queue: if intake hangs, pings stop.
    private func startTimers() {
        let timer = DispatchSource.makeTimerSource(queue: pipeline.intake)
        let watchdog = ServiceManager.watchdogInterval()
        let period = min(1.0, (watchdog ?? 2) / 2)
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { [self] in
            if watchdog != nil && ProcessInfo.processInfo.environment["NEWSINBOX_DEBUG_STOP_WATCHDOG"] == nil {
                ServiceManager.watchdogPing()
            }
            pipeline.verifyInbox()
            let line = pipeline.statusLine()
            if line != lastStatus {
                lastStatus = line
                ServiceManager.status(line)
            }
        }
        timer.resume()
        statusTimer = timer
    }

    /// `newsinboxctl reload`: `reload(checkOnly:)` on intake, its answer to `reply`.
    func reload(checkOnly: Bool, then reply: @escaping @Sendable (ControlResponse) -> Void) {
        pipeline.intake.async { [self] in reply(reload(checkOnly: checkOnly)) }
    }

    /// SIGHUP or `newsinboxctl reload`: a bad new config is rejected and the old one kept. Call on intake.
    func reload(checkOnly: Bool) -> ControlResponse {
        let new: DaemonConfig
        do {
            new = try Self.loadConfig(path: configPath, overrides: overrides)
        } catch {
            logger.error("reload rejected, keeping the running config: \(error)")
            return .failure(.failed, "the new config is invalid, keeping the running one: \(error)")
        }
        let changes = pipeline.runningConfig.changes(to: new)
        if checkOnly {
            return .success(ReloadReply(valid: true, changes: changes))
        }
        ServiceManager.reloading()
        let notes = pipeline.apply(new)
        sharedLogLevel.withLock { $0 = Logger.Level(rawValue: pipeline.runningConfig.logLevel) ?? .info }
        logger.notice("config reloaded: \(changes.isEmpty ? "no changes" : changes.joined(separator: "; "))\(notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")")")
        ServiceManager.ready(status: pipeline.statusLine())
        return .success(ReloadReply(changes: changes, notes: notes))
    }

    /// Stop claiming, finish in-flight work within shutdown_timeout, then exit 0. Call on intake.
    func shutdown(reason: String) {
        guard !shuttingDown else { return }
        shuttingDown = true
        let timeout = pipeline.runningConfig.shutdownTimeout
        logger.notice("stopping (\(reason)): finishing \(pipeline.inFlightCount) in-flight items within \(DaemonConfig.renderDuration(timeout))")
        ServiceManager.stopping()
        ServiceManager.status("stopping: \(pipeline.inFlightCount) in flight")
        keepStopTimeoutExtended()
        pipeline.drain { [self] in exitNow(clean: true) }
        pipeline.intake.asyncAfter(deadline: .now() + timeout) { [self] in
            let left = pipeline.inFlightCount
            logger.warning("shutdown_timeout reached: \(left) items stay in processing/ and resume on the next start")
            exitNow(clean: false)
        }
    }

    /// A drain may take up to shutdown_timeout, which may be longer than the unit's TimeoutStopSec=:
    /// keep asking systemd for `extension` more while it runs, so it is never SIGKILLed mid-write.
    /// The pings stop with the process (drained, or shutdown_timeout reached).
    private func keepStopTimeoutExtended() {
        let extension_ = 10.0
        // The first at once: a drain with nothing in flight ends before a timer could fire.
        ServiceManager.extendTimeout(seconds: extension_)
        let timer = DispatchSource.makeTimerSource(queue: pipeline.intake)
        timer.schedule(deadline: .now() + extension_ / 2, repeating: extension_ / 2)
        timer.setEventHandler { ServiceManager.extendTimeout(seconds: extension_) }
        timer.resume()
        extendTimer = timer
    }

    private func exitNow(clean: Bool) {
        if clean { logger.notice("stopped: all in-flight items finished") }
        control.stop()
        exit(0)
    }
}
