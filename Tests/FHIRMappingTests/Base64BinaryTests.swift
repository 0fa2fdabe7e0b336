import Foundation
import Testing

@testable import FHIRMapping

/// `base64Binary` is Foundation's RFC 4648 §4 codec: what the writer emits and what the reverse
/// reader accepts stay as they were when the codec was hand-written.
struct Base64BinaryTests {
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"), ("\u{2713}\u{0}\u{FF}", "4pyTAMO/"),
    ]

    @Test(arguments: vectors)
    func paddedTextDecodesToItsBytes(_ text: String, _ encoded: String) {
        #expect(ResourceReader.base64Binary(encoded) == Array(text.utf8))
        #expect(Data(text.utf8).base64EncodedString() == encoded)
    }

    @Test(arguments: vectors)
    func paddingMayBeLeftOut(_ text: String, _ encoded: String) {
        let bare = String(encoded.prefix { $0 != "=" })
        #expect(ResourceReader.base64Binary(bare) == Array(text.utf8))
    }

    @Test func everyByteValueSurvivesARoundTrip() {
        let bytes = (0...255).map(UInt8.init)
        for count in 0...bytes.count {
            let encoded = Data(bytes.prefix(count)).base64EncodedString()
            #expect(ResourceReader.base64Binary(encoded) == Array(bytes.prefix(count)))
        }
    }

    @Test(arguments: [
        "Zm9v YmFy", "Zm9v\nYmFy", " Zm9v", "Zm9v-_", "Zm9v*mFy", "Zg=a", "Zg==Zg==", "Z", "Zm9vY", "Zg===",
        "====", "Zm9vYmFy\u{0}",
    ])
    func anythingElseIsRefused(_ encoded: String) {
        #expect(ResourceReader.base64Binary(encoded) == nil)
    }
}
