import CLibXML2
import ClinicalModel

/// libxml2's global state (character tables, the dictionary mutex) must be set up once, before
/// any thread parses: `xmlInitParser` is not thread-safe. Swift runs a global's initialiser once.
private let libxml2Initialized: Bool = {
    xmlInitParser()
    return true
}()

/// The XML namespaces C-CDA uses, registered for XPath as `cda`, `sdtc` and `xsi`.
enum XMLNamespace {
    static let cda = "urn:hl7-org:v3"
    static let sdtc = "urn:hl7-org:sdtc"
    static let xsi = "http://www.w3.org/2001/XMLSchema-instance"
}

/// What libxml2 reported while parsing: kinds and line numbers only. libxml2's messages can quote
/// the document (an element name, an attribute value), so they are never kept.
final class ParseProblems {
    var fatalLine: Int?
    var namespaceErrorLine: Int?
    var tooDeep = false

    func record(_ error: xmlError) {
        let line = Int(error.line)
        if error.domain == Int32(XML_FROM_NAMESPACE.rawValue) {
            if namespaceErrorLine == nil { namespaceErrorLine = line }
            return
        }
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        if fatalLine == nil { fatalLine = line }
        // libxml2 2.9 reports its nesting limit as an internal error "Excessive depth in document".
        if error.code == Int32(XML_ERR_INTERNAL_ERROR.rawValue), let message = error.message,
            String(cString: message).contains("depth")
        {
            tooDeep = true
        }
    }
}

/// libxml2 calls this for every error of the parse it was set on (`sax->serror`); `userData` is
/// the parser context, whose `_private` points at the `ParseProblems` of that parse.
private let recordParseError: xmlStructuredErrorFunc = { userData, error in
    guard let userData, let error else { return }
    let context = userData.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let problems = context.pointee._private else { return }
    Unmanaged<ParseProblems>.fromOpaque(problems).takeUnretainedValue().record(error.pointee)
}

/// XPath evaluation errors are never printed either.
private let ignoreXPathError: xmlStructuredErrorFunc = { _, _ in }

/// Errors raised outside a parser context (encoding conversion, I/O) go to libxml2's per-thread
/// structured handler, or else are printed to standard error with the offending input bytes
/// ("input conversion failed … bytes 0x.."). This handler drops them: the parse still fails and
/// is reported by position.
private let ignoreContextFreeError: xmlStructuredErrorFunc = { _, _ in }

/// A parsed XML document owned by libxml2 and freed with this object. `XMLNode`s point into it
/// and must not outlive it.
///
/// Parsing is hardened for untrusted input: `XML_PARSE_NONET` (no network), neither
/// `XML_PARSE_NOENT` (entity substitution) nor `XML_PARSE_DTDLOAD` (external subsets), errors
/// and warnings are not printed (`XML_PARSE_NOERROR`, `XML_PARSE_NOWARNING`) but recorded by line
/// through a structured handler, and a document type declaration that declares entities is
/// refused before libxml2 reads it (see `PrologScanner`). `XML_PARSE_COMPACT` stores short text
/// in the nodes themselves (fewer allocations); the tree is only read, never changed.
final class XMLDocument {
    let pointer: xmlDocPtr
    /// A namespace error (an undeclared prefix such as `xsi:`) that libxml2 recovered from.
    let namespaceErrorLine: Int?

