import Control
import Foundation
import Glibc
import Testing
import TestSupport

/// Runs the real newsinboxd in a temporary directory and the real newsinboxctl against it.
///
/// The directory is world-traversable (0755) so that `nobody` can reach the socket in the permission
/// tests. Binaries are found next to the test bundle (`swift test` runs it from .build/debug).
final class DaemonHarness: @unchecked Sendable {
    /// The directory of the built newsinboxd and newsinboxctl, or nil when they are not built.
    static let binaries: String? = DaemonProcess.missingBinaries == nil ? DaemonProcess.binDirectory.path : nil

    /// Why the daemon tests can't run here, or nil.
    static var skipReason: String? { DaemonProcess.missingBinaries }

    let root: String
    var inbox: String { root + "/inbox" }
    var output: String { root + "/out" }
    var state: String { root + "/state" }
    var socket: String { root + "/control.sock" }
    var logPath: String { root + "/daemon.log" }
    var configPath: String { root + "/newsinboxd.conf" }
    let daemon: DaemonProcess
    var process: Process? { daemon.process }

    init(config: String = "") throws {
        var template = Array("/tmp/newsinboxctl-test.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        root = String(cString: made)
        daemon = DaemonProcess(socket: root + "/control.sock", logPath: root + "/daemon.log")
        chmod(root, 0o755)
        // A short periodic rescan would hide the difference between a file inotify reported and one it did not.
        try ("rescan_interval = 0\njournal = off\n" + config).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        stop()
        SchemaCheck.recordProblems(output: output, failed: state + "/failed")
        try? FileManager.default.removeItem(atPath: root)
    }

    func writeConfig(_ text: String) throws {
        try ("rescan_interval = 0\njournal = off\n" + text).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the daemon and waits until it answers on the control socket.
    func start() throws {
        try daemon.start(arguments: ["--foreground", "--config", configPath, "--inbox", inbox, "--output", output,
                                     "--state", state, "--control-socket", socket],
                         directory: root, timeout: 20)
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop() -> Int32? { daemon.stop() }

    func waitForExit() -> Int32? { daemon.waitForExit() }

    func log() -> String { daemon.log }

    // MARK: - Files

    func drop(_ name: String, _ text: String) throws {
        let path = inbox + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func outputs() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
    }

    // MARK: - newsinboxctl

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(stdout.utf8)) }
    }

    enum User {
        case current
        /// `nobody` with the primary group `nogroup`, and these supplementary groups.
        case nobody(groups: [String] = [])
    }

    /// Runs newsinboxctl with `--socket` pointing at this daemon.
    func ctl(_ arguments: [String], as user: User = .current, environment: [String: String]? = nil, socket: String? = nil) -> Run {
        Self.run(Self.binaries! + "/newsinboxctl", ["--socket", socket ?? self.socket] + arguments, as: user, environment: environment)
    }

    static func run(_ executable: String, _ arguments: [String], as user: User = .current, environment: [String: String]? = nil,
                    directory: String? = nil) -> Run {
        let p = Process()
        switch user {
        case .current:
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
        case .nobody(let groups):
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            let groupArgument = groups.isEmpty ? ["--clear-groups"] : ["--groups=" + groups.joined(separator: ",")]
            p.arguments = ["--reuid=nobody", "--regid=nogroup"] + groupArgument + [executable] + arguments
        }
        if let environment { p.environment = environment }
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return Run(status: -1, stdout: "", stderr: "\(error)") }
        // Read both pipes before waiting: a large answer would otherwise fill the pipe and block.
        let errData = Locked(Data())
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return Run(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

/// A value set once from another thread.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    private var wasSet = false
    init(_ value: T) { stored = value }
    func set(_ value: T) { lock.lock(); stored = value; wasSet = true; lock.unlock() }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return wasSet }
}
