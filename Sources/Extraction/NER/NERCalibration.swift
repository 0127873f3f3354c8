import FoundationEssentials
import Glibc

/// Maps the tagger's raw span probabilities (`SpanLattice` at `temperature`) to calibrated probabilities:
/// Platt scaling on the log-odds, `p = 1 / (1 + exp(-(a * logit(raw) + b)))`, one pair for a mention (is this
/// exact span, with this type, a name?) and one for an entity (is the entity's name, with its type, a name?).
///
/// Fitted on one half of CoNLL-2003 dev by `newsinbox train calibration` and stored beside the model as
/// `ner.calibration` (text, one `key value...` line each); see models/README.md. Without that file the
/// identity is used: the raw score at temperature 1, uncalibrated; so is it when the file names a model of
/// another size than the one loaded (a model retrained without refitting its calibration).
public struct NERCalibration: Sendable, Equatable {
    public var temperature: Double
    public var mention: Platt
    public var entity: Platt
    /// The feature count of the model it was fitted for (the `features` line), when known.
    public var modelFeatures: Int?

    public struct Platt: Sendable, Equatable {
        public var a: Double
        public var b: Double
        public init(a: Double, b: Double) { self.a = a; self.b = b }
        public static let identity = Platt(a: 1, b: 0)

        public func callAsFunction(_ raw: Double) -> Double {
            let z = a * NERCalibration.logit(raw) + b
            return 1 / (1 + Glibc.exp(-z))
        }
    }

    public init(temperature: Double, mention: Platt, entity: Platt, modelFeatures: Int? = nil) {
        self.temperature = temperature
        self.mention = mention
        self.entity = entity
        self.modelFeatures = modelFeatures
    }

    public static let identity = NERCalibration(temperature: 1, mention: .identity, entity: .identity)
    static let file = "ner.calibration"

    /// Log-odds, with the raw score kept 1e-6 away from 0 and 1 (the lattice can round to exactly 1).
    public static func logit(_ p: Double) -> Double {
        let q = min(1 - 1e-6, max(1e-6, p))
        return Glibc.log(q / (1 - q))
    }

    /// A confidence as written in the output: three decimals.
    public static func rounded(_ p: Double) -> Double { (min(1, max(0, p)) * 1000).rounded() / 1000 }

    public func serialized(comment: [String] = []) -> String {
        var out = "# NewsInbox NER calibration, format 1: p = 1 / (1 + exp(-(a * logit(raw) + b)))\n"
        for line in comment { out += "# " + line + "\n" }
        out += "temperature \(temperature)\n"
        out += "mention \(mention.a) \(mention.b)\n"
        out += "entity \(entity.a) \(entity.b)\n"
        if let modelFeatures { out += "features \(modelFeatures)\n" }
        return out
    }

    public init(text: String, origin: String) throws {
        var values: [String: [Double]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard let key = fields.first else { continue }
            let numbers = fields.dropFirst().compactMap { Double(String($0)) }
            guard numbers.count == fields.count - 1, numbers.allSatisfy(\.isFinite) else {
                throw ModelError(message: "\(origin): not a number in '\(line)'")
            }
            values[String(key)] = numbers
        }
        guard let t = values["temperature"], t.count == 1, t[0] > 0,
              let m = values["mention"], m.count == 2, let e = values["entity"], e.count == 2 else {
            throw ModelError(message: "\(origin): needs lines 'temperature T', 'mention a b' and 'entity a b'")
        }
        var features: Int?
        if let f = values["features"] {
            guard f.count == 1, let n = Int(exactly: f[0]), n >= 0 else { throw ModelError(message: "\(origin): 'features N' needs a count") }
            features = n
        }
        self.init(temperature: t[0], mention: Platt(a: m[0], b: m[1]), entity: Platt(a: e[0], b: e[1]), modelFeatures: features)
    }

    /// The calibration beside a model, or nil when there is none.
    public static func load(directory: String) throws -> NERCalibration? {
        let path = directory + "/" + file
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ModelError(message: "cannot read \(path)")
        }
        return try NERCalibration(text: String(decoding: data, as: UTF8.self), origin: path)
    }
}
