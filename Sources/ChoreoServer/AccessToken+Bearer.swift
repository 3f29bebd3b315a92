extension AccessToken {
    /// The credential of an `Authorization: Bearer <credential>` value (the scheme matched
    /// case-insensitively), or nil when the value is absent or not a bearer credential. HTTP
    /// headers and gRPC `authorization` metadata alike.
    package static func bearerCredential(_ value: String?) -> Substring? {
        guard let value, let space = value.firstIndex(of: " ") else { return nil }
        guard value[..<space].lowercased() == "bearer" else { return nil }
        let credential = value[value.index(after: space)...].drop { $0 == " " }
        return credential.isEmpty ? nil : credential
    }
}
