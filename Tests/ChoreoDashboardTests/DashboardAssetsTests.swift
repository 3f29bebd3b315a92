import ChoreoDashboard
import Foundation
import Testing

@Suite("Dashboard assets")
struct DashboardAssetsTests {
    @Test(
        "lookups accept plain paths only",
        arguments: [
            ("index.html", true), ("js/app.js", true), ("js/../index.html", false), ("./index.html", false),
            ("js//app.js", false), ("", false), ("js\\app.js", false), ("missing.js", false),
        ])
    func lookup(path: String, found: Bool) {
        let assets = DashboardAssets(files: [
            DashboardAsset(path: "index.html", bytes: Array("<p>".utf8)), DashboardAsset(path: "js/app.js", bytes: Array("1".utf8)),
            DashboardAsset(path: "js\\app.js", bytes: []),
        ])
        #expect((assets.asset(at: path) != nil) == found)
    }

    @Test(
        "content types follow the extension; unknown ones are never executable",
        arguments: [
            ("a.html", "text/html; charset=utf-8"), ("a.JS", "text/javascript; charset=utf-8"), ("a.css", "text/css; charset=utf-8"),
            ("a.svg", "image/svg+xml"), ("a.png", "image/png"), ("a.swift", "application/octet-stream"), ("Makefile", "application/octet-stream"),
        ])
    func contentTypes(path: String, expected: String) {
        #expect(DashboardAsset.contentType(forPath: path) == expected)
    }

    @Test("entity tags change with the content")
    func eTags() {
        let a = DashboardAsset(path: "a.js", bytes: Array("let a = 1".utf8))
        let b = DashboardAsset(path: "a.js", bytes: Array("let a = 2".utf8))
        #expect(a.eTag != b.eTag)
        #expect(a.eTag == DashboardAsset(path: "b.js", bytes: Array("let a = 1".utf8)).eTag)
    }

    @Test("loading a directory skips symbolic links that lead outside it")
    func loadSkipsEscapingLinks() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dash-\(UUID().uuidString)")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("dash-secret-\(UUID().uuidString).txt")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outside)
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("js"), withIntermediateDirectories: true)
        try Data("<!doctype html>".utf8).write(to: root.appendingPathComponent("index.html"))
        try Data("export {}".utf8).write(to: root.appendingPathComponent("js/app.js"))
        try Data("secret".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("leak.txt"), withDestinationURL: outside)
        let assets = try DashboardAssets.load(from: root)
        #expect(Set(assets.files.keys) == ["index.html", "js/app.js"])
    }

    @Test("no dashboard script builds markup from strings (data reaches the DOM as text only)")
    func scriptsNeverParseMarkup() throws {
        let assets = DashboardAssets.locate()
        let scripts = assets.files.values.filter { $0.path.hasSuffix(".js") }
        try #require(scripts.count >= 5, "dashboard scripts not found")
        for script in scripts {
            let text = String(decoding: script.bytes, as: UTF8.self)
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                #expect(!text.contains(sink), "\(script.path) uses \(sink)")
            }
        }
    }
}
