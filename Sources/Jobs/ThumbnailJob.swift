import Basics
import Foundation
public import JobArgs
public import JobQueue
import Logging
import Media
import Thumbnails
public import Worker

/// `thumbnail`: a photo attached to an attendance record, task, ticket or journal entry,
/// made into the 200x200 image calendar cards show.
///
/// `{"source": URL, "target": URL?, "size": 200, "height": 200?, "crop": "centre",
/// "format": "jpeg", "quality": 80, "force": false}` makes one thumbnail; the default target
/// is the `thumbnails/` folder beside the source. A thumbnail newer than its source is not made
/// again unless `force` is set. `{"prefix": URL, ...}` instead enqueues one job for every photo
/// under the prefix that lacks an up-to-date thumbnail.
///
/// Damaged, truncated, oversized and non-image inputs are discarded with the reason (the same
/// bytes will never work); a store that cannot be reached makes the attempt fail and retry.
public struct ThumbnailJob: JobHandler {
    public typealias Args = ThumbnailArgs

    let environment: JobEnvironment
    public let timeout: Duration = .seconds(300)

    public init(environment: JobEnvironment) { self.environment = environment }

    public static let figureMetrics: [FigureMetric] = [
        FigureMetric(figure: "thumbnails_made", metric: "calworker_thumbnails_made_total", help: "Thumbnails written."),
        FigureMetric(figure: "bytes_in", metric: "calworker_thumbnail_input_bytes_total", help: "Photo bytes downloaded."),
        FigureMetric(figure: "bytes_out", metric: "calworker_thumbnail_output_bytes_total", help: "Thumbnail bytes written."),
        FigureMetric(
            figure: "decode_ms", metric: "calworker_thumbnail_decode_seconds_total", help: "Time decoding and resizing photos.",
            scale: 0.001),
        FigureMetric(figure: "encode_ms", metric: "calworker_thumbnail_encode_seconds_total", help: "Time encoding thumbnails.", scale: 0.001),
        FigureMetric(figure: "enqueued", metric: "calworker_thumbnail_jobs_fanned_out_total", help: "Thumbnail jobs a prefix sweep enqueued."),
    ]

    public func validate(_ args: Args) throws(JobArgsError) -> Plan {
        try args.validate()
        return try Plan(args)
    }

    /// The photo's folder (a sweep's prefix): "what happened to the thumbnails under X?"
    public func subject(for args: Args, checked plan: Plan) -> String? {
        switch plan.work {
        case .one(let source, _):
            let text = source.description
            return "media:" + (text.range(of: "/", options: .backwards).map { String(text[..<$0.upperBound]) } ?? text)
        case .sweep(let prefix): return "media:\(prefix)"
        }
    }

    public func defaultUniqueKey(for args: Args, checked plan: Plan) -> String? {
        switch plan.work {
        case .one(let source, let target): return "thumbnail:\(source) -> \(target)"
        case .sweep(let prefix): return "thumbnail:sweep:\(prefix):\(plan.options.width)x\(plan.options.height)"
        }
    }

    public func run(_ plan: Plan, context: JobContext) throws -> JobResult {
        let stores = MediaStores(settings: environment.media, metrics: context.metrics, shouldAbort: { context.isStopped })
        do {
            switch plan.work {
            case .one(let source, let target):
                return try makeOne(source: source, target: target, plan: plan, stores: stores, context: context)
            case .sweep(let prefix):
                return try sweep(prefix, plan: plan, stores: stores, context: context)
            }
        } catch let error as MediaError where error.kind == .aborted {
            try context.checkStop()
            throw error
        }
    }

    private func makeOne(
        source: MediaLocation, target: MediaLocation, plan: Plan, stores: MediaStores,
        context: JobContext
    ) throws -> JobResult {
        if !plan.force, let existing = try stores.head(target) {
            let original = try? stores.head(source)
            if let made = existing.lastModified, let changed = original?.lastModified, made >= changed {
                return .success(JobFigures(["up_to_date": 1]))
            }
        }
        let photo = try stores.get(source, maxBytes: environment.media.maxDownloadBytes)
        let thumbnail: Thumbnail
        do {
            thumbnail = try environment.thumbnailer.make(from: photo, options: plan.options)
        } catch  where error.kind == .failed {
            throw error
        } catch {
            context.logger.notice("photo refused", ["source": source.description, "error": error.message])
            return .discard(reason: "\(source): \(error.message)", figures: JobFigures(["bytes_in": Double(photo.count)]))
        }
        try stores.put(target, data: thumbnail.data, contentType: plan.options.format.contentType)
        return .success(
            JobFigures([
                "thumbnails_made": 1, "bytes_in": Double(photo.count), "bytes_out": Double(thumbnail.data.count),
                "pixels_in": Double(thumbnail.inputWidth * thumbnail.inputHeight),
                "decode_ms": thumbnail.decodeTime.milliseconds, "encode_ms": thumbnail.encodeTime.milliseconds,
            ]))
    }
}
