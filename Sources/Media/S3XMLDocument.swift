import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// S3's XML answers are flat: top-level fields (`IsTruncated`, `UploadId`, an error's `Code`)
/// and one repeated element (`Contents`, `Upload`) of fields of its own. This reads both; the
/// callers give them meaning.
struct S3XMLDocument {
    var fields: [String: String] = [:]
    var items: [[String: String]] = []

    /// Nil when the body is not XML (a proxy's error page, a cut-off body).
    static func parse(_ body: Data, items name: String = "") -> S3XMLDocument? {
        let reader = Reader(itemName: name)
        let parser = XMLParser(data: body)
        parser.delegate = reader
        guard parser.parse() else { return nil }
        return reader.document
    }

    private final class Reader: NSObject, XMLParserDelegate {
        let itemName: String
        var document = S3XMLDocument()
        var current: [String: String]?
        var text = ""

        init(itemName: String) { self.itemName = itemName }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if name == itemName { current = [:] }
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard current != nil else {
                document.fields[name] = text
                return
            }
            if name == itemName {
                document.items.append(current!)
                current = nil
            } else if current![name] == nil {
                // An item's own fields come before nested ones of the same name (`Owner`'s `ID`).
                current![name] = text
            }
        }
    }
}
