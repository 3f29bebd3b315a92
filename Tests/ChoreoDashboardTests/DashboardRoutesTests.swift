import ChoreoDashboard
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Dashboard routes")
struct DashboardRoutesTests {
    static let assets = DashboardAssets.locate()

    func withApp(_ assets: DashboardAssets = assets, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router()
        DashboardRoutes(assets: assets).register(on: router)
        try await Application(router: router).test(.router, body)
    }

    @Test("the bundled assets are found and hold the page, the script and the style sheet")
    func bundledAssetsFound() throws {
        let names = Set(Self.assets.files.keys)
        #expect(names.isSuperset(of: ["index.html", "js/app.js", "css/app.css"]), "found: \(names.sorted())")
    }

    @Test("/ serves the page as UTF-8 HTML with a restrictive CSP, nosniff and revalidation headers")
    func rootServesHTML() async throws {
        try await withApp { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp.contains("default-src 'self'"))
                #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(response.headers[.eTag]?.hasPrefix("\"") == true)
                let body = String(buffer: response.body)
                #expect(body.contains("<script type=\"module\" src=\"/ui/js/app.js\"></script>"))
            }
        }
    }

    @Test(
        "assets are served with the content type of their extension",
        arguments: [
            ("/ui/js/app.js", "text/javascript; charset=utf-8"),
            ("/ui/js/views/flow.js", "text/javascript; charset=utf-8"),
            ("/ui/css/app.css", "text/css; charset=utf-8"),
            ("/ui/favicon.svg", "image/svg+xml"),
            ("/ui/index.html", "text/html; charset=utf-8"),
        ])
    func assetContentTypes(path: String, contentType: String) async throws {
        try await withApp { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == contentType)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.contentSecurityPolicy] == DashboardRoutes.contentSecurityPolicy)
                #expect(response.body.readableBytes > 0)
            }
        }
    }

    @Test("an unknown asset is a 404 that still carries nosniff and the CSP")
    func unknownAsset() async throws {
        try await withApp { client in
            try await client.execute(uri: "/ui/js/nope.js", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.contentSecurityPolicy] != nil)
            }
        }
    }

    @Test(
        "no path escapes the asset directory",
        arguments: [
            "/ui/../Package.swift", "/ui/../../Package.swift", "/ui/js/../../Package.swift", "/ui/%2e%2e/Package.swift",
            "/ui/..%2fPackage.swift", "/ui/./index.html", "/ui//index.html", "/ui/..\\Package.swift", "/ui/js/../index.html",
        ])
    func noPathTraversal(path: String) async throws {
        try await withApp { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .notFound, "\(path) answered \(response.status)")
                #expect(!String(buffer: response.body).contains("PackageDescription"))
            }
        }
    }

    @Test("a matching If-None-Match gets 304 Not Modified with no body")
    func conditionalGet() async throws {
        try await withApp { client in
            let eTag = try await client.execute(uri: "/ui/js/app.js", method: .get) { $0.headers[.eTag] }
            let tag = try #require(eTag)
            try await client.execute(uri: "/ui/js/app.js", method: .get, headers: [.ifNoneMatch: tag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/ui/js/app.js", method: .get, headers: [.ifNoneMatch: "\"other\""]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("without assets the page answers 503 with a hint instead of crashing")
    func missingAssets() async throws {
        try await withApp(DashboardAssets(files: [])) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("CHOREO_DASHBOARD_DIR"))
            }
        }
    }
}
