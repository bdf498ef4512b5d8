import Vapor

/// Every route's method and path, to tell "nothing is here" (404) from "something is here, but not
/// for this method" (405 with `Allow`). Read only when the router found nothing, so a linear look over
/// the routes costs nothing on the way of any answered request.
struct RouteTable: Sendable {
    private let routes: [(method: HTTPMethod, path: [PathComponent])]

    init(_ routes: [Route]) {
        self.routes = routes.map { ($0.method, $0.path) }
    }

    /// The methods `path` answers to, `HEAD` wherever `GET` is; empty when no route has this path.
    func methods(for path: String) -> [HTTPMethod] {
        let components = path.split(separator: "/")
        var found: [HTTPMethod] = []
        for route in routes where Self.matches(route.path, components) && !found.contains(route.method) {
            found.append(route.method)
        }
        if found.contains(.GET), !found.contains(.HEAD) { found.append(.HEAD) }
        return found
    }

    private static func matches(_ pattern: [PathComponent], _ components: [Substring]) -> Bool {
        for (index, part) in pattern.enumerated() {
            switch part {
            case .catchall:
                return components.count > index
            case .anything, .parameter:
                guard index < components.count else { return false }
            case .constant(let text):
                guard index < components.count, components[index] == text else { return false }
            }
        }
        return pattern.count == components.count
    }
}

extension Application {
    private struct RouteTableKey: StorageKey {
        typealias Value = RouteTable
    }

    /// The routes as `configure` registered them.
    var routeTable: RouteTable? {
        get { storage[RouteTableKey.self] }
        set { storage[RouteTableKey.self] = newValue }
    }
}
