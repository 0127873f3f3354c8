import Foundation
import TestSupport
import Testing
@testable import ArticleReaders
import Extraction
import NewsCore

@Suite struct HTMLReaderTests {
    static let page = """
        <!DOCTYPE html>
        <html lang="en-GB"><head>
        <meta charset="utf-8">
        <title>Storm closes ports | Example News</title>
        <meta property="og:title" content="Storm closes three ports on the east coast">
        <meta property="article:published_time" content="2024-02-03T08:15:00+00:00">
        <link rel="canonical" href="https://news.example/storm-ports">
        <script type="application/ld+json">
        {"@context": "https://schema.org", "@graph": [
          {"@type": "WebPage", "name": "page"},
          {"@type": "NewsArticle", "headline": "Storm closes three ports", "datePublished": "2024-02-03T08:00:00Z",
           "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Tom Lee"}]}]}
        </script>
        <script>var tracking = "not text";</script>
        </head><body>
        <header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
        <div class="layout">
          <article class="story">
            <h1>Storm closes three ports</h1>
            <div class="byline">By Ana Ruiz and Tom Lee</div>
            <div class="story-body">
              <p>A winter storm closed three ports on the east coast on Saturday, stranding ferries, cargo ships and hundreds of passengers.</p>
              <p>Winds reached 120 km/h overnight, the weather service said, and waves of up to nine metres were recorded offshore.</p>
              <div class="ad-slot">Advertisement</div>
              <p>Port authorities said they expected to reopen on Sunday afternoon, once inspections of the harbour walls were complete.</p>
              <div class="related-links"><h3>Related</h3><ul><li><a href="/a">Earlier storm damage in the north of the country</a></li>
              <li><a href="/b">Ferry operators warn of delays all week long</a></li></ul></div>
            </div>
          </article>
          <aside class="sidebar"><h2>Most read</h2><p>Something else entirely that people are reading today, at length.</p></aside>
        </div>
        <section id="comments"><p>Comment: this is terrible, I was stuck on the ferry for six hours with no food at all.</p></section>
        <footer><p>Copyright Example News, all rights reserved, registered in England.</p></footer>
        </body></html>
        """

    @Test func pageGivesBodyWithoutNavigationAdsRelatedCommentsOrFooter() throws {
        let result = try ArticleReading.read(ReadInput(bytes: Array(Self.page.utf8), fileName: "storm.html"))
        #expect(result.format == "html")
        let article = try #require(result.articles.first)
        #expect(article.paragraphs.count == 3)
        #expect(article.paragraphs.first?.hasPrefix("A winter storm closed three ports") == true)
        #expect(article.paragraphs.last?.hasPrefix("Port authorities said") == true)
        for noise in ["Home", "Advertisement", "Earlier storm damage", "Most read", "Comment:", "Copyright", "tracking"] {
            #expect(!article.text.contains(noise), "\(noise)")
        }
    }

    @Test func metadataComesFromJSONLDOpenGraphAndTheHead() throws {
        let article = try #require(try ArticleReading.read(ReadInput(bytes: Array(Self.page.utf8), fileName: "storm.html")).articles.first)
        #expect(article.headline == "Storm closes three ports")  // JSON-LD NewsArticle before og:title and <title>
        #expect(article.byline == "Ana Ruiz, Tom Lee")
        #expect(article.date?.iso == "2024-02-03")
        #expect(article.timestamp == "2024-02-03T08:00:00Z")
        #expect(article.language == "en-GB")
        #expect(article.guid == "https://news.example/storm-ports")
    }

    @Test func aPageWrappedInAFormStillGivesItsArticle() throws {
        let inner = Self.page.components(separatedBy: "<body>")[1].components(separatedBy: "</body>")[0]
        let wrapped = "<html><head><title>Storm</title></head><body><form id=\"aspnetForm\" method=\"post\">" + inner
            + "<form class=\"newsletter\"><p>Sign up for our daily newsletter, the best of the news every morning.</p></form></form></body></html>"
        let article = try #require(try ArticleReading.read(ReadInput(bytes: Array(wrapped.utf8), fileName: "f.html")).articles.first)
        #expect(article.paragraphs.count == 3)
        #expect(!article.text.contains("Sign up"))
    }

