// The thumbnail benchmark: not a test. Prints thumbnails per second and peak memory of our
// `thumbnail` job against libvips' own `vipsthumbnail` on the same photos, in the same run.
//
//   scripts/bench-thumbnails [--photos N] [--rounds N]
//
// Modes (the script runs them):
//   generate DIR N     writes N synthetic photos: JPEGs of 12, 18 and 24 megapixels, and one in
//                      eight a 12 MP PNG, one in twelve a 12 MP HEIC
//   job DIR OUT        thumbnails every photo in DIR through the thumbnail job (file:// store,
//                      200x200 centre crop, JPEG quality 80), one after another
//   compare DIR ROUNDS runs `job` and `vipsthumbnail` as child processes, alternating, and
//                      reports each one's wall time and peak resident memory (wait4's rusage)
import BenchSupport
import Foundation
import JobQueue
import Jobs
import Logging
import Media
import Metrics
import Thumbnails
import Worker

func photos(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
}

func generate(_ directory: String, count: Int) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let sizes = [(4000, 3000), (5184, 3456), (6000, 4000)]
    for index in 0..<count {
        let (width, height) = sizes[index % sizes.count]
        let (name, w, h, suffix): (String, Int, Int, String) =
            index % 12 == 11
            ? ("photo\(index).heic", 4032, 3024, ".heic[Q=60]")
            : index % 8 == 7
                ? ("photo\(index).png", 4000, 3000, ".png")
                : ("photo\(index).jpg", width, height, ".jpg[Q=90]")
        let data = try SyntheticImage.encode(
            width: w, height: h, pattern: .photo(seed: UInt64(index + 1)), suffix: suffix,
            orientation: index % 5 == 0 ? 6 : 1)
        try data.write(to: URL(fileURLWithPath: directory + "/" + name))
        print("generated \(name): \(w)x\(h), \(data.count / 1024) KiB")
    }
}

/// Every photo through the real handler, the way a worker slot runs it.
func runJobs(_ directory: String, output: String) throws {
    var environment = JobEnvironment()
    environment.media = MediaSettings(mediaRoot: "/")
    let handler = ThumbnailJob(environment: environment)
    for (index, name) in photos(in: directory).enumerated() {
        let args = #"{"source": "file://\#(directory)/\#(name)", "target": "file://\#(output)/\#(name).jpg", "force": true}"#
        let job = ClaimedJob(
            id: Int64(index + 1), kind: ThumbnailJob.kind, queue: "default", args: args, attempt: 1, maxAttempts: 1,
            priority: 0, timeout: nil, startedAt: Date(), dueAt: Date())
        let context = JobContext(
            job: job, logger: .disabled, stopSignal: StopSignal(), deadline: .now + .seconds(300),
            metrics: MetricsRegistry(), connectionProvider: { fail("the benchmark has no database") })
        let decoded = try JSONDecoder().decode(ThumbnailJob.Args.self, from: Data(args.utf8))
        let result = try handler.run(try handler.validate(decoded), context: context)
        guard case .success = result else { fail("\(name): the job did not succeed: \(result)") }
    }
}

/// Runs a command as a child; its wall time and peak resident set (KiB).
func measure(_ arguments: [String]) -> (seconds: Double, maxRSSKiB: Int) {
    let argv = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    var pid: pid_t = 0
    let start = ContinuousClock.now
    guard posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ) == 0 else { fail("cannot start \(arguments[0])") }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    guard status == 0 else { fail("\(arguments.joined(separator: " ")) exited with status \(status)") }
    return (seconds(since: start), usage.ru_maxrss)
}

func compare(_ directory: String, rounds: Int) throws {
    let names = photos(in: directory)
    let bytes = names.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + $1)[.size] as? Int) ?? 0) }
    print(
        "photos: \(names.count) (\(names.filter { $0.hasSuffix(".jpg") }.count) JPEG, \(names.filter { $0.hasSuffix(".png") }.count) PNG, "
            + "\(names.filter { $0.hasSuffix(".heic") }.count) HEIC), \(bytes >> 20) MiB; 200x200 centre crop, JPEG Q80, one photo at a time")
    print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; libvips' own threads in both")
    let ours = directory + "-ours"
    let reference = directory + "-vipsthumbnail"
    for folder in [ours, reference] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    let me = CommandLine.arguments[0]
    var jobTimes: [Double] = []
    var jobMemory: [Double] = []
    var refTimes: [Double] = []
    var refMemory: [Double] = []
    for round in 1...rounds {
        let ref = measure(
            ["vipsthumbnail", "--size", "200x200", "--smartcrop", "centre", "-o", reference + "/%s.jpg[Q=80,strip]"]
                + names.map { directory + "/" + $0 })
        let job = measure([me, "job", directory, ours])
        refTimes.append(ref.seconds)
        refMemory.append(Double(ref.maxRSSKiB))
        jobTimes.append(job.seconds)
        jobMemory.append(Double(job.maxRSSKiB))
        print(
            "round \(round): vipsthumbnail \(String(format: "%.2f", ref.seconds)) s, \(ref.maxRSSKiB / 1024) MiB; "
                + "thumbnail job \(String(format: "%.2f", job.seconds)) s, \(job.maxRSSKiB / 1024) MiB")
    }
    let made = photos(in: ours).count
    guard made == names.count, photos(in: reference).count == names.count else { fail("not every photo got a thumbnail") }
    let jobRate = Double(names.count) / median(jobTimes)
    let refRate = Double(names.count) / median(refTimes)
    print(String(format: "thumbnail job:  %.1f thumbnails/s, peak memory %.0f MiB (medians of %d rounds)", jobRate, median(jobMemory) / 1024, rounds))
    print(String(format: "vipsthumbnail:  %.1f thumbnails/s, peak memory %.0f MiB", refRate, median(refMemory) / 1024))
    print(
        String(
            format: "ratio: throughput %.2f (target >= 0.9), peak memory %.2f (target <= 1.5)", jobRate / refRate,
            median(jobMemory) / median(refMemory)))
}

let arguments = CommandLine.arguments
switch arguments.count > 1 ? arguments[1] : "" {
case "generate" where arguments.count == 4: try generate(arguments[2], count: Int(arguments[3]) ?? 50)
case "job" where arguments.count == 4: try runJobs(arguments[2], output: arguments[3])
case "compare" where arguments.count == 4: try compare(arguments[2], rounds: Int(arguments[3]) ?? 3)
default: fail("use scripts/bench-thumbnails (modes: generate DIR N | job DIR OUT | compare DIR ROUNDS)")
}
