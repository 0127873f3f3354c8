import FoundationEssentials

// The answers of the index commands (search, story, trending, quotes) and the lines `follow` streams.
// The daemon's index (NewsIndex) builds them; newsinboxctl decodes them.

/// One article as `search` and `story` list it.
public struct IndexedArticle: Codable, Sendable {
    public var id: String
    public var headline: String
    @Null public var date: String?
    @Null public var feed: String?
    public var file: String
    public var storyID: String
    /// `current`, `superseded` (a later version exists) or `withdrawn` (a tombstone).
    public var status: String

    enum CodingKeys: String, CodingKey { case id, headline, date, feed, file, storyID = "story_id", status }

    public init(id: String, headline: String, date: String?, feed: String?, file: String, storyID: String, status: String) {
        self.id = id
        self.headline = headline
        self.date = date
        self.feed = feed
        self.file = file
        self.storyID = storyID
        self.status = status
    }
}

/// `search`: the first `--limit` matches, newest first; `total` counts them all.
public struct SearchReply: Codable, Sendable {
    public var articles: [IndexedArticle]
    public var total: Int
    public init(articles: [IndexedArticle], total: Int) {
        self.articles = articles
        self.total = total
    }
}

/// `story ID`: every article of the story, oldest first.
public struct StoryReply: Codable, Sendable {
    public var storyID: String
    public var articles: [IndexedArticle]
    enum CodingKeys: String, CodingKey { case storyID = "story_id", articles }
    public init(storyID: String, articles: [IndexedArticle]) {
        self.storyID = storyID
        self.articles = articles
    }
}

/// `trending`: entities by how many more articles named them in the window than in the one before.
public struct TrendingReply: Codable, Sendable {
    public struct Entity: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var count: Int
        public var previous: Int
        public init(name: String, type: String, count: Int, previous: Int) {
            self.name = name
            self.type = type
            self.count = count
            self.previous = previous
        }
    }
    public var entities: [Entity]
    /// The window, ISO 8601.
    public var since: String
    public var until: String
    public init(entities: [Entity], since: String, until: String) {
        self.entities = entities
        self.since = since
        self.until = until
    }
}

/// `quotes`: newest first.
public struct QuotesReply: Codable, Sendable {
    public struct Quote: Codable, Sendable {
        public var articleID: String
        @Null public var speaker: String?
        public var text: String
        @Null public var cue: String?
        @Null public var date: String?
        enum CodingKeys: String, CodingKey { case articleID = "article_id", speaker, text, cue, date }
        public init(articleID: String, speaker: String?, text: String, cue: String?, date: String?) {
            self.articleID = articleID
            self.speaker = speaker
            self.text = text
            self.cue = cue
            self.date = date
        }
    }
    public var quotes: [Quote]
    public init(quotes: [Quote]) { self.quotes = quotes }
}