    @Test func aPageRenderedByJavaScriptFallsBackToTheJSONLDArticleBody() throws {
        let page = """
            <html><head><title>JS page</title><script type="application/ld+json">{"@type": "NewsArticle", "headline": "Rendered later",
            "articleBody": "First paragraph of the article, which the page renders with JavaScript.\\n\\nSecond paragraph, long enough to matter."}
            </script></head><body><div id="app"><p>Loading the article, please wait a moment or two.</p></div></body></html>
            """
        let article = try #require(try ArticleReading.read(ReadInput(bytes: Array(page.utf8), fileName: "js.html")).articles.first)
        #expect(article.headline == "Rendered later")
        #expect(article.paragraphs == ["First paragraph of the article, which the page renders with JavaScript.",
                                       "Second paragraph, long enough to matter."])
    }

    @Test func aSpentDeadlineFailsTheReadAsATimeout() {
        do {
            _ = try ArticleReading.read(ReadInput(bytes: Array(Self.page.utf8), fileName: "storm.html"),
                                        deadline: Deadline(uptimeNanoseconds: 0))
            Issue.record("read past its deadline")
        } catch {
            #expect(error.format == "html")
            #expect(error.reason.contains("timeout"))
        }
    }

    @Test func titleLosesItsSiteNameWhenNothingBetterExists() {
        #expect(PageMetadata.stripSiteName("Storm closes three ports on the coast | Example News") == "Storm closes three ports on the coast")
        #expect(PageMetadata.stripSiteName("Short | Example") == "Short | Example")
    }

    @Test func shingleScoreFollowsTheBenchmarkDefinition() {
        let perfect = ShingleScore.score(predicted: "The cat sat on the mat.", truth: "the CAT sat on the mat")
        #expect(perfect.f1 == 1)
        // 5 truth shingles; the prediction has 2 of them plus 1 of its own.
        let partial = ShingleScore.score(predicted: "a b c d e x", truth: "a b c d e f g h")
        #expect(abs(partial.precision - 2.0 / 3.0) < 1e-9)
        #expect(abs(partial.recall - 2.0 / 5.0) < 1e-9)
        #expect(ShingleScore.score(predicted: "", truth: "").f1 == 1)
        #expect(ShingleScore.score(predicted: "", truth: "some words here now").f1 == 0)
        #expect(ShingleScore.tokens("Zürich's 2,5 km_h") == ["zürich", "s", "2", "5", "km_h"])
    }

    /// Guards the body extraction against regressions on both halves of the article-extraction pages (the split
    /// of `newsinbox eval html --split`: dev when the id's first hex digit is even). Measured at the commit that
    /// added this guard: dev F1 0.9922 (30 pages, the rules were chosen on these), held-out F1 0.9793 (31 pages,
    /// not tuned on); the guards sit a little below so unrelated platform differences don't trip them.
    @Test func bothHalvesStayAboveTheMeasuredLevel() throws {
        let root = Corpora.root.appendingPathComponent("article-html")
        let data = try Requirement.value(try? Data(contentsOf: root.appendingPathComponent("ground-truth.json")), Corpora.absent("article-html"))
        let truth = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        var totals = (dev: 0.0, heldout: 0.0), counts = (dev: 0, heldout: 0)
        for (id, entry) in truth {
            let bytes = try [UInt8](Data(contentsOf: root.appendingPathComponent("html/\(id).html.gz")))
            let predicted = (try? ArticleReading.read(ReadInput(bytes: bytes, fileName: "\(id).html.gz")))?.articles.first?.text ?? ""
            let f1 = ShingleScore.score(predicted: predicted, truth: entry["articleBody"] as? String ?? "").f1
            if (id.first?.hexDigitValue ?? 0) % 2 == 0 { totals.dev += f1; counts.dev += 1 } else { totals.heldout += f1; counts.heldout += 1 }
        }
        let dev = totals.dev / Double(max(counts.dev, 1)), heldout = totals.heldout / Double(max(counts.heldout, 1))
        print("article-html: dev F1 \(dev) over \(counts.dev) pages, held-out F1 \(heldout) over \(counts.heldout) pages")
        #expect(counts.dev == 30 && counts.heldout == 31)
        #expect(dev >= 0.985)
        #expect(heldout >= 0.975)
    }
}
