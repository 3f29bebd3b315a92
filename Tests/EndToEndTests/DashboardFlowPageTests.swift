import ChoreoModel
import ChoreoOTLP
import ChoreoTestSupport
import Foundation
import Testing

/// The dashboard's flow page in headless Chromium while its spans have not arrived.
@Suite(
    "Dashboard flow page before its spans load", .serialized,
    .enabled(if: Chromium.installed != nil, "headless Chromium is not installed (apt-get install -y chromium): dashboard browser tests skipped")
)
struct DashboardFlowPageTests {
    /// The flow page draws the sequence from the flow, then loads the traces' spans for the
    /// waterfall. An arrow clicked in between used to throw (the click handler read the span
    /// index before it existed), so the click did nothing and the page logged an uncaught
    /// ReferenceError. The traces' requests are held back here (never answered), so "in between"
    /// lasts as long as the test needs.
    @Test("an arrow clicked before the spans load says so, and throws nothing")
    func arrowBeforeSpans() async throws {
        let chromium = try #require(Chromium.installed)
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let base = try await harness.startCollector(db: "page.sqlite")
        let id = "PAGE-\(UInt32.random(in: 0...UInt32.max))"
        let start = UInt64(Date().timeIntervalSince1970 * 1e9) - 60_000_000_000
        try await LargeFlowEndToEndTests.send(LargeFlows.spans(id, count: 3, chain: true, base: start), to: base)
        try await LargeFlowEndToEndTests.waitUntilIndexed([id], steps: 3, base: base)

        let page = try await DevToolsPage(chromium: chromium, url: "\(base)/#/flows", workDir: harness.workDir)
        // The app is up (its first view drawn), so what is set below lives in its window.
        try await Self.waitFor(page, "the flow list", "(() => { const v = document.getElementById('view'); return !!v && v.dataset.loaded === 'true'; })()")
        // Trace requests hang; uncaught errors are collected; then the route changes to the flow.
        let armed = try page.evaluate(
            """
            (() => { window.__errors = [];
              window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
              const original = window.fetch;
              window.fetch = (input, init) => String(input).includes('traces/') ? new Promise(() => {}) : original(input, init);
              location.hash = '#/flow/\(id)'; return true; })()
            """)
        #expect(armed as? Bool == true)
        try await Self.waitFor(
            page, "the flow page's arrows",
            """
            (() => { const v = document.getElementById('view');
              return !!v && v.dataset.view === 'flow' && v.dataset.loaded === 'true' && !!document.querySelector('svg.sequence g.arrow'); })()
            """)
        let clicked = try #require(
            try page.evaluate(
                """
                (() => { const spans = document.querySelector('.span-area').textContent;
                  // dispatchEvent runs the listeners, and reports what they throw, before it returns.
                  document.querySelector('svg.sequence g.arrow').dispatchEvent(new MouseEvent('click', { bubbles: true }));
                  return { spans, detail: document.querySelector('.detail-area').textContent, errors: window.__errors }; })()
                """) as? [String: Any])
        #expect((clicked["spans"] as? String)?.contains("Loading spans") == true, "the spans were still loading: \(clicked)")
        #expect((clicked["errors"] as? [String]) == [], "uncaught errors in the page: \(clicked)")
        #expect((clicked["detail"] as? String)?.contains("not loaded") == true, "the detail area: \(clicked)")
    }

    /// Polls `condition` (a JavaScript expression) in the page until it is true, for up to 30 s.
    static func waitFor(_ page: DevToolsPage, _ what: String, _ condition: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            if try page.evaluate(condition) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let seen = try page.evaluate("(() => location.hash + ' ' + (document.getElementById('view') || document.body).outerHTML.slice(0, 600))()")
        Issue.record("\(what) did not appear within 30 s; the page: \(String(describing: seen))")
        throw CancellationError()
    }
}
