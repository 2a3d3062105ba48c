import Foundation
import Testing
@testable import MotCuaCore

/// The dossier's vocabulary as the national portal and the forms read it: status and channel
/// codes, Vietnamese names, and the checks on an applicant's data and a postal address.
@Suite("Dossier vocabulary and data checks")
struct DossierVocabularyTests {
    @Test("National status codes: 1–10, each status one code (processing and approved share 4)")
    func statusCodes() {
        let codes = Dictionary(grouping: DossierStatus.allCases, by: \.nationalCode)
        #expect(Set(codes.keys) == Set(1...10))
        #expect(codes[4].map(Set.init) == [.processing, .approved])
        #expect(codes.filter { $0.key != 4 }.allSatisfy { $0.value.count == 1 })
        #expect(DossierStatus.submitted.nationalCode == 1 && DossierStatus.received.nationalCode == 2 && DossierStatus.returned.nationalCode == 10)
        #expect(Set(DossierStatus.allCases.map(\.vietnameseName)).count == DossierStatus.allCases.count)
        #expect(DossierStatus.allCases.filter(\.isFinal) == [.returned, .refused, .withdrawn, .stopped])
    }

    @Test("Channels: 1 desk, 2 online, 3 by post; return methods have their names")
    func channels() {
        #expect(Channel.allCases.map(\.nationalCode) == [1, 2, 3])
        #expect(Set(ReturnMethod.allCases.map(\.vietnameseName)).count == 3)
        #expect(PostalDirection.allCases.map(\.orderSuffix) == ["THU", "PHAT"])
        #expect(Set(PostalDirection.allCases.map(\.vietnameseName)).count == 2)
    }

    static let valid = Applicant(name: "Nguyễn Văn An", idNumber: "001203004005", phone: "0912345678", email: "an@example.vn", address: "Sông Trí")

    func fields(_ applicant: Applicant) -> [String] { applicant.problems().map(\.field) }

    @Test("A valid applicant has no problems; phones may be written +84")
    func validApplicant() {
        #expect(Self.valid.problems().isEmpty)
        var international = Self.valid
        international.phone = "+84912345678"
        #expect(international.problems().isEmpty)
        international.phone = "02393856000"
        #expect(international.problems().isEmpty, "11 digits: a landline with its area code")
        international.email = nil
        #expect(international.problems().isEmpty)
        international.email = ""
        #expect(international.problems().isEmpty, "an empty e-mail is no e-mail")
    }

    @Test("Each field's problem is named", arguments: [
        ("name", "  ", "applicant.name"), ("name", String(repeating: "a", count: 201), "applicant.name"),
        ("idNumber", "00120300400", "applicant.idNumber"), ("idNumber", "00120300400X", "applicant.idNumber"),
        ("idNumber", "٠٠١٢٠٣٠٠٤٠٠٥", "applicant.idNumber"), ("phone", "912345678", "applicant.phone"),
        ("phone", "1912345678", "applicant.phone"), ("phone", "0912 345 678", "applicant.phone"),
        ("phone", "+8491234567890", "applicant.phone"), ("address", "\t", "applicant.address"),
        ("address", String(repeating: "đ", count: 501), "applicant.address"),
    ])
    func applicantFields(part: String, value: String, field: String) {
        var applicant = Self.valid
        switch part {
        case "name": applicant.name = value
        case "idNumber": applicant.idNumber = value
        case "phone": applicant.phone = value
        default: applicant.address = value
        }
        #expect(fields(applicant) == [field])
    }

    @Test("E-mail: one @ after a name, a dot after it, no space, at most 254 characters", arguments: [
        ("an@example.vn", true), ("a.b+c@x.y.z", true), ("an@localhost", false), ("@example.vn", false), ("an@@example.vn", false),
        ("an @example.vn", false), ("an", false), (String(repeating: "a", count: 250) + "@x.vn", false),
    ])
    func emails(email: String, valid: Bool) {
        var applicant = Self.valid
        applicant.email = email
        #expect(fields(applicant) == (valid ? [] : ["applicant.email"]), "\(email)")
    }

