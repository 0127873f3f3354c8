/// The control socket's wire protocol: one JSON request per line, one JSON response per line.
public enum ControlProtocol {
    /// Bumped on any incompatible change; the server checks it before anything else.
    public static let version = 1
}
