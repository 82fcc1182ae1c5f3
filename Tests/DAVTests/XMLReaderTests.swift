import DAV
import Testing

@Suite struct XMLReaderTests {
    static let multistatus = """
        <?xml version="1.0" encoding="utf-8"?>
        <!-- Radicale's answer to a sync-collection REPORT -->
        <multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">
          <response>
            <href>/cw/work/a%20b.ics</href>
            <propstat>
              <prop><getetag>"1c-5e"</getetag><C:calendar-data><![CDATA[BEGIN:VCALENDAR
        END:VCALENDAR
        ]]></C:calendar-data></prop>
              <status>HTTP/1.1 200 OK</status>
            </propstat>
          </response>
          <response><href>/cw/work/gone.ics</href><status>HTTP/1.1 404 Not Found</status></response>
          <sync-token>http://radicale.org/ns/sync/8f1d &amp; &#x263A; &#65;</sync-token>
          <D:empty xmlns:D="DAV:" D:attr='it&apos;s'/>
        </multistatus>
        """

    @Test func aMultistatusIsReadByNamespaceAndName() throws {
        let root = try XMLReader.parse(Self.multistatus)
        #expect(root.namespace == "DAV:" && root.name == "multistatus")
        let responses = root.children("DAV:", "response")
        #expect(responses.count == 2 && responses[0].child("DAV:", "href")?.text == "/cw/work/a%20b.ics")
        let data = responses[0].find([("DAV:", "propstat"), ("DAV:", "prop"), ("urn:ietf:params:xml:ns:caldav", "calendar-data")])
        #expect(data?.text == "BEGIN:VCALENDAR\nEND:VCALENDAR\n")
        #expect(responses[0].find([("DAV:", "propstat"), ("DAV:", "prop"), ("DAV:", "getetag")])?.text == "\"1c-5e\"")
        #expect(root.child("DAV:", "sync-token")?.text == "http://radicale.org/ns/sync/8f1d & ☺ A")
        #expect(root.child("DAV:", "empty")?.attributes["attr"] == "it's")
    }

    @Test(arguments: [
        (#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><a>&lol2;</a>"#, "DOCTYPE"),
        (#"<!DOCTYPE a SYSTEM "file:///etc/passwd"><a>&xxe;</a>"#, "DOCTYPE"),
        ("<a>&xxe;</a>", "not defined"),
        ("<a><b></a>", "closes"),
        ("<a>", "never closed"),
        ("<a></a><b></b>", "after the root"),
        ("text<a/>", "outside the root"),
        ("<x:a></x:a>", "not declared"),
        ("<a b=c></a>", "not quoted"),
        ("<a>&#0;</a>", "not defined"),
        ("<a>&#x110000;</a>", "not defined"),
        ("", "no root element"),
        ("<a><!-- never", "never closed"),
    ])
    func hostileOrBrokenXMLIsAnError(text: String, message: String) {
        #expect {
            _ = try XMLReader.parse(text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func sizeDepthAndCountAreBounded() {
        var limits = XMLReader.Limits()
        limits.maxBytes = 1 << 20
        let huge = [UInt8]("<a>".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20) + [UInt8]("</a>".utf8)
        #expect(throws: XMLError.self) { try XMLReader.parse(huge, limits: limits) }
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLError.self) { try XMLReader.parse(deep) }
        limits.maxElements = 100
        let wide = "<a>" + String(repeating: "<b/>", count: 200) + "</a>"
        #expect(throws: XMLError.self) { try XMLReader.parse(wide, limits: limits) }
    }
}

@Suite struct MultistatusTests {
    @Test func responsesPropertiesAndTheSyncTokenAreRead() throws {
        let status = try Multistatus(try XMLReader.parse(XMLReaderTests.multistatus))
        #expect(status.responses.map(\.href) == ["/cw/work/a%20b.ics", "/cw/work/gone.ics"])
        #expect(status.responses[0].property(Multistatus.dav, "getetag")?.text == "\"1c-5e\"")
        #expect(status.responses[0].property(Multistatus.caldav, "calendar-data") != nil && status.responses[0].status == nil)
        #expect(status.responses[1].status == 404 && status.responses[1].properties.isEmpty)
        #expect(status.syncToken?.hasPrefix("http://radicale.org/ns/sync/8f1d") == true)
    }

    @Test func propertiesInAFailedPropstatAreMissingNotFound() throws {
        let text = """
            <d:multistatus xmlns:d="DAV:"><d:response><d:href>/c/</d:href>
            <d:propstat><d:prop><d:displayname>Work</d:displayname></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
            <d:propstat><d:prop><d:sync-token/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
            </d:response></d:multistatus>
            """
        let response = try #require(try Multistatus(try XMLReader.parse(text)).responses.first)
        #expect(response.property(Multistatus.dav, "displayname")?.text == "Work")
        #expect(response.property(Multistatus.dav, "sync-token") == nil && response.missing.map(\.name) == ["sync-token"])
    }

    @Test(arguments: [
        "<html><body>Login</body></html>", #"<d:multistatus xmlns:d="DAV:"><d:response/></d:multistatus>"#,
        #"<d:error xmlns:d="DAV:"><d:valid-sync-token/></d:error>"#,
    ])
    func anythingButAMultistatusIsAnError(text: String) {
        #expect(throws: XMLError.self) { try Multistatus(try XMLReader.parse(text)) }
    }
}
