import Fluent

/// The merchant features' columns: business admins (`agents.is_admin`), a business's widget
/// settings and retention, and the name and email a visitor gave the pre-chat form. One column per
/// `ALTER TABLE`: SQLite adds one at a time.
struct Migration011MerchantSettings: AsyncMigration {
    private static let columns: [(table: String, field: DatabaseSchema.FieldDefinition)] = [
        (AgentModel.schema, .definition(name: .key("is_admin"), dataType: .bool, constraints: [.required, .sql(.default(false))])),
        (BusinessModel.schema, .definition(name: .key("greeting"), dataType: .string, constraints: [])),
        (BusinessModel.schema, .definition(name: .key("offline_message"), dataType: .string, constraints: [])),
        (BusinessModel.schema, .definition(name: .key("prechat_name"), dataType: .string, constraints: [.required, .sql(.default("off"))])),
        (BusinessModel.schema, .definition(name: .key("prechat_email"), dataType: .string, constraints: [.required, .sql(.default("off"))])),
        (BusinessModel.schema, .definition(name: .key("retention_days"), dataType: .int, constraints: [])),
        (VisitorModel.schema, .definition(name: .key("name"), dataType: .string, constraints: [])),
        (VisitorModel.schema, .definition(name: .key("email"), dataType: .string, constraints: [])),
    ]

    func prepare(on database: any Database) async throws {
        for (table, field) in Self.columns {
            let schema = database.schema(table)
            schema.schema.createFields.append(field)
            try await schema.update()
        }
    }

    func revert(on database: any Database) async throws {
        for (table, field) in Self.columns.reversed() {
            guard case .definition(let name, _, _) = field else { continue }
            let schema = database.schema(table)
            schema.schema.deleteFields.append(name)
            try await schema.update()
        }
    }
}
