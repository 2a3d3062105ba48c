import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MotCuaCore
import Testing
@testable import MotCuaServer

/// Reads a GeoReport v2 XML answer into (element path → texts) for checks.
final class XMLCollector: NSObject, XMLParserDelegate {
    var path: [String] = []
    var values: [(String, String)] = []
    var text = ""

    static func read(_ data: Data) -> XMLCollector? {
        let collector = XMLCollector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        return parser.parse() ? collector : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        path.append(name)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        values.append((path.joined(separator: "/"), text))
        path.removeLast()
        text = ""
    }

    func all(_ path: String) -> [String] { values.filter { $0.0 == path }.map(\.1) }
}

@Suite("Open311 GeoReport v2 façade", .serialized)
struct Open311Tests {
    @Test("Services and service definitions in JSON and XML")
    func services() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let json = try await server.request("GET", "/open311/v2/services.json?jurisdiction_id=\(TestServer.agencyA)")
        #expect(json.status == 200 && json.headers["content-type"] == "application/json; charset=utf-8")
        let list = try #require(try JSONSerialization.jsonObject(with: json.body) as? [[String: Any]])
        let birth = try #require(list.first { $0["service_code"] as? String == "1.001193" })
        #expect(Set(birth.keys) == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"])
        #expect(birth["metadata"] as? Bool == true && birth["type"] as? String == "realtime")

        let xml = try await server.request("GET", "/open311/v2/services.xml?jurisdiction_id=\(TestServer.agencyA)")
        #expect(xml.status == 200 && xml.headers["content-type"] == "text/xml; charset=utf-8")
        #expect(xml.text.hasPrefix(#"<?xml version="1.0" encoding="utf-8"?><services><service>"#))
        let parsed = try #require(XMLCollector.read(xml.body))
        #expect(parsed.all("services/service/service_code").count == list.count)
        #expect(parsed.all("services/service/service_code").contains("1.001193"))

        let definition = try await server.request("GET", "/open311/v2/services/1.001193.json").json
        #expect(definition["service_code"] as? String == "1.001193")
        let attributes = try #require(definition["attributes"] as? [[String: Any]])
        #expect(attributes.count == 8 && attributes[0]["order"] as? Int == 1 && attributes[0]["variable"] as? Bool == false)
        let definitionXML = try await server.request("GET", "/open311/v2/services/1.001193.xml")
        let definitionParsed = try #require(XMLCollector.read(definitionXML.body))
        #expect(definitionParsed.all("service_definition/attributes/attribute/code").count == 8)

        let missing = try await server.request("GET", "/open311/v2/services/9.999999.xml")
        #expect(missing.status == 404)
        let errors = try #require(XMLCollector.read(missing.body))
        #expect(errors.all("errors/error/code") == ["404"] && errors.all("errors/error/description").count == 1)
        let unknownJurisdiction = try await server.request("GET", "/open311/v2/services.json?jurisdiction_id=nowhere")
        #expect(unknownJurisdiction.status == 404)
        let errorList = try #require(try JSONSerialization.jsonObject(with: unknownJurisdiction.body) as? [[String: Any]])
        #expect(errorList.first?["code"] as? Int == 404 && errorList.first?["description"] is String)
    }

    @Test("Requests are dossiers: public fields only, filters, both formats")
    func requests() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: "Lê Văn Cường"))
        let code = try #require(filed.json["code"] as? String)
        let online = try await server.submit(Fixture.birthParts())
        let onlineCode = try #require(online.json["code"] as? String)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/refuse", token: desk, json: ["reason": "Không thuộc thẩm quyền"])

        let all = try await server.request("GET", "/open311/v2/requests.json?jurisdiction_id=\(TestServer.agencyA)")
        let list = try #require(try JSONSerialization.jsonObject(with: all.body) as? [[String: Any]])
        #expect(Set(list.compactMap { $0["service_request_id"] as? String }) == [code, onlineCode])
        for request in list {
            #expect(Set(request.keys) == [
                "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
                "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
            ])
        }
        // Never personal data.
        #expect(!all.text.contains("Lê Văn Cường") && !all.text.contains("Trần Thị Bình") && !all.text.contains("0912345678"))
        let closed = try #require(try JSONSerialization.jsonObject(with: try await server.request("GET", "/open311/v2/requests.json?status=closed").body) as? [[String: Any]])
        #expect(closed.map { $0["service_request_id"] as? String } == [code] && closed.first?["status"] as? String == "closed")
        let open = try #require(try JSONSerialization.jsonObject(with: try await server.request("GET", "/open311/v2/requests.json?status=open").body) as? [[String: Any]])
        #expect(open.map { $0["service_request_id"] as? String } == [onlineCode])

        let one = try await server.request("GET", "/open311/v2/requests/\(code).xml")
        let parsed = try #require(XMLCollector.read(one.body))
        #expect(parsed.all("service_requests/request/service_request_id") == [code])
        #expect(parsed.all("service_requests/request/status") == ["closed"])
        #expect(parsed.all("service_requests/request/requested_datetime").first?.hasSuffix("+07:00") == true)
        let byID = try await server.request("GET", "/open311/v2/requests.json?service_request_id=\(onlineCode),\(code)&status=open")
        #expect((try JSONSerialization.jsonObject(with: byID.body) as? [Any])?.count == 2)

        // Outside the window, bad dates and unknown ids answer per the spec.
        let old = try await server.request("GET", "/open311/v2/requests.json?end_date=2025-01-01T00:00:00Z")
        #expect((try JSONSerialization.jsonObject(with: old.body) as? [Any])?.count == 0)
        let badDate = try await server.request("GET", "/open311/v2/requests.xml?start_date=yesterday")
        #expect(badDate.status == 400 && XMLCollector.read(badDate.body)?.all("errors/error/code") == ["400"])
        #expect(try await server.request("GET", "/open311/v2/requests/nothing.json").status == 404)
    }
}

