/// One document as the tagger sees it: token facts and sentence ranges over them.
package struct TaggerDocument {
    var words: [WordInfo]
    var sentences: [Range<Int>]

    package init(words: [WordInfo], sentences: [Range<Int>]) {
        self.words = words
        self.sentences = sentences
    }
}

/// The features of every token of a document, flattened: token `i` owns `keys[offsets[i]..<offsets[i+1]]`.
package struct FeatureMatrix {
    package var keys: [UInt64] = []
    package var offsets: [Int32] = [0]

    package subscript(token: Int) -> Range<Int> { Int(offsets[token])..<Int(offsets[token + 1]) }
}

/// Turns tokens into hashed feature keys. The templates follow the classic news taggers: the word and its
/// neighbours, shapes, affixes, capitalisation context, gazetteer matches and what the rest of the document
/// says about the same word.
package struct FeatureExtractor {
    let gazetteer: Gazetteer
    let clusters: WordClusters

    package init(gazetteer: Gazetteer, clusters: WordClusters) {
        self.gazetteer = gazetteer
        self.clusters = clusters
    }

    // Template numbers: changing one invalidates trained models.
    private enum T: UInt64 {
        case bias = 1, word, lower, shortShape, longShape, prefix1, prefix2, prefix3, prefix4
        case suffix1, suffix2, suffix3, suffix4
        case lowerPrev, lowerNext, lowerPrev2, lowerNext2, wordPrev, wordNext
        case shapePrevCur, shapeCurNext, shapeTri, bigramPrev, bigramNext
        case firstWord, firstShape, capsSentenceShape, capsSentenceLower
        case seenLowercase, seenCapitalisedMid, gazetteer, gazetteerShape, gazetteerPrev, gazetteerNext
        case afterBracket, runFirst, runLast, runLength, runLastPosition, lowerPrevShape, lowerNextShape
        case flags, seenCapitalisedMidShape, docFirstLower, runShape
        case contextElsewherePrev, contextElsewhereNext, clusterElsewherePrev, clusterElsewhereNext
        case cluster64, cluster256, cluster1024, clusterPrev, clusterNext, clusterPrevCur, clusterCurNext
        case vectorCoarse, vectorMiddle, vectorFine, vectorPrev, vectorNext, vectorUnknown
    }

    @inline(__always) private func f(_ t: T, _ v: UInt64) -> UInt64 { FeatureHash.mix(t.rawValue, v) }
    @inline(__always) private func f(_ t: T, _ a: UInt64, _ b: UInt64) -> UInt64 {
        FeatureHash.mix(t.rawValue, a, b)
    }

    private static let none: UInt64 = 0x0123_4567
    private static let sentenceStart: UInt64 = 0x5354_4152_54
    private static let sentenceEnd: UInt64 = 0x454e_44
    private static let connectors: Set<UInt64> = Set(["of", "and", "for", "the", "de", "&", "on", "al", "bin", "van", "von", "der"].map {
        WordInfo($0).lower
    })

    package func features(_ document: TaggerDocument) -> FeatureMatrix {
        let words = document.words
        // What the document says about each word, regardless of where it stands.
        var seenLowercase = Set<UInt64>()
        var seenCapitalisedMid = Set<UInt64>()
        var capsSentence = [Bool](repeating: false, count: document.sentences.count)
        for (s, sentence) in document.sentences.enumerated() {
            var upperWords = 0
            var lowerWords = 0
            for i in sentence {
                let w = words[i]
                if w.flags.contains(.hasLower) { lowerWords += 1 } else if w.flags.contains(.allUpper) && w.length > 1 { upperWords += 1 }
            }
            capsSentence[s] = upperWords >= 2 && lowerWords == 0
            for i in sentence {
                let w = words[i]
                if w.flags.contains(.initialLower) { seenLowercase.insert(w.lower) }
                if !capsSentence[s] && w.isCapitalised && i > sentence.lowerBound && !isQuoteOrBracket(words, i - 1) {
                    seenCapitalisedMid.insert(w.lower)
                }
            }
        }

        let clusterIDs = clusters.isEmpty ? [] : words.map { clusters.ids($0) }
        let vectorIDs = clusters.hasVectorClusters ? words.map { clusters.vectorIDs($0) } : []
        // Where else the document writes each capitalised word: the neighbours there are evidence here.
        var occurrences: [UInt64: [Int32]] = [:]
        for (s, sentence) in document.sentences.enumerated() where !capsSentence[s] {
            for i in sentence where words[i].isCapitalised && words[i].flags.contains(.hasLower) {
                occurrences[words[i].lower, default: []].append(Int32(i))
            }
        }
        var sentenceOf = [Int32](repeating: 0, count: words.count)
        for (s, sentence) in document.sentences.enumerated() { for i in sentence { sentenceOf[i] = Int32(s) } }
        var m = FeatureMatrix()
        m.keys.reserveCapacity(words.count * 48)
        m.offsets.reserveCapacity(words.count + 1)
        for (s, sentence) in document.sentences.enumerated() {
            let gaz = gazetteer.matches(words, sentence)
            let runs = capitalisedRuns(words, sentence)
            for i in sentence {
                let w = words[i]
                let p = i > sentence.lowerBound ? words[i - 1] : nil
                let n = i + 1 < sentence.upperBound ? words[i + 1] : nil
                let p2 = i - 1 > sentence.lowerBound ? words[i - 2].lower : FeatureExtractor.sentenceStart
                let n2 = i + 2 < sentence.upperBound ? words[i + 2].lower : FeatureExtractor.sentenceEnd
                let pLower = p?.lower ?? FeatureExtractor.sentenceStart
                let nLower = n?.lower ?? FeatureExtractor.sentenceEnd
                let pShape = p?.shortShape ?? FeatureExtractor.sentenceStart
                let nShape = n?.shortShape ?? FeatureExtractor.sentenceEnd
                let caps: UInt64 = capsSentence[s] ? 1 : 0
                let first = i == sentence.lowerBound

                m.keys.append(f(.bias, 0))
                m.keys.append(f(.word, w.word))
                m.keys.append(f(.lower, w.lower))
                m.keys.append(f(.shortShape, w.shortShape))
                m.keys.append(f(.longShape, w.longShape, caps))
                m.keys.append(f(.flags, UInt64(w.flags.rawValue), caps))
                if w.prefixes.0 != 0 { m.keys.append(f(.prefix1, w.prefixes.0)) }
                if w.prefixes.1 != 0 { m.keys.append(f(.prefix2, w.prefixes.1)) }
                if w.prefixes.2 != 0 { m.keys.append(f(.prefix3, w.prefixes.2)) }
                if w.prefixes.3 != 0 { m.keys.append(f(.prefix4, w.prefixes.3)) }
                if w.suffixes.0 != 0 { m.keys.append(f(.suffix1, w.suffixes.0)) }
                if w.suffixes.1 != 0 { m.keys.append(f(.suffix2, w.suffixes.1)) }
                if w.suffixes.2 != 0 { m.keys.append(f(.suffix3, w.suffixes.2)) }
                if w.suffixes.3 != 0 { m.keys.append(f(.suffix4, w.suffixes.3)) }
                m.keys.append(f(.lowerPrev, pLower))
                m.keys.append(f(.lowerNext, nLower))
                m.keys.append(f(.lowerPrev2, p2))
                m.keys.append(f(.lowerNext2, n2))
                m.keys.append(f(.wordPrev, p?.word ?? FeatureExtractor.sentenceStart))
                m.keys.append(f(.wordNext, n?.word ?? FeatureExtractor.sentenceEnd))
                m.keys.append(f(.shapePrevCur, pShape, w.shortShape))
                m.keys.append(f(.shapeCurNext, w.shortShape, nShape))
                m.keys.append(f(.shapeTri, FeatureHash.mix(pShape, w.shortShape), nShape))
                m.keys.append(f(.bigramPrev, pLower, w.lower))
                m.keys.append(f(.bigramNext, w.lower, nLower))
                m.keys.append(f(.lowerPrevShape, pLower, w.shortShape))
                m.keys.append(f(.lowerNextShape, nLower, w.shortShape))
                if first {
                    m.keys.append(f(.firstWord, w.word))
                    m.keys.append(f(.firstShape, w.shortShape))
                }
                if caps == 1 {
                    m.keys.append(f(.capsSentenceShape, w.shortShape))
                    m.keys.append(f(.capsSentenceLower, w.lower))
                }
                if w.flags.contains(.hasLetter) {
                    let lowerElsewhere: UInt64 = seenLowercase.contains(w.lower) ? 1 : 0
                    let capitalisedElsewhere: UInt64 = seenCapitalisedMid.contains(w.lower) ? 1 : 0
                    m.keys.append(f(.seenLowercase, lowerElsewhere, w.flags.contains(.initialUpper) ? 1 : 0))
                    m.keys.append(f(.seenCapitalisedMid, capitalisedElsewhere, first ? 1 : caps))
                    m.keys.append(f(.seenCapitalisedMidShape, capitalisedElsewhere * 2 + lowerElsewhere, w.shortShape))
                }
                var g = gaz[i - sentence.lowerBound]
                while g != 0 {
                    let bit = UInt64(g.trailingZeroBitCount)
                    g &= g - 1
                    m.keys.append(f(.gazetteer, bit))
                    m.keys.append(f(.gazetteerShape, bit, w.shortShape))
                }
                if i > sentence.lowerBound, gaz[i - 1 - sentence.lowerBound] != 0 {
                    m.keys.append(f(.gazetteerPrev, UInt64(gaz[i - 1 - sentence.lowerBound])))
                }
                if i + 1 < sentence.upperBound, gaz[i + 1 - sentence.lowerBound] != 0 {
                    m.keys.append(f(.gazetteerNext, UInt64(gaz[i + 1 - sentence.lowerBound])))
                }
                if let p, p.flags.contains(.openBracket) { m.keys.append(f(.afterBracket, w.shortShape)) }
                let run = runs[i - sentence.lowerBound]
                if run.count > 1 {
                    let position: UInt64 = i == run.lowerBound ? 0 : i == run.upperBound - 1 ? 2 : 1
                    m.keys.append(f(.runFirst, words[run.lowerBound].lower, position))
                    m.keys.append(f(.runLast, words[run.upperBound - 1].lower, position))
                    m.keys.append(f(.runLength, UInt64(min(run.count, 6)), position))
                    m.keys.append(f(.runShape, UInt64(min(run.count, 6)), caps))
                }
                if w.isCapitalised, let others = occurrences[w.lower], others.count > 1 {
                    var used = 0
                    for j32 in others where Int(j32) != i {
                        if used == 4 { break }
                        let j = Int(j32)
                        let range = document.sentences[Int(sentenceOf[j])]
                        let pj = j > range.lowerBound ? words[j - 1].lower : FeatureExtractor.sentenceStart
                        let nj = j + 1 < range.upperBound ? words[j + 1].lower : FeatureExtractor.sentenceEnd
                        m.keys.append(f(.contextElsewherePrev, pj))
                        m.keys.append(f(.contextElsewhereNext, nj))
                        if !clusterIDs.isEmpty {
                            let pc = j > range.lowerBound ? UInt64(clusterIDs[j - 1].1) : FeatureExtractor.sentenceStart
                            let nc = j + 1 < range.upperBound ? UInt64(clusterIDs[j + 1].1) : FeatureExtractor.sentenceEnd
                            m.keys.append(f(.clusterElsewherePrev, pc))
                            m.keys.append(f(.clusterElsewhereNext, nc))
                        }
                        used += 1
                    }
                }
                if !clusterIDs.isEmpty {
                    let c = clusterIDs[i]
                    let pc = i > sentence.lowerBound ? UInt64(clusterIDs[i - 1].1) : FeatureExtractor.sentenceStart
                    let nc = i + 1 < sentence.upperBound ? UInt64(clusterIDs[i + 1].1) : FeatureExtractor.sentenceEnd
                    m.keys.append(f(.cluster64, UInt64(c.0)))
                    m.keys.append(f(.cluster256, UInt64(c.1)))
                    m.keys.append(f(.cluster1024, UInt64(c.2)))
                    m.keys.append(f(.clusterPrev, pc))
                    m.keys.append(f(.clusterNext, nc))
                    m.keys.append(f(.clusterPrevCur, pc, UInt64(c.1)))
                    m.keys.append(f(.clusterCurNext, UInt64(c.1), nc))
                }
                if !vectorIDs.isEmpty {
                    if let v = vectorIDs[i] {
                        m.keys.append(f(.vectorCoarse, v.0))
                        m.keys.append(f(.vectorMiddle, v.1))
                        m.keys.append(f(.vectorFine, v.2))
                    } else {
                        m.keys.append(f(.vectorUnknown, w.shortShape))
                    }
                    let pv = i > sentence.lowerBound ? vectorIDs[i - 1]?.1 ?? FeatureExtractor.none : FeatureExtractor.sentenceStart
                    let nv = i + 1 < sentence.upperBound ? vectorIDs[i + 1]?.1 ?? FeatureExtractor.none : FeatureExtractor.sentenceEnd
                    m.keys.append(f(.vectorPrev, pv))
                    m.keys.append(f(.vectorNext, nv))
                }
                m.offsets.append(Int32(m.keys.count))
            }
        }
        return m
    }

    private func isQuoteOrBracket(_ words: [WordInfo], _ i: Int) -> Bool {
        let w = words[i]
        return !w.flags.contains(.hasLetter) && !w.flags.contains(.hasDigit)
    }

    /// For each token, the run of capitalised words (joined by "of", "and", ...) it belongs to.
    private func capitalisedRuns(_ words: [WordInfo], _ sentence: Range<Int>) -> [Range<Int>] {
        var runs = [Range<Int>](repeating: 0..<0, count: sentence.count)
        var i = sentence.lowerBound
        while i < sentence.upperBound {
            guard words[i].isCapitalised else { i += 1; continue }
            var end = i + 1
            while end < sentence.upperBound {
                if words[end].isCapitalised { end += 1; continue }
                if end + 1 < sentence.upperBound, FeatureExtractor.connectors.contains(words[end].lower),
                   words[end + 1].isCapitalised {
                    end += 2; continue
                }
                break
            }
            for j in i..<end { runs[j - sentence.lowerBound] = i..<end }
            i = end
        }
        return runs
    }
}
