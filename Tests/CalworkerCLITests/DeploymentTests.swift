import CalworkerCLI
import Foundation
import Scheduling
import TestSupport
import Testing

/// What an operator deploys, checked by tests rather than by hope: jobs/, crontab/, docker/
/// and the runbooks' commands.
@Suite struct DeploymentTests {
    static let root = TestEnvironment.packageRoot.path

    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cw-deploy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32?, output: String) {
        let base = try temporaryFolder() + "/run"
        let child = try ChildProcess(
            executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
            stdout: base + ".out", stderr: base + ".err")
        let status = child.wait(timeout: 120)
        return (
            status,
            ((try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "")
                + ((try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
        )
    }

    @Test func theRepositorysJobDefinitionsAreValid() {
        let result = calworker(["jobs", "validate", Self.root + "/jobs"], url: "")
        #expect(result.code == .ok, "\(result.out)\(result.err)")
        for name in ["sync-accounts", "reminders", "alerts", "cleanup", "backup", "thumbnail-sweep"] {
            #expect(result.out.contains("jobs/\(name).json"), "jobs/\(name).json is there")
        }
    }

    @Test(arguments: [
        (#"{"kind": "sync_everything", "schedule": "* * * * *"}"#, "field 'kind'"),
        (#"{"kind": "notify", "args": {"remind": true}, "schedule": "* * * * *"}"#, "field 'args'"),
        (#"{"kind": "noop", "schedule": "*/61 * * * *"}"#, "field 'schedule': minute"),
        (#"{"kind": "noop", "schedule": "0 9 * *"}"#, "field 'schedule'"),
        (#"{"kind": "noop", "shedule": "0 9 * * *"}"#, "field 'shedule'"),
        (#"{"args": {}}"#, "missing field 'kind'"),
        (#"{"kind": "noop", "timeout": "soon"}"#, "field 'timeout'"),
        (#"{"kind": "noop", "max_attempts": 0}"#, "field 'max_attempts'"),
        (#"["noop"]"#, "not a JSON object"),
    ])
    func aBadDefinitionIsNamedByFileAndField(text: String, expected: String) throws {
        let folder = try Self.temporaryFolder()
        try text.write(toFile: folder + "/broken.json", atomically: true, encoding: .utf8)
        try #"{"kind": "noop", "schedule": "@hourly"}"#.write(toFile: folder + "/fine.json", atomically: true, encoding: .utf8)
        let result = calworker(["jobs", "validate", folder], url: "")
        #expect(result.code == .usage)
        #expect(result.err.contains("broken.json") && result.err.contains(expected), "\(result.err)")
        #expect(!result.err.contains("fine.json"))
    }

    /// The settings file cron's lines and the units name goes into both verbatim, so a value that
    /// would break a crontab line or a unit (relative, spaces, quotes, a newline) is refused.
    @Test(arguments: ["calworker.env", "/etc/cal worker.env", "/etc/\"x\".env", "/etc/a\nCALWORKER_X=1", ""])
    func anEnvironmentFileThatWouldBreakTheFilesIsRefused(path: String) {
        let result = calworker(["schedule", "export", "--format", "crontab", "--jobs", Self.root + "/jobs", "--env-file", path], url: "")
        #expect(result.code == .usage && result.out.isEmpty, "\(path.debugDescription): \(result.err)")
        let good = calworker(["schedule", "export", "--format", "crontab", "--jobs", Self.root + "/jobs", "--env-file", "/srv/cw.env"], url: "")
        #expect(good.code == .ok && good.out.contains("\nCALWORKER_ENV_FILE=/srv/cw.env\n"))
    }

    @Test func theCommittedCrontabAndUnitsAreWhatJobsGenerates() throws {
        let folder = try Self.temporaryFolder()
        #expect(calworker(["schedule", "export", "--format", "crontab", "--jobs", Self.root + "/jobs", "--output", folder], url: "").code == .ok)
        #expect(
            calworker(["schedule", "export", "--format", "systemd", "--jobs", Self.root + "/jobs", "--output", folder + "/systemd"], url: "").code
                == .ok)
        let committed = try String(contentsOfFile: Self.root + "/crontab/calworker", encoding: .utf8)
        #expect(
            try String(contentsOfFile: folder + "/calworker", encoding: .utf8) == committed,
            "crontab/calworker drifted from jobs/: run calworker schedule export --format crontab --output crontab")
        let units = try FileManager.default.contentsOfDirectory(atPath: folder + "/systemd").sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: Self.root + "/crontab/systemd").sorted() == units, "the same unit files")
        for unit in units {
            #expect(
                try String(contentsOfFile: folder + "/systemd/" + unit, encoding: .utf8)
                    == String(contentsOfFile: Self.root + "/crontab/systemd/" + unit, encoding: .utf8),
                "crontab/systemd/\(unit) drifted: run calworker schedule export --format systemd --output crontab/systemd")
        }
        #expect(units.contains("calworker-worker.service") && units.contains("calworker-sync-accounts.timer"))
    }

    @Test func systemdAcceptsTheUnitsAndReadsTheTimersAsCronDoes() throws {
        let folder = try Self.temporaryFolder()
        // The built binary in ExecStart: systemd-analyze checks that it exists and is executable.
        #expect(
            calworker(
                [
                    "schedule", "export", "--format", "systemd", "--jobs", Self.root + "/jobs", "--output", folder,
                    "--binary", TestEnvironment.calworkerBinary,
                ], url: ""
            ).code == .ok)
        let units = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { folder + "/" + $0 }
        let verify = try Self.run("/usr/bin/systemd-analyze", ["verify"] + units)
        #expect(verify.status == 0, "systemd-analyze verify: \(verify.output)")
        let worker = try String(contentsOfFile: folder + "/calworker-worker.service", encoding: .utf8)
        for setting in ["User=calworker", "NoNewPrivileges=yes", "ProtectSystem=strict", "Restart=on-failure", "TimeoutStopSec=45"] {
            #expect(worker.contains(setting), "worker unit has \(setting)")
        }
        // Each timer's OnCalendar lines fire when the cron expression does.
        for definition in try JobDefinition.loadAll(directory: Self.root + "/jobs") {
            guard let cron = definition.schedule else { continue }
            let expected = CronSchedule(cron, timeZone: TimeZone(identifier: "UTC")!).fires(
                after: Date(), through: Date().addingTimeInterval(40 * 86_400)
            )
            .prefix(3).map(\.at)
            var systemd: [Date] = []
            for line in SystemdCalendar.onCalendar(cron, timeZone: "UTC") {
                let calendar = try Self.run("/usr/bin/systemd-analyze", ["calendar", "--iterations=3", line])
                #expect(calendar.status == 0, "\(line): \(calendar.output)")
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.timeZone = TimeZone(identifier: "UTC")
                formatter.dateFormat = "EEE yyyy-MM-dd HH:mm:ss 'UTC'"
                systemd += calendar.output.split(separator: "\n").compactMap { text in
                    guard text.contains("Next elapse:") || text.contains("Iter. #") else { return nil }
                    return formatter.date(from: String(text.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces))
                }
            }
            #expect(Array(Set(systemd).sorted().prefix(3)) == expected, "\(definition.name): systemd \(systemd) vs cron \(expected)")
        }
    }

    @Test func everyCommandARunbookNamesExists() throws {
        let folder = Self.root + "/runbooks"
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".md") }
        #expect(
            Set(pages).isSuperset(of: [
                "stuck-jobs.md", "reauth.md", "rate-limits.md", "restore.md", "scaling.md", "key-rotation.md",
                "upgrading.md", "metrics.md",
            ]))
        let known = Set(calworker(["--help"], url: "").out.split(whereSeparator: \.isWhitespace).map(String.init))
        var checked = 0
        for page in pages {
            let text = try String(contentsOfFile: folder + "/" + page, encoding: .utf8)
            // Commands in code: a line of a code block, or inline code, that starts with `calworker`.
            let pattern = try NSRegularExpression(pattern: "(?:^|`|\\$\\(|&& )calworker ([a-z-]+)", options: [.anchorsMatchLines])
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let command = (text as NSString).substring(with: match.range(at: 1))
                #expect(known.contains(command), "runbooks/\(page) names `calworker \(command)`, which is not a command")
                #expect(calworker([command, "--help"], url: "").code == .ok, "calworker \(command) --help")
                checked += 1
            }
        }
        #expect(checked > 20)
    }

    /// The image lists what is in it, with versions, for an operator's scanner: the inventory
    /// step comes after the runtime packages are installed, and its dpkg-query, run here on the
    /// same Debian release, gives a version for every package the runtime stage installs.
    @Test func theImageListsItsPackagesWithVersions() throws {
        let dockerfile = try String(contentsOfFile: Self.root + "/docker/Dockerfile", encoding: .utf8)
        let runtime = try #require(dockerfile.components(separatedBy: "AS runtime").dropFirst().first)
        let inventory = try #require(runtime.range(of: "/usr/share/doc/calworker/packages.txt"), "the runtime stage writes the inventory")
        let install = try #require(runtime.range(of: "apt-get install"))
        #expect(install.lowerBound < inventory.lowerBound, "after the packages are installed")
        #expect(dockerfile.contains("swift-runtime.txt"), "with the Swift runtime the binary carries")
        let format = try #require(runtime.firstMatch(of: /dpkg-query -W -f='([^']+)'/)).1
        let listed = try Self.run("/usr/bin/dpkg-query", ["-W", "-f=" + String(format).replacingOccurrences(of: "\\n", with: "\n")])
        #expect(listed.status == 0)
        let packages = try #require(runtime.firstMatch(of: /--no-install-recommends \\\n\s*([^\\\n]+)/)).1.split(separator: " ")
        #expect(packages.count >= 8, "\(packages)")
        for package in packages {
            #expect(
                listed.output.split(separator: "\n").contains { $0.hasPrefix("deb \(package) ") && $0.split(separator: " ").count == 4 },
                "\(package) is listed with its version")
        }
    }

    @Test func theDockerFilesNameWhatTheBuildHas() throws {
        let dockerfile = try String(contentsOfFile: Self.root + "/docker/Dockerfile", encoding: .utf8)
        // Every COPY from the build context exists; every product built is in Package.swift.
        let manifest = try String(contentsOfFile: Self.root + "/Package.swift", encoding: .utf8)
        for line in dockerfile.split(separator: "\n") where line.hasPrefix("COPY ") && !line.contains("--from") {
            let source = String(line.split(separator: " ")[1])
            #expect(FileManager.default.fileExists(atPath: Self.root + "/" + source), "COPY \(source)")
        }
        for product in ["calworker", "google-emulator"] {
            #expect(dockerfile.contains("--product \(product)") && manifest.contains(".executable(name: \"\(product)\""))
        }
        #expect(
            FileManager.default.fileExists(
                atPath: URL(fileURLWithPath: TestEnvironment.calworkerBinary).deletingLastPathComponent().path
                    + "/calworker_Notify.resources"), "the templates the image copies are a build product")
        #expect(dockerfile.contains("useradd --system --uid 10001") && dockerfile.contains("\nUSER calworker\n"), "runs as an unprivileged user")
        #expect(dockerfile.contains("HEALTHCHECK") && dockerfile.contains(#""healthcheck", "--worker""#))
        #expect(calworker(["healthcheck", "--help"], url: "").code == .ok && calworker(["schedule", "--help"], url: "").code == .ok)
        // The compose file parses, and says what the deployment needs.
        let compose = try Self.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import json, sys, yaml
                doc = yaml.safe_load(open(sys.argv[1]))
                print(json.dumps(doc))
                """, Self.root + "/docker/compose.yaml",
            ])
        #expect(compose.status == 0, "compose.yaml parses: \(compose.output)")
        let parsed = try JSONSerialization.jsonObject(with: Data(compose.output.utf8)) as? [String: Any] ?? [:]
        let services = parsed["services"] as? [String: [String: Any]] ?? [:]
        #expect(Set(services.keys).isSuperset(of: ["postgres", "migrate", "worker", "scheduler", "google-emulator"]))
        let worker = services["worker"] ?? [:]
        let command = worker["command"] as? [String] ?? []
        let grace = command.firstIndex(of: "--grace-period").map { command[$0 + 1] } ?? "30s"
        #expect(
            Self.seconds(worker["stop_grace_period"] as? String ?? "0s") > Self.seconds(grace), "Docker waits longer than the worker's grace period")
        #expect((services["postgres"]?["healthcheck"]) != nil && (services["postgres"]?["volumes"] as? [String])?.isEmpty == false)
        #expect((services["google-emulator"]?["profiles"] as? [String]) == ["dev"])
        #expect((services["scheduler"]?["command"] as? [String]) == ["schedule", "run", "--loop"])
        let secrets = parsed["secrets"] as? [String: Any] ?? [:]
        for (name, service) in services {
            for secret in service["secrets"] as? [String] ?? [] {
                #expect(secrets[secret] != nil, "\(name) uses secret \(secret), which is declared")
            }
            for case let command as [String] in [service["command"]] where service["image"] as? String == "calworker:latest" {
                #expect(calworker([command[0], "--help"], url: "").code == .ok, "\(name): calworker \(command[0])")
            }
        }
        let environment = (services["worker"]?["environment"] as? [String: Any] ?? [:]).keys
        #expect(environment.contains("CALWORKER_DATABASE_URL_FILE") && !environment.contains("CALWORKER_DATABASE_URL"), "secrets come from files")
        let ignore = try String(contentsOfFile: Self.root + "/.dockerignore", encoding: .utf8)
        #expect(ignore.contains(".build") && ignore.contains("docker/secrets"))
    }

    /// Compose's database roles: `migrate` alone holds the owner's URL and grants the role that
    /// initdb.sh creates; workers and the scheduler hold the worker's; only workers the backup's.
    /// (BackupSessionTests and SchemaGrantsTests run the same SQL file against PostgreSQL.)
    @Test func composeConnectsEachServiceAsItsLeastPrivilegedRole() throws {
        let compose = try Self.run(
            "/usr/bin/env",
            [
                "python3", "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                Self.root + "/docker/compose.yaml",
            ])
        let parsed = try JSONSerialization.jsonObject(with: Data(compose.output.utf8)) as? [String: Any] ?? [:]
        let services = parsed["services"] as? [String: [String: Any]] ?? [:]
        func environment(_ name: String) -> [String: String] { services[name]?["environment"] as? [String: String] ?? [:] }
        func secrets(_ name: String) -> Set<String> { Set(services[name]?["secrets"] as? [String] ?? []) }
        let initdb = try String(contentsOfFile: Self.root + "/docker/postgres/initdb.sh", encoding: .utf8)
        let workerRole = try #require(initdb.firstMatch(of: /-v worker=([a-z_]+)/)?.1)
        #expect(services["migrate"]?["command"] as? [String] == ["migrate", "--worker-role", String(workerRole)])
        #expect(
            environment("migrate")["CALWORKER_DATABASE_URL_FILE"] == "/run/secrets/owner_database_url" && secrets("migrate") == ["owner_database_url"]
        )
        for name in ["worker", "scheduler"] {
            #expect(environment(name)["CALWORKER_DATABASE_URL_FILE"] == "/run/secrets/database_url", "\(name) connects as the worker's role")
            #expect(!secrets(name).contains("owner_database_url") && !secrets(name).contains("postgres_password"), "\(name) holds no owner's secret")
        }
        #expect(environment("worker")["CALWORKER_BACKUP_DATABASE_URL_FILE"] == "/run/secrets/backup_database_url")
        #expect(!secrets("scheduler").contains("backup_database_url"), "the scheduler makes no backups")
        let postgres = services["postgres"] ?? [:]
        let mounts = postgres["volumes"] as? [String] ?? []
        #expect(
            mounts.contains { $0.hasPrefix("./postgres/initdb.sh:/docker-entrypoint-initdb.d/") }
                && mounts.contains("./postgres/calworker-roles.sql:/etc/calworker/calworker-roles.sql:ro"))
        for secret in ["db_owner_password", "db_worker_password", "db_backup_password"] {
            #expect(initdb.contains(secret) && secrets("postgres").contains(secret), "\(secret) reaches the init script")
        }
        #expect((environment("postgres")["POSTGRES_USER"]) != "calworker_owner", "the superuser is not the schema's owner")
        // The README's recipe, run: it makes every secret compose declares, and each URL holds its role's password.
        let readme = try String(contentsOfFile: Self.root + "/docker/secrets/README.md", encoding: .utf8)
        let recipe = try #require(readme.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try Self.run("/bin/sh", ["-euc", recipe.replacingOccurrences(of: "cd docker/secrets", with: "cd '\(folder)'")])
        #expect(made.status == 0, "\(made.output)")
        for secret in (parsed["secrets"] as? [String: Any] ?? [:]).keys {
            let text = (try? String(contentsOfFile: folder + "/" + secret, encoding: .utf8)) ?? ""
            #expect(!text.isEmpty, "docker/secrets/README.md makes \(secret)")
        }
        for (url, role) in [("owner_database_url", "owner"), ("database_url", "worker"), ("backup_database_url", "backup")] {
            let password =
                (try? String(contentsOfFile: folder + "/db_\(role)_password", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                ?? "?"
            let text = (try? String(contentsOfFile: folder + "/" + url, encoding: .utf8)) ?? ""
            #expect(
                text == "postgresql://calworker_\(role):\(password)@postgres:5432/calworker" && initdb.contains("\(role)=calworker_\(role)"),
                "\(url): \(text)")
        }
    }

    @Test func theRuntimeImageInstallsEveryLibraryTheBinaryLinks() throws {
        let dockerfile = try String(contentsOfFile: Self.root + "/docker/Dockerfile", encoding: .utf8)
        let runtime = dockerfile.components(separatedBy: "AS runtime")[1].components(separatedBy: "COPY --from")[0]
        let installed = Set(
            runtime.components(separatedBy: "--no-install-recommends")[1].components(separatedBy: "&&")[0]
                .split(whereSeparator: { $0.isWhitespace || $0 == "\\" }).map(String.init))
        // What the binary needs directly (NEEDED), minus the Swift runtime, which the image's
        // release build links statically (--static-swift-stdlib), and what Debian's base has.
        let elf = try Self.run("/usr/bin/readelf", ["-d", TestEnvironment.calworkerBinary])
        let needed = elf.output.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("(NEEDED)"), let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        }
        #expect(needed.contains { $0.hasPrefix("libpq") } && needed.contains { $0.hasPrefix("libvips") })
        let swiftRuntime = ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libXCTest", "libTesting"]
        let base: Set<String> = ["libc6", "libgcc-s1", "libstdc++6"]
        var packages: [String: String] = [:]
        for library in needed where !swiftRuntime.contains(where: library.hasPrefix) {
            let owner = try Self.run("/usr/bin/dpkg", ["-S", "*/" + library])
            let package = owner.output.split(separator: ":").first.map(String.init) ?? "?"
            packages[library] = package
        }
        for (library, package) in packages where !base.contains(package) {
            #expect(installed.contains(package), "the binary links \(library) from \(package), which the runtime image does not install")
        }
        // And nothing is installed for no reason: each is linked, or a tool the jobs run.
        let tools: Set<String> = ["ca-certificates", "tzdata", "postgresql-client-15", "libxml2"]
        for package in installed where !tools.contains(package) {
            #expect(packages.values.contains(package), "the image installs \(package), which nothing links")
        }
    }

    static func seconds(_ text: String) -> Double {
        let number = Double(text.filter { $0.isNumber || $0 == "." }) ?? 0
        return text.hasSuffix("m") ? number * 60 : number
    }
}
