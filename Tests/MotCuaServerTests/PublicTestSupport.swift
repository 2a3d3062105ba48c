import Foundation
import MotCuaCore
@testable import MotCuaServer

/// A part of a multipart/form-data body built by a test.
struct TestPart {
    var name: String
    var filename: String?
    var contentType: String
    var data: Data

    static func json(_ name: String, _ value: Any) -> TestPart {
        TestPart(name: name, filename: nil, contentType: "application/json", data: try! JSONSerialization.data(withJSONObject: value))
    }

    static func text(_ name: String, _ value: String) -> TestPart {
        TestPart(name: name, filename: nil, contentType: "text/plain; charset=utf-8", data: Data(value.utf8))
    }

    static func file(_ name: String, _ filename: String, _ data: Data, type: String = "application/pdf") -> TestPart {
        TestPart(name: name, filename: filename, contentType: type, data: data)
    }
}

enum Fixture {
    /// A PDF-looking file of `size` bytes whose content is unique to `seed`.
    static func pdf(size: Int = 2048, seed: String = UUID().uuidString) -> Data {
        var data = Data("%PDF-1.7\n% \(seed)\n".utf8)
        while data.count < size { data.append(contentsOf: Array("0 obj << /Filler \(data.count) >> endobj\n".utf8)) }
        return data.prefix(size)
    }

    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 7, count: 200)
    /// An ELF executable header, renamed `.pdf` by the tests.
    static let executable = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]) + Data(repeating: 0, count: 500)

    static func multipart(_ parts: [TestPart], boundary: String = "motcua-\(UUID().uuidString)") -> (Data, String) {
        var body = Data()
        for part in parts {
            body.append(Data("--\(boundary)\r\n".utf8))
            var disposition = "Content-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { disposition += "; filename=\"\(filename)\"" }
            body.append(Data("\(disposition)\r\nContent-Type: \(part.contentType)\r\n\r\n".utf8))
            body.append(part.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// An online application for birth registration (1.001193, level 4), with the documents that
    /// apply online: 4 (birth certificate) and 8 (the interactive e-form).
    static func application(level: Int = 4, returnMethod: String = "electronic", phone: String = "0912345678", idNumber: String = "001203004005") -> [String: Any] {
        [
            "procedureCode": "1.001193", "agencyID": TestServer.agencyA, "level": level,
            "applicant": ["name": "Trần Thị Bình", "idNumber": idNumber, "phone": phone, "email": "binh@example.vn", "address": "Phường Sông Trí, Hà Tĩnh"],
            "returnMethod": returnMethod, "notApplicable": [1, 2, 3, 5, 6, 7],
        ]
    }

    static func birthParts(_ application: [String: Any] = application(), size: Int = 2048) -> [TestPart] {
        [
            .json("application", application),
            .file("document-4", "giay-chung-sinh.pdf", pdf(size: size)),
            .file("document-8", "to-khai-dien-tu.png", png, type: "image/png"),
        ]
    }
}

extension TestServer {
    func submit(_ parts: [TestPart], headers: [String: String] = [:]) async throws -> HTTPResult {
        let (body, contentType) = Fixture.multipart(parts)
        return try await request("POST", "/api/v1/public/dossiers", body: body, contentType: contentType, headers: headers)
    }

    func lookup(_ code: String, secret: String?) async throws -> HTTPResult {
        try await request("GET", "/api/v1/public/dossiers/\(code)", headers: secret.map { ["X-Access-Secret": $0] } ?? [:])
    }

    /// Dossiers stored and files in the blob directory: what bad input must leave unchanged.
    func footprint() async throws -> (dossiers: Int, blobs: Int) {
        (try await store.counts().dossiers, blobs.count())
    }
}
