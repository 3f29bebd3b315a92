import ChoreoFlows
import Foundation

/// Reads a flow definition file (`choreo-collector --flow-definition FILE`) at start-up.
public enum FlowDefinitionFile {
    /// The definition in the YAML or JSON file at `path`.
    ///
    /// - Throws: ``FlowDefinitionError`` whose message names the file and what is wrong with it
    ///   (unreadable, not YAML/JSON, an unknown key, a bad duration).
    public static func load(_ path: String) throws -> FlowDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FlowDefinitionError("cannot read the flow definition file '\(path)': \(error.localizedDescription)")
        }
        do {
            return try FlowDefinition(parsing: text)
        } catch let error as FlowDefinitionError {
            throw FlowDefinitionError("flow definition '\(path)': \(error.message)")
        }
    }
}
