import CCrypto

/// SHA-256 for article identity, computed by OpenSSL's libcrypto (EVP interface).
///
/// A value type: copying a hasher and updating the copy leaves the original alone (the context is
/// copied on write).
struct SHA256: Sendable {
    private var context: Context

    init() {
        context = Context()
    }

    /// Lower-case hex of the SHA-256 of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        precondition(ok == 1 && length == 32, "libcrypto: SHA-256 failed")
        return hexString(digest.prefix(32))
    }

    mutating func update(_ bytes: [UInt8]) {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        let ok = bytes.withUnsafeBytes { EVP_DigestUpdate(context.pointer, $0.baseAddress, $0.count) }
        precondition(ok == 1, "libcrypto: SHA-256 update failed")
    }

    /// The digest of everything passed to `update`, as lower-case hex. The hasher itself is not changed.
    func finalizeHex() -> String {
        let final = context.copy()
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(final.pointer, $0.baseAddress, &length) }
        precondition(ok == 1 && length == 32, "libcrypto: SHA-256 final failed")
        return SHA256.hexString(digest.prefix(32))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func hexString(_ digest: ArraySlice<UInt8>) -> String {
        String(unsafeUninitializedCapacity: digest.count * 2) { out in
            var i = 0
            for byte in digest {
                out[i] = hexDigits[Int(byte >> 4)]
                out[i + 1] = hexDigits[Int(byte & 0x0F)]
                i += 2
            }
            return i
        }
    }

    /// Owns one EVP_MD_CTX; never shared between threads without a copy (see `update`).
    private final class Context: @unchecked Sendable {
        let pointer: OpaquePointer

        init() {
            guard let pointer = EVP_MD_CTX_new(), EVP_DigestInit_ex(pointer, EVP_sha256(), nil) == 1 else {
                preconditionFailure("libcrypto: cannot set up SHA-256")
            }
            self.pointer = pointer
        }

        private init(pointer: OpaquePointer) {
            self.pointer = pointer
        }

        func copy() -> Context {
            guard let other = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(other, pointer) == 1 else {
                preconditionFailure("libcrypto: cannot copy a SHA-256 context")
            }
            return Context(pointer: other)
        }

        deinit { EVP_MD_CTX_free(pointer) }
    }
}
