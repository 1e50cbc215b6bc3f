import Foundation
import Testing
@testable import ChatDomain

/// The domain's readers of client input at their edges, without a server (`Sources/ChatDomain/Input/`).
@Suite("Input readers at their edges", .timeLimit(.minutes(3)))
struct InputReadersTests {
    /// Every Unicode decimal digit (`Nd`) that is not ASCII: what `\d` and `Character.isNumber` take.
    static let otherDigits: [Unicode.Scalar] = (0x80...0x10FFFF).compactMap(Unicode.Scalar.init).filter {
        $0.properties.numericType == .decimal
    }

    @Test func noDigitOfAnotherScriptIsANumberOrADate() {
        #expect(Self.otherDigits.count > 600)  // some 68 scripts of ten digits
        for digit in Self.otherDigits {
            let one = String(Character(digit))
            #expect(ASCIIDigits.number(one) == nil && ASCIIDigits.number("1" + one) == nil, "U+\(String(digit.value, radix: 16))")
            #expect(ASCIIDigits.fixed(Array(one.utf8)) == nil)
            #expect(CalendarDay.number("2026-01-0" + one) == nil && CalendarDay.number(one + "026-01-01") == nil)
            #expect(WebOrigin("https://shop.example:8" + one) == nil)
        }
    }

    @Test func numbersAreASCIIDigitsWithoutSignOrLeadingZero() throws {
        #expect(ASCIIDigits.number("0") == 0 && ASCIIDigits.number("1000") == 1000)
        #expect(ASCIIDigits.number("999999999999999999") == 999_999_999_999_999_999)
        for bad in ["", "+5", "-5", "\u{2212}5", "007", "00", "1e3", "1.0", " 5", "5 ", "5\u{0}", "0x10", "1_000", "9999999999999999999",
                    String(repeating: "9", count: 10_000), "\u{FEFF}5"] {
            #expect(ASCIIDigits.number(bad) == nil, "\(bad.prefix(20).debugDescription)")
        }
        #expect(ASCIIDigits.fixed(Array("007".utf8)) == 7)
        #expect(ASCIIDigits.fixed([0xED, 0xA0, 0x80]) == nil)  // a lone surrogate's bytes
        #expect(throws: ChatError.self) { try ASCIIDigits.parameter("0", field: "limit", in: 1...10) }
        #expect(try ASCIIDigits.parameter(nil, field: "limit", in: 1...10) == nil)
    }

