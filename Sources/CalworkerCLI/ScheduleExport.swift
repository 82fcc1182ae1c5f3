import Scheduling

/// The crontab and systemd units for `jobs/`, generated so the committed files in `crontab/`
/// can be checked against the definitions (a test fails when they drift).
enum ScheduleExport {
    struct Options {
        var binary = "/usr/local/bin/calworker"
        /// Where the definitions live on the host the units run on.
        var jobsPath = "/etc/calworker/jobs"
        var timeZone = "UTC"
        var user = "calworker"
        /// The settings both cron's lines and systemd's units read.
        var environmentFile = "/etc/calworker/calworker.env"
    }

    static let header = "Generated from jobs/ by `calworker schedule export`; do not edit: change jobs/ and regenerate."

    /// Not a job: with every worker gone no job runs, so this checks from cron or a timer
    /// (`calworker notify check`) whether workers are alive, and sends the digest itself.
    static let workersWatch = (
        name: "workers-watch", cron: "*/5 * * * *", onCalendar: "*-*-* *:00/5:00",
        description: "alert when no worker is alive (the alerts job needs one to run)"
    )

    /// An /etc/cron.d file: environment first, then one line per scheduled definition.
    static func crontab(_ definitions: [JobDefinition], _ options: Options) -> String {
        var lines = [
            "# " + header,
            "# Install as /etc/cron.d/calworker. Each line enqueues a job; the workers run it. Settings come from the",
            "# environment file the systemd units read too (secrets from the files it names).",
            "CRON_TZ=\(options.timeZone)", "SHELL=/bin/sh", "PATH=/usr/local/bin:/usr/bin:/bin",
            "CALWORKER_ENV_FILE=\(options.environmentFile)", "",
        ]
        for definition in definitions {
            guard let schedule = definition.schedule else { continue }
            lines.append("# \(definition.name): \(definition.description ?? definition.kind)")
            lines.append("\(schedule.text) \(options.user) \(options.binary) enqueue --file \(options.jobsPath)/\(definition.name).json")
        }
        lines.append("# \(workersWatch.name): \(workersWatch.description)")
        lines.append("\(workersWatch.cron) \(options.user) \(options.binary) notify check")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Unit files by name: the worker service, and a service and timer per scheduled definition.
    static func systemd(_ definitions: [JobDefinition], _ options: Options) -> [String: String] {
        let sandbox = """
            User=\(options.user)
            Group=\(options.user)
            EnvironmentFile=-\(options.environmentFile)
            NoNewPrivileges=yes
            ProtectSystem=strict
            ProtectHome=yes
            PrivateTmp=yes
            PrivateDevices=yes
            ProtectKernelTunables=yes
            ProtectKernelModules=yes
            ProtectKernelLogs=yes
            ProtectControlGroups=yes
            ProtectClock=yes
            ProtectHostname=yes
            RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
            RestrictNamespaces=yes
            RestrictRealtime=yes
            RestrictSUIDSGID=yes
            LockPersonality=yes
            SystemCallArchitectures=native
            CapabilityBoundingSet=
            UMask=0077
            """
        var units: [String: String] = [:]
        units["calworker-worker.service"] = """
            # \(header)
            [Unit]
            Description=calworker worker: runs jobs from the PostgreSQL queue
            Documentation=file:///usr/share/doc/calworker/README.md
            After=network-online.target postgresql.service
            Wants=network-online.target

            [Service]
            Type=simple
            ExecStart=\(options.binary) work --http-addr 127.0.0.1:9464 --grace-period 30s
            # Reload: the log level is read again (CALWORKER_LOG_LEVEL_FILE); jobs keep running.
            ExecReload=/bin/kill -HUP $MAINPID
            # SIGTERM: stop claiming, let running jobs finish within the grace period (30 s), hand the
            # rest back. systemd waits longer than that before it kills.
            KillSignal=SIGTERM
            TimeoutStopSec=45
            Restart=on-failure
            RestartSec=5
            StateDirectory=calworker
            ReadWritePaths=/var/lib/calworker
            \(sandbox)

            [Install]
            WantedBy=multi-user.target

            """
        for definition in definitions {
            guard let schedule = definition.schedule else { continue }
            let unit = "calworker-\(definition.name)"
            units[unit + ".service"] = """
                # \(header)
                [Unit]
                Description=calworker: enqueue \(definition.name) (\(definition.description ?? definition.kind))
                After=network-online.target
                Wants=network-online.target

                [Service]
                Type=oneshot
                ExecStart=\(options.binary) enqueue --file \(options.jobsPath)/\(definition.name).json
                \(sandbox)

                """
            let calendars = SystemdCalendar.onCalendar(schedule, timeZone: options.timeZone).map { "OnCalendar=\($0)" }.joined(separator: "\n")
            units[unit + ".timer"] = """
                # \(header)
                # cron: \(schedule.text)
                [Unit]
                Description=calworker: \(definition.name) on its schedule

                [Timer]
                \(calendars)
                # A run missed while the machine was off happens once at boot; the job's unique key
                # keeps a slow one from piling up.
                Persistent=true
                AccuracySec=1s

                [Install]
                WantedBy=timers.target

                """
        }
        units["calworker-\(workersWatch.name).service"] = """
            # \(header)
            [Unit]
            Description=calworker: \(workersWatch.description)
            After=network-online.target
            Wants=network-online.target

            [Service]
            Type=oneshot
            ExecStart=\(options.binary) notify check
            \(sandbox)

            """
        units["calworker-\(workersWatch.name).timer"] = """
            # \(header)
            # cron: \(workersWatch.cron)
            [Unit]
            Description=calworker: \(workersWatch.name) every five minutes

            [Timer]
            OnCalendar=\(workersWatch.onCalendar)
            AccuracySec=1s

            [Install]
            WantedBy=timers.target

            """
        return units
    }
}
