import ChoreoModel
@testable import ChoreoOTLP
import Foundation
import Testing

@Suite("AttributeValue <-> AnyValue")
struct AttributeConversionTests {
    @Test("every model value survives the trip through AnyValue", arguments: Array(Fixtures.allAttributeTypes.values))
    func roundTrip(_ value: AttributeValue) {
        #expect(OTLPAnyValue(value).attributeValue == value)
    }

    static func any(_ value: OTLPAnyValue.OneOf_Value?) -> OTLPAnyValue {
        var any = OTLPAnyValue()
        any.value = value
        return any
    }

    static func array(_ values: [OTLPAnyValue]) -> OTLPAnyValue {
        var array = OTLPArrayValue()
        array.values = values
        return any(.arrayValue(array))
    }

    @Test("values the model has no case for become a JSON-like string")
    func renderings() {
        var list = Opentelemetry_Proto_Common_V1_KeyValueList()
        list.values = [
            kv("a", "x\"y"),
            {
                var k = kv("n", "")
                k.value = Self.any(.intValue(3))
                return k
            }(),
        ]
        #expect(Self.any(.kvlistValue(list)).attributeValue == .string(#"{"a":"x\"y","n":3}"#))
        #expect(Self.any(.bytesValue(Data([1, 2, 3]))).attributeValue == .string("\"AQID\""))
        let mixed = Self.array([Self.any(.intValue(1)), Self.any(.stringValue("two")), Self.any(.boolValue(true))])
        #expect(mixed.attributeValue == .string(#"[1,"two",true]"#))
        let nested = Self.array([Self.array([Self.any(.doubleValue(1.5))]), Self.any(nil)])
        #expect(nested.attributeValue == .string("[[1.5],null]"))
        #expect(Self.any(.stringValue("tab\there\u{1}")).rendered == #""tab\there\u0001""#)
    }

    @Test("homogeneous arrays map to typed cases; an empty array to an empty string array")
    func typedArrays() {
        #expect(Self.array([Self.any(.boolValue(true)), Self.any(.boolValue(false))]).attributeValue == .boolArray([true, false]))
        #expect(Self.array([Self.any(.doubleValue(1)), Self.any(.doubleValue(2))]).attributeValue == .doubleArray([1, 2]))
        #expect(Self.array([]).attributeValue == .stringArray([]))
    }

    @Test("an attribute without a value is left out; a repeated key keeps its last value")
    func unsetAndRepeated() {
        var unset = OTLPKeyValue()
        unset.key = "nothing"
        let list: [OTLPKeyValue] = [unset, kv("k", "first"), kv("k", "last")]
        #expect(list.attributes == ["k": .string("last")])
    }
}