    @Test func datesAreRealGregorianDaysFrom1970() {
        #expect(CalendarDay.number("1970-01-01") == 0)
        #expect(CalendarDay.number("2000-03-01") == 11_017)
        #expect(CalendarDay.number("2024-02-29") == Reports.dayNumber(of: Date(timeIntervalSince1970: 1_709_164_800)))
        #expect(CalendarDay.number("9999-12-31") == 2_932_896)
        for bad in ["2026-02-29", "2100-02-29", "2026-04-31", "2026-00-10", "2026-01-00", "1969-12-31", "2026-1-01", "2026/01/01",
                    "2026-01-01 ", "+026-01-01", "2026-01-01\u{0}", ""] {
            #expect(CalendarDay.number(bad) == nil, "\(bad.debugDescription)")
        }
        // Every day of four years reads back as its text.
        for day in 20_000..<21_461 { #expect(CalendarDay.number(Reports.dayText(day)) == day) }
    }

    @Test func queriesDecodeStrictly() {
        #expect(QueryString.value(of: "limit", in: "a=1&limit=%31%32&limit=9") == "12")
        #expect(QueryString.value(of: "q", in: "q=a+b%20c") == "a b c")
        #expect(QueryString.value(of: "q", in: "q=%EF%BB%BF1") == "\u{FEFF}1")  // kept, then refused by the number reader
        for broken in ["q=%", "q=%4", "q=%zz", "q=%ED%A0%80", "q=%C3"] { #expect(QueryString.value(of: "q", in: broken) == nil, "\(broken)") }
        #expect(QueryString.value(of: "q", in: "q") == "" && QueryString.value(of: "q", in: "&&=&") == nil)
        #expect(QueryString.value(of: "q", in: "q=" + String(repeating: "%41", count: 10_000))?.count == 10_000)
    }

    @Test func originsAreSchemeHostAndPort() {
        #expect(WebOrigin("https://shop.example")?.description == "https://shop.example")
        #expect(WebOrigin("HTTP://Shop.Example:80")?.description == "http://shop.example")
        #expect(WebOrigin("https://shop.example:8443")?.description == "https://shop.example:8443")
        #expect(WebOrigin("http://[::1]:3000")?.description == "http://[::1]:3000")
        #expect(WebOrigin("http://192.168.0.1")?.description == "http://192.168.0.1")
        #expect(WebOrigin("https://shop.example/", allowingTrailingSlash: true)?.description == "https://shop.example")
        for bad in ["https://shop.example/", "https://shop.example/a", "https://shop.example?x", "https://shop.example#x", "https://u@shop.example",
                    "https://", "https://:80", "https://shop.example:0", "https://shop.example:65536", "https://shop.example:080",
                    "https://*.shop.example", "https://shop_example.com", "https://shop.example.", "https://1.2.3", "http://256.1.1.1",
                    "http://01.1.1.1", "http://[::1", "http://[1:::2]", "http://[g::1]", "https://shöp.example", "https://ｓｈｏｐ.example",
                    "https://shop.example\u{0}", "null", "file://x", "https://" + String(repeating: "a", count: 64) + ".example"] {
            #expect(WebOrigin(bad, allowingTrailingSlash: false) == nil, "\(bad.debugDescription)")
        }
    }

    @Test func mailboxesFollowRFC5321sCommonForm() {
        #expect(Mailbox.normalized(" First.Last+tag@Mail.Example.co ") == "first.last+tag@mail.example.co")
        #expect(Mailbox.normalized("a!#$%&'*+-/=?^_`{|}~@x.io") != nil)
        #expect(Mailbox.normalized(String(repeating: "a", count: 64) + "@x.io") != nil)
        for bad in ["a@<script>.com", "<svg/onload=alert(1)>@x.com", "\"a\"@x.com", "a@[127.0.0.1]", "a@x", "a@.x.com", "a@x.com.",
                    "a.@x.com", ".a@x.com", "a..b@x.com", "a b@x.com", "a@b@x.com", "é@x.com", "a@x\u{0}.com",
                    String(repeating: "a", count: 65) + "@x.io", "a@" + String(repeating: "b.", count: 130) + "io"] {
            #expect(Mailbox.normalized(bad) == nil, "\(bad.prefix(40).debugDescription)")
        }
    }

    @Test func headerParametersFollowRFC7578And2231() throws {
        let quoted = try #require(HeaderValue(#"form-data; name="file"; filename="report; final.pdf""#))
        #expect(quoted.value == "form-data" && quoted["name"] == "file" && quoted["filename"] == "report; final.pdf")
        #expect(HeaderValue(#"form-data; name="a\"b\\c""#)?["name"] == #"a"b\c"#)
        #expect(HeaderValue("attachment; filename=\"fallback\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf")?["filename"] == "résumé.pdf")
        #expect(HeaderValue("attachment; filename*=iso-8859-1'en'%E9t%E9.txt")?["filename"] == "été.txt")
        #expect(HeaderValue("form-data; name*0=\"par\"; name*1=\"t\"")?["name"] == "part")
        #expect(HeaderValue("Multipart/Form-Data; Boundary=AbC")?["boundary"] == "AbC")
        #expect(HeaderValue("application/json; charset=UTF-8")?.isJSON == true)
        #expect(HeaderValue("application/json; charset=latin1")?.isJSON == false)
        for bad in [#"form-data; name="unterminated"#, "form-data; name=a; name=b", "form-data; name*1=x", "form-data; =x", "form-data; name",
                    "form-data; filename*=UTF-8''%ZZ", "form-data; filename*=koi8-r''x", "form-data name=x",
                    "", ";", "form-data; filename*=UTF-8''%FF"] {
            #expect(HeaderValue(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test func aMultipartBodyReadsTheSameInAnyChunks() throws {
        let body = Array(("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhello\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"file\";\r\n filename=\"a; b.pdf\"\r\n\r\n%PDF-1.4 \r\n--Xy not yet\r\n"
            + "--XyZ--\r\nepilogue").utf8)
        for size in [1, 2, 3, 5, 7, 16, body.count] {
            var form = try #require(UploadFormReader(contentType: "multipart/form-data; boundary=XyZ", limit: 1000))
            var file: [UInt8] = []
            var start = 0
            while start < body.count {
                form.feed(body[start..<min(start + size, body.count)]) { file += $0; return true }
                start += size
            }
            #expect(form.finish() && form.fields == ["message": "hello"] && form.fileName == "a; b.pdf", "chunks of \(size)")
            #expect(String(decoding: file, as: UTF8.self) == "%PDF-1.4 \r\n--Xy not yet", "chunks of \(size)")
        }
        #expect(UploadFormReader(contentType: "multipart/form-data; boundary=\"\"", limit: 10) == nil)
        #expect(UploadFormReader(contentType: "multipart/form-data", limit: 10) == nil)
        #expect(UploadFormReader(contentType: "text/plain; boundary=x", limit: 10) == nil)
    }
}