    /// - Throws: `documentTooLarge`, `externalEntityRefused`, `entityDeclarationRefused`,
    ///   `xmlNotWellFormed`, `documentTooDeep`, each positioned by line.
    init(parsing bytes: [UInt8], limits: CCDALimits, inputName: String) throws(SourceError) {
        _ = libxml2Initialized
        func failure(_ kind: IssueKind, line: Int?, xpath: String = "/") -> SourceError {
            SourceError(kind, at: .xml(xpath: xpath, line: line), input: inputName)
        }
        guard bytes.count <= limits.maxDocumentBytes else { throw failure(.documentTooLarge, line: nil) }
        guard !bytes.isEmpty, bytes.count <= Int(Int32.max) else { throw failure(.xmlNotWellFormed, line: 1) }
        if let declaration = PrologScanner.scan(bytes) {
            throw failure(
                declaration.external ? .externalEntityRefused : .entityDeclarationRefused, line: declaration.line)
        }
        // Per thread in libxml2, so set on every parse: whichever thread runs it.
        xmlSetStructuredErrorFunc(nil, ignoreContextFreeError)
        guard let context = xmlNewParserCtxt() else { throw failure(.xmlParserUnavailable, line: nil) }
        defer { xmlFreeParserCtxt(context) }
        let problems = ParseProblems()
        context.pointee._private = Unmanaged.passUnretained(problems).toOpaque()
        context.pointee.sax.pointee.serror = recordParseError

        var options =
            XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_COMPACT.rawValue
        // Without XML_PARSE_HUGE libxml2 caps nesting at 256 and a text node at 10 MB (an embedded
        // PDF can be larger). Entities, which HUGE would also unbound, were refused above.
        if limits.maxDepth > 256 || bytes.count > 10_000_000 { options |= XML_PARSE_HUGE.rawValue }
        let parsed: xmlDocPtr? = withExtendedLifetime(problems) {
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    xmlCtxtReadMemory(context, chars.baseAddress, Int32(chars.count), nil, nil, Int32(options))
                }
            }
        }
        guard let document = parsed, context.pointee.wellFormed != 0 else {
            if let parsed { xmlFreeDoc(parsed) }
            throw failure(problems.tooDeep ? .documentTooDeep : .xmlNotWellFormed, line: problems.fatalLine)
        }
        // Defence in depth: no entity may have been declared (the scanner should have refused it).
        if let subset = document.pointee.intSubset, subset.pointee.entities != nil || subset.pointee.pentities != nil {
            xmlFreeDoc(document)
            throw failure(.entityDeclarationRefused, line: nil)
        }
        self.pointer = document
        self.namespaceErrorLine = problems.namespaceErrorLine
        if let deep = Self.firstElement(deeperThan: limits.maxDepth, in: document) {
            throw failure(.documentTooDeep, line: deep.line, xpath: deep.xpath)
        }
    }

    deinit { xmlFreeDoc(pointer) }

    var root: XMLNode? { xmlDocGetRootElement(pointer).map(XMLNode.init) }

    /// The first element (in document order) nested deeper than `limit`, found without recursion.
    private static func firstElement(deeperThan limit: Int, in document: xmlDocPtr) -> XMLNode? {
        guard let root = xmlDocGetRootElement(document) else { return nil }
        var found: XMLNode?
        XMLNode.walk(root) { node, depth in
            if depth > limit { found = XMLNode(node) }
            return found == nil
        }
        return found
    }
}

/// XPath 1.0 over one document with the C-CDA namespaces registered (`cda`, `sdtc`, `xsi`).
///
///     let xpath = XPathContext(document)
///     xpath.nodes("cda:recordTarget/cda:patientRole", from: root)
final class XPathContext {
    private let pointer: xmlXPathContextPtr?
    private let document: XMLDocument

    init(_ document: XMLDocument) {
        self.document = document
        pointer = xmlXPathNewContext(document.pointer)
        guard let pointer else { return }
        xmlXPathRegisterNs(pointer, "cda", XMLNamespace.cda)
        xmlXPathRegisterNs(pointer, "sdtc", XMLNamespace.sdtc)
        xmlXPathRegisterNs(pointer, "xsi", XMLNamespace.xsi)
        pointer.pointee.error = ignoreXPathError
    }

    deinit { if let pointer { xmlXPathFreeContext(pointer) } }

    /// The nodes `expression` selects from `node` (elements only), in document order; empty when
    /// the expression selects nothing or is not valid XPath.
    func nodes(_ expression: String, from node: XMLNode) -> [XMLNode] {
        guard let pointer else { return [] }
        pointer.pointee.node = node.pointer
        guard let result = xmlXPathEvalExpression(expression, pointer) else { return [] }
        defer { xmlXPathFreeObject(result) }
        guard let set = result.pointee.nodesetval, set.pointee.nodeNr > 0, let table = set.pointee.nodeTab else {
            return []
        }
        var nodes: [XMLNode] = []
        nodes.reserveCapacity(Int(set.pointee.nodeNr))
        for index in 0..<Int(set.pointee.nodeNr) {
            if let found = table[index], found.pointee.type == XML_ELEMENT_NODE { nodes.append(XMLNode(found)) }
        }
        return nodes
    }
}
