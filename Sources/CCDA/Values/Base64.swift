import Foundation

/// Base64 of an ED with `representation="B64"`; whitespace and line breaks inside are ignored.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text, options: .ignoreUnknownCharacters).map { Array($0) }
    }
}
