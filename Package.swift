// swift-tools-version:6.0
import PackageDescription

// Module layout (see README "Source layout"):
//   POSIXSupport    the one POSIX layer: SystemError, Directory (openat/O_NOFOLLOW), EINTR retry,
//                   whole writes, a socket listener and a non-blocking connection writer
//   NewsCore        what readers and extraction share: ArticleDate, Deadline, Abbreviations; and the
//                   text helpers that stand in for Foundation's ICU-backed calls (UTCTimestamp, cFormat)
//   ArticleReaders  bytes -> [Article]        (format sniffing, one reader per format)
//   Extraction      text  -> Extraction       (tokens, entities, time, quotes, figures, summary)
//   ExtractionTraining  the offline tool's side: CoNLL/TimeML corpora and scores, the NER trainer
//   Control         the control plane's shared half: wire protocol, command names, typed replies
//                   (Codable), client, peer credentials; FoundationEssentials only (newsinboxctl's side)
//   ControlServer   the control socket's server side: listen, accept, bounded request line, connection
//                   cap, answers; NewsInbox's commands answer through ControlRequestHandler
//   JetStream       NATS JetStream over nats.c: results out, a shared work queue in
//   NewsInbox       the daemon's engine: watch, spool, pipeline, output, journal, config, model search;
//                   the control commands (ControlServer's handler) see the pipeline only through
//                   snapshot() and perform(_:); its state (IntakeState) is confined to the intake queue
//                   (QueueConfined checks it). Internal but for what the executables call.
/// Imports are internal unless a file says `public import`, and existentials are spelled `any`. On for
/// every module of the package and TestSupport.
let strictModules: [SwiftSetting] = [.enableUpcomingFeature("InternalImportsByDefault"), .enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "NewsInbox",
    products: [
        .executable(name: "newsinboxd", targets: ["newsinboxd"]),
        .executable(name: "newsinboxctl", targets: ["newsinboxctl"]),
        .executable(name: "newsinbox", targets: ["newsinbox"]),
        // The package's one binary: newsinboxd, newsinboxctl and newsinbox by the name it is run as.
        .executable(name: "newsinbox-multicall", targets: ["newsinbox-multicall"]),
        // For the fuzz package in fuzz/ (built only by scripts/fuzz).
        .library(name: "NewsCore", targets: ["NewsCore"]),
        .library(name: "ArticleReaders", targets: ["ArticleReaders"]),
        .library(name: "Extraction", targets: ["Extraction"]),
        .library(name: "Control", targets: ["Control"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // The metrics: swift-metrics' API, swift-prometheus' registry and text exposition.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSystemd", pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CNats", pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        // libcrypto for SHA-256: a well-kept, assembly-optimised hash instead of a hand-written one.
        .systemLibrary(
            name: "CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        // libfiu failure points around the calls its POSIX preload does not wrap, in debug builds only:
        // release builds (and the .deb) neither define FIU_ENABLE nor link libfiu.
        .target(
            name: "CLinuxShim",
            cSettings: [.define("FIU_ENABLE", .when(configuration: .debug))],
            linkerSettings: [.linkedLibrary("fiu", .when(configuration: .debug))]),
        // SystemError, Directory, EINTR retry, whole writes, SocketListener, SocketConnection: what every
        // module that makes system calls shares.
        .target(name: "POSIXSupport", dependencies: ["CLinuxShim"], swiftSettings: strictModules),
        // The three tools' shared exit statuses (usage errors exit 2).
        .target(
            name: "CommandLineSupport",
            dependencies: ["POSIXSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictModules),

        // ArticleDate, Deadline and Abbreviations: what a reader and the extractor both speak; UTCTimestamp,
        // String(cFormat:), trimming and ErrorText, so that no shipped module needs Foundation (and ICU) for them.
        .target(name: "NewsCore", swiftSettings: strictModules),
        // Readers need nothing of Extraction: a headline-less article's first sentence is FirstSentence's.
        .target(
            name: "ArticleReaders",
            dependencies: ["CLibXML2", "CZlib", "NewsCore"],
            swiftSettings: strictModules),
        .target(name: "Extraction", dependencies: ["NewsCore"], swiftSettings: strictModules),
        // The offline tool's side of extraction: CoNLL and TimeML corpora, their scores, the NER trainer
        // (which builds on Extraction's `package` feature and model internals). The daemon never links it.
        .target(name: "ExtractionTraining", dependencies: ["NewsCore", "Extraction"], swiftSettings: strictModules),
        .target(
            name: "Control",
            dependencies: ["CLinuxShim", "POSIXSupport"],
            swiftSettings: strictModules),
        // The control socket's server; the daemon's commands answer through ControlRequestHandler.
        .target(
            name: "ControlServer",
            dependencies: ["Control", "POSIXSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictModules),
        // NATS JetStream through nats.c: connection, stream set-up, batch publishing, pull consumers.
        .target(name: "JetStream", dependencies: ["CNats"], swiftSettings: strictModules),
        // The embedded index (state/index.sqlite) and stories; knows the output JSON, not the daemon.
        .target(name: "NewsIndex", dependencies: ["CSQLite", "Control", "NewsCore"], swiftSettings: strictModules),
        .target(
            name: "NewsInbox",
            dependencies: [
                "NewsCore", "ArticleReaders", "Extraction", "Control", "ControlServer", "CSystemd", "CLinuxShim", "POSIXSupport", "NewsIndex", "CCrypto", "JetStream",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictModules),

        // The three tools' commands are libraries, so that the package can ship them as one
        // multi-call binary (newsinbox-multicall); each also has its own executable for development.
        .target(
            name: "NewsinboxdCommand",
            dependencies: [
                "NewsInbox", "Control", "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/newsinboxd",
            swiftSettings: strictModules),
        .target(
            name: "NewsinboxctlCommand",
            dependencies: [
                "Control", "CommandLineSupport", "POSIXSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/newsinboxctl",
            swiftSettings: strictModules),
        .target(
            name: "NewsinboxToolCommand",
            dependencies: [
                "NewsInbox", "NewsCore", "ArticleReaders", "Extraction", "ExtractionTraining", "Control", "CommandLineSupport", "NewsIndex", "POSIXSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/newsinbox",
            swiftSettings: strictModules),
        .executableTarget(name: "newsinboxd", dependencies: ["NewsinboxdCommand"], path: "Sources/Executables/newsinboxd", swiftSettings: strictModules),
        .executableTarget(name: "newsinboxctl", dependencies: ["NewsinboxctlCommand"], path: "Sources/Executables/newsinboxctl", swiftSettings: strictModules),
        .executableTarget(name: "newsinbox", dependencies: ["NewsinboxToolCommand"], path: "Sources/Executables/newsinbox", swiftSettings: strictModules),
        .executableTarget(
            name: "newsinbox-multicall",
            dependencies: ["NewsinboxdCommand", "NewsinboxctlCommand", "NewsinboxToolCommand"],
            path: "Sources/Executables/newsinbox-multicall",
            swiftSettings: strictModules),

        // What every test target shares: the daemon launcher (over ControlClient), the shared corpora,
        // skip-or-fail requirements (CI=true fails), schema validation.
        .target(name: "TestSupport", dependencies: ["Control"], path: "Tests/TestSupport", swiftSettings: strictModules),
        .testTarget(name: "ArticleReadersTests", dependencies: ["NewsCore", "ArticleReaders", "Extraction", "TestSupport"]),
        .testTarget(name: "ExtractionTests", dependencies: ["NewsCore", "Extraction", "ExtractionTraining", "ArticleReaders", "TestSupport"]),
        .testTarget(name: "NewsCoreTests", dependencies: ["NewsCore"]),
        .testTarget(name: "ControlTests", dependencies: ["Control", "TestSupport"]),
        .testTarget(
            name: "NewsInboxTests",
            dependencies: ["NewsInbox", "NewsIndex", "Control", "NewsCore", "Extraction", "ArticleReaders", "TestSupport", "JetStream", "POSIXSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "NewsIndexTests", dependencies: ["NewsIndex", "Control", "TestSupport"]),
    ]
)
