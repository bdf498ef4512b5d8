/// The kinds of file a report may carry, recognised by their contents, never by their name.
public enum AttachmentKind: String, Sendable, CaseIterable {
    case png, jpeg, gif, webp, pdf, zip, email, json, csv, text

    public static let maximumSize = 10 * 1024 * 1024

    public var mediaType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .pdf: "application/pdf"
        case .zip: "application/zip"
        case .email: "message/rfc822"
        case .json: "application/json"
        case .csv: "text/csv"
        case .text: "text/plain"
        }
    }

    /// The kind stored with this media type, if it is one.
    public init?(mediaType: String) {
        guard let kind = Self.allCases.first(where: { $0.mediaType == mediaType }) else { return nil }
        self = kind
    }

    /// The file name extensions this kind goes by; the first is the one given to a name that has none of them.
    public var extensions: [String] {
        switch self {
        case .png: ["png"]
        case .jpeg: ["jpg", "jpeg", "jpe", "jfif"]
        case .gif: ["gif"]
        case .webp: ["webp"]
        case .pdf: ["pdf"]
        case .zip: ["zip"]
        case .email: ["eml"]
        case .json: ["json"]
        case .csv: ["csv"]
        case .text: ["txt", "text", "log"]
        }
    }

    /// The name a file is stored and downloaded under: its own name without folders, control and format
    /// characters (bidirectional overrides among them, which make `‮gpj.exe` show as `exe.jpg`) or excess
    /// length, ending in an extension of the kind its bytes were recognised as — `evidence.hta` holding
    /// text becomes `evidence.hta.txt`, so that nobody's computer runs it for what its name says.
    public func safeName(_ raw: String?) -> String {
        let base = (raw ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let visible = String(String.UnicodeScalarView(base.unicodeScalars.filter { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: false
            default: true
            }
        })).trimmingWhitespace()
        var name = visible.drop { $0 == "." }.isEmpty ? "attachment" : String(visible.prefix(200))
        let ext = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() }
        if ext.map({ !extensions.contains($0) }) ?? true { name += "." + extensions[0] }
        return name
    }

    /// What a person calls the accepted kinds, for messages.
    public static let acceptedDescription = "images (PNG, JPEG, GIF, WebP), PDF, plain text, CSV, JSON, e-mail messages (.eml) and ZIP archives"

    /// Recognises `bytes`, or answers `nil` for contents that are not accepted.
    public static func detect(_ bytes: some Collection<UInt8>) -> AttachmentKind? {
        let data = Array(bytes)
        guard !data.isEmpty else { return nil }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if data.starts(with: Array("GIF87a".utf8)) || data.starts(with: Array("GIF89a".utf8)) { return .gif }
        if data.count >= 12, data.starts(with: Array("RIFF".utf8)), data[8..<12].elementsEqual("WEBP".utf8) { return .webp }
        if data.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) || data.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        return detectText(data)
    }

    private static func detectText(_ data: [UInt8]) -> AttachmentKind? {
        var body = data[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        // Text may hold tabs, line breaks and form feeds, but no other control characters.
        let allowed: Set<Unicode.Scalar> = ["\t", "\n", "\r", "\u{0C}"]
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && !allowed.contains($0) || $0.value == 0x7F }) else { return nil }
        if looksLikeEmail(text) { return .email }
        if let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "[",
           (try? JSONParser.parse(Array(body), maximumDepth: 512)) != nil {
            return .json
        }
        if looksLikeCSV(text) { return .csv }
        return .text
    }

    /// An RFC 5322 message starts with header fields, among them the ones every message carries.
    private static func looksLikeEmail(_ text: String) -> Bool {
        let head = text.prefix(64 * 1024)
        guard let end = head.range(of: "\r\n\r\n") ?? head.range(of: "\n\n") else { return false }
        let lines = head[..<end.lowerBound].split(omittingEmptySubsequences: true, whereSeparator: \.isNewline)
        var names = Set<String>()
        for line in lines {
            if line.first == " " || line.first == "\t" { continue }  // folded continuation
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  line[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            else { return false }
            names.insert(line[..<colon].lowercased())
        }
        return names.contains("from") && (names.contains("date") || names.contains("received") || names.contains("message-id") || names.contains("subject"))
    }

    /// At least two lines, every non-empty line with the same number of comma-separated fields (two or more).
    private static func looksLikeCSV(_ text: String) -> Bool {
        // The first 100 non-blank lines decide; the rest of a large file is not walked.
        var lines: [Substring] = []
        var rest = text[...]
        while lines.count < 100, !rest.isEmpty {
            let end = rest.firstIndex(where: \.isNewline) ?? rest.endIndex
            let line = rest[..<end]
            if !line.allSatisfy(\.isWhitespace) { lines.append(line) }
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
        }
        guard lines.count >= 2, let first = lines.first else { return false }
        func fields(_ line: Substring) -> Int {
            var count = 1
            var quoted = false
            for character in line {
                if character == "\"" { quoted.toggle() }
                if character == ",", !quoted { count += 1 }
            }
            return count
        }
        let width = fields(first)
        return width >= 2 && lines.allSatisfy { fields($0) == width }
    }
}
