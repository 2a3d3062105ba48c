import Foundation
import MotCuaCore
import MotCuaJSON

// The stored and answered forms of a dossier and its events, written member by member in the
// order and with the keys of their synthesized `Encodable` conformances (see `DirectJSON`).
// A property added to one of these types must be added here too: `DirectJSONTests` fails
// otherwise, since its fixtures leave no property empty.

extension Dossier: DirectJSON {
    public func writeJSON(_ o: JSONObject) throws {
        o("id", id)
        o("code", code)
        o("agencyID", agencyID)
        o("currentAgencyID", currentAgencyID)
        o("pendingAgencyID", pendingAgencyID)
        o("agencyTrail", agencyTrail)
        o("procedureCode", procedureCode)
        o("procedureName", procedureName)
        try o("term", term)
        o("channel", channel.rawValue)
        try o("applicant", applicant)
        try o("documents", documents)
        o("returnMethod", returnMethod.rawValue)
        o("status", status.rawValue)
        o("statusBeforePause", statusBeforePause?.rawValue)
        o("intakeSupplementations", intakeSupplementations)
        o("processingSupplementations", processingSupplementations)
        o("missingItems", missingItems)
        try o("submittedAt", submittedAt)
        try o("receivedAt", receivedAt)
        try o("dueAt", dueAt)
        try o("pauses", pauses)
        o("departmentID", departmentID)
        o("handlerID", handlerID)
        o("handlerName", handlerName)
        o("feeAmount", feeAmount)
        try o("approvedAt", approvedAt)
        try o("resultReadyAt", resultReadyAt)
        try o("returnedAt", returnedAt)
        try o("apology", apology)
        o("outcome", outcome?.rawValue)
        o("closingReason", closingReason)
        try o("updatedAt", updatedAt)
        o("version", version)
        o("submissionLevel", submissionLevel)
        try o("postalAddress", postalAddress)
        try o("files", files)
        try o("resultFile", resultFile)
        try o("payment", payment)
        try o("rating", rating)
        try o("nearDueAt", nearDueAt)
        try o("closedAt", closedAt)
        o("processingSeconds", processingSeconds)
        try o("shipments", shipments)
        try o("stepDueAt", stepDueAt)
        o("receivingAgencyID", receivingAgencyID)
        o("returnAgencyID", returnAgencyID)
    }
}

extension DossierEvent: DirectJSON {
    public func writeJSON(_ o: JSONObject) throws {
        o("sequence", sequence)
        o("kind", kind.rawValue)
        try o("at", at)
        try o("actor", actor)
        o("agencyID", agencyID)
        o("note", note)
        o("reason", reason)
        o("items", items)
        o("departmentID", departmentID)
        o("handlerID", handlerID)
        o("handlerName", handlerName)
        o("fromAgencyID", fromAgencyID)
        o("toAgencyID", toAgencyID)
        try o("dueAt", dueAt)
        try o("nearDueAt", nearDueAt)
        o("amount", amount)
        o("returnMethod", returnMethod?.rawValue)
        o("outcome", outcome?.rawValue)
        try o("dossier", dossier)
        try o("files", files)
        try o("resultFile", resultFile)
        try o("resultSignature", resultSignature)
        o("step", step?.rawValue)
        try o("stepDueAt", stepDueAt)
        o("paymentReference", paymentReference)
        o("online", online)
        o("score", score)
        o("workingSeconds", workingSeconds)
        o("comment", comment)
        try o("shipment", shipment)
        try o("postal", postal)
    }
}

extension Actor: DirectJSON {
    public func writeJSON(_ o: JSONObject) throws {
        o("id", id)
        o("name", name)
        o("role", role.rawValue)
        o("agencyID", agencyID)
        o("departmentID", departmentID)
    }
}

extension Applicant: DirectJSON {
    public func writeJSON(_ o: JSONObject) throws {
        o("name", name)
        o("idNumber", idNumber)
        o("phone", phone)
        o("email", email)
        o("address", address)
    }
}

extension DocumentRequirement: DirectJSON {
    public func writeJSON(_ o: JSONObject) throws {
        o("name", name)
        o("originals", originals)
        o("copies", copies)
    }
}
