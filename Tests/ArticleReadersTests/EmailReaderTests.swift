import Testing
@testable import ArticleReaders

@Suite struct EmailReaderTests {
    private func read(_ message: String) throws -> Article {
        let result = try ArticleReading.read(ReadInput(bytes: Array(message.utf8), fileName: "mail.eml"))
        #expect(result.format == "email")
        return try #require(result.articles.first)
    }

    @Test func multipartAlternativePrefersPlainText() throws {
        let article = try read("""
            From: "Desk, News" <desk@example.com>\r
            To: inbox@example.com\r
            Subject: =?UTF-8?Q?Caf=C3=A9_prices_rise?= =?UTF-8?B?IGFnYWlu?=\r
            Date: Tue, 5 Mar 2024 09:30:00 +0100\r
            Message-ID: <abc.123@example.com>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/alternative; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain; charset=ISO-8859-1\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Prices in caf=E9s rose by 5% in Febru=\r
            ary.\r
            \r
            A second paragraph.\r
            --b1\r
            Content-Type: text/html; charset=UTF-8\r
            \r
            <p>HTML version</p>\r
            --b1--\r
            """)
        #expect(article.headline == "Café prices rise again")
        #expect(article.paragraphs == ["Prices in cafés rose by 5% in February.", "A second paragraph."])
        #expect(article.byline == "Desk, News")
        #expect(article.date?.iso == "2024-03-05")
        #expect(article.timestamp == "2024-03-05T09:30:00+01:00")
        #expect(article.guid == "abc.123@example.com")
    }

    @Test func htmlOnlyAlternativeFallsBackToTheHTMLPartDecodedFromBase64() throws {
        let html = "<html><body><p>First paragraph from HTML.</p><p>Second one.</p></body></html>"
        let article = try read("""
            From: wire@example.com
            Subject: HTML only
            Content-Type: multipart/alternative; boundary=xyz

            --xyz
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: base64

            \(base64(Array(html.utf8)))
            --xyz--
            """)
        #expect(article.paragraphs == ["First paragraph from HTML.", "Second one."])
    }

    @Test func attachmentsAreSkippedAndTheSignatureDropped() throws {
        let article = try read("""
            From: a@example.com
            Subject: With attachment
            Content-Type: multipart/mixed; boundary=m

            --m
            Content-Type: application/pdf; name=x.pdf
            Content-Disposition: attachment; filename=x.pdf

            JVBERi0xLjQK
            --m
            Content-Type: text/plain

            The story text.

            --\u{20}
            Jane, desk editor
            --m--
            """)
        #expect(article.paragraphs == ["The story text."])
    }

    @Test func anMboxSeparatorLineIsSkipped() throws {
        let article = try read("From desk@example.com Tue Mar  5 09:30:00 2024\nFrom: desk@example.com\nSubject: Mbox\n\nBody text.\n")
        #expect(article.headline == "Mbox")
        #expect(article.paragraphs == ["Body text."])
    }

    @Test func aMessageWithoutTextFailsNamingEmail() {
        #expect(throws: ReaderError.self) {
            try ArticleReading.read(ReadInput(bytes: Array("From: a@b.c\nSubject: x\nContent-Type: image/png\n\niVBORw0KGgo=\n".utf8), fileName: "m"))
        }
    }

    private func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let chunk = Array(bytes[i..<min(i + 3, bytes.count)])
            let n = (UInt32(chunk[0]) << 16) | (chunk.count > 1 ? UInt32(chunk[1]) << 8 : 0) | (chunk.count > 2 ? UInt32(chunk[2]) : 0)
            for k in 0..<4 {
                out.append(k <= chunk.count ? alphabet[Int((n >> UInt32(18 - 6 * k)) & 63)] : "=")
            }
            i += 3
        }
        return out
    }
}

/// A newsletter's or a mailing list's name before the story's title is not part of the headline.
@Suite struct NewsletterHeadlineTests {
    private func headline(_ headers: String) throws -> String {
        let message = headers + "\r\nContent-Type: text/plain\r\n\r\nThe central bank held rates on Thursday.\r\n"
        return try #require(try ArticleReading.read(ReadInput(bytes: Array(message.utf8), fileName: "m.eml")).articles.first).headline
    }

