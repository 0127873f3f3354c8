import Extraction

/// `out/<id>.json` written by hand into one buffer: the same bytes as `referenceEncoded()` (Codable with
/// sorted keys), which stays as the reference the tests compare against, key for key.
///
/// Keys are written in UTF-8 byte order; optional fields the Codable types encode "if present" are left
/// out when nil, the ones they always encode become null. A new field goes in both places, or the
/// byte-identity test fails.
extension ResultDocument {
    func fastEncoded() -> [UInt8] {
        var w = JSONWriter(capacity: 4096 + article.text.utf8.count * 3)
        w.beginObject()
        w.key("article"); article.write(to: &w)
        if let extraction { w.key("extraction"); extraction.write(to: &w) }
        w.key("generator"); w.beginObject()
        w.key("name"); w.string(generator.name)
        w.key("version"); w.string(generator.version)
        w.endObject()
        w.key("id"); w.string(id)
        w.key("processed_at"); w.string(processedAt)
        w.key("schema"); w.string(schema)
        w.key("source"); source.write(to: &w)
        w.key("story_id"); w.string(storyID)
        if let supersedes { w.key("supersedes"); w.string(supersedes) }
        w.key("tombstone"); w.bool(tombstone)
        w.endObject()
        w.append(newline: ())
        return w.bytes
    }
}

extension ResultDocument.Source {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("bytes"); w.int(bytes)
        w.key("encoding"); w.string(encoding)
        w.key("encoding_fallback"); w.bool(encodingFallback)
        w.key("feed"); w.string(feed)
        w.key("file"); w.string(file)
        w.key("format"); w.string(format)
        w.key("item"); w.int(item)
        w.key("items"); w.int(items)
        w.key("sha256"); w.string(sha256)
        w.endObject()
    }
}

extension ResultDocument.ArticlePart {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        if let byline { w.key("byline"); w.string(byline) }
        w.key("date"); w.string(date)
        w.key("date_source"); w.string(dateSource.rawValue)
        if let dateline { w.key("dateline"); w.string(dateline) }
        w.key("guid"); w.string(guid)
        w.key("headline"); w.string(headline)
        w.key("keywords"); w.strings(keywords)
        if let language { w.key("language"); w.string(language) }
        w.key("status"); w.string(status.rawValue)
        w.key("subjects"); w.strings(subjects)
        w.key("text"); w.string(text)
        if let timestamp { w.key("timestamp"); w.string(timestamp) }
        if let urgency { w.key("urgency"); w.int(urgency) }
        w.key("version"); w.int(version)
        w.endObject()
    }
}

extension Extraction {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("acronyms"); w.beginArray()
        for a in acronyms {
            w.beginObject()
            if let entityId = a.entityId { w.key("entity_id"); w.string(entityId) }
            w.key("long"); w.string(a.long)
            w.key("long_span"); w.span(a.longSpan)
            w.key("short"); w.string(a.short)
            w.key("short_span"); w.span(a.shortSpan)
            w.key("uses"); w.spans(a.uses)
            w.endObject()
        }
        w.endArray()
        w.key("entities"); w.beginArray()
        for e in entities {
            w.beginObject()
            w.key("aliases"); w.strings(e.aliases)
            if let code = e.code { w.key("code"); w.string(code) }
            w.key("confidence"); w.double(e.confidence)
            if let country = e.country { w.key("country"); w.string(country) }
            w.key("id"); w.string(e.id)
            w.key("mentions"); w.spans(e.mentions)
            w.key("name"); w.string(e.name)
            w.key("roles"); w.strings(e.roles)
            w.key("salience"); w.double(e.salience)
            w.key("type"); w.string(e.type.rawValue)
            w.endObject()
        }
        w.endArray()
        w.key("figures"); w.beginArray()
        for f in figures {
            w.beginObject()
            if let counts = f.counts { w.key("counts"); w.string(counts) }
            w.key("end"); w.int(f.end)
            w.key("kind"); w.string(f.kind.rawValue)
            if let qualifier = f.qualifier { w.key("qualifier"); w.string(qualifier) }
            w.key("start"); w.int(f.start)
            w.key("text"); w.string(f.text)
            if let unit = f.unit { w.key("unit"); w.string(unit) }
            if let value = f.value { w.key("value"); w.double(value) }
            if let verb = f.verb { w.key("verb"); w.string(verb) }
            w.endObject()
        }
        w.endArray()
        w.key("keywords"); w.beginArray()
        for k in keywords {
            w.beginObject()
            w.key("count"); w.int(k.count)
            w.key("score"); w.double(k.score)
            w.key("text"); w.string(k.text)
            w.endObject()
        }
        w.endArray()
        w.key("paragraphs"); w.spans(paragraphs)
        w.key("quotes"); w.beginArray()
        for q in quotes {
            w.beginObject()
            if let cue = q.cue { w.key("cue"); w.string(cue) }
            w.key("end"); w.int(q.end)
            w.key("kind"); w.string(q.kind.rawValue)
            if let speaker = q.speaker { w.key("speaker"); w.string(speaker) }
            if let speakerId = q.speakerId { w.key("speaker_id"); w.string(speakerId) }
            if let speakerSpan = q.speakerSpan { w.key("speaker_span"); w.span(speakerSpan) }
            w.key("start"); w.int(q.start)
            w.key("text"); w.string(q.text)
            w.endObject()
        }
        w.endArray()
        w.key("sentences"); w.spans(sentences)
        w.key("summary"); w.beginArray()
        for index in summary { w.int(index) }
        w.endArray()
        w.key("times"); w.beginArray()
        for t in times {
            w.beginObject()
            w.key("end"); w.int(t.end)
            if let mod = t.mod { w.key("mod"); w.string(mod) }
            if let rangeStart = t.rangeStart { w.key("range_start"); w.int(rangeStart) }
            w.key("start"); w.int(t.start)
            w.key("text"); w.string(t.text)
            w.key("type"); w.string(t.type.rawValue)
            w.key("value"); w.string(t.value)
            w.endObject()
        }
        w.endArray()
        w.key("word_count"); w.int(wordCount)
        w.endObject()
    }
}

extension JSONWriter {
    mutating func span(_ span: TextSpan) {
        beginObject()
        key("end"); int(span.end)
        key("start"); int(span.start)
        endObject()
    }

    mutating func spans(_ spans: [TextSpan]) {
        beginArray()
        for s in spans { span(s) }
        endArray()
    }

    mutating func strings(_ values: [String]) {
        beginArray()
        for v in values { string(v) }
        endArray()
    }
}
