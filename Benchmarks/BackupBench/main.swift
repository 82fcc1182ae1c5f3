import Backup
// The backup benchmark: not a test. Prints what calworker's backup, verification and restore
// cost against plain pg_dump -Fc and pg_restore on the same database, in the same run.
//
//   scripts/bench-backup [--mb N] [--rounds N]
import BenchSupport
import Crypto
import Foundation
import Media
import Metrics
import Postgres

func timed(_ body: () throws -> Void) rethrows -> Double {
    try seconds(body)
}

/// Runs a PostgreSQL tool to completion, output to /dev/null; fails the benchmark on error.
func run(_ arguments: [String]) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let argv = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    guard posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ) == 0 else { fail("cannot start \(arguments[0])") }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    guard status == 0 else { fail("\(arguments.joined(separator: " ")) failed with status \(status)") }
}

guard let adminURL = argument("--url"), let work = argument("--dir"), let bin = argument("--pg-bin") else {
    fail("use scripts/bench-backup (it starts PostgreSQL)")
}
let megabytes = Int(argument("--mb") ?? "") ?? 600
let rounds = Int(argument("--rounds") ?? "") ?? 2
let admin = try PostgresConnection.connect(adminURL)
try admin.execute("DROP DATABASE IF EXISTS cw_bench_backup WITH (FORCE)")
try admin.execute("CREATE DATABASE cw_bench_backup")
let dbURL = adminURL + " dbname=cw_bench_backup"
let db = try PostgresConnection.connect(dbURL)

// A calendar platform's kind of data: events with titles, times, attendees as JSON, and an index.
print("== building a database of about \(megabytes) MB")
try db.execute(
    """
    CREATE TABLE events (id bigserial PRIMARY KEY, calendar_id int NOT NULL, title text NOT NULL, starts timestamptz NOT NULL,
                         ends timestamptz NOT NULL, attendees jsonb, notes text)
    """)
let rowsPerBatch = 200_000
var batches = 0
while true {
    try db.execute(
        """
        INSERT INTO events (calendar_id, title, starts, ends, attendees, notes)
        SELECT g % 5000, 'Meeting ' || g || ' about ' || md5(g::text), now() + g * interval '1 minute', now() + g * interval '1 minute' + interval '30 minutes',
               jsonb_build_array(jsonb_build_object('email', 'user' || (g % 977) || '@example.com', 'responseStatus', 'accepted')),
               repeat(md5((g * 31)::text), (1 + g % 3)::int)
          FROM generate_series($1::bigint, $2::bigint) g
        """, [Int64(batches * rowsPerBatch), Int64((batches + 1) * rowsPerBatch - 1)])
    batches += 1
    let size: Int64 = try db.query("SELECT pg_database_size(current_database())")[0].decode(at: 0)
    if size >= Int64(megabytes) << 20 { break }
}
try db.execute("CREATE INDEX events_calendar_idx ON events (calendar_id, starts)")
try db.execute("VACUUM ANALYZE events")
try db.execute("CHECKPOINT")
let size: Int64 = try db.query("SELECT pg_database_size(current_database())")[0].decode(at: 0)
let rows: Int64 = try db.query("SELECT count(*) FROM events")[0].decode(at: 0)
print("database: \(size >> 20) MiB, \(rows) rows; machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; target: file:// (local disk)")

var settings = BackupSettings(
    key: try SecretKey(base64: Data(repeating: 7, count: 32).base64EncodedString()), target: "file://\(work)/backups/",
    media: MediaSettings(mediaRoot: work))
settings.spoolDirectory = work
settings.toolsDirectory = bin
let stores = MediaStores(settings: settings.media, metrics: MetricsRegistry())
let catalog = try BackupCatalog(stores: stores, target: settings.target!)

var plainDump: [Double] = []
var ours: [Double] = []
var verify: [Double] = []
var lastManifest: BackupManifest?
for round in 1...rounds {
    let plainFile = "\(work)/plain.dump"
    unlink(plainFile)
    let plain = timed { run(["\(bin)/pg_dump", "--format=custom", "--no-password", "--file=\(plainFile)", "--dbname=\(dbURL)"]) }
    plainDump.append(plain)
    let outcome = try BackupRun(settings: settings, stores: stores, catalog: catalog, shouldAbort: { false })
        .run(on: db, policy: RetentionPolicy(daily: 0, weekly: 0, monthly: 0))
    guard outcome.manifest.isVerified else { fail("the backup failed verification: \(outcome.manifest.verification?.error ?? "")") }
    let backup = ((outcome.figures["dump_ms"] ?? 0) + (outcome.figures["upload_ms"] ?? 0)) / 1000
    ours.append(backup)
    verify.append((outcome.figures["verify_ms"] ?? 0) / 1000)
    lastManifest = outcome.manifest
    let plainSize = (try FileManager.default.attributesOfItem(atPath: plainFile)[.size] as? Int) ?? 0
    print(
        String(
            format: "round %d: pg_dump -Fc %.2f s (%d MiB); calworker backup %.2f s (%d MiB sealed), ratio %.3f; verification %.2f s",
            round, plain, plainSize >> 20, backup, Int(outcome.manifest.ciphertextBytes >> 20), backup / plain, verify.last!))
}

// Restores into fresh databases, plain pg_restore of the plain dump against calworker's restore,
// in alternating order with a checkpoint before each, so neither pays for the other's WAL.
let manifest = lastManifest!
let entry = try catalog.entry(manifest.id)
func freshDatabase(_ name: String) throws -> String {
    try admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    try admin.execute("CREATE DATABASE \(name)")
    try admin.execute("CHECKPOINT")
    return adminURL + " dbname=\(name)"
}
var plainRestores: [Double] = []
var ourRestores: [Double] = []
for round in 1...rounds {
    for ourTurn in (round % 2 == 1 ? [false, true] : [true, false]) {
        let target = try freshDatabase(ourTurn ? "cw_bench_restore_ours" : "cw_bench_restore_plain")
        if ourTurn {
            var report: BackupRestorer.Report?
            ourRestores.append(
                try timed {
                    report = try BackupRestorer(settings: settings, stores: stores).restore(manifest, in: entry.folder, into: target, force: false)
                })
            guard report?.differences.isEmpty == true else { fail("the restore's counts differ: \(report?.differences ?? [])") }
        } else {
            plainRestores.append(
                timed {
                    run([
                        "\(bin)/pg_restore", "--no-password", "--no-owner", "--no-privileges", "--exit-on-error", "--jobs=\(settings.restoreJobs)",
                        "--dbname=\(target)", "\(work)/plain.dump",
                    ])
                })
        }
    }
    print(String(format: "restore round %d: pg_restore %.2f s; calworker backup restore %.2f s", round, plainRestores.last!, ourRestores.last!))
}
for name in ["cw_bench_restore_plain", "cw_bench_restore_ours", "cw_bench_backup"] {
    try admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
}

print(
    String(
        format: "backup (verification excluded): %.2f s against pg_dump -Fc %.2f s: ratio %.3f (target <= 1.15), median of %d",
        median(ours), median(plainDump), median(ours) / median(plainDump), rounds))
print(String(format: "verification (open, pg_restore into a scratch database, count every table): %.2f s", median(verify)))
print(
    String(
        format: "restore: %.2f s against plain pg_restore %.2f s: ratio %.3f (%d parallel jobs each, medians of %d)",
        median(ourRestores), median(plainRestores), median(ourRestores) / median(plainRestores), settings.restoreJobs, rounds))
