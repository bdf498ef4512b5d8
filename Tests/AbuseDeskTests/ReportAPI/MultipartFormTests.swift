import Testing
@testable import AbuseDesk

@Suite struct MultipartFormTests {
    private func parse(_ text: String, boundary: String = "b") throws -> [MultipartForm.Part] {
        try MultipartForm.parse(Array(text.utf8), boundary: boundary)
    }

    @Test func readsPartsWithTheirHeaders() throws {
        let parts = try parse("preamble\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\nworld\r\n--b\r\nContent-Disposition: form-data; name=other\r\n\r\n\r\n--b--\r\n")
        #expect(parts.count == 2)
        #expect(parts[0].disposition.name == "file")
        #expect(parts[0].disposition.filename == "a \"b\".txt")
        #expect(parts[0].header("content-type") == "text/plain")
        #expect(String(decoding: parts[0].body, as: UTF8.self) == "hello\r\nworld")
        #expect(parts[1].disposition.name == "other")
        #expect(parts[1].body.isEmpty)
    }

    @Test func aPartWithoutHeaders() throws {
        let parts = try parse("--b\r\n\r\nbody\r\n--b--")
        #expect(parts.count == 1)
        #expect(parts[0].headers.isEmpty)
        #expect(String(decoding: parts[0].body, as: UTF8.self) == "body")
    }

    @Test(arguments: ["", "no boundary here", "--b", "--b\r\nContent-Disposition: form-data\r\n\r\nunclosed", "--bX\r\n",
                      "--b\r\n\u{80}\u{81}: x\r\n\r\ny\r\n--b--", "--b\r\nNoColon\r\n\r\ny\r\n--b--"])
    func refusesMalformedBodies(text: String) {
        #expect(throws: MultipartForm.Malformed.self) { try parse(text) }
    }

    @Test func neverTrapsOnArbitraryBytes() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [Array("--b".utf8), [13, 10], [13, 10, 13, 10], Array("--".utf8), Array("Content-Disposition: form-data; name=\"file\"".utf8),
                                 [0xC2, 0x83, 0xDD, 0xB3, 0x4D, 0x1C, 0xD5, 0xFF, 0x00], Array(":".utf8), Array(";=\"".utf8)]
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                bytes += pieces.randomElement(using: &generator) ?? []
            }
            _ = try? MultipartForm.parse(bytes, boundary: "b")
        }
    }
}
