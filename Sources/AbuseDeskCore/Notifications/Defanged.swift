import Foundation

/// Reported URLs and addresses written so that a mail program does not make them links: `hxxp` for
/// `http` and `[.]` for each dot of the host (the form abuse teams exchange them in). A receipt goes to
/// an address nobody has verified, so what a reporter typed must not become a link in someone's inbox.
public enum Defanged {
    public static func url(_ url: ReportedURL) -> String {
        var text = url.text
        if text.lowercased().hasPrefix("http") { text = "hxxp" + text.dropFirst(4) }
        let host = url.host.description
        guard let range = text.range(of: "://" + host) else { return text }
        return text.replacingCharacters(in: range, with: "://" + dots(host))
    }

    public static func address(_ address: IPAddress) -> String {
        address.family == .v4 ? dots(address.description) : address.description
    }

    /// What a receipt lists of a target.
    public static func target(_ target: ReportTarget) -> String {
        switch target.source {
        case .ip(let address, let port): port.map { "\(Self.address(address)) port \($0)" } ?? Self.address(address)
        case .url(let url): Self.url(url)
        }
    }

    private static func dots(_ text: String) -> String {
        text.replacingOccurrences(of: ".", with: "[.]")
    }
}
