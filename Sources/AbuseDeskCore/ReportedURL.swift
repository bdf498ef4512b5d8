/// An absolute http or https URL with a host, as reported: the abusive page, or its target.
public struct ReportedURL: Sendable, Hashable, CustomStringConvertible {
    public enum Host: Sendable, Hashable, CustomStringConvertible {
        case name(HostName)
        case address(IPAddress)

        public var description: String {
            switch self {
            case .name(let name): name.value
            case .address(let address): address.family == .v6 ? "[\(address)]" : address.description
            }
        }
    }

    public static let maximumLength = 2048

    /// The URL as given, normalised (RFC 3986 section 6): scheme and host in lower case, the host in
    /// IDNA A-labels, no default port, escapes of unreserved characters decoded and the others in upper case.
    public let text: String
    public let scheme: String
    public let host: Host
    public let port: Int?

    /// Why `text` is not an acceptable URL; `nil` when it is.
    public static func problem(with text: String) -> String? {
        switch parse(text) {
        case .success: nil
        case .failure(let problem): problem.reason
        }
    }

    public init?(_ text: String) {
        guard case .success(let url) = Self.parse(text) else { return nil }
        self = url
    }

    private init(text: String, scheme: String, host: Host, port: Int?) {
        self.text = text
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    public var description: String { text }

    /// The URL as compared for duplicates: `text` without its fragment (which never reaches the
    /// server), with an empty path written `/`.
    public var canonical: String {
        let withoutFragment = text.firstIndex(of: "#").map { String(text[..<$0]) } ?? text
        let afterScheme = withoutFragment.range(of: "://").map(\.upperBound) ?? withoutFragment.startIndex
        let rest = withoutFragment[afterScheme...]
        guard let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return withoutFragment + "/" }
        return rest[pathStart] == "?" ? String(withoutFragment[..<pathStart]) + "/" + rest[pathStart...] : withoutFragment
    }

    /// `%XX` of an unreserved character (letters, digits, `-._~`) decoded; every other escape in upper case.
    private static func normalisingEscapes(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                let value = high << 4 | low
                let unreserved = (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39)
                    || value == 0x2D || value == 0x2E || value == 0x5F || value == 0x7E
                if unreserved {
                    output.append(value)
                } else {
                    output.append(UInt8(ascii: "%"))
                    bytes[index + 1] = bytes[index + 1] >= UInt8(ascii: "a") ? bytes[index + 1] - 32 : bytes[index + 1]
                    bytes[index + 2] = bytes[index + 2] >= UInt8(ascii: "a") ? bytes[index + 2] - 32 : bytes[index + 2]
                    output.append(bytes[index + 1])
                    output.append(bytes[index + 2])
                }
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    public struct Problem: Error, Sendable {
        public let reason: String
    }

    public static func parse(_ text: String) -> Result<ReportedURL, Problem> {
        func fail(_ reason: String) -> Result<ReportedURL, Problem> { .failure(Problem(reason: reason)) }
        guard text.utf8.count <= maximumLength else {
            return fail("is \(text.utf8.count) characters long; at most \(maximumLength) are allowed")
        }
        guard let schemeEnd = text.range(of: "://") else {
            return fail("must be an absolute URL starting with http:// or https://")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return fail("must use http or https; \"\(scheme)\" is not accepted")
        }
        if text.containsControlCharacter(allowingLineBreaks: false) { return fail("contains a control character") }
        if text.utf8.contains(0x20) { return fail("contains a space; encode it as %20") }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        var hostText = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return fail("has an IPv6 host without its closing ]") }
            hostText = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return fail("has text after the IPv6 host") }
                portText = rest.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostText = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard !hostText.isEmpty else { return fail("has no host") }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard portText.count <= 5, portText.allSatisfy(\.isASCII), let value = Int(portText), (1...65535).contains(value) else {
                return fail("has the port \(quoted(portText)); a port is a number from 1 to 65535")
            }
            port = value
        }
        let host: Host
        if authority.hasPrefix("[") {
            guard let address = IPAddress(hostText), address.family == .v6 else {
                return fail("has \(quoted("[" + hostText + "]")) as its host, which is not an IPv6 address")
            }
            host = .address(address)
        } else if hostText.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard let address = IPAddress(hostText) else {
                return fail("has \(quoted(hostText)) as its host, which is not a valid IPv4 address")
            }
            host = .address(address)
        } else {
            guard let name = HostName(hostText) else {
                return fail("has \(quoted(hostText)) as its host, which is not a valid, fully qualified host name"
                            + (hostText.utf8.count > 253 || hostText.split(separator: ".").contains { $0.utf8.count > 63 }
                               ? " (a label is at most 63 characters, the whole name at most 253)" : ""))
            }
            host = .name(name)
        }
        // The same resource is written one way: the default port left out, escapes of unreserved characters
        // decoded (`%78` is `x`), other escapes in upper case. The fragment stays (see `canonical`).
        if port == (scheme == "https" ? 443 : 80) { port = nil }
        let normalised = scheme + "://" + text[schemeEnd.upperBound..<authority.startIndex] + host.description + (port.map { ":\($0)" } ?? "")
            + normalisingEscapes(text[authorityEnd...])
        return .success(ReportedURL(text: normalised, scheme: scheme, host: host, port: port))
    }
}
