import Foundation
import Glibc
import Testing
@testable import NewsInbox
import POSIXSupport

/// GET /metrics, scraped over a real TCP socket while files are processed; the exposition parsed.
@Suite(.serialized) struct MetricsTests {
    /// A port the kernel just handed out (bound and released), for a daemon to bind next.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SystemError("bind", "127.0.0.1:0") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Sends `request` to 127.0.0.1:port and reads the whole answer (the server closes after it).
    static func exchange(port: UInt16, _ request: [UInt8]) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += chunk[..<n]
        }
        return answer.isEmpty ? nil : String(decoding: answer, as: UTF8.self)
    }

    static func scrape(port: UInt16) -> String? {
        exchange(port: port, Array("GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n\r\n".utf8))
    }

    /// `name{labels} value` samples of the text exposition format; `# HELP`/`# TYPE` lines checked.
    static func samples(_ body: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                Issue.record("not a sample line: \(line)")
                continue
            }
            result[String(line[..<space])] = value
        }
        return result
    }

    static func body(_ response: String) -> String {
        response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
    }

    @Test func scrapedCountersAndHistogramsMoveAsFilesAreProcessed() throws {
        let port = try Self.freePort()
        let d = try DaemonHarness()
        try d.writeConfig("metrics_listen = 127.0.0.1:\(port)\n")
        try d.start()
        let first = try #require(Self.scrape(port: port))
        #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(first.contains("Content-Type: text/plain; version=0.0.4"))
        let before = Self.samples(Self.body(first))
        #expect(before["newsinbox_articles_processed_total"] == 0)
        #expect(before["newsinbox_queue_in_flight"] == 0)
        #expect(Self.body(first).contains("# TYPE newsinbox_articles_processed_total counter"))
        #expect(Self.body(first).contains("# HELP newsinbox_files_seen_total "))

        try d.dropByRename("a.txt", Array("Harbour opens\n\nThe harbour opened on Monday to ships from the north.\n".utf8))
        try d.dropByRename("b.txt", Array("Bridge closes\n\nThe old bridge closed on Tuesday for repairs.\n".utf8))
        try d.dropByRename("again.txt", Array("Harbour opens\n\nThe harbour opened on Monday to ships from the north.\n".utf8))
        try d.dropByRename("big.bin", [UInt8](repeating: 0, count: 64))
        try d.waitUntil("all four are finished") { d.files(in: d.done).count == 3 && d.files(in: d.failed).contains("big.bin") }
        var after: [String: Double] = [:]
        try d.waitUntil("the metrics count them") {
            after = Self.samples(Self.body(Self.scrape(port: port) ?? ""))
            return after["newsinbox_articles_duplicate_total"] == 1 && after["newsinbox_articles_processed_total"] == 2
                && after.keys.contains { $0.hasPrefix("newsinbox_articles_failed_total{") }
        }
        #expect((after["newsinbox_files_seen_total"] ?? 0) >= 4)
        // Every finished file: two processed, one duplicate, one failure.
        #expect(after["newsinbox_arrival_to_durable_seconds_count"] == 4)
        #expect((after["newsinbox_arrival_to_durable_seconds_sum"] ?? 0) > 0)
        #expect(after["newsinbox_arrival_to_durable_seconds_bucket{le=\"+Inf\"}"] == 4)
        #expect(after.keys.contains { $0.hasPrefix("newsinbox_stage_duration_seconds_count{stage=\"extract\"") })
        #expect((after["newsinbox_write_batch_size_count"] ?? 0) >= 1)
        #expect(after["newsinbox_articles_failed_total{reason=\"read: binary content (NUL bytes)\"}"] == 1
                || after.keys.contains { $0.hasPrefix("newsinbox_articles_failed_total{reason=") }, "\(after.keys.sorted())")
        #expect(after["newsinbox_rescans_total"].map { $0 >= 1 } == true)

        // newsinboxctl stats --prometheus prints the same exposition.
        let ctl = Process()
        ctl.executableURL = DaemonHarness.binDirectory.appendingPathComponent("newsinboxctl")
        ctl.arguments = ["--socket", d.socket.path, "stats", "--prometheus"]
        let pipe = Pipe()
        ctl.standardOutput = pipe
        try ctl.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ctl.waitUntilExit()
        #expect(ctl.terminationStatus == 0)
        let fromCtl = Self.samples(text)
        #expect(fromCtl["newsinbox_articles_processed_total"] == 2 && fromCtl["newsinbox_articles_duplicate_total"] == 1)
        #expect(Set(fromCtl.keys) == Set(after.keys))
        d.stop()
    }

    /// `stats` reports the process's CPU and the index's own (by part), and the metrics the same parts;
    /// with `index = off` the index costs nothing.
    @Test func theIndexCPUIsCountedBesideTheProcessCPU() throws {
        func cpu(_ d: DaemonHarness) throws -> [String: Any] {
            let reply = try d.request(#"{"version":1,"command":"stats","args":{}}"#)
            let object = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any]
            return try #require((object?["data"] as? [String: Any])?["cpu_seconds"] as? [String: Any], "\(reply.prefix(300))")
        }
        let articles = (0..<6).map { n in
            Array("Talks in Leeds \(n)\n\nDerek Chollet met the mayor of Leeds on Monday, officials said. Item \(n) of the set, about trade and the harbour.\n".utf8)
        }
        for index in ["on", "off"] {
            let port = try Self.freePort()
            let d = try DaemonHarness()
            try d.writeConfig("metrics_listen = 127.0.0.1:\(port)\nindex = \(index)\n")
            try d.start()
            for (n, bytes) in articles.enumerated() { try d.dropByRename("\(n).txt", bytes) }
            try d.waitUntil("all are done") { d.files(in: d.done).count == articles.count }
            let c = try cpu(d)
            let process = try #require(c["process"] as? Double), total = try #require(c["index"] as? Double)
            let parts = try #require(c["index_by_part"] as? [String: Double])
            #expect(Set(parts.keys) == ["row", "story", "reencode", "commit"])
            #expect(process > 0 && process > total, "\(c)")
            #expect(abs(parts.values.reduce(0, +) - total) < 1e-9)
            if index == "on" {
                #expect(parts["row"]! > 0 && parts["story"]! > 0 && parts["commit"]! > 0, "\(parts)")
                let scraped = Self.samples(Self.body(Self.scrape(port: port) ?? ""))
                #expect((scraped["newsinbox_index_cpu_seconds_total{part=\"commit\"}"] ?? 0) > 0, "\(scraped.keys.sorted())")
            } else {
                #expect(total == 0, "no index, no index CPU: \(parts)")
            }
            d.stop()
        }
    }

    @Test func badRequestsGetAnHTTPErrorAndASilentClientDoesNotStopTheNextScrape() throws {
        let port = try Self.freePort()
        let d = try DaemonHarness()
        try d.writeConfig("metrics_listen = 127.0.0.1:\(port)\n")
        try d.start()
        #expect(Self.exchange(port: port, Array("GET /other HTTP/1.1\r\n\r\n".utf8))?.hasPrefix("HTTP/1.1 404") == true)
        #expect(Self.exchange(port: port, Array("POST /metrics HTTP/1.1\r\n\r\n".utf8))?.hasPrefix("HTTP/1.1 405") == true)
        #expect(Self.exchange(port: port, Array("hello\r\n\r\n".utf8))?.hasPrefix("HTTP/1.1 400") == true)
        let huge = Array("GET /metrics HTTP/1.1\r\nX-Padding: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 20_000)
        #expect(Self.exchange(port: port, huge)?.hasPrefix("HTTP/1.1 431") == true)
        #expect(Self.exchange(port: port, Array("HEAD /metrics HTTP/1.1\r\n\r\n".utf8)).map { Self.body($0).isEmpty && $0.hasPrefix("HTTP/1.1 200") } == true)

        // A client that connects and says nothing holds the metrics queue for at most its timeout.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(silent, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(Self.scrape(port: port)?.hasPrefix("HTTP/1.1 200") == true)
        // Meanwhile the pipeline went on.
        try d.dropByRename("during.txt", Array("Rain\n\nIt rained in the north on Tuesday.\n".utf8))
        try d.waitUntil("the article is processed") { d.files(in: d.done).contains("during.txt") }
        #expect(d.isRunning)
        d.stop()
    }

    @Test func bothSocketsPassedBySystemdAreToldApartByName() throws {
        let activate = "/usr/bin/systemd-socket-activate"
        guard FileManager.default.isExecutableFile(atPath: activate) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("\(activate) is missing (package systemd)") }
            else { print("skipped: no \(activate)") }
            return
        }
        let port = try Self.freePort()
        let d = try DaemonHarness()
        // The control socket first, the metrics one second, as a unit with two sockets would pass them.
        d.wrapper = [activate, "--listen=\(d.socket.path)", "--listen=127.0.0.1:\(port)", "--fdname=control:metrics", "--"]
        try d.start()
        #expect(d.log.contains("control socket from systemd"))
        let response = try #require(Self.scrape(port: port))
        #expect(response.hasPrefix("HTTP/1.1 200 OK"))
        #expect(Self.samples(Self.body(response))["newsinbox_articles_processed_total"] == 0)
        #expect(d.log.contains("metrics socket from systemd"))
        d.stop()
    }
}
