import ArgumentParser
import CommandLineSupport
import Extraction
import Foundation
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
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            fileDate = nil
        } else {
            do {
                bytes = try FileBytes.read(file)
            } catch {
                // An I/O error, not a usage error: exit 1 with the file and strerror.
                FileHandle.standardError.write(Data("newsinbox: \(ioErrorMessage(file, errno: error.errno))\n".utf8))
                throw ExitCode(1)
            }
            let modified = (try? FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date) ?? nil
            fileDate = modified.flatMap { OfflineExtraction.utcDate($0) }
        }
        let models = try ExtractionModels.load(searching: ModelDirectory.candidates(configured: modelDir))
        let documents: [[UInt8]]
        do {
            documents = try OfflineExtraction.run(
                bytes: bytes, file: name ?? (file == "-" ? "stdin" : (file as NSString).lastPathComponent),
                fileDate: fileDate, models: models, pretty: pretty)
        } catch let failure as ArticleProcessor.Failure {
            FileHandle.standardError.write(Data("newsinbox: \(failure.stage): \(failure.reason)\n".utf8))
            throw ExitCode(1)
        }
        for document in documents { FileHandle.standardOutput.write(Data(document)) }
    }
}
