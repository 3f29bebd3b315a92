import Hummingbird

/// The web dashboard's routes: `GET /` (the single page) and `GET /ui/**` (its static assets).
///
/// Static files need no token: they hold no data. The page itself calls the query API with the
/// token the user typed. Every response carries a restrictive Content-Security-Policy
/// (`default-src 'self'`, no inline script), `X-Content-Type-Options: nosniff`, an exact
/// content type and an entity tag (`Cache-Control: no-cache`, so a browser revalidates and gets
/// `304 Not Modified` while the file is unchanged).
///
/// Mount it on the collector's router with ``register(on:)``.
public struct DashboardRoutes: Sendable {
    /// The URL path prefix of the static assets.
    public static let assetPrefix = "/ui/"
    /// The files served.
    public let assets: DashboardAssets

    /// Routes serving `assets`; by default the bundled ones (see ``DashboardAssets/locate(environment:)``).
    public init(assets: DashboardAssets = .locate()) {
        self.assets = assets
    }

    /// Adds `GET /` and `GET /ui/**` to a router or router group.
    public func register<Methods: RouterMethods>(on router: Methods) {
        let routes = self
        router.get("/") { request, _ in routes.respond(to: request, assetPath: "index.html") }
        router.get("/ui/**") { request, _ in
            let path = request.uri.path
            guard path.hasPrefix(Self.assetPrefix) else { return routes.notFound() }
            return routes.respond(to: request, assetPath: String(path.dropFirst(Self.assetPrefix.count)))
        }
    }

    /// The response for one asset path (below the asset root), with caching and security headers.
    public func respond(to request: Request, assetPath: String) -> Response {
        guard !assets.files.isEmpty else { return missingAssets() }
        // Asset names never hold percent escapes, so an escaped name is a probe: answer 404.
        guard !assetPath.contains("%"), let asset = assets.asset(at: assetPath) else { return notFound() }
        var headers = Self.securityHeaders
        headers[.eTag] = asset.eTag
        headers[.cacheControl] = "no-cache"
        if request.headers[values: .ifNoneMatch].contains(where: { $0 == asset.eTag || $0 == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    func notFound() -> Response {
        Self.text(.notFound, "not found\n")
    }

    func missingAssets() -> Response {
        Self.text(
            .serviceUnavailable,
            "dashboard assets not found: ship the Choreoscope_ChoreoDashboard.resources directory next to the executable or set CHOREO_DASHBOARD_DIR to its web/ folder\n"
        )
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }
}
