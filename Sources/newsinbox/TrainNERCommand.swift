import ArgumentParser

// Scaffold: replaced by the work on issue 5.
struct TrainNERCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ner", abstract: "Not available yet (issue 5).")

    func run() throws {
        throw ValidationError("'ner' is not available yet")
    }
}
