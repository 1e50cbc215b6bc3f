import Foundation
import Testing
@testable import ChatDomain
@testable import ChatRealtime
@testable import LiveChat

@Suite("Reading client frames", .timeLimit(.minutes(3)))
struct FlatJSONTests {
    @Test(arguments: [
        #"{"type":"text","content":"hi"}"#,
        #" { "type" : "text" , "content" : "a \"quoted\" \\ slash\/ \n\t é \u00e9 \ud83d\ude00" } "#,
        #"{"is_audio":true,"x":false,"n":null,"num":-12.5e3,"empty":""}"#,
        #"{}"#,
    ])
    func flatObjectsReadAsJSONDecoderReadsThem(text: String) throws {
        let fast = try #require(FlatJSON.object(Array(text.utf8)))
        let reference = try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
        #expect(fast == reference)
    }

    @Test(arguments: [#"{"a":{"b":1}}"#, #"{"a":[1]}"#, #"{"a":1"#, #"{"a":1} x"#, "[1]", "", #"{"a":"\q"}"#, #"{"a":"\u12"}"#, "{\"a\":\"\u{1}\"}"])
    func anythingElseIsLeftToJSONDecoder(text: String) {
        #expect(FlatJSON.object(Array(text.utf8)) == nil)
    }
}
