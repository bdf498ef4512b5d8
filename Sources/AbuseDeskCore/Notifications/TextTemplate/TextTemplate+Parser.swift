extension TextTemplate {
    /// Turns a template's source into nodes, partials included.
    struct Parser {
        let partials: [String: String]

        /// How deeply partials may include partials; deeper means they include each other in a circle.
        static let maximumDepth = 8

        private enum Tag {
            case variable([String])
            case open([String], inverted: Bool)
            case close([String])
            case partial(String)
            case comment

            /// Whether a line holding only this tag is removed whole, its line break included.
            var standsAlone: Bool {
                if case .variable = self { false } else { true }
            }
        }

        /// A section being read: where it opened and the nodes before it.
        private struct OpenSection {
            var path: [String]
            var inverted: Bool
            var line: Int
            var outer: [Node]
        }

        func parse(_ source: String, depth: Int) throws(SyntaxError) -> [Node] {
            var nodes: [Node] = []
            var open: [OpenSection] = []
            var cursor = source.startIndex
            var pending = Substring()

            func flush() {
                if !pending.isEmpty { nodes.append(.text(String(pending))) }
                pending = Substring()
            }

            while let start = source.range(of: "{{", range: cursor..<source.endIndex) {
                let line = source.utf8[..<start.lowerBound].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
                var contentStart = start.upperBound
                let triple = source[contentStart...].first == "{"
                if triple { contentStart = source.index(after: contentStart) }
                guard let end = source.range(of: triple ? "}}}" : "}}", range: contentStart..<source.endIndex) else {
                    throw SyntaxError(line: line, problem: "a tag opened with {{ is never closed")
                }
                let tag = try Self.tag(source[contentStart..<end.lowerBound], triple: triple, line: line)
                pending = source[cursor..<start.lowerBound]
                cursor = end.upperBound

                // A tag alone on its line takes the line with it; a partial's text is indented like the tag.
                var indentation = Substring()
                if tag.standsAlone, let whole = Self.lineAround(start.lowerBound..<end.upperBound, in: source) {
                    indentation = source[whole.start..<start.lowerBound]
                    pending = pending.dropLast(indentation.count)
                    cursor = whole.next
                }
                flush()

                switch tag {
                case .variable(let path):
                    nodes.append(.variable(path))
                case .open(let path, let inverted):
                    open.append(OpenSection(path: path, inverted: inverted, line: line, outer: nodes))
                    nodes = []
                case .close(let path):
                    guard let section = open.popLast() else {
                        throw SyntaxError(line: line, problem: "{{/\(path.joined(separator: "."))}} closes no section")
                    }
                    guard section.path == path else {
                        throw SyntaxError(line: line, problem: "{{/\(path.joined(separator: "."))}} closes the section "
                                          + "\(section.path.joined(separator: ".")) opened on line \(section.line)")
                    }
                    let children = Self.merged(nodes)
                    nodes = section.outer
                    nodes.append(.section(path, children, inverted: section.inverted))
                case .partial(let name):
                    guard let partial = partials[name] else {
                        throw SyntaxError(line: line, problem: "there is no partial named \(name)")
                    }
                    guard depth < Self.maximumDepth else {
                        throw SyntaxError(line: line, problem: "the partial \(name) includes itself, directly or through others")
                    }
                    nodes += try parse(Self.indent(partial, by: indentation), depth: depth + 1)
                case .comment:
                    break
                }
            }
            pending = source[cursor...]
            flush()
            if let unclosed = open.last {
                throw SyntaxError(line: unclosed.line, problem: "the section \(unclosed.path.joined(separator: ".")) is never closed")
            }
            return Self.merged(nodes)
        }

        private static func tag(_ content: Substring, triple: Bool, line: Int) throws(SyntaxError) -> Tag {
            var body = content
            let sigil = triple ? nil : body.first.flatMap { "#^/>!&".contains($0) ? $0 : nil }
            if sigil != nil { body = body.dropFirst() }
            if sigil == "!" { return .comment }
            if let other = body.first, !triple, "%=".contains(other) {
                throw SyntaxError(line: line, problem: "{{\(content)}}: pragmas and delimiter changes are not understood here; "
                                  + "remove the tag (values are always written as plain text, unescaped)")
            }
            let name = String(body).trimmingWhitespace()
            guard !name.isEmpty else { throw SyntaxError(line: line, problem: "a tag has no name") }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
                throw SyntaxError(line: line, problem: "\(name) is not a name: use letters, digits, \".\", \"_\" and \"-\"")
            }
            if sigil == ">" { return .partial(name) }
            let path = name == "." ? [] : name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !path.contains("") else { throw SyntaxError(line: line, problem: "\(name) has an empty part between its dots") }
            return switch sigil {
            case "#": .open(path, inverted: false)
            case "^": .open(path, inverted: true)
            case "/": .close(path)
            default: .variable(path)
            }
        }

        /// Where the line around `tag` starts and the next begins, when nothing but spaces shares it with the tag.
        private static func lineAround(_ tag: Range<String.Index>, in source: String) -> (start: String.Index, next: String.Index)? {
            // By bytes: "\r\n" is one Character, and a line ends at its "\n".
            let bytes = source.utf8
            let newline = UInt8(ascii: "\n")
            let start = bytes[..<tag.lowerBound].lastIndex(of: newline).map(bytes.index(after:)) ?? bytes.startIndex
            let end = bytes[tag.upperBound...].firstIndex(of: newline)
            guard bytes[start..<tag.lowerBound].allSatisfy(\.isSpaceOrTab),
                  bytes[tag.upperBound..<(end ?? bytes.endIndex)].allSatisfy({ $0.isSpaceOrTab || $0 == UInt8(ascii: "\r") })
            else { return nil }
            return (start, end.map(bytes.index(after:)) ?? bytes.endIndex)
        }

        private static func indent(_ text: String, by indentation: Substring) -> String {
            guard !indentation.isEmpty else { return text }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { indentation + $0 }
            if lines.last == indentation { lines[lines.count - 1] = "" }
            return lines.joined(separator: "\n")
        }

        /// Neighbouring texts joined into one node, as partials leave them.
        private static func merged(_ nodes: [Node]) -> [Node] {
            var result: [Node] = []
            for node in nodes {
                if case .text(let text) = node, case .text(let before)? = result.last {
                    result[result.count - 1] = .text(before + text)
                } else {
                    result.append(node)
                }
            }
            return result
        }
    }
}

private extension UInt8 {
    var isSpaceOrTab: Bool { self == UInt8(ascii: " ") || self == UInt8(ascii: "\t") }
}
