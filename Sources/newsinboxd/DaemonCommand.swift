import ArgumentParser
import CLinuxShim
import CommandLineSupport
import Control
import Dispatch
import FoundationEssentials
import Logging
import NewsInbox

/// newsinboxd: watches an inbox, extracts each article, writes JSON and a journal entry.
struct NewsInboxDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsinboxd",
        abstract: "Turn files dropped into an inbox directory into structured JSON and journal entries.",
        discussion: """
            With no --config the daemon runs on built-in defaults below ./newsinbox-local/. SIGHUP reloads the config; \
            SIGTERM drains and stops. Exit status: 0 ok, 1 cannot start or invalid config (an unreadable file names \
            the file and strerror), 2 usage error.
            """,
        version: NewsInboxVersion.string)

    @Option(name: [.short, .long], help: "Config file (key = value lines; see config/newsinboxd.conf); FILE.d/*.conf drop-ins are read after it.") var config: String?
    @Option(help: "Inbox directory (overrides the config).") var inbox: String?
    @Option(help: "Output directory for the JSON results (overrides the config).") var output: String?
    @Option(help: "State directory: processing/, done/, failed/ (overrides the config).") var state: String?
    @Option(name: .customLong("control-socket"), help: "Control socket path (overrides the config).") var controlSocket: String?
    @Option(name: .customLong("log-level"), help: "\(DaemonConfig.logLevels.joined(separator: ", ")).") var logLevel: String?
    @Flag(help: "Log to stderr instead of the journal.") var foreground = false
    @Flag(name: .customLong("check-config"), help: "Validate the config, print the effective config and exit.") var checkConfig = false

    func overrides(_ c: inout DaemonConfig) {
        if let inbox { c.inbox = inbox }
        if let output { c.output = output }
        if let state { c.state = state }
        if let controlSocket { c.controlSocket = controlSocket }
        if let logLevel { c.logLevel = logLevel }
    }

    func run() throws {
        cshim_line_buffer_stdio()
        if let logLevel, !DaemonConfig.logLevels.contains(logLevel) {
            throw ValidationError("--log-level must be one of: \(DaemonConfig.logLevels.joined(separator: ", "))")
        }
        if checkConfig {
            do {
                let effective = try Daemon.loadConfig(path: config, overrides: overrides)
                let dropIns = try config.map(DaemonConfig.dropIns(for:)) ?? []
                print("# effective configuration\(config.map { " (from \($0))" } ?? " (built-in defaults)")")
                for dropIn in dropIns { print("# drop-in: \(dropIn)") }
                print(effective.rendered(), terminator: "")
                let problems = effective.environmentProblems()
                for problem in problems { writeToStandardError("newsinboxd: invalid config: \(problem)\n") }
                if !problems.isEmpty { throw ExitCode(1) }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                writeToStandardError("newsinboxd: invalid config: \(error)\n")
                throw ExitCode(1)
            }
            return
        }

        let useJournal = !foreground && Journal.isAvailable()
        LoggingSystem.bootstrap { label in
            DaemonLogHandler(label: label, destination: useJournal ? .journal : .stderr)
        }
        let logger = Logger(label: "newsinboxd")
        if !foreground && !useJournal { logger.notice("no journald socket: logging to stderr") }
        let daemon = Daemon(configPath: config, overrides: overrides, logger: logger)
        do {
            try daemon.start()
        } catch {
            logger.critical("cannot start: \(error)")
            if useJournal { writeToStandardError("newsinboxd: cannot start: \(error)\n") }
            throw ExitCode(1)
        }
        dispatchMain()
    }
}
