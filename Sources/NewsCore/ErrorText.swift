public import FoundationEssentials
import Glibc

public enum ErrorText {
    /// What an operator should read for `error`: strerror's words when FoundationEssentials' file
    /// calls wrap an errno (`No such file or directory`), else the error as Swift prints it.
    /// (`localizedDescription` is Foundation's, which links ICU into the binary.)
    public static func of(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if let cocoa = error as? CocoaError {
            if let posix = cocoa.underlying as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
            return "\(cocoa.code)"
        }
        return "\(error)"
    }
}