    @Test func theSendersNameAndASeparatorAreCut() throws {
        #expect(try headline("From: Morning Briefing <briefing@example.com>\r\nSubject: Morning Briefing: Rates held as inflation eases") == "Rates held as inflation eases")
        #expect(try headline("From: \"The Week\" <news@example.com>\r\nSubject: The Week | Rates held") == "Rates held")
        #expect(try headline("From: Markets Daily <md@example.com>\r\nSubject: Markets Daily \u{2013} Rates held") == "Rates held")
    }

    @Test func aListTagAndTheListsNameAreCut() throws {
        #expect(try headline("From: desk@example.com\r\nList-Id: \"Econ Wire\" <econ.example.com>\r\nSubject: [econ] Econ Wire: Rates held") == "Rates held")
        #expect(try headline("From: desk@example.com\r\nSubject: [econ-wire] Rates held") == "Rates held")
    }

    @Test func titlesThatOnlyLookAlikeAreKept() throws {
        // The name is part of the title, not a prefix before a separator.
        #expect(try headline("From: BBC <news@example.com>\r\nSubject: BBC-funded study finds rates matter") == "BBC-funded study finds rates matter")
        #expect(try headline("From: Morning Briefing <b@example.com>\r\nSubject: Morning Briefing") == "Morning Briefing")
        #expect(try headline("From: Jane Doe <jane@example.com>\r\nSubject: Rates held: what it means") == "Rates held: what it means")
        #expect(try headline("From: Jane Doe <jane@example.com>\r\nSubject: [only a tag]") == "[only a tag]")
        // A generic mailbox (news@) is no newsletter name; a word that only starts like a sender's is not it.
        #expect(try headline("From: news@example.com\r\nSubject: Newsom signs the budget: what changes") == "Newsom signs the budget: what changes")
        #expect(try headline("From: Times Desk <desk@example.com>\r\nSubject: Timeshare scams rise: how to spot one") == "Timeshare scams rise: how to spot one")
        #expect(try headline("From: Fwd <fwd@example.com>\r\nSubject: Fwd:") == "Fwd:")
    }

    @Test func forwardAndReplyMarkersAreCutBeforeTheName() throws {
        #expect(try headline("From: Ann Reader <ann@example.org>\r\nSubject: Fwd: Rates held as inflation eases") == "Rates held as inflation eases")
        #expect(try headline("From: Morning Briefing <briefing@example.com>\r\nSubject: FW: Re: Morning Briefing: Rates held") == "Rates held")
        #expect(try headline("From: desk@example.com\r\nList-Id: Econ Wire <econ.example.com>\r\nSubject: Re: [econ] Econ Wire | Rates held") == "Rates held")
    }

    @Test func aNewsletterNamedAfterItsPublisherOrItsAddressIsCut() throws {
        // The newsletter's name starts with the sender's: the whole name goes.
        #expect(try headline("From: The Times <newsletters@thetimes.example>\r\nSubject: The Times Morning Briefing: Rates held") == "Rates held")
        // The sender's display name is longer than the newsletter's own name.
        #expect(try headline("From: Morning Briefing from The Times <mb@example.com>\r\nSubject: Morning Briefing: Rates held") == "Rates held")
        // No display name: the address's mailbox or domain names the newsletter.
        #expect(try headline("From: dailybrief@example.com\r\nSubject: Daily Brief | Rates held") == "Rates held")
        #expect(try headline("From: editor@marketsweekly.example\r\nSubject: Markets Weekly \u{2014} Rates held") == "Rates held")
        #expect(try headline("From: desk@example.com\r\nList-Id: <econwire.lists.example.com>\r\nSubject: Econ Wire: Rates held") == "Rates held")
    }

    @Test func aNewsletterNameAfterTheTitleIsCut() throws {
        #expect(try headline("From: \"The Week\" <news@example.com>\r\nSubject: Rates held as inflation eases | The Week") == "Rates held as inflation eases")
        #expect(try headline("From: Markets Daily <md@example.com>\r\nSubject: Rates held - Markets Daily") == "Rates held")
        // A colon before a name is the name's words, not a sign-off.
        #expect(try headline("From: Jane Doe <jd@example.com>\r\nSubject: Rates held - and why: Jane Doe") == "Rates held - and why: Jane Doe")
    }
}
