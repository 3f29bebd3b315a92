import ChoreoModel
import Testing

@Suite("W3C tracestate")
struct TraceStateTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var header: String
        var members: [String]  // "key=value" in order
        var testDescription: String { header.debugDescription }
    }

    static let allKeyChars = "abcdefghijklmnopqrstuvwxyz0123456789_-*/"
    static let allValueChars = String(decoding: (0x20...0x7E).filter { $0 != 0x2C && $0 != 0x3D }, as: UTF8.self)

    @Test(
        "parses valid headers into ordered members",
        arguments: [
            Case(header: "", members: []),
            Case(header: "   ", members: []),
            Case(header: ",", members: []),
            Case(header: " , \t ,", members: []),
            Case(header: "foo=1", members: ["foo=1"]),
            Case(header: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", members: ["rojo=00f067aa0ba902b7", "congo=t61rcWkgMzE"]),
            // optional whitespace around members, empty members skipped
            Case(header: "foo=1 \t , \t bar=2, \t baz=3", members: ["foo=1", "bar=2", "baz=3"]),
            Case(header: "foo=1\t \t,\t \tbar=2,\t \tbaz=3", members: ["foo=1", "bar=2", "baz=3"]),
            Case(header: " foo=1", members: ["foo=1"]),
            Case(header: "\tfoo=1", members: ["foo=1"]),
            Case(header: "foo=1 ", members: ["foo=1"]),
            Case(header: "foo=1\t", members: ["foo=1"]),
            Case(header: "\t foo=1 \t", members: ["foo=1"]),
            Case(header: "foo=1,,bar=2,", members: ["foo=1", "bar=2"]),
            Case(header: ",foo=1", members: ["foo=1"]),
            // leading spaces belong to the value
            Case(header: "foo= 1", members: ["foo= 1"]),
            Case(header: "foo=a b", members: ["foo=a b"]),
            // multi-tenant keys (Level 1's tenant-id@system-id is a Level 2 key too)
            Case(header: "tenant@vendor=x", members: ["tenant@vendor=x"]),
            Case(header: "1tenant@v=x", members: ["1tenant@v=x"]),
            Case(header: "\(allKeyChars)@a-z0-9_-*/=\(allValueChars)", members: ["\(allKeyChars)@a-z0-9_-*/=\(allValueChars)"]),
            Case(header: "\(allKeyChars)=\(allValueChars)", members: ["\(allKeyChars)=\(allValueChars)"]),
            // length limits at their edges
            Case(header: String(repeating: "z", count: 256) + "=1", members: [String(repeating: "z", count: 256) + "=1"]),
            Case(
                header: String(repeating: "t", count: 241) + "@" + String(repeating: "v", count: 14) + "=1",
                members: [String(repeating: "t", count: 241) + "@" + String(repeating: "v", count: 14) + "=1"]),
            Case(header: "k=" + String(repeating: "v", count: 256), members: ["k=" + String(repeating: "v", count: 256)]),
        ])
    func parsesValid(_ c: Case) {
        let state = TraceState(c.header)
        #expect(state.members.map { "\($0.key)=\($0.value)" } == c.members)
        #expect(state.isEmpty == c.members.isEmpty)
        #expect(state.headerValue == c.members.joined(separator: ","))
    }

    // Trace Context Level 2 (https://www.w3.org/TR/trace-context-2/), section "key":
    //   key = ( lcalpha / DIGIT ) 0*255 ( keychar )
    //   keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
    @Test(
        "keys follow Level 2: a digit first, '@' anywhere after the first character, up to 256 characters",
        arguments: [
            "1foo", "0", "9tenant@system", "foo@", "foo@@bar", "foo@bar@baz", "foo@1bar",
            String(repeating: "t", count: 242) + "@v", "t@" + String(repeating: "v", count: 15),
            "1" + String(repeating: "@", count: 255), String(repeating: "7", count: 256),
        ])
    func levelTwoKeys(_ key: String) {
        #expect(TraceState.isValidKey(key.utf8))
        #expect(TraceState("\(key)=v").members == [.init(key: key, value: "v")])
        #expect(TraceState().setting(key: key, value: "v").headerValue == "\(key)=v")
    }

    @Test(
        "keys outside the Level 2 grammar are invalid",
        arguments: [
            "FOO", "foo ", "foo.bar", "", "_foo", "@foo", "*foo", "/foo", "-foo", "fo o", "föo", "foo@Bar",
            String(repeating: "z", count: 257), "1" + String(repeating: "@", count: 256),
        ])
    func invalidKeys(_ key: String) {
        #expect(!TraceState.isValidKey(key.utf8))
    }

    // The specification lets a vendor drop a whole tracestate it cannot parse; ours drops only
    // the members that are wrong, and the valid ones keep their order.
    @Test(
        "an invalid member costs only itself; the valid members stay in order",
        arguments: [
            // keys
            "FOO=1", "foo =1", "foo.bar=1", "=1", "_foo=1", "fo o=1", "föo=1", "@foo=1", "foo@Bar=1",
            String(repeating: "z", count: 257) + "=1",
            // values (value = 0*255(chr) nblk-chr)
            "foo=", "foo=bar=baz", "foo=a\tb", "foo=\u{7F}", "foo=é", "foo=a\nb",
            "foo=" + String(repeating: "v", count: 257),
            // a member without '='
            "foo",
        ])
    func invalidMemberCostsOnlyItself(_ bad: String) {
        let state = TraceState("first=1, \(bad) ,last@x=2")
        #expect(state.headerValue == "first=1,last@x=2")
        #expect(TraceState(bad).isEmpty)
    }

    @Test("a repeated key costs only the repeat: the left-most (most recent) copy is kept")
    func duplicateKeys() {
        #expect(TraceState("foo=1,foo=2").headerValue == "foo=1")
        #expect(TraceState("foo=1,bar=2,foo=3,baz=4").headerValue == "foo=1,bar=2,baz=4")
        // An invalid first copy does not hide a valid later one.
        #expect(TraceState("foo=,foo=2").headerValue == "foo=2")
    }

    // Level 1 and 2, section "tracestate Limits": at most 32 list-members; when a list grows
    // beyond that, members are removed from the right.
    @Test("32 members are kept; beyond 32 the right-most are dropped", arguments: [32, 33, 40])
    func memberLimit(_ count: Int) {
        let header = (1...count).map { "bar\($0)=\($0)" }.joined(separator: ", ")
        let state = TraceState(header)
        #expect(state.members.count == min(count, TraceState.maxMembers))
        #expect(state.headerValue == (1...min(count, 32)).map { "bar\($0)=\($0)" }.joined(separator: ","))
    }

    @Test("dropped members do not count toward the limit")
    func droppedMembersDoNotCount() {
        let header =
            (1...40).map { $0.isMultiple(of: 2) ? "k\($0)=v" : "BAD\($0)=v" }.joined(separator: ",")
            + "," + (41...60).map { "k\($0)=v" }.joined(separator: ",")
        let state = TraceState(header)
        #expect(state.members.count == 32)
        #expect(state.members.first?.key == "k2")
        #expect(state.members.last?.key == "k52")
    }

    @Test("empty members do not count toward the limit")
    func emptyMembersDoNotCount() {
        let header = (1...32).map { "k\($0)=v" }.joined(separator: ",,")
        #expect(TraceState(header).members.count == 32)
    }

    @Test("setting inserts a new key at the front")
    func settingInserts() {
        let state = TraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        let updated = state.setting(key: "choreo", value: "abc")
        #expect(updated.headerValue == "choreo=abc,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        #expect(state.headerValue == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
    }

    @Test("setting an existing key updates it and moves it to the front")
    func settingMoves() {
        let state = TraceState("rojo=1,congo=2,other=3")
        let updated = state.setting(key: "congo", value: "9")
        #expect(updated.headerValue == "congo=9,rojo=1,other=3")
        #expect(updated["congo"] == "9")
        #expect(updated.members.count == 3)
    }

    @Test("setting on a full list drops the right-most member")
    func settingFullList() {
        let state = TraceState((1...32).map { "k\($0)=v" }.joined(separator: ","))
        let updated = state.setting(key: "new", value: "x")
        #expect(updated.members.count == 32)
        #expect(updated.members.first == .init(key: "new", value: "x"))
        #expect(updated["k32"] == nil)
        #expect(updated["k31"] == "v")
    }

    @Test(
        "setting an invalid key or value leaves the list unchanged",
        arguments: [
            ("BAD", "v"), ("ok", ""), ("ok", "a,b"), ("ok", "a=b"), ("ok", "trailing "), ("", "v"),
        ])
    func settingInvalid(_ key: String, _ value: String) {
        let state = TraceState("a=1")
        #expect(state.setting(key: key, value: value) == state)
    }

    @Test("removing drops only the named key")
    func removing() {
        let state = TraceState("a=1,b=2,c=3")
        #expect(state.removing(key: "b").headerValue == "a=1,c=3")
        #expect(state.removing(key: "zzz") == state)
    }

    @Test("headerValue parses back to the same list")
    func roundTrip() {
        let state = TraceState().setting(key: "a", value: " x y").setting(key: "t@v", value: "!~")
        #expect(TraceState(state.headerValue) == state)
        #expect(state.description == "t@v=!~,a= x y")
    }

    @Test("subscript finds values by exact key")
    func subscriptLookup() {
        let state = TraceState("foo=1,bar=2")
        #expect(state["foo"] == "1")
        #expect(state["bar"] == "2")
        #expect(state["baz"] == nil)
        #expect(state["FOO"] == nil)
        #expect(state[key: "bar"] == "2")
    }
}
