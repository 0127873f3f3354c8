import ArgumentParser

// Scaffold: replaced by the work on issue 4.
struct EvalHTMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "html", abstract: "Not available yet (issue 4).")

    func run() throws {
        throw ValidationError("'html' is not available yet")
    }
}
