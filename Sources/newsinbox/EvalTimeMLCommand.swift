import ArgumentParser

// Scaffold: replaced by the work on issue 6.
struct EvalTimeMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "timeml", abstract: "Not available yet (issue 6).")

    func run() throws {
        throw ValidationError("'timeml' is not available yet")
    }
}
