import AbuseDeskCore
import Foundation

/// A strict reader of `multipart/form-data` bodies (RFC 7578) that never traps on what it is sent.
///
/// Uploads come from anyone; the reader checks every index it uses and refuses malformed input with
/// a reason instead of guessing.
struct MultipartForm {
    struct Part {
        /// Header names in lower case.
        var headers: [(name: String, value: String)]
        var body: ArraySlice<UInt8>

        func header(_ name: String) -> String? {
            headers.first { $0.name == name }?.value
        }

        /// The `name` and `filename` parameters of `Content-Disposition: form-data`.
        var disposition: (name: String?, filename: String?) {
            guard let value = header("content-disposition") else { return (nil, nil) }
            let parameters = MultipartForm.parameters(of: value)
            return (parameters["name"], parameters["filename"])
        }
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static let maximumParts = 32
    static let maximumHeaderBytes = 8 * 1024

    static func parse(_ body: [UInt8], boundary: String) throws -> [Part] {
        guard !boundary.isEmpty, boundary.utf8.count <= 200 else { throw Malformed(description: "the boundary is empty or too long") }
        let delimiter = Array("--\(boundary)".utf8)
        // The first delimiter may start the body or follow a preamble and a line break.
        guard var position = find(delimiter, in: body, from: 0), position == 0 || body[..<position].suffix(2).elementsEqual([13, 10]) else {
            throw Malformed(description: "the body does not contain the boundary")
        }
        let separator = [13, 10] + delimiter
        var parts: [Part] = []
        while true {
            position += delimiter.count
            if body[position...].starts(with: [45, 45]) { return parts }  // "--": the closing delimiter
            // Transport padding (spaces and tabs) may follow a delimiter before its line break.
            while position < body.count, body[position] == 32 || body[position] == 9 { position += 1 }
            guard body[position...].starts(with: [13, 10]) else { throw Malformed(description: "a boundary is not followed by a line break") }
            position += 2
            let headers: [(name: String, value: String)]
            let contentStart: Int
            if body[position...].starts(with: [13, 10]) {
                headers = []  // no headers: the empty line comes at once
                contentStart = position + 2
            } else {
                guard let headerEnd = find([13, 10, 13, 10], in: body, from: position), headerEnd - position <= maximumHeaderBytes else {
                    throw Malformed(description: "a part's headers do not end with an empty line")
                }
                headers = try parseHeaders(body[position..<headerEnd])
                contentStart = headerEnd + 4
            }
            guard let contentEnd = find(separator, in: body, from: contentStart) else {
                throw Malformed(description: "a part is not closed by the boundary")
            }
            parts.append(Part(headers: headers, body: body[contentStart..<contentEnd]))
            guard parts.count <= maximumParts else { throw Malformed(description: "the body has more than \(maximumParts) parts") }
            position = contentEnd + 2
        }
    }

    private static func parseHeaders(_ bytes: ArraySlice<UInt8>) throws -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for line in bytes.split(separator: 10, omittingEmptySubsequences: true) {
            let text = line.last == 13 ? line.dropLast() : line[...]
            guard let colon = text.firstIndex(of: 58), colon != text.startIndex,
                  text[..<colon].allSatisfy({ $0 > 32 && $0 < 127 }),
                  let value = String(validating: text[text.index(after: colon)...], as: UTF8.self)
            else { throw Malformed(description: "a part has a malformed header line") }
            headers.append((String(decoding: text[..<colon], as: UTF8.self).lowercased(), value.trimmingWhitespace()))
        }
        return headers
    }

    /// `form-data; name="file"; filename="a b.png"` → `["name": "file", "filename": "a b.png"]`.
    static func parameters(of value: String) -> [String: String] {
        var parameters: [String: String] = [:]
        var rest = Substring(value)
        // Skip the disposition type.
        guard let firstSemicolon = rest.firstIndex(of: ";") else { return [:] }
        rest = rest[rest.index(after: firstSemicolon)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == ";" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var parameterValue = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        parameterValue.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        parameterValue.append(character)
                    }
                }
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                parameterValue = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            parameters[key] = parameterValue
        }
        return parameters
    }

    /// The first position of `needle` in `haystack` at or after `start`, by Knuth–Morris–Pratt: linear in
    /// the haystack whatever its bytes, so that a body made to look almost like its boundary everywhere
    /// costs no more than any other.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, needle.count <= haystack.count - min(start, haystack.count) else { return nil }
        var fallback = [Int](repeating: 0, count: needle.count)
        var length = 0
        for index in 1..<max(1, needle.count) {
            while length > 0, needle[index] != needle[length] { length = fallback[length - 1] }
            if needle[index] == needle[length] { length += 1 }
            fallback[index] = length
        }
        var matched = 0
        for index in start..<haystack.count {
            let byte = haystack[index]
            while matched > 0, byte != needle[matched] { matched = fallback[matched - 1] }
            if byte == needle[matched] { matched += 1 }
            if matched == needle.count { return index - needle.count + 1 }
        }
        return nil
    }
}
