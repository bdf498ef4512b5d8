import Testing
@testable import AbuseDeskCore

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#"{"s":"a\"b\\c\n\u00e9\ud83d\ude00","n":-12.5e2,"t":true,"f":false,"z":null,"a":[1,[]],"o":{}}"#)
        #expect(value["s"] == .string("a\"b\\c\né😀"))
        #expect(value["n"] == .number(-1250))
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["z"] == .null)
        #expect(value["a"] == .array([.number(1), .array([])]))
        #expect(value["o"] == .object(JSONObject()))
    }

    @Test func keepsThePropertyOrder() throws {
        let value = try parse(#"{"zeta":1,"alpha":2,"mid":3}"#)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(value.serialized() == #"{"zeta":1,"alpha":2,"mid":3}"#)
    }

    @Test(arguments: [
        ("", "the document ends where a value was expected"),
        ("{", "expected a property name in double quotes"),
        (#"{"a":1,}"#, "expected a property name in double quotes"),
        (#"{"a" 1}"#, "expected ':' after the property name"),
        ("[1 2]", "expected ',' or ']' after an array element"),
        ("01", "numbers must not have leading zeros"),
        ("1.", "expected a digit after the decimal point"),
        ("tru", "expected a value (object, array, string, number, true, false or null)"),
        (#""abc"#, "the string is not closed"),
        (#""\x""#, "invalid escape sequence in a string"),
        (#""\ud800""#, #"a \u escape of a high surrogate must be followed by a low surrogate"#),
        ("\"a\u{01}\"", "control characters must be escaped inside strings"),
        ("{} {}", "unexpected content after the end of the document"),
        (#"{"a":1,"a":2}"#, "the property \"a\" appears more than once"),
        ("1e999", "the number is out of range"),
    ] as [(String, String)])
    func refusesMalformedDocuments(text: String, reason: String) {
        #expect(throws: JSONParser.Failure.self) { try parse(text) }
        do {
            _ = try parse(text)
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = Array(#"{"name":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(bytes) }
    }

    @Test func refusesDeepNesting() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Failure.self) { try parse(deep) }
        let allowed = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(throws: Never.self) { try parse(allowed) }
    }

    @Test func saysWhereTheProblemIs() {
        do {
            _ = try parse("{\n  \"a\": 1,\n  \"b\" 2\n}")
            Issue.record("expected a failure")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 7)
        }
    }

    @Test func serializesWithEscapes() {
        let value: JSONValue = ["text": .string("quote \" slash \\ line\n tab\t bell\u{07} sep\u{2028}"), "n": .number(1.5), "i": .number(3)]
        #expect(value.serialized() == #"{"text":"quote \" slash \\ line\n tab\t bell\u0007 sep\u2028","n":1.5,"i":3}"#)
        let roundTrip = try? JSONParser.parse(Array(value.serialized().utf8))
        #expect(roundTrip == value)
    }

    @Test func serializesEveryScriptAndOnlyTheLineSeparatorsOfUnicode() throws {
        let text = "Grüße 東京 🙂 \u{2029}end\u{E2}\u{80} \u{2027}"
        let value: JSONValue = ["text": .string(text), "list": [.null, true, ["k": "v"]], "": "empty key"]
        #expect(value.serialized() == #"{"text":"Grüße 東京 🙂 \u2029end\#u{E2}\#u{80} \#u{2027}","list":[null,true,{"k":"v"}],"":"empty key"}"#)
        #expect(try JSONParser.parse(value.serializedBytes()) == value)
        #expect(value.serialized(pretty: true) == """
            {
              "text": "Grüße 東京 🙂 \\u2029end\u{E2}\u{80} \u{2027}",
              "list": [
                null,
                true,
                {
                  "k": "v"
                }
              ],
              "": "empty key"
            }
            """)
    }

    @Test(arguments: [3, 40])
    func objectsKeepTheirOrderAndFindEveryKey(size: Int) {
        var object = JSONObject()
        for n in 0..<size { object["k\(n)"] = .number(Double(n)) }
        #expect(object.keys == (0..<size).map { "k\($0)" })
        #expect((0..<size).allSatisfy { object["k\($0)"] == .number(Double($0)) })
        object["k1"] = "replaced"
        #expect(object.keys[1] == "k1" && object["k1"] == "replaced" && object.count == size)
        #expect(!object.insertNew("k0", true) && object["k0"] == 0)
        #expect(object.insertNew("new", true) && object.keys.last == "new")
        object["k0"] = nil
        #expect(object["k0"] == nil && object.count == size)
        #expect((2..<size).allSatisfy { object["k\($0)"] == .number(Double($0)) }, "positions follow a removal")
        #expect(object["new"] == true && object["k1"] == "replaced")
        var reversed = JSONObject()
        for (key, value) in object.reversed() { reversed[key] = value }
        #expect(reversed == object, "equal whatever the order")
        reversed["new"] = false
        #expect(reversed != object)
        #expect(Array(object.map(\.key)) == object.keys)
    }
}

