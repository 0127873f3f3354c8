/// Decides an article's `story_id`: the story of an earlier version of the same guid, else of the
/// closest earlier near-duplicate, else its own id.
///
/// Candidates come from the LSH buckets (`story_bands`: 32 bands of one minimum each), so the cost
/// does not grow with the index. One minimum per band because a trimmed copy shares most of the
/// shorter text but a small Jaccard: a copy cut to a quarter (J ≈ 0.25) collides with probability
/// 1 - 0.75³² ≈ 0.9999 (16 bands of 2 gave 0.62 and missed such copies); an unrelated pair collides only
/// through a shared minimum shingle, and the checks below turn it away. A candidate joins when
///   - the containment estimate (how much of the shorter text the other has) is at least
///     `minContainment`;
///   - their entities agree: of the smaller set of named people, organisations and places, at least
///     `minEntityOverlap` are in the other (skipped when either has none);
///   - their dates agree: at most `maxDateDistanceDays` apart (skipped when either has none).
struct StoryMatcher {
    static let minContainment = 0.45
    static let minEntityOverlap = 0.3
    static let maxDateDistanceDays: Int64 = 3
    /// Bucket rows looked at per band: bounds the work for a bucket that common text made large.
    static let bucketLimit = 32

    struct Candidate {
        var id: String
        var storyID: String
        var signature: StorySignature
        var day: Int64?
        var entityKeys: Set<String>
    }

    static func entityKeys(_ record: IndexRecord) -> Set<String> {
        Set(record.entities.filter { ["PERSON", "ORG", "PLACE"].contains($0.type) }.map(\.key))
    }

    static func day(_ record: IndexRecord) -> Int64? { record.date.flatMap(IndexTime.parseDate).map { $0 / 86_400 } }

    /// How well `candidate` matches, or nil when it is another story.
    static func score(_ signature: StorySignature, day: Int64?, entityKeys: Set<String>, against c: Candidate) -> Double? {
        let containment = signature.containment(c.signature)
        guard containment >= minContainment else { return nil }
        if let day, let other = c.day, abs(day - other) > maxDateDistanceDays { return nil }
        if !entityKeys.isEmpty && !c.entityKeys.isEmpty {
            let shared = entityKeys.intersection(c.entityKeys).count
            guard Double(shared) / Double(min(entityKeys.count, c.entityKeys.count)) >= minEntityOverlap else { return nil }
        }
        return containment
    }
}
