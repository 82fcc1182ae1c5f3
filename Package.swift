// swift-tools-version:6.0
import PackageDescription

/// One list of compiler settings for every target: Swift 6 language mode (strict concurrency)
/// comes from the tools version; warnings are errors in CI through `-warnings-as-errors`.
let defaultSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // A member is usable only from a module this file imports, so every module a file leans on
    // is named at its top (and in Package.swift), not reached through another's imports.
    .enableUpcomingFeature("MemberImportVisibility"),
    // Imports are internal unless marked `public import`: a module's API shows which modules
    // it exposes, and a C module stays inside its wrapper.
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Release builds specialize generics across our own modules (row decoding, parameter
    // encoding, the handler registry); without it a third of the worker's CPU per job went
    // to runtime generic-metadata lookups.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "calworker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "calworker", targets: ["calworker"]),
        .executable(name: "calworker-bench", targets: ["calworker-bench"]),
        .executable(name: "calworker-bench-metrics", targets: ["calworker-bench-metrics"]),
        .executable(name: "google-emulator", targets: ["google-emulator"]),
        .executable(name: "calworker-bench-sync", targets: ["calworker-bench-sync"]),
        .executable(name: "calworker-bench-mirrors", targets: ["calworker-bench-mirrors"]),
        .executable(name: "calworker-bench-thumbnails", targets: ["calworker-bench-thumbnails"]),
        .executable(name: "calworker-bench-backup", targets: ["calworker-bench-backup"]),
        .executable(name: "calworker-bench-notify", targets: ["calworker-bench-notify"]),
        .executable(name: "calworker-bench-budgets", targets: ["calworker-bench-budgets"]),
        .executable(name: "calworker-bench-console", targets: ["calworker-bench-console"]),
        .executable(name: "calworker-bench-ical", targets: ["calworker-bench-ical"]),
        .executable(name: "calworker-bench-icalread", targets: ["calworker-bench-icalread"]),
    ],
    targets: [
        // C libraries, wrapped once each.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // libvips' own vips.pc drags in -pthread and a dozen image libraries' flags from its
        // private requirements (SwiftPM warns and drops them); its headers need only GLib's
        // include paths, and the module map links libvips itself.
        .systemLibrary(name: "CVips", pkgConfig: "gobject-2.0", providers: [.apt(["libvips-dev"])]),

        // Thin Swift wrappers.
        .target(name: "Postgres", dependencies: ["Basics", "CLibPQ"], swiftSettings: defaultSwiftSettings),
        .target(name: "Basics", swiftSettings: defaultSwiftSettings),
        .target(name: "Redaction", swiftSettings: defaultSwiftSettings),
        .target(name: "Logging", dependencies: ["Basics", "Redaction"], swiftSettings: defaultSwiftSettings),
        .target(name: "Configuration", dependencies: ["Basics"], swiftSettings: defaultSwiftSettings),
        .target(name: "Metrics", dependencies: ["Basics"], swiftSettings: defaultSwiftSettings),
        .target(name: "Crypto", dependencies: ["Basics", "CCrypto", "Redaction"], swiftSettings: defaultSwiftSettings),
        .target(name: "HTTPClient", dependencies: ["Basics", "CCurl", "Metrics", "Redaction"], swiftSettings: defaultSwiftSettings),
        .target(name: "HTTPServer", dependencies: ["Basics"], swiftSettings: defaultSwiftSettings),
        .target(name: "Media", dependencies: ["Basics", "Configuration", "HTTPClient", "Crypto", "Metrics"], swiftSettings: defaultSwiftSettings),
        .target(name: "Thumbnails", dependencies: ["Basics", "Configuration", "CVips"], swiftSettings: defaultSwiftSettings),
        .target(name: "Backup", dependencies: ["Basics", "Configuration", "Crypto", "Media", "Postgres"], swiftSettings: defaultSwiftSettings),
        .target(
            name: "Notify",
            dependencies: [
                "Accounts", "Basics", "Configuration", "Crypto", "HTTPClient", "JobQueue", "LocalCopy", "Metrics", "Postgres", "Redaction",
                "Reminders", "Scheduling",
            ],
            resources: [.copy("Templates")],
            swiftSettings: defaultSwiftSettings),

        // Domain.
        .target(name: "JobQueue", dependencies: ["Basics", "Postgres"], swiftSettings: defaultSwiftSettings),
        // Every job kind's args: kind name, validation, unique key and subject, below the
        // handlers, so any module can queue work without knowing who runs it.
        .target(name: "JobArgs", dependencies: ["JobQueue"], swiftSettings: defaultSwiftSettings),
        .target(
            name: "Worker", dependencies: ["Basics", "JobQueue", "Postgres", "Logging", "Metrics", "Redaction"], swiftSettings: defaultSwiftSettings),
        .target(name: "Accounts", dependencies: ["Basics", "Configuration", "Postgres", "Crypto", "Redaction"], swiftSettings: defaultSwiftSettings),
        // What the sync engine needs from a calendar service, and the request budgets shared by every worker.
        .target(name: "CalendarProviders", dependencies: ["Basics", "MirrorPlanner", "Postgres"], swiftSettings: defaultSwiftSettings),
        .target(name: "RequestBudgets", dependencies: ["Basics", "Postgres"], swiftSettings: defaultSwiftSettings),
        // Google Calendar as a provider: the API client, OAuth, stored tokens.
        .target(
            name: "Google",
            dependencies: [
                "Accounts", "Basics", "CalendarProviders", "Configuration", "Crypto", "HTTPClient", "Metrics", "MirrorPlanner", "Postgres",
                "Redaction", "RequestBudgets",
            ],
            swiftSettings: defaultSwiftSettings),
        .target(name: "Patterns", dependencies: ["Basics"], swiftSettings: defaultSwiftSettings),
        .target(name: "MirrorPlanner", dependencies: ["Basics", "Crypto", "Patterns"], swiftSettings: defaultSwiftSettings),
        .target(name: "Reminders", dependencies: ["Basics"], swiftSettings: defaultSwiftSettings),
        .target(name: "ICalendar", dependencies: ["Basics", "Reminders"], swiftSettings: defaultSwiftSettings),
        // WebDAV answers read safely: XML without DTDs or entities, within limits.
        .target(name: "DAV", dependencies: ["Basics"], swiftSettings: defaultSwiftSettings),
        // CalDAV as a provider: WebDAV requests to one account, discovery.
        .target(name: "CalDAV", dependencies: ["Basics", "DAV", "HTTPClient", "ICalendar", "Redaction"], swiftSettings: defaultSwiftSettings),
        .target(
            name: "Feeds",
            dependencies: ["Accounts", "Basics", "Configuration", "ICalendar", "Crypto", "LocalCopy", "Media", "Mirroring", "Postgres"],
            swiftSettings: defaultSwiftSettings),
        .target(name: "Scheduling", dependencies: ["Basics", "Configuration", "JobQueue", "Postgres"], swiftSettings: defaultSwiftSettings),
        // The sync engine, by concern: the local copy (cursor, pages, calendars and events), the
        // mirroring of busy blocks (planner, executor, policies), push channels; CalendarSync
        // runs one account's sync through all three.
        .target(
            name: "LocalCopy", dependencies: ["Basics", "Accounts", "CalendarProviders", "MirrorPlanner", "Postgres"],
            swiftSettings: defaultSwiftSettings),
        .target(
            name: "Mirroring",
            dependencies: ["Basics", "Accounts", "CalendarProviders", "LocalCopy", "Metrics", "MirrorPlanner", "Postgres"],
            swiftSettings: defaultSwiftSettings),
        .target(
            name: "Push",
            dependencies: [
                "Basics", "Accounts", "CalendarProviders", "Configuration", "Crypto", "JobArgs", "JobQueue", "LocalCopy", "Metrics", "Postgres",
                "Redaction",
            ],
            swiftSettings: defaultSwiftSettings),
        .target(
            name: "CalendarSync",
            dependencies: [
                "Basics", "Accounts", "CalendarProviders", "LocalCopy", "Metrics", "MirrorPlanner", "Mirroring", "Postgres", "Push",
            ],
            swiftSettings: defaultSwiftSettings),
        .target(
            name: "Jobs",
            dependencies: [
                "Basics", "Feeds", "Worker", "JobArgs", "JobQueue", "Postgres", "Scheduling", "Accounts", "CalendarProviders", "CalendarSync",
                "Crypto",
                "Google", "LocalCopy", "Media", "Mirroring", "Push", "RequestBudgets",
                "Thumbnails", "Backup", "Notify", "Configuration", "Logging", "Metrics",
            ],
            swiftSettings: defaultSwiftSettings),

        // The operator console: markup safe by construction, sessions, CSRF, login throttling.
        .target(
            name: "Console",
            dependencies: [
                "Accounts", "Basics", "Configuration", "Crypto", "HTTPServer", "JobArgs", "JobQueue", "LocalCopy", "Postgres", "Push", "Scheduling",
            ],
            swiftSettings: defaultSwiftSettings),

        .target(
            name: "PushReceiver",
            dependencies: ["Push", "Basics", "HTTPServer", "Logging", "Metrics", "Postgres"],
            swiftSettings: defaultSwiftSettings),

        // The command-line tool: a thin entry point over a library the tests call too.
        .target(
            name: "CalworkerCLI",
            dependencies: [
                "LocalCopy", "Mirroring", "Push",
                "Basics", "Feeds", "Jobs", "Worker", "JobArgs", "JobQueue", "Postgres", "Logging", "Configuration", "Metrics", "HTTPClient",
                "HTTPServer",
                "Redaction",
                "Accounts", "CalDAV", "CalendarProviders", "CalendarSync", "Console", "Crypto", "Google", "MirrorPlanner", "Media", "Backup",
                "Notify",
                "PushReceiver", "Reminders", "RequestBudgets", "Scheduling", "Thumbnails",
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .executableTarget(name: "calworker", dependencies: ["CalworkerCLI"], swiftSettings: defaultSwiftSettings),

        // A faithful local Google Calendar API v3 + OAuth token endpoint, for tests, the demo and
        // benchmarks: a library the tests start in-process, and an executable.
        // It delivers push notifications (watch channels) through the project's libcurl client.
        .target(name: "GoogleEmulator", dependencies: ["Basics", "HTTPClient", "HTTPServer", "Metrics"], swiftSettings: defaultSwiftSettings),
        .executableTarget(name: "google-emulator", dependencies: ["GoogleEmulator"], swiftSettings: defaultSwiftSettings),

        // Benchmarks: not tests; run by hand (`scripts/bench-queue`).
        .target(
            name: "BenchSupport", dependencies: ["Basics", "HTTPClient", "Metrics"], path: "Benchmarks/BenchSupport",
            swiftSettings: defaultSwiftSettings),
        .executableTarget(
            name: "calworker-bench",
            dependencies: ["Basics", "BenchSupport", "Jobs", "Worker", "JobQueue", "Postgres", "Logging", "Metrics"],
            path: "Benchmarks/QueueBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-metrics",
            dependencies: ["BenchSupport", "Metrics", "HTTPClient", "HTTPServer"],
            path: "Benchmarks/MetricsBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-sync",
            dependencies: [
                "LocalCopy",
                "BenchSupport", "Jobs", "Accounts", "CalendarProviders", "CalendarSync", "Crypto", "Google", "HTTPClient", "JobQueue", "Metrics",
                "Postgres", "RequestBudgets",
            ],
            path: "Benchmarks/SyncBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-mirrors",
            dependencies: [
                "LocalCopy", "Mirroring",
                "BenchSupport", "Jobs", "Accounts", "CalendarProviders", "CalendarSync", "Crypto", "Google", "HTTPClient", "JobQueue", "Metrics",
                "Postgres",
            ],
            path: "Benchmarks/MirrorBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-thumbnails",
            dependencies: ["BenchSupport", "JobQueue", "Jobs", "Logging", "Media", "Metrics", "Thumbnails", "Worker"],
            path: "Benchmarks/ThumbnailBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-backup",
            dependencies: ["BenchSupport", "Backup", "Crypto", "Media", "Metrics", "Postgres"],
            path: "Benchmarks/BackupBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-notify",
            dependencies: ["BenchSupport", "Jobs", "Accounts", "Crypto", "HTTPClient", "JobQueue", "Metrics", "Notify", "Postgres", "TestSupport"],
            path: "Benchmarks/NotifyBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-budgets",
            dependencies: ["BenchSupport", "Jobs", "CalendarSync", "Google", "HTTPClient", "JobQueue", "Metrics", "Postgres", "RequestBudgets"],
            path: "Benchmarks/BudgetBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-push",
            dependencies: [
                "Push",
                "Basics", "BenchSupport", "Jobs", "Accounts", "CalendarSync", "Crypto", "Google", "HTTPClient", "HTTPServer", "JobArgs", "JobQueue",
                "Logging",
                "Metrics", "Postgres", "PushReceiver", "RequestBudgets", "Worker",
            ],
            path: "Benchmarks/PushBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-icalread", dependencies: ["BenchSupport", "ICalendar"], path: "Benchmarks/ICalReadBench",
            swiftSettings: defaultSwiftSettings),
        .executableTarget(
            name: "calworker-bench-ical",
            dependencies: ["BenchSupport", "Feeds", "ICalendar", "JobQueue", "Jobs", "LocalCopy", "Media", "Metrics", "Postgres"],
            path: "Benchmarks/ICalBench",
            swiftSettings: defaultSwiftSettings
        ),

        .executableTarget(
            name: "calworker-bench-console",
            dependencies: [
                "Accounts", "BenchSupport", "Console", "HTTPClient", "HTTPServer", "JobQueue", "Jobs", "Logging", "Metrics",
                "Postgres", "Worker",
            ],
            path: "Benchmarks/ConsoleBench",
            swiftSettings: defaultSwiftSettings
        ),

        // Tests mirror Sources; shared helpers live in TestSupport.
        .target(
            name: "TestSupport", dependencies: ["Basics", "Postgres", "JobQueue", "Jobs", "HTTPClient", "HTTPServer", "Metrics"],
            path: "Tests/TestSupport",
            swiftSettings: defaultSwiftSettings),
        .testTarget(name: "AccountsTests", dependencies: ["Accounts", "Crypto", "Postgres", "TestSupport"], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "RequestBudgetsTests", dependencies: ["Accounts", "Basics", "Crypto", "Postgres", "RequestBudgets", "TestSupport"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "CalendarProvidersTests", dependencies: ["Basics", "CalendarProviders", "MirrorPlanner"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(name: "PushTests", dependencies: ["Push"], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "MirroringTests", dependencies: ["MirrorPlanner", "Mirroring", "Notify", "Postgres", "TestSupport"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "LocalCopyTests", dependencies: ["CalendarProviders", "Google", "LocalCopy"], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "CalendarSyncTests",
            dependencies: [
                "Basics", "CalendarProviders", "CalendarSync", "Accounts", "Crypto", "Google", "GoogleEmulator", "HTTPServer", "Jobs", "Worker",
                "JobArgs", "JobQueue", "LocalCopy", "MirrorPlanner", "Mirroring", "Notify", "Postgres", "Push", "PushReceiver", "Metrics", "Logging",
                "RequestBudgets",
                "TestSupport",
            ],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "GoogleTests",
            dependencies: [
                "Basics", "CalendarProviders", "Google", "RequestBudgets", "HTTPClient", "HTTPServer", "GoogleEmulator", "Metrics", "TestSupport",
            ],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "ICalendarTests", dependencies: ["ICalendar", "HTTPClient", "Metrics", "Reminders", "TestSupport"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "FeedsTests", dependencies: ["Basics", "Feeds", "ICalendar", "Accounts", "Media", "Metrics", "Postgres", "TestSupport"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "NotifyTests",
            dependencies: [
                "Basics", "Notify", "HTTPClient", "HTTPServer", "Accounts", "Crypto", "Jobs", "JobQueue", "Logging", "Worker",
                "Metrics", "Postgres", "Reminders", "TestSupport",
            ], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "SchedulingTests", dependencies: ["Scheduling", "JobQueue", "Postgres", "TestSupport"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "RemindersTests", dependencies: ["Reminders"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "MirrorPlannerTests", dependencies: ["MirrorPlanner", "Patterns"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "PatternsTests", dependencies: ["Patterns"], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "MediaTests", dependencies: ["Crypto", "Media", "HTTPClient", "HTTPServer", "Metrics", "TestSupport"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "BackupTests", dependencies: ["Backup", "Crypto", "JobQueue", "Media", "Metrics", "Postgres", "TestSupport"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(name: "ThumbnailsTests", dependencies: ["Thumbnails"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "RedactionTests", dependencies: ["Redaction"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "LoggingTests", dependencies: ["Logging", "Redaction"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "ConsoleTests",
            dependencies: ["Accounts", "Console", "HTTPServer", "JobQueue", "Jobs", "Logging", "Postgres", "Scheduling", "TestSupport", "Worker"],
            exclude: ["Browser"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "HTTPClientTests", dependencies: ["Basics", "HTTPClient", "HTTPServer", "Metrics", "TestSupport"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "GoogleEmulatorTests", dependencies: ["GoogleEmulator", "HTTPServer", "HTTPClient", "Metrics", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "CalDAVTests", dependencies: ["CalDAV", "DAV", "HTTPClient", "HTTPServer", "ICalendar", "Metrics", "TestSupport"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(name: "DAVTests", dependencies: ["DAV"], swiftSettings: defaultSwiftSettings),
        .testTarget(name: "JobArgsTests", dependencies: ["JobArgs", "JobQueue"], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "JobQueueTests",
            dependencies: [
                "LocalCopy", "Mirroring", "Push", "Accounts", "CalendarSync", "JobQueue", "Jobs", "Notify", "Postgres", "RequestBudgets",
                "Scheduling", "TestSupport",
            ],
            exclude: ["Fixtures"], swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "WorkerTests", dependencies: ["Worker", "Jobs", "JobQueue", "Postgres", "Logging", "Metrics", "TestSupport"],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "JobsTests",
            dependencies: [
                "Backup", "Basics", "Feeds", "HTTPServer", "Jobs", "Worker", "JobArgs", "JobQueue", "Logging", "Media", "Metrics", "Postgres",
                "Thumbnails", "TestSupport",
            ],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "PushReceiverTests",
            dependencies: [
                "Push",
                "PushReceiver", "Accounts", "CalendarSync", "Crypto", "HTTPServer", "JobQueue", "Jobs", "Logging", "Metrics",
                "Postgres", "TestSupport",
            ],
            swiftSettings: defaultSwiftSettings),
        .testTarget(
            name: "CalworkerCLITests",
            dependencies: [
                "CalworkerCLI", "Configuration", "HTTPClient", "HTTPServer", "JobQueue", "Metrics", "Postgres", "Scheduling", "TestSupport",
            ],
            exclude: ["Prometheus"], swiftSettings: defaultSwiftSettings),
    ]
)