    @Test("Limits count characters, not bytes: 200 Vietnamese letters are a name, 201 are not")
    func characterLimits() {
        var applicant = Self.valid
        applicant.name = String(repeating: "ệ", count: 200)
        #expect(applicant.problems().isEmpty, "400+ bytes, 200 characters")
        applicant.name = String(repeating: "ệ", count: 201)
        #expect(fields(applicant) == ["applicant.name"])
    }

    @Test("Every problem at once, under the given prefix")
    func allProblems() {
        let bad = Applicant(name: "", idNumber: "1", phone: "2", email: "x", address: "")
        #expect(bad.problems(prefix: "owner").map(\.field) == ["owner.name", "owner.idNumber", "owner.phone", "owner.email", "owner.address"])
        #expect(bad.problems().allSatisfy { !$0.reason.isEmpty })
    }

    static let address = PostalAddress(recipient: "Trần Thị Bình", phone: "0912345678", street: "Xóm 2", ward: "xã Kỳ Anh", province: "tỉnh Hà Tĩnh")

    @Test("A postal address: each part required and bounded, a district optional, the phone checked")
    func postalAddresses() {
        #expect(Self.address.problems().isEmpty)
        var address = Self.address
        address.district = "huyện Kỳ Anh"
        #expect(address.problems().isEmpty)
        address.recipient = " "
        address.street = String(repeating: "x", count: 301)
        address.ward = ""
        address.province = String(repeating: "y", count: 201)
        address.district = String(repeating: "z", count: 201)
        address.phone = "123"
        #expect(address.problems().map(\.field) == [
            "postalAddress.recipient", "postalAddress.street", "postalAddress.ward", "postalAddress.province", "postalAddress.district",
            "postalAddress.phone",
        ])
        #expect(address.problems(prefix: "delivery").first?.field == "delivery.recipient")
    }

    @Test("Events have Vietnamese titles for the control sheet, one for each kind")
    func eventTitles() {
        let kinds = DossierEvent.Kind.allCases.filter { ![.postalOrdered, .postalUpdated].contains($0) }
        let titles = kinds.map { DossierEvent(sequence: 1, kind: $0, at: Date(), actor: Actor(id: "a", name: "A", role: .desk, agencyID: "X"), agencyID: "X").vietnameseTitle }
        #expect(Set(titles).count == titles.count)
        #expect(titles.allSatisfy { !$0.isEmpty })
    }
}

/// The lifecycle's refusals as the officer reads them.
@Suite("Refusals in words")
struct DomainErrorTests {
    @Test("Each refusal has an English description for the log and a Vietnamese sentence for the officer")
    func sentences() {
        let errors: [DomainError] = [
            .invalidState(command: "approve", status: .received), .forbidden(command: "stop", reason: "Chỉ lãnh đạo được dừng xử lý."),
            .limitReached(command: "apologize", reason: "Chỉ xin lỗi một lần."),
            .invalid([FieldProblem(field: "reason", reason: "Cần lý do."), FieldProblem(field: "items", reason: "Cần giấy tờ.")]),
        ]
        for error in errors {
            #expect(!error.description.isEmpty && !error.vietnameseDescription.isEmpty)
        }
        #expect(errors[0].description == "'approve' is not allowed while the dossier is received")
        #expect(errors[0].vietnameseDescription.contains("Được tiếp nhận"), "the state's Vietnamese name")
        #expect(errors[1].vietnameseDescription == "Chỉ lãnh đạo được dừng xử lý.")
        #expect(errors[2].description == "'apologize': Chỉ xin lỗi một lần.")
        #expect(errors[3].description == "reason: Cần lý do.; items: Cần giấy tờ.")
        #expect(errors[3].vietnameseDescription == "Cần lý do. Cần giấy tờ.")
    }

    @Test("Every command's name is the API's path word, and each kind has one")
    func commandNames() {
        let names = sampleCommands.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "-" } }, "\(names)")
        #expect(DossierCommand.receive.name == "receive" && DossierCommand.requestFee(amount: 1).name == "request-fee")
    }
}
