import CommandLineSupport

/// The daemon's entry point, called by the `newsinboxd` executable and by the multi-call binary.
public enum NewsinboxdEntry {
    public static func main() {
        NewsInboxDaemonCommand.mainWithUsageStatus2()
    }
}
