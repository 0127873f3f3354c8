import Testing
@testable import ArticleReaders

/// Page furniture inside the article container that no class name gives away: captions after images, byline
/// and date-stamp lines, share and comment prompts, related-stories lists; and the prose that only looks like them.
@Suite struct HTMLFurnitureTests {
    private let prose = """
        <p>The council approved the plan for a new dam on Monday, after a year of public hearings and two court cases.</p>
        <p>Work on the foundations starts in the spring, the mayor said, and the dam should be finished within three years.</p>
        <p>Opponents, who say the reservoir will flood farmland, have until the end of the month to lodge an appeal.</p>
        """

    private func paragraphs(_ inner: String) throws -> [String] {
        let html = "<html><head><title>Dam</title></head><body><nav><a href='/'>Home</a></nav><div class='wrap'>\(inner)</div></body></html>"
        return try #require(try ArticleReading.read(ReadInput(bytes: Array(html.utf8), fileName: "p.html")).articles.first).paragraphs
    }

    @Test func bylineAndDateStampLinesAreNotBody() throws {
        let body = try paragraphs("""
            <div class="x1"><p>by Ann Writer</p><p>| November 18, 2019 12:01 PM</p><p>Updated: 18 Nov 2019 9:38 pm</p>
            <p>Monday, November 18, 2019, 04:05 pm PT (07:05 pm ET)</p>\(prose)</div>
            """)
        #expect(body.count == 3)
        #expect(body.first?.hasPrefix("The council approved") == true)
    }

    @Test func promptsCopyrightAndRelatedListsAreNotBody() throws {
        let body = try paragraphs("""
            <div class="x1">\(prose)<p>Sharing is caring!</p><p>Comments (12)</p><p>Copyright @ 2019 Example Media.</p>
            <div class="h3">More Great Example Stories</div><ul><li>Dams are back. <a href="/a">Here is why</a></li>
            <li><a href="/b">The river that ran dry</a></li></ul>
            <p>The council will publish the full plan on its website next week, with the records of the hearings.</p>
            <p>(Reporting by Ann Writer; Editing by Bob Editor)</p><p>Subscribe to Example and stay on top of the news.</p>
            <p>Ann Writer covers the region. Follow her on Twitter @annwriter.</p></div>
            """)
        #expect(body.count == 4)
        #expect(body.last?.hasPrefix("The council will publish") == true)
        for noise in ["Sharing", "Comments", "Copyright", "More Great", "Dams are back", "river that ran dry", "Reporting by",
                      "Subscribe", "Follow her"] {
            #expect(!body.joined().contains(noise), "\(noise)")
        }
    }

    @Test func aShortLineRightAfterAnImageIsItsCaption() throws {
        let body = try paragraphs("""
            <div class="x1"><p>The council approved the plan for a new dam on Monday, after a year of public hearings.</p>
            <div class="img"><img src="dam.jpg" alt=""></div><center><em>The dam site near the village, seen from the hill</em></center>
            <p>Work on the foundations starts in the spring, the mayor said, and the dam should be finished within three years.</p>
            <div class="img"><img src="map.jpg" alt=""></div><h2>What happens next</h2>
            <p>Opponents, who say the reservoir will flood farmland, have until the end of the month to lodge an appeal.</p></div>
            """)
        #expect(!body.joined().contains("dam site near the village"))
        #expect(body.contains("What happens next"))
        #expect(body.count == 4)
    }

    @Test func aSentenceAroundALongLinkIsProse() throws {
        let body = try paragraphs("""
            <div class="x1">\(prose)<p>The earlier plan had been shelved in 2017 but was <a href="/x">re-opened this year after
            the drought that emptied the old reservoir</a>.</p></div>
            """)
        #expect(body.count == 4)
        #expect(body.last?.hasPrefix("The earlier plan had been shelved") == true)
    }

    @Test func proseThatOnlyLooksLikeFurnitureStays() {
        for line in ["By the end of the year, the dam will hold water.", "Comments from the minister were welcome.",
                     "Share prices rose 5% on the news.", "Related talks in May 2019 failed.", "May 5 was the date set.",
                     "Copyright law was not the issue", "Sharing the load: how two towns split the cost"] {
            #expect(FurnitureLines.kind(line) == nil, "\(line)")
        }
        #expect(FurnitureLines.kind("by Ann Writer") == .byline)
        #expect(FurnitureLines.kind("By Ann Writer and Bob de Vries") == .byline)
        #expect(FurnitureLines.kind("Posted: 18 Nov 2019 8:11 pm") == .dateStamp)
        #expect(FurnitureLines.kind("You may also like:") == .relatedHeading)
        #expect(FurnitureLines.kind("Like Loading...") == .prompt)
        #expect(FurnitureLines.kind("We may earn a commission when you buy through affiliate links on this page.") == .appended)
        for line in ["Reporting from the scene, she said the dam was safe.", "Fans follow him on tour across Europe every summer.",
                     "Join the queue, the minister told the farmers."] {
            #expect(FurnitureLines.kind(line) == nil, "\(line)")
        }
    }
}
