import ArgumentParser

// Scaffold: replaced by the work on issue 2.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "extract", abstract: "Not available yet (issue 2).")

    func run() throws {
        throw ValidationError("'extract' is not available yet")
    }
}
