import Worker

/// Every job kind this build runs. A new kind is one `register` line here.
public enum JobKinds {
    public static func registry() -> HandlerRegistry {
        var registry = HandlerRegistry()
        registry.register(NoopJob())
        return registry
    }
}
