import CommandLineSupport

/// The offline tool's entry point, called by the `newsinbox` executable and by the multi-call binary.
public enum NewsinboxToolEntry {
    public static func main() {
        NewsInboxTool.mainWithUsageStatus2()
    }
}
