import ArgumentParser
import CommandLineSupport
import Extraction
import FoundationEssentials
import Glibc
import POSIXSupport
import NewsInbox
import NewsCore

/// `newsinbox extract FILE|-`: the same JSON the daemon writes, on stdout.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract one file and print the JSON the daemon would write (one document per article).")

    @Argument(help: "The file to read, or - for standard input.") var file: String
    @Option(name: .customLong("model-dir"), help: "Where the models are (default: next to the binary, then the source tree).") var modelDir: String?
    @Option(name: .customLong("name"), help: "The name to report as source.file (default: the file's name; 'stdin' for -).") var name: String?
    @Flag(help: "Pretty-print the JSON.") var pretty = false

    func run() throws {
        let bytes: [UInt8]
        let fileDate: ArticleDate?
        if file == "-" {
            bytes = try FileBytes.read(descriptor: STDIN_FILENO, name: "stdin")
            fileDate = nil
        } else {
            do {
                bytes = try FileBytes.read(file)
            } catch {
                // An I/O error, not a usage error: exit 1 with the file and strerror.
                writeToStandardError("newsinbox: \(ioErrorMessage(file, errno: error.errno))\n")
                throw ExitCode(1)
            }
            let modified = (try? FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date) ?? nil
            fileDate = modified.flatMap { OfflineExtraction.utcDate($0) }
        }
        let models = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: modelDir))
        let documents: [[UInt8]]
        do {
            documents = try OfflineExtraction.run(
                bytes: bytes, file: name ?? (file == "-" ? "stdin" : URL(fileURLWithPath: file).lastPathComponent),
                fileDate: fileDate, models: models, pretty: pretty)
        } catch let failure as ArticleProcessor.Failure {
            writeToStandardError("newsinbox: \(failure.stage): \(failure.reason)\n")
            throw ExitCode(1)
        }
        for document in documents { _ = DescriptorIO.writeAll(STDOUT_FILENO, document) }
    }
}
