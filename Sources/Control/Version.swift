/// The daemon's version, reported by `--version`, `newsinboxctl status` and in every output.
public enum NewsInboxVersion {
    public static let string = "0.2.0"
}
