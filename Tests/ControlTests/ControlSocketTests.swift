import Control
import Foundation
import Glibc
import Testing
import TestSupport

/// The control socket's care: authorisation, bad and hostile clients, safe creation.
@Suite(.serialized, .requires(DaemonHarness.skipReason == nil, DaemonHarness.skipReason ?? ""))
struct ControlSocketTests {
    static func article(_ n: Int) -> String {
        "Port authority opens terminal \(n).\n\nThe authority opened terminal \(n) on Monday. Ships may dock from June.\n"
    }

    @Test func aCommandThatChangesTheDaemonIsDeniedToNobodyWhileReadOnlyOnesWork() throws {
        let d = try DaemonHarness()
        try d.start()
        var st = stat()
        #expect(stat(d.socket, &st) == 0 && st.st_mode & 0o777 == 0o660)

        // Not in the socket's group: the kernel refuses the connection.
        let outsider = d.ctl(["status"], as: .nobody())
        #expect(outsider.status == 4 && outsider.stderr.contains("permission denied"))

        // In the socket's group: may look, may not touch.
        chown(d.socket, 0, 65534)  // group nogroup
        let look = d.ctl(["status"], as: .nobody())
        #expect(look.status == 0 && look.stdout.contains("running"))
        #expect(d.ctl(["--json", "stats"], as: .nobody()).status == 0)
        #expect(d.ctl(["reload", "--check"], as: .nobody()).status == 0)
        for command in [["pause"], ["rescan"], ["drain"], ["log-level", "debug"], ["retry", "--all-failed"], ["reload"]] {
            let run = d.ctl(command, as: .nobody())
            #expect(run.status == 4, "\(command)")
            #expect(run.stderr.contains("permission denied"), "\(command)")
        }
        #expect(d.ctl(["--json", "status"]).json?["state"]?.stringValue == "running")
        #expect(waitFor(seconds: 5) { d.log().contains("denied 'pause' to uid 65534 gid 65534 pid ") })
    }

    @Test func membersOfTheAdminGroupMayChangeTheDaemonThroughASupplementaryGroup() throws {
        let d = try DaemonHarness(config: "admin_group = adm\n")
        try d.start()
        chown(d.socket, 0, 65534)
        #expect(d.ctl(["pause"], as: .nobody()).status == 4)
        let admin = d.ctl(["pause"], as: .nobody(groups: ["adm"]))
        #expect(admin.status == 0, "\(admin.stderr)")
        #expect(d.ctl(["--json", "status"]).json?["state"]?.stringValue == "paused")
    }

    // MARK: - Hostile and broken clients

    func raw(_ d: DaemonHarness, _ bytes: [UInt8]) throws -> ControlResponse {
        try ControlClient(socketPath: d.socket, timeoutSeconds: 15).exchange(bytes)
    }

