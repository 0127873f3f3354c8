/// Names and formats that the daemon and newsinboxctl must agree on, written once.
public enum SharedNames {
    /// The daemon's built-in control socket (relative to its working directory), which newsinboxctl
    /// also looks for first, so both work from the same checkout.
    public static let localControlSocket = "newsinbox-local/control.sock"
    /// Where the packaged service's socket unit listens.
    public static let serviceControlSocket = "/run/newsinbox/control.sock"
    /// The log levels, most verbose first, as the config, `--log-level` and `newsinboxctl log-level` spell them.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
}

/// Numbers as the text output prints them.
public enum NumberText {
    /// Thousands separated by commas: `1234567` -> `1,234,567`.
    public static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = n < 0 ? "-" : ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
