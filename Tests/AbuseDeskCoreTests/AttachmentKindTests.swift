import Testing
@testable import AbuseDeskCore

@Suite struct AttachmentKindTests {
    @Test(arguments: [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], AttachmentKind.png),
        ([0xFF, 0xD8, 0xFF, 0xE0, 0, 16], .jpeg),
        (Array("GIF89a\u{1}\u{0}".utf8), .gif),
        (Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8), .webp),
        (Array("%PDF-1.7\n".utf8), .pdf),
        ([0x50, 0x4B, 0x03, 0x04, 20, 0], .zip),
        (Array("From: a@example.org\r\nTo: b@example.org\r\nSubject: Hi\r\nDate: Mon, 1 Feb 2021 10:00:00 +0000\r\n\r\nBody".utf8), .email),
        (Array("Received: from x\n\tby y\nFrom: a@example.org\nMessage-ID: <1@x>\n\nBody".utf8), .email),
        (Array(#"{"indicator": "203.0.113.9", "seen": [1, 2]}"#.utf8), .json),
        (Array("ip,port,time\n203.0.113.9,22,10:00\n198.51.100.1,22,10:01\n".utf8), .csv),
        (Array("Just some notes about the attack.\nSecond line.".utf8), .text),
        ([0xEF, 0xBB, 0xBF] + Array("bom text".utf8), .text),
    ] as [([UInt8], AttachmentKind)])
    func recognisesContents(bytes: [UInt8], kind: AttachmentKind) {
        #expect(AttachmentKind.detect(bytes) == kind)
    }

    @Test(arguments: [
        [UInt8](),
        [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1],  // ELF executable
        [0x4D, 0x5A, 0x90, 0x00],  // Windows executable
        [0xC3, 0x28, 0x41],  // not UTF-8
        Array("text with a NUL\u{0} inside".utf8),
    ])
    func refusesOtherContents(bytes: [UInt8]) {
        #expect(AttachmentKind.detect(bytes) == nil)
    }

    @Test func theNameDoesNotMatter() {
        // A "picture" that is really plain text is plain text.
        #expect(AttachmentKind.detect(Array("not really a png".utf8)) == .text)
    }
}

@Suite struct TaxonomyTests {
    @Test func loadsTheBundledTaxonomy() throws {
        let taxonomy = Fixtures.taxonomy
        #expect(taxonomy.threatTypes.map(\.name) == ["IP Address", "URL"])
        let ip = try #require(taxonomy.threatType(named: "IP Address"))
        #expect(ip.incidentTypes.count == 7)
        #expect(ip.incidentType(named: "Account Compromise/Unauthorized Access")?.attackMethods.map(\.name)
            == ["Brute Force", "Password Spray", "Dictionary Attack", "Credential Stuffing", "Exploited Vulnerability"])
        let url = try #require(taxonomy.threatType(named: "URL"))
        #expect(url.incidentTypes.map(\.name) == ["Social Engineering", "Malware", "Illegal/Violates the rights of others", "Responsible AI"])
        #expect(url.incidentType(named: "Responsible AI")?.accepts(.reportAPI) == false)
        #expect(url.incidentType(named: "Responsible AI")?.accepts(.portal) == true)
        let everyIncident = taxonomy.threatTypes.flatMap(\.incidentTypes)
        #expect(everyIncident.allSatisfy { !$0.definition.isEmpty && $0.attackMethods.allSatisfy { !$0.definition.isEmpty } })
    }

    @Test func reportTypesFollowTheSpecification() throws {
        let expected: [String: ReportType] = [
            "IP Address/Account Compromise/Unauthorized Access": .network, "IP Address/Denial of Service": .network,
            "IP Address/Network Scanning": .network, "IP Address/Malware": .general, "IP Address/Social Engineering": .phishing,
            "IP Address/Spam": .network, "IP Address/Illegal/Violates the rights of others": .general,
            "URL/Social Engineering": .phishing, "URL/Malware": .general, "URL/Illegal/Violates the rights of others": .general,
            "URL/Responsible AI": .general,
        ]
        for threat in Fixtures.taxonomy.threatTypes {
            for incident in threat.incidentTypes {
                #expect(expected["\(threat.name)/\(incident.name)"] == incident.reportType, "\(threat.name) / \(incident.name)")
            }
        }
    }
}