    @Test func malformedWrongVersionAndOversizedRequestsGetAClearErrorAndTheDaemonGoesOn() throws {
        let d = try DaemonHarness()
        try d.start()
        let malformed = try raw(d, Array("{not json\n".utf8))
        #expect(malformed.ok == false && malformed.code == .malformed)
        let notObject = try raw(d, Array("[1,2]\n".utf8))
        #expect(notObject.code == .malformed)
        let wrongVersion = try raw(d, Array(#"{"version": 99, "command": "status", "args": {}}"#.utf8) + [0x0A])
        #expect(wrongVersion.code == .version)
        #expect(wrongVersion.error?.contains("99") == true && wrongVersion.error?.contains("version \(ControlProtocol.version)") == true)
        let noVersion = try raw(d, Array(#"{"command": "pause"}"#.utf8) + [0x0A])
        #expect(noVersion.code == .version)
        let oversized = try raw(d, [UInt8](repeating: 0x61, count: ControlProtocol.maxRequestBytes * 4))
        #expect(oversized.code == .tooLarge)
        let unknown = try ControlClient(socketPath: d.socket).send(ControlRequest(command: "selfdestruct"))
        #expect(unknown.code == .unknownCommand)

        try d.drop("after.txt", Self.article(1))
        #expect(waitFor(seconds: 20) { d.outputs().count == 1 })
        #expect(d.ctl(["status"]).status == 0)
        let answers = d.ctl(["--json", "stats"]).json?["control"]?["answers"]
        #expect(answers?["malformed"]?.intValue == 2)
        #expect(answers?["version"]?.intValue == 2)
        #expect(answers?["too_large"]?.intValue == 1)
        #expect(answers?["unknown_command"]?.intValue == 1)
    }

    /// Opens a connection and sends nothing.
    func silentConnection(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = try! UnixSocketAddress(path: path)
        _ = address.withSockaddr { connect(fd, $0, $1) }
        return fd
    }

    @Test func silentClientsDoNotLockOthersOutAndAreAnsweredWithATimeout() throws {
        let d = try DaemonHarness()
        try d.start()
        // More silent clients than the server's connection cap.
        let silent = (0..<100).map { _ in silentConnection(d.socket) }
        defer { silent.forEach { close($0) } }
        let status = d.ctl(["--json", "status"])
        #expect(status.status == 0)
        try d.drop("during.txt", Self.article(2))
        #expect(waitFor(seconds: 20) { d.outputs().count == 1 })

        // The last silent one still holds its slot and gets a timeout answer, not a hang.
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(silent.last!, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(silent.last!, &buffer, buffer.count, 0)
        #expect(n > 0)
        let answer = try? JSONDecoder().decode(ControlResponse.self, from: Data(buffer[0..<max(n, 0)]))
        #expect(answer?.code == .timeout || answer?.code == .busy)
    }

    @Test func twoHundredConcurrentClientsAreAllAnsweredWhileFilesKeepFlowing() throws {
        let d = try DaemonHarness()
        try d.start()
        let answered = Locked(0)
        let failures = Locked<[String]>([])
        let lock = NSLock()
        DispatchQueue.global().async {
            for n in 1...20 { try? d.drop("flow\(n).txt", Self.article(100 + n)) }
        }
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            let command = ["status", "stats", "queue", "recent", "failed"][i % 5]
            do {
                let response = try ControlClient(socketPath: d.socket).send(ControlRequest(command: command, args: ["limit": .int(5)]), busyRetries: 50)
                lock.lock()
                if response.ok { answered.set(answered.value + 1) } else { failures.set(failures.value + ["\(command): \(response.error ?? "")"]) }
                lock.unlock()
            } catch {
                lock.lock(); failures.set(failures.value + ["\(command): \(error)"]); lock.unlock()
            }
        }
        #expect(failures.value.isEmpty, "\(failures.value.prefix(5))")
        #expect(answered.value == 200)
        #expect(waitFor(seconds: 30) { d.outputs().count == 20 })
    }

    // MARK: - Creating the socket

    @Test func aStaleSocketIsReplacedAndALiveOneIsNot() throws {
        let d = try DaemonHarness()
        try d.start()
        // A second daemon on the same socket refuses to start and leaves the first one's socket alone.
        let second = DaemonHarness.run(DaemonHarness.binaries! + "/newsinboxd",
            ["--foreground", "--config", d.configPath, "--inbox", d.root + "/inbox2", "--output", d.root + "/out2",
             "--state", d.root + "/state2", "--control-socket", d.socket])
        #expect(second.status == 1)
        #expect(second.stderr.contains("already listening"))
        #expect(d.ctl(["status"]).status == 0)

        // Killed without a chance to clean up: the next start replaces the stale socket.
        if let pid = d.process?.processIdentifier { kill(pid, SIGKILL) }
        _ = d.waitForExit()
        #expect(FileManager.default.fileExists(atPath: d.socket))
        try d.start()
        #expect(d.ctl(["status"]).status == 0)
    }

    @Test func aFileWhereTheSocketShouldBeIsNeverReplaced() throws {
        let d = try DaemonHarness()
        try "keep me".write(toFile: d.socket, atomically: false, encoding: .utf8)
        #expect(throws: HarnessError.self) { try d.start() }
        #expect((try? String(contentsOfFile: d.socket, encoding: .utf8)) == "keep me")
        #expect(d.log().contains("not a socket"))
    }
}