/// The tree Open311's two formats are written from.
@Suite("Open311 documents in JSON and XML")
struct Open311NodeTests {
    typealias Node = Open311Routes.Node

    static let document = Node.list("service_requests", [
        .object("request", [
            ("service_request_id", .text("000.15.01.H42-260302-0001")), ("status", .text("open")), ("zipcode", .null),
            ("priority", .number(2)), ("public", .bool(true)), ("description", .text("Hồ sơ \"khai sinh\" <mới> & 'đúng hạn'\u{1}")),
        ]),
        .object("request", [("service_request_id", .text("b")), ("media", .list("media", []))]),
    ])

    func json(_ node: Node) throws -> String { String(decoding: try APIJSON.writer.encode(node), as: UTF8.self) }

    @Test("JSON keeps the fields' order, writes null, numbers, booleans and escapes, and a root list as a bare array")
    func jsonForm() throws {
        let text = try json(Self.document)
        #expect(text == #"[{"service_request_id":"000.15.01.H42-260302-0001","status":"open","zipcode":null,"priority":2,"public":true,"description":"Hồ sơ \"khai sinh\" <mới> & 'đúng hạn'\u0001"},{"service_request_id":"b","media":[]}]"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2 && parsed?.first?["zipcode"] is NSNull)
    }

    @Test("XML: every value an element, a null an empty one, the five entities escaped and controls dropped")
    func xmlForm() {
        var out = ""
        Self.document.writeXML(to: &out)
        #expect(out.hasPrefix("<service_requests><request><service_request_id>000.15.01.H42-260302-0001</service_request_id>"))
        #expect(out.contains("<zipcode/>"))
        #expect(out.contains("<priority>2</priority><public>true</public>"))
        #expect(out.contains("<description>Hồ sơ &quot;khai sinh&quot; &lt;mới&gt; &amp; &apos;đúng hạn&apos;</description>"))
        #expect(out.contains("<media></media>"))
        #expect(out.hasSuffix("</request></service_requests>"))
        #expect(Node.xmlEscaped("a\tb\nc\u{7}d") == "a\tb\ncd")
    }

    @Test("An error document in both formats")
    func errors() throws {
        let node = Node.list("errors", [.object("error", [("code", .number(404)), ("description", .text("Không tìm thấy"))])])
        #expect(try json(node) == #"[{"code":404,"description":"Không tìm thấy"}]"#)
        var xml = ""
        node.writeXML(to: &xml)
        #expect(xml == "<errors><error><code>404</code><description>Không tìm thấy</description></error></errors>")
    }
}
