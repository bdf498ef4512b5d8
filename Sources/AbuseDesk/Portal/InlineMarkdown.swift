/// The inline part of CommonMark that the OpenAPI document's descriptions use — code spans between
/// backticks — turned into HTML. Everything else is escaped, so the result is safe to embed unescaped.
enum InlineMarkdown {
    static func html(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "`") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "`"), close > afterOpen else {
                break
            }
            output += escape(rest[..<open])
            output += "<code>" + escape(rest[afterOpen..<close]) + "</code>"
            rest = rest[rest.index(after: close)...]
        }
        return output + escape(rest)
    }

    static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
