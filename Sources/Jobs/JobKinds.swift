public import Worker

/// Every job kind this build runs. A new kind is one `register` line here.
public enum JobKinds {
    public static func registry(_ environment: JobEnvironment = JobEnvironment()) -> HandlerRegistry {
        var registry = HandlerRegistry(schema: CalworkerSchema.migrator)
        registry.register(NoopJob())
        registry.register(SyncAccountJob(environment: environment))
        registry.register(CleanupJob(environment: environment))
        registry.register(ThumbnailJob(environment: environment))
        registry.register(BackupJob(environment: environment))
        registry.register(NotifyJob(environment: environment))
        registry.register(WatchChannelsJob(environment: environment))
        registry.register(IcsExportJob(environment: environment))
        return registry
    }
}
