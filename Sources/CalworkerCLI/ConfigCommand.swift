import Configuration

enum ConfigCommand {
    static let command = Command(
        name: "config",
        summary: "Print the effective configuration, secrets masked",
        usage: "config",
        details: "Each secret can also be read from a file named by NAME_FILE (container secrets).",
        options: []
    ) { _, context in
        let entries = context.configuration.maskedEntries
        context.emit(entries) {
            var table = Table(headers: ["VARIABLE", "VALUE", "SOURCE"])
            for entry in entries { table.add([entry.name, entry.value.isEmpty ? "(empty)" : entry.value, entry.source]) }
            return table.render()
        }
        return .ok
    }
}
