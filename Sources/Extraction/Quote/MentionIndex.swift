/// Every entity mention sorted by position, so finding a quote's speaker costs a binary search instead of
/// a scan of every mention in the article (which made quote attribution quadratic in the article's size).
///
/// The answers are exactly those of the scans they replace: candidates are handed back in entity order,
/// then mention order, and ties go to the earlier entity, as the scans' `>` comparisons did.
struct MentionIndex {
    struct Entry {
        var span: TextSpan
        var entity: Int
        var mention: Int
    }

    /// All mentions, sorted by start (then entity, then mention).
    private let entries: [Entry]
    /// The same per entity type, for `lastEnding(atOrBefore:types:)`.
    private let byType: [Entity.Kind: [Entry]]
    /// The longest mention: a mention overlapping a span starts at most this far before it.
    private let longest: Int

    init(_ entities: [Entity]) {
        var all: [Entry] = []
        for (e, entity) in entities.enumerated() {
            for (m, span) in entity.mentions.enumerated() { all.append(Entry(span: span, entity: e, mention: m)) }
        }
        all.sort { ($0.span.start, $0.entity, $0.mention) < ($1.span.start, $1.entity, $1.mention) }
        entries = all
        longest = all.reduce(0) { max($0, $1.span.length) }
        var byType: [Entity.Kind: [Entry]] = [:]
        for entry in all { byType[entities[entry.entity].type, default: []].append(entry) }
        self.byType = byType
    }

    /// The mentions that `span` contains or overlaps, in entity order, then mention order.
    func touching(_ span: TextSpan) -> [Entry] {
        var k = Self.firstIndex(in: entries, startingAtOrAfter: span.start - longest)
        var found: [Entry] = []
        while k < entries.count && entries[k].span.start <= span.end {
            let mention = entries[k].span
            if span.contains(mention) || span.overlaps(mention) { found.append(entries[k]) }
            k += 1
        }
        return found.sorted { ($0.entity, $0.mention) < ($1.entity, $1.mention) }
    }

    /// The entity of one of `types` whose mention ending at or before `offset` starts last (the earlier
    /// entity on a tie); nil when there is none.
    func lastEnding(atOrBefore offset: Int, types: Set<Entity.Kind>) -> Int? {
        var best: (start: Int, entity: Int)?
        for type in types {
            guard let list = byType[type] else { continue }
            // Mentions starting after `offset` cannot end before it; those that start before it and end
            // after it overlap `offset`: few, as mentions are short.
            var k = Self.firstIndex(in: list, startingAtOrAfter: offset + 1) - 1
            while k >= 0 && list[k].span.end > offset { k -= 1 }
            guard k >= 0 else { continue }
            let start = list[k].span.start
            var entity = list[k].entity
            // Entries with the same start are sorted by entity: the first qualifying one is the earliest.
            var j = k - 1
            while j >= 0 && list[j].span.start == start {
                if list[j].span.end <= offset { entity = min(entity, list[j].entity) }
                j -= 1
            }
            if best == nil || start > best!.start || (start == best!.start && entity < best!.entity) {
                best = (start, entity)
            }
        }
        return best?.entity
    }

    private static func firstIndex(in list: [Entry], startingAtOrAfter offset: Int) -> Int {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid].span.start < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
