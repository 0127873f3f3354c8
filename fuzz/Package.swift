// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for the readers, the tokenizer, the time normaliser and the control protocol decoder.
// Built only by scripts/fuzz (with -sanitize=fuzzer,address); never part of the root package's build or tests.
// The targets reach internal reader entry points through `@testable import`, so build them with testing enabled
// (scripts/fuzz passes -enable-testing). SwiftPM links each executable with main=<target>_main: every target
// defines that function and hands its test function to LLVMFuzzerRunDriver.
let package = Package(
    name: "NewsInboxFuzz",
    dependencies: [.package(name: "NewsInbox", path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "FuzzArticleReading", dependencies: ["CFuzzerDriver", .product(name: "ArticleReaders", package: "NewsInbox")]),
        .executableTarget(name: "FuzzXMLReaders", dependencies: ["CFuzzerDriver", .product(name: "ArticleReaders", package: "NewsInbox")]),
        .executableTarget(name: "FuzzHTMLReader", dependencies: ["CFuzzerDriver", .product(name: "ArticleReaders", package: "NewsInbox")]),
        .executableTarget(name: "FuzzNinjsReader", dependencies: ["CFuzzerDriver", .product(name: "ArticleReaders", package: "NewsInbox")]),
        .executableTarget(name: "FuzzEmailReader", dependencies: ["CFuzzerDriver", .product(name: "ArticleReaders", package: "NewsInbox")]),
        .executableTarget(name: "FuzzWireTextReader", dependencies: ["CFuzzerDriver", .product(name: "ArticleReaders", package: "NewsInbox")]),
        .executableTarget(name: "FuzzPlainTextReader", dependencies: ["CFuzzerDriver", .product(name: "NewsCore", package: "NewsInbox"), .product(name: "ArticleReaders", package: "NewsInbox")]),
        .executableTarget(name: "FuzzTokenizer", dependencies: ["CFuzzerDriver", .product(name: "Extraction", package: "NewsInbox")]),
        .executableTarget(name: "FuzzTimes", dependencies: ["CFuzzerDriver", .product(name: "NewsCore", package: "NewsInbox"), .product(name: "Extraction", package: "NewsInbox")]),
        .executableTarget(name: "FuzzExtractor", dependencies: ["CFuzzerDriver", .product(name: "NewsCore", package: "NewsInbox"), .product(name: "Extraction", package: "NewsInbox")]),
        .executableTarget(name: "FuzzControlDecoder", dependencies: ["CFuzzerDriver", .product(name: "Control", package: "NewsInbox")]),
    ]
)
